"""The access log (21 CFR Part 11 / ICH E6 "access is limited and logged"): every login, failed login,
lockout, logout and password change, and every change to who may see or do what (an account's roles, sites,
direct permissions and flags; a role's permissions, name and existence), with who did it, from where and
when. Append-only: written by signal receivers (patients/access_log_receivers.py), never edited,
never deleted, read by the system administrator in the admin."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class AccessEventKind(models.TextChoices):
    LOGIN = "login", "Logged in"
    LOGIN_FAILED = "login_failed", "Failed login"
    LOCKED_OUT = "locked_out", "Locked out after repeated failures"
    LOGOUT = "logout", "Logged out"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    ROLE_ADDED = "role_added", "Role given"
    ROLE_REMOVED = "role_removed", "Role taken away"
    SITE_ADDED = "site_added", "Site membership given"
    SITE_REMOVED = "site_removed", "Site membership taken away"
    ACCOUNT_CHANGED = "account_changed", "Account changed (active, staff, superuser)"
    ACCOUNT_CREATED = "account_created", "Account created"
    ACCOUNT_DELETED = "account_deleted", "Account deleted"
    PERMISSION_ADDED = "perm_added", "Permission given to the user directly"
    PERMISSION_REMOVED = "perm_removed", "Permission taken from the user directly"
    ROLE_PERMISSION_ADDED = "role_perm_added", "Permission given to a role"
    ROLE_PERMISSION_REMOVED = "role_perm_removed", "Permission taken from a role"
    ROLE_CREATED = "role_created", "Role created"
    ROLE_RENAMED = "role_renamed", "Role renamed"
    ROLE_DELETED = "role_deleted", "Role deleted"
    # Emergency unblinding (patients/unblinding.py): who asked, who decided, and each look at the arm.
    UNBLINDING_REQUESTED = "unblind_requested", "Emergency unblinding requested"
    UNBLINDING_DECIDED = "unblind_decided", "Emergency unblinding approved or refused"
    UNBLINDED_VIEW = "unblinded_view", "Allocation seen after emergency unblinding"
    # A copy of the trial's data leaving the app (an ODM file): who, what scope, blinded or not.
    DATA_EXPORTED = "data_exported", "Data exported"


class AccessEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The access log is append-only.")

    def delete(self):
        raise PermissionError("The access log is append-only.")

    delete.queryset_only = True


class AccessEvent(models.Model):
    when = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=20, choices=AccessEventKind.choices)
    # The account concerned (None for a failed login with an unknown username) and the name as typed.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="access_events"
    )
    username = models.CharField(max_length=150, blank=True)
    # Who made a role, site or account change (an administrator), when not the user themself.
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    detail = models.CharField(max_length=255, blank=True)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        ordering = ["-when"]
        default_permissions = ("view",)
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AccessEventKind.values), name="patients_accessevent_kind_valid")
        ]

    def __str__(self):
        return f"{self.when:%Y-%m-%d %H:%M:%S} {self.get_kind_display()}: {self.username}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The access log is append-only.")
