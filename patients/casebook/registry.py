"""The case report forms of the casebook: one entry per kind of record, declared by the app that owns it.

Each app lists its forms in its own ``crfs.py`` (``patients/crfs.py``, ``dosing/crfs.py``,
``outcomes/crfs.py``) with ``register(CaseReportFormType(...))``. Everything that used to keep a parallel
list of forms reads this registry instead: the ward's URLs and entry views, the participant page's buttons
and sections, "correct the record" links of data queries, the participant admin's inlines, the admin of a
form no app registered itself, import, the analysis bundle's domains and dictionary, the roles'
permissions, and the tests' fixtures and permission matrix.

This module is on the bottom floor and names no app above it: the apps register themselves, found the way
Django's admin finds ``admin.py`` modules (``autodiscover_modules("crfs")``, on first use).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.module_loading import autodiscover_modules

from patients.casebook.choices import ParticipantStatus, Role


@dataclass(frozen=True, eq=False)
class PageSection:
    """A card of the participant page. Several forms may share one (the same object: e.g. deviations,
    withdrawal and end of study), and it is drawn once, at its column and place."""

    template: str
    column: int = 2  # 1: left (the day-to-day forms), 2: right
    order: int = 0


# A section for a form that declares none of its own: its records by label, review status, edit and void.
GENERIC_SECTION_TEMPLATE = "clinic/sections/records.html"


@dataclass(frozen=True)
class RelatedKey:
    """A column of the analysis bundle that names a related record by its natural key (never its id),
    e.g. the infusion an adverse event follows, as ``infusion_sequence``."""

    name: str
    label: str
    path: str
    type: str = "integer"  # as the dictionary says it: "integer", "code", ...
    empty_means: str = ""


@dataclass(frozen=True)
class EndpointSpec:
    """A quantitative endpoint a case report form measures (issue 30, 3: declared with the form, so the
    change-from-baseline columns, the report's endpoint table and the dictionary derive from the registry)."""

    code: str  # the analysis table's column stem, e.g. ct_lesion
    label: str
    value_field: str
    unit: str
    kind: str = "decimal"  # as the dictionary says it: decimal or integer


@dataclass(frozen=True)
class CaseReportFormType:
    # What it is
    key: str  # URL prefix and URL names: "<key>-new", "<key>-edit", "<key>-void"
    model: type
    label: str  # as a person says it: "Daily observation"
    position: int  # order among the forms: buttons, analysis files, admin inlines

    # Who enters and who reviews it (patients.casebook.choices.Role). Enterers may add, change and view;
    # reviewers view (what else they may do to it comes from their role: verify, raise queries).
    enter_roles: tuple[str, ...] = (Role.CLINICIAN, Role.COORDINATOR)
    review_roles: tuple[str, ...] = (Role.MONITOR,)

    # The ward: its entry form (None: entered elsewhere, e.g. only through the admin or a service).
    form: type | None = None
    # The participant status at which "new" is offered (None: never offered on the page), and a further
    # condition on the participant (e.g. an arm that receives product and an infusion still planned).
    offered_at: str | None = ParticipantStatus.ENROLLED
    offered_if: Callable | None = None
    button: str = ""  # the page's button ("" = the label)
    button_style: str = "outline-primary"
    add_url: str = ""  # a special page for "new" (the lab sample form); "" = "<key>-new"
    # Values a new record's form starts with, from the participant (e.g. today's date).
    initial: Callable | None = None
    # The service that saves a new record when more than the record is written (e.g. end of study closes
    # follow-up); called as create(record=..., user=...). None: the form saves it.
    create: Callable | None = None
    # "Save and next" on the ward (a form whose ``wants_next()`` says the user asked): the next participant
    # whose form of this kind is due, as f(participants, after=study_id, today=date) -> Participant | None.
    next_due: Callable | None = None

    # The participant page: where its records are shown (None: not shown), and how they are read.
    page_section: PageSection | None = None
    page_order_by: tuple[str, ...] = ()
    page_select_related: tuple[str, ...] = ()
    voidable_on_page: bool = True

    # The participant admin: a read-only inline of these columns, or a dotted path to an inline class.
    admin_inline: tuple[str, ...] | str = ()
    # Import through the admin (its admin gets the import page): with its own resource (a dotted path) or,
    # without one, a resource built from the model. An app that registers no admin for a form gets a
    # generic reviewed-record admin (list, review steps, history, export, void).
    importable: bool = False
    import_resource: str = ""

    # The analysis bundle: its file name (None: not exported), the order of its rows, the date its study
    # day derives from, and the related records it names by natural key.
    analysis_domain: str | None = None
    analysis_order: tuple[str, ...] = ()
    study_day_from: str = ""
    related_keys: tuple[RelatedKey, ...] = field(default=())
    # The quantitative endpoints its records measure, dated by ``study_day_from`` (outcomes/endpoints.py).
    endpoints: tuple[EndpointSpec, ...] = field(default=())

    @property
    def natural_key(self) -> tuple[str, ...]:
        """What names one record within a participant's casebook (the model's ``natural_key_fields``)."""
        return getattr(self.model, "natural_key_fields", ())

    @property
    def label_lower(self) -> str:
        return self.model._meta.label_lower

    def permission(self, action: str) -> str:
        meta = self.model._meta
        return f"{meta.app_label}.{action}_{meta.model_name}"

    def url_name(self, action: str) -> str:
        """The ward's URL name for "new", "edit" or "void" ("" when the ward has no such page)."""
        if action == "new":
            return self.add_url or (f"{self.key}-new" if self.form else "")
        return f"{self.key}-{action}" if self.form else ""

    def new_initial(self, participant) -> dict:
        return self.initial(participant) if self.initial else {}

    def is_offered(self, participant) -> bool:
        """Whether the page offers a new record for this participant now (permissions apart)."""
        if self.offered_at is None or not self.url_name("new"):
            return False
        if participant.status != self.offered_at or participant.casebook_locked:
            return False
        return self.offered_if is None or bool(self.offered_if(participant))


class Registry:
    def __init__(self):
        self._forms: dict[str, CaseReportFormType] = {}
        self._discovered = False

    def register(self, crf: CaseReportFormType) -> CaseReportFormType:
        if crf.key in self._forms and self._forms[crf.key].model is not crf.model:
            raise ValueError(f"Two case report forms use the key {crf.key!r}.")
        self._forms[crf.key] = crf
        return crf

    def unregister(self, key: str) -> None:
        self._forms.pop(key, None)

    def _discover(self) -> None:
        if not self._discovered:
            self._discovered = True
            autodiscover_modules("crfs")

    def all(self) -> list[CaseReportFormType]:
        self._discover()
        return sorted(self._forms.values(), key=lambda crf: (crf.position, crf.key))

    def get(self, key: str) -> CaseReportFormType:
        self._discover()
        return self._forms[key]

    def for_model(self, model) -> CaseReportFormType | None:
        label = model._meta.label_lower
        return next((crf for crf in self.all() if crf.label_lower == label), None)

    def with_ward_form(self) -> list[CaseReportFormType]:
        return [crf for crf in self.all() if crf.form is not None]


registry = Registry()
register = registry.register
