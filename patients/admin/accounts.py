"""Who works where: user accounts with their sites, sites, arms, and the access log (read by the system
administrator)."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from patients.access_log import AccessEvent
from patients.admin_base.blinding import AllocationTableAdminMixin, BlindedAdminMixin
from patients.admin_base.scoping import ScopedHistoryAdmin
from patients.models import (
    Arm,
    Site,
    SiteMembership,
)


class SiteMembershipInline(admin.TabularInline):
    model = SiteMembership
    extra = 0


class UserSiteMembershipInline(admin.TabularInline):
    """Which sites a user works at: set on the user's admin page by the system administrator."""

    model = SiteMembership
    extra = 1
    verbose_name = "site membership"


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class CrfUserAdmin(BlindedAdminMixin, UserAdmin):  # typed lookups too: every admin asks the policy
    """Accounts are deactivated (untick "active", which the access log records), never deleted: the audit
    trail and the access log name them, and a delete was refused only after a page listing the protected
    log rows, with nothing logged (issue 28, I)."""

    inlines = [*UserAdmin.inlines, UserSiteMembershipInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Site)
class SiteAdmin(ScopedHistoryAdmin):
    list_display = ["code", "name", "country", "last_sequence_number"]
    readonly_fields = ["last_sequence_number"]
    inlines = [SiteMembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Arm)
class ArmAdmin(AllocationTableAdminMixin, ScopedHistoryAdmin):  # every arm is in scope; ids are checked
    list_display = ["code", "name", "treatment", "ratio_weight"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessEvent)
class AccessEventAdmin(BlindedAdminMixin, admin.ModelAdmin):
    """The access log, read-only: logins, failures, lockouts, password, role and site changes."""

    list_display = ["when", "kind", "username", "by", "ip_address", "detail"]
    list_filter = ["kind", ("when", admin.DateFieldListFilter)]
    search_fields = ["username", "ip_address", "detail"]
    list_select_related = ["by"]
    date_hierarchy = "when"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
