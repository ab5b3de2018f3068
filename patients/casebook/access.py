"""What a user may see beyond their sites (arms in a blinded trial) and the password check that confirms an act
(signing). Which sites a user sees is patients/casebook/sites.py."""

from django.contrib.auth import authenticate
from django.core.exceptions import FieldDoesNotExist

from patients.casebook.design import TrialDesign


def trial_blinded(user) -> bool:
    """Whether the trial's design is blinded, read once per user object (i.e. per request)."""
    cached = getattr(user, "_crf_trial_blinded", None)
    if cached is None:
        cached = TrialDesign.current().blinded
        try:
            user._crf_trial_blinded = cached
        except AttributeError:  # a user object that takes no attributes: read it each time
            pass
    return cached


def sees_arms(user) -> bool:
    """Whether this user may see allocation: always in an open trial; in a blinded one (the design's
    ``blinded``) only with patients.view_unblinded (the unblinded roles)."""
    return not trial_blinded(user) or user.has_perm("patients.view_unblinded")


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


def hides_allocation(user) -> bool:
    """The one blinding policy: whether allocation (the arm, and anything that names it) is hidden from this
    user. Every surface asks this, never the setting itself."""
    return not sees_arms(user)


def names_allocation(path) -> bool:
    """Whether a field path (``arm``, ``participant__arm``, ``arm__code``) reads the allocation."""
    return isinstance(path, str) and "arm" in path.split("__")


def holds_allocation(model) -> bool:
    """Whether a table is the allocation itself (arms, arm regimens, the randomisation list and its slots, the
    kits' preparations): it says so with ``holds_allocation = True`` next to its fields."""
    return bool(getattr(model, "holds_allocation", False))


def reads_allocation(model, path) -> bool:
    """Whether a field path on ``model`` (a filter lookup such as ``arm__id__exact``, an ordering, a search
    field) reads the allocation: it names an arm, names a field the model declares in ``allocation_fields``
    (e.g. a planned infusion's regimen, which may differ by arm), or reaches an allocation table through a
    relation, forward or reverse (``randomisation_slot__block``, ``preparations__cells_millions``).

    The walk stops at the first part that is not a field: the rest are lookups and transforms (``exact``,
    ``in``, ``year``)."""
    if isinstance(path, list | tuple) and path:  # a list filter given as (field, filter class)
        path = path[0]
    path = getattr(path, "parameter_name", path)  # a SimpleListFilter: the parameter it reads
    if not isinstance(path, str):
        return False
    path = path.lstrip("-^=@")
    if names_allocation(path):
        return True
    for part in path.split("__"):
        if model is None:
            return False
        if holds_allocation(model) or part in getattr(model, "allocation_fields", ()):
            return True
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        model = field.related_model if field.is_relation else None
    return model is not None and holds_allocation(model)


def without_allocation(user, paths, model=None):
    """``paths`` as a list, without those that read the allocation when it is hidden from ``user`` (with a
    ``model``, also those that reach it through a relation or a declared field)."""
    paths = list(paths)
    if not hides_allocation(user):
        return paths
    if model is None:
        return [p for p in paths if not names_allocation(p)]
    return [p for p in paths if not reads_allocation(model, p)]
