"""Which sites a user may see. Every queryset a user sees is filtered through ``site_ids_for``."""

from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser

ALL_SITES_PERMISSION = "patients.view_all_sites"


def site_ids_for(user) -> set[int] | None:
    """The ids of the sites the user may see, or None for every site.

    Superusers and roles granted ``patients.view_all_sites`` (e.g. a central data manager) see every
    site; an anonymous or inactive user sees none; everyone else sees the sites they are a member of.
    """
    if user is None or isinstance(user, AnonymousUser) or not user.is_active:
        return set()
    if user.is_superuser or user.has_perm(ALL_SITES_PERMISSION):
        return None
    cached = getattr(user, "_crf_site_ids", None)
    if cached is None:
        from patients.models import SiteMembership

        cached = set(SiteMembership.objects.filter(user=user).values_list("site_id", flat=True))
        # Cached per user object, i.e. per request: memberships change rarely and a request is short.
        user._crf_site_ids = cached
    return cached


def sees_arms(user) -> bool:
    """Whether summaries and exports may show results by arm to this user: always in an open trial; in a
    blinded one (setting CRF_TRIAL_BLINDED) only with patients.view_unblinded."""
    from django.conf import settings

    return not getattr(settings, "CRF_TRIAL_BLINDED", False) or user.has_perm("patients.view_unblinded")


def reauthenticate(user, password: str, *, request, purpose: str) -> bool:
    """Whether ``password`` is ``user``'s, re-entered to confirm an act such as signing.

    Checked by Django's authenticate() with the request, as a login is: a wrong password is a failed login
    to django-axes (it counts towards the same lockout: username + address) and to the access log (its
    detail names ``purpose``), and a locked-out user is refused even with the right password (the response
    then becomes the lockout page). Without a request (a script on the server) only the password is checked."""
    if request is None:
        return user.check_password(password or "")
    request.crf_reauthentication = purpose
    authenticated = authenticate(request, username=user.get_username(), password=password or "")
    return authenticated is not None and authenticated.pk == user.pk
