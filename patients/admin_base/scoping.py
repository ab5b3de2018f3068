"""The admin sees the user's sites only: querysets, related choices, history pages."""

from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from patients.admin_base.blinding import BlindedAdminMixin
from patients.casebook.records import ParticipantRecord
from patients.casebook.sites import site_ids_for
from patients.models import Participant, Site


def scope_foreign_key(db_field, request, kwargs):
    if db_field.related_model is get_user_model():
        # "Screened by", "obtained by": people who work at the user's sites, not every account.
        site_ids = site_ids_for(request.user)
        users = get_user_model().objects.filter(is_active=True).order_by("username")
        if site_ids is not None:
            users = users.filter(site_memberships__site_id__in=site_ids).distinct()
        kwargs["queryset"] = users
    elif db_field.name == "participant":
        kwargs["queryset"] = Participant.objects.for_user(request.user).active()
    elif issubclass(db_field.related_model, ParticipantRecord):
        # e.g. the infusion a deviation concerns: only records of the user's sites.
        kwargs["queryset"] = db_field.related_model.objects.for_user(request.user).active()
    elif db_field.name == "site":
        kwargs["queryset"] = Site.objects.for_user(request.user)
    return kwargs


class ScopedHistoryAdmin(BlindedAdminMixin, SimpleHistoryAdmin):
    """simple_history's history views look objects up without ``get_queryset`` (so as to show deleted
    ones), and fail with a 500 on an id that is not one. Nothing here is deleted, so an object outside the
    user's scope, or a malformed id, is simply not found. Every admin with a history uses this class, and
    with it the blinding policy (patients/admin_base/blinding.py)."""

    def _check_in_scope(self, request, object_id):
        # get_object: the user's queryset, and None (not a 500) for an id that is not one ("abc", "1.5").
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._check_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_in_scope(request, object_id)
        if not str(version_id).isdigit():
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)
