"""The password check that confirms an act (signing). Which sites a user sees is patients/casebook/sites.py;
what they may know of the allocation, patients/casebook/blinding.py."""

from django.contrib.auth import authenticate


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
