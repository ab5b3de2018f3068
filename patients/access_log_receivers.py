"""Signal receivers that write the access log (patients/access_log.py). The request, where there is one
(login, logout, failed login, admin changes through HistoryRequestMiddleware), gives the address and agent."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from simple_history.models import HistoricalRecords

from patients.access_log import AccessEvent, AccessEventKind
from patients.models import SiteMembership

User = get_user_model()


def _request():
    return getattr(HistoricalRecords.context, "request", None)


def log_access_event(kind, *, user=None, username="", request=None, by=None, detail=""):
    """Append one event to the access log (also called by patients/unblinding.py)."""
    request = request or _request()
    meta = getattr(request, "META", {})
    acting = getattr(request, "user", None)
    if by is None and acting is not None and getattr(acting, "is_authenticated", False) and acting != user:
        by = acting
    AccessEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or getattr(user, "username", ""))[:150],
        by=by,
        ip_address=meta.get("REMOTE_ADDR") or None,
        user_agent=(meta.get("HTTP_USER_AGENT") or "")[:255],
        detail=detail[:255],
    )


@receiver(user_logged_in, dispatch_uid="access_log_login")
def _logged_in(sender, request, user, **kwargs):
    log_access_event(AccessEventKind.LOGIN, user=user, request=request, by=user)


@receiver(user_logged_out, dispatch_uid="access_log_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        log_access_event(AccessEventKind.LOGOUT, user=user, request=request, by=user)


@receiver(user_login_failed, dispatch_uid="access_log_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "")
    user = User.objects.filter(username=username).first()
    # A password re-entered to sign (patients.casebook.access.reauthenticate) says so.
    detail = getattr(request, "crf_reauthentication", "")
    log_access_event(
        AccessEventKind.LOGIN_FAILED, user=user, username=username, request=request, by=user, detail=detail
    )


@receiver(user_locked_out, dispatch_uid="access_log_locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    user = User.objects.filter(username=username).first()
    log_access_event(AccessEventKind.LOCKED_OUT, user=user, username=username or "", request=request, by=user)


@receiver(pre_save, sender=User, dispatch_uid="access_log_account")
def _account_changed(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    before = User.objects.filter(pk=instance.pk).values("password", "is_active", "is_staff", "is_superuser").first()
    if before is None:
        return
    if before["password"] != instance.password:
        log_access_event(AccessEventKind.PASSWORD_CHANGED, user=instance)
    changed = [
        f"{flag} {before[flag]} -> {getattr(instance, flag)}"
        for flag in ("is_active", "is_staff", "is_superuser")
        if before[flag] != getattr(instance, flag)
    ]
    if changed:
        log_access_event(AccessEventKind.ACCOUNT_CHANGED, user=instance, detail="; ".join(changed))


@receiver(post_save, sender=User, dispatch_uid="access_log_account_created")
def _account_created(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        flags = [flag for flag in ("is_active", "is_staff", "is_superuser") if getattr(instance, flag)]
        log_access_event(AccessEventKind.ACCOUNT_CREATED, user=instance, detail=", ".join(flags))


@receiver(pre_delete, sender=User, dispatch_uid="access_log_account_deleted")
def _account_deleted(sender, instance, **kwargs):
    # Named, not linked: the log must outlive the account (and a link would block the delete).
    log_access_event(AccessEventKind.ACCOUNT_DELETED, username=instance.username, detail=f"user id {instance.pk}")


def _permission_name(permission) -> str:
    return f"{permission.content_type.app_label}.{permission.codename}"


# Each many-to-many relation that decides what someone may do: (owner field, related field) of its
# through table, the kinds logged for an add and a removal, and how one (owner, related) pair is logged.
M2M_RELATIONS = {
    User.groups.through: (
        "user",
        "group",
        (AccessEventKind.ROLE_ADDED, AccessEventKind.ROLE_REMOVED),
        lambda user, group: {"user": user, "detail": group.name},
    ),
    User.user_permissions.through: (
        "user",
        "permission",
        (AccessEventKind.PERMISSION_ADDED, AccessEventKind.PERMISSION_REMOVED),
        lambda user, permission: {"user": user, "detail": _permission_name(permission)},
    ),
    Group.permissions.through: (
        "group",
        "permission",
        (AccessEventKind.ROLE_PERMISSION_ADDED, AccessEventKind.ROLE_PERMISSION_REMOVED),
        lambda group, permission: {"detail": f"{group.name}: {_permission_name(permission)}"},
    ),
}


def _m2m_changed(sender, instance, action, pk_set, reverse, model, **kwargs):
    """Log every pair added or removed, from either side (user.groups.add(...) and group.user_set.add(...)
    alike), including clear(), whose pairs are read before they go."""
    owner_field, related_field, (added, removed), describe = M2M_RELATIONS[sender]
    this_side, other_side = (related_field, owner_field) if reverse else (owner_field, related_field)
    if action == "pre_clear":
        instance._access_log_clearing = set(
            sender.objects.filter(**{f"{this_side}_id": instance.pk}).values_list(f"{other_side}_id", flat=True)
        )
        return
    if action == "post_clear":
        pk_set, kind = getattr(instance, "_access_log_clearing", set()), removed
        instance._access_log_clearing = set()
    elif action in ("post_add", "post_remove"):
        kind = added if action == "post_add" else removed
    else:
        return
    if not pk_set:
        return
    others = model.objects.filter(pk__in=pk_set)
    if model is Permission:
        others = others.select_related("content_type")
    for other in others.order_by("pk"):
        owner, related = (other, instance) if reverse else (instance, other)
        log_access_event(kind, **describe(owner, related))


for _through in M2M_RELATIONS:
    m2m_changed.connect(_m2m_changed, sender=_through, dispatch_uid=f"access_log_{_through._meta.label_lower}")


@receiver(pre_save, sender=Group, dispatch_uid="access_log_role_renamed")
def _role_renamed(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    before = Group.objects.filter(pk=instance.pk).values_list("name", flat=True).first()
    if before is not None and before != instance.name:
        log_access_event(AccessEventKind.ROLE_RENAMED, detail=f"{before} -> {instance.name}")


@receiver(post_save, sender=Group, dispatch_uid="access_log_role_created")
def _role_created(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        log_access_event(AccessEventKind.ROLE_CREATED, detail=instance.name)


@receiver(pre_delete, sender=Group, dispatch_uid="access_log_role_deleted")
def _role_deleted(sender, instance, **kwargs):
    # Deleting a role takes it from its members without an m2m signal: log each member's loss first.
    for user in instance.user_set.order_by("pk"):
        log_access_event(AccessEventKind.ROLE_REMOVED, user=user, detail=f"{instance.name} (role deleted)")
    permissions = instance.permissions.count()
    log_access_event(AccessEventKind.ROLE_DELETED, detail=f"{instance.name} ({permissions} permissions)")


@receiver(pre_save, sender=SiteMembership, dispatch_uid="access_log_site_moved_before")
def _site_membership_before(sender, instance, raw=False, **kwargs):
    instance._access_log_before = None
    if not raw and instance.pk is not None:
        instance._access_log_before = (
            SiteMembership.objects.filter(pk=instance.pk).select_related("user", "site").first()
        )


@receiver(post_save, sender=SiteMembership, dispatch_uid="access_log_site_added")
def _site_added(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_access_log_before", None)
    if created:
        log_access_event(AccessEventKind.SITE_ADDED, user=instance.user, detail=str(instance.site))
    elif before is not None and (before.user_id, before.site_id) != (instance.user_id, instance.site_id):
        # A membership edited from one site (or user) to another: one taken away, one given.
        log_access_event(AccessEventKind.SITE_REMOVED, user=before.user, detail=str(before.site))
        log_access_event(AccessEventKind.SITE_ADDED, user=instance.user, detail=str(instance.site))


@receiver(post_delete, sender=SiteMembership, dispatch_uid="access_log_site_removed")
def _site_removed(sender, instance, **kwargs):
    log_access_event(AccessEventKind.SITE_REMOVED, user=instance.user, detail=str(instance.site))
