"""The blinding policy: what one reader may know of the allocation, asked by every surface that reads data.

Two questions that used to share a word are kept apart here:

- **the trial** is blinded (``BlindingPolicy.trial_blinded``: the design says so; the ward then records no
  product, the pharmacy does), and
- **the reader** is blind (``BlindingPolicy.hides_allocation``: a blinded trial and no
  ``patients.view_unblinded``). Only the second hides anything.

What reveals the allocation is declared by the models, next to their fields, and nowhere else:

- ``holds_allocation = True``: the table *is* the allocation (arms, arm regimens, the randomisation list and
  its slots, the kits' preparations). A blind reader reads none of it, not even through a relation.
- ``allocation_fields``: fields whose value tells the arm (the participant's arm, what an infusion's kit
  held, a planned infusion's regimen). Hidden from a blind reader on every surface; no lookup, ordering or
  search reads them.
- ``allocation_links``: relations into an allocation table whose own value does not tell the arm (an
  infusion's kit, whose code is blind; a stratum's list). Shown, but nothing reads *through* them.

The system check ``casebook.E010`` (patients/casebook/checks.py) refuses a model with a field that looks
derived from the arm (a relation into an allocation table, a field named for the arm, the arms' treatment
codes as choices) that is declared in neither list. Historical copies (simple-history) follow their model.
"""

from django.core.exceptions import FieldDoesNotExist

from patients.casebook.choices import Treatment
from patients.casebook.design import TrialDesign


def _declaring(model):
    """The model whose declarations count for ``model``: a historical copy follows the model it copies."""
    return getattr(model, "instance_type", None) or model


def holds_allocation(model) -> bool:
    return bool(getattr(_declaring(model), "holds_allocation", False))


def allocation_fields(model) -> tuple[str, ...]:
    return tuple(getattr(_declaring(model), "allocation_fields", ()))


def allocation_links(model) -> tuple[str, ...]:
    return tuple(getattr(_declaring(model), "allocation_links", ()))


def reads_allocation(model, path) -> bool:
    """Whether a field path on ``model`` (a filter lookup such as ``arm__id__exact``, an ordering, a search
    field, a column) reads the allocation: it names a field a model on its way declares in
    ``allocation_fields``, or reaches an allocation table through a relation, forward or reverse
    (``randomisation_slot__block``, ``preparations__cells_millions``).

    The walk stops at the first part that is not a field: the rest are lookups and transforms (``exact``,
    ``in``, ``year``)."""
    if isinstance(path, list | tuple) and path:  # a list filter given as (field, filter class)
        path = path[0]
    path = getattr(path, "parameter_name", path)  # a SimpleListFilter: the parameter it reads
    if not isinstance(path, str):
        return False
    for part in path.lstrip("-^=@").split("__"):
        if model is None:
            return False
        if holds_allocation(model) or part in allocation_fields(model):
            return True
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        model = field.related_model if field.is_relation else None
    return model is not None and holds_allocation(model)


def looks_derived_from_arm(field) -> bool:
    """Whether a field looks as if its value follows from the allocation (the system check's test): a
    relation into an allocation table, a name with ``arm`` as one of its words, or the arms' treatment codes
    as its choices."""
    related = getattr(field, "related_model", None)
    if related is not None and holds_allocation(related):
        return True
    if "arm" in field.name.split("_"):
        return True
    values = {value for value, _ in (getattr(field, "choices", None) or ()) if isinstance(value, str)}
    return bool(values) and {Treatment.ACTIVE, Treatment.PLACEBO} <= values


def undeclared_allocation(model) -> list[str]:
    """The fields of ``model`` that look derived from the arm and are declared neither way."""
    if holds_allocation(model) or getattr(model, "instance_type", None):
        return []
    declared = {*allocation_fields(model), *allocation_links(model)}
    return [
        field.name
        for field in model._meta.get_fields()
        if (field.concrete or field.many_to_many) and field.name not in declared and looks_derived_from_arm(field)
    ]


class BlindingPolicy:
    """What one reader may know of the allocation. Ask ``BlindingPolicy.of(user)``: it is read once per
    user object (i.e. per request), as every surface of a page asks it."""

    def __init__(self, user, *, trial_blinded: bool | None = None):
        self.user = user
        self.trial_blinded = TrialDesign.current().blinded if trial_blinded is None else trial_blinded
        # An open trial hides nothing; a blinded one hides the allocation but from the unblinded roles.
        self.sees_allocation = not self.trial_blinded or user.has_perm("patients.view_unblinded")

    @classmethod
    def of(cls, user) -> "BlindingPolicy":
        cached = getattr(user, "_crf_blinding_policy", None)
        if cached is None or cached.user is not user:
            cached = cls(user)
            try:
                user._crf_blinding_policy = cached
            except AttributeError:  # a user object that takes no attributes: asked afresh each time
                pass
        return cached

    @property
    def hides_allocation(self) -> bool:
        return not self.sees_allocation

    @property
    def closed_report(self) -> bool:
        """A blinded trial's report by arm, for an unblinded reader (the DSMB, the unblinded statistician)."""
        return self.trial_blinded and self.sees_allocation

    def may_read_table(self, model) -> bool:
        return self.sees_allocation or not holds_allocation(model)

    def hides(self, model, path) -> bool:
        """Whether this reader may not read ``path`` on ``model`` (a lookup, an ordering, a column)."""
        return self.hides_allocation and reads_allocation(model, path)

    def visible(self, model, paths) -> list:
        """``paths`` as a list, without those this reader may not read."""
        return [path for path in paths if not self.hides(model, path)]

    def hidden_fields(self, model) -> frozenset[str]:
        """The fields of ``model`` whose values this reader does not see (its declared allocation fields)."""
        return frozenset(allocation_fields(model)) if self.hides_allocation else frozenset()
