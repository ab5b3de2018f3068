"""Signal receivers that write the access log (patients/access_log.py). The request, where there is one
(login, logout, failed login, admin changes through HistoryRequestMiddleware), gives the address and agent."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from simple_history.models import HistoricalRecords

from patients.access_log import AccessEvent, AccessEventKind
from patients.models import SiteMembership

User = get_user_model()


def _request():
    return getattr(HistoricalRecords.context, "request", None)


def _log(kind, *, user=None, username="", request=None, by=None, detail=""):
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
    _log(AccessEventKind.LOGIN, user=user, request=request, by=user)


@receiver(user_logged_out, dispatch_uid="access_log_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        _log(AccessEventKind.LOGOUT, user=user, request=request, by=user)


@receiver(user_login_failed, dispatch_uid="access_log_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "")
    user = User.objects.filter(username=username).first()
    _log(AccessEventKind.LOGIN_FAILED, user=user, username=username, request=request, by=user)


@receiver(user_locked_out, dispatch_uid="access_log_locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    user = User.objects.filter(username=username).first()
    _log(AccessEventKind.LOCKED_OUT, user=user, username=username or "", request=request, by=user)


@receiver(pre_save, sender=User, dispatch_uid="access_log_account")
def _account_changed(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    before = User.objects.filter(pk=instance.pk).values("password", "is_active", "is_staff", "is_superuser").first()
    if before is None:
        return
    if before["password"] != instance.password:
        _log(AccessEventKind.PASSWORD_CHANGED, user=instance)
    changed = [
        f"{flag} {before[flag]} -> {getattr(instance, flag)}"
        for flag in ("is_active", "is_staff", "is_superuser")
        if before[flag] != getattr(instance, flag)
    ]
    if changed:
        _log(AccessEventKind.ACCOUNT_CHANGED, user=instance, detail="; ".join(changed))


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="access_log_roles")
def _roles_changed(sender, instance, action, pk_set, reverse, model, **kwargs):
    if action not in ("post_add", "post_remove") or not pk_set:
        return
    kind = AccessEventKind.ROLE_ADDED if action == "post_add" else AccessEventKind.ROLE_REMOVED
    if reverse:  # group.user_set.add(...): instance is the group
        for user in User.objects.filter(pk__in=pk_set):
            _log(kind, user=user, detail=instance.name)
    else:
        for name in model.objects.filter(pk__in=pk_set).values_list("name", flat=True):
            _log(kind, user=instance, detail=name)


@receiver(post_save, sender=SiteMembership, dispatch_uid="access_log_site_added")
def _site_added(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        _log(AccessEventKind.SITE_ADDED, user=instance.user, detail=str(instance.site))


@receiver(post_delete, sender=SiteMembership, dispatch_uid="access_log_site_removed")
def _site_removed(sender, instance, **kwargs):
    _log(AccessEventKind.SITE_REMOVED, user=instance.user, detail=str(instance.site))
