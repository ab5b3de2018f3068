"""The outbox (patients/outbox.py) for data management: every e-mail the trial sent or tried to send, with
its attempts and last error, at the user's sites; a message given up on is sent again from here."""

from django.contrib import admin, messages

from patients.admin_base.scoping import ScopedHistoryAdmin
from patients.casebook.sites import site_ids_for
from patients.outbox import MailStatus, OutgoingEmail, mail_resend


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ScopedHistoryAdmin):
    list_display = ["created_datetime", "topic", "subject", "status", "attempts", "last_error", "sent_datetime"]
    list_filter = ["status", "topic"]
    search_fields = ["subject", "recipients"]
    date_hierarchy = "created_datetime"
    actions = ["send_again"]
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        site_ids = site_ids_for(request.user)
        return queryset if site_ids is None else queryset.filter(site_id__in=site_ids)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_send_again_permission(self, request):
        return request.user.has_perm("patients.resend_outgoingemail")

    @admin.action(description="Send the selected e-mails again", permissions=["send_again"])
    def send_again(self, request, queryset):
        resent = 0
        for message in queryset.exclude(status__in=[MailStatus.SENT, MailStatus.SENDING]):
            mail_resend(message=message)
            resent += 1
        self.message_user(
            request, f"{resent} e-mail(s) will be sent again; sent ones are left as they are.", messages.SUCCESS
        )
