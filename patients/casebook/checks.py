"""System checks (``manage.py check``, run in CI) for what every case report form relies on, as Django's
contrib apps check their own configuration: a mistake in a new form is reported when the project starts,
not found by a user.
(dosing/checks.py checks its own: every arm that receives product has a regimen.)
"""

from django.apps import apps
from django.core.checks import Error, register
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from patients.casebook.blinding import undeclared_allocation
from patients.casebook.exports import natural_key_of
from patients.casebook.records import ClinicalRecord, ParticipantRecord
from patients.casebook.registry import registry
from patients.casebook.reviewed import CaseReportForm


def _clinical_models():
    return [model for model in apps.get_models() if issubclass(model, ClinicalRecord)]


@register()
def clinical_models_have_history(app_configs=None, **kwargs):
    """Every clinical record keeps an audit trail (who, when, old and new value, reason)."""
    return [
        Error(
            f"{model._meta.label} has no audit history.",
            hint="Clinical records inherit patients.casebook.records.ClinicalRecord, which keeps it.",
            obj=model,
            id="casebook.E001",
        )
        for model in _clinical_models() + [crf.model for crf in registry.all()]
        if not hasattr(model, "history")
    ]


@register()
def casebook_records_name_their_link(app_configs=None, **kwargs):
    """Every casebook record links to its participant under a name chosen for it
    (``participant = participant_link("daily_observations")``), not one derived from the class name."""
    errors = []
    for model in apps.get_models():
        if not issubclass(model, ParticipantRecord):
            continue
        try:
            field = model._meta.get_field("participant")
        except FieldDoesNotExist:
            field = None
        if field is None or not field.is_relation or field.related_model._meta.label_lower != "patients.participant":
            errors.append(
                Error(
                    f"{model._meta.label} has no link to its participant.",
                    hint='Declare participant = participant_link("<its records, plural>").',
                    obj=model,
                    id="casebook.E009",
                )
            )
    return errors


@register()
def exported_relations_have_natural_keys(app_configs=None, **kwargs):
    """An export names a related record by its natural key, never its id: a relation to a model without
    one would silently drop the column."""
    errors = []
    for model in _clinical_models():
        for field in model._meta.concrete_fields:
            if not field.is_relation or field.related_model is None:
                continue
            if natural_key_of(field.related_model) is None and not issubclass(field.related_model, ClinicalRecord):
                errors.append(
                    Error(
                        f"{model._meta.label}.{field.name} points at {field.related_model._meta.label}, "
                        "which has no natural key for exports.",
                        hint="Give the related model export_natural_key = (attribute, column suffix or None).",
                        obj=model,
                        id="casebook.E002",
                    )
                )
    return errors


@register()
def registered_forms_are_complete(app_configs=None, **kwargs):
    """Every registered case report form can be entered somewhere, is named by a natural key of real fields,
    and its page section's template exists."""
    errors = []
    seen_domains = {}
    for crf in registry.all():
        if not issubclass(crf.model, ClinicalRecord):
            errors.append(Error(f"{crf.key}: {crf.model._meta.label} is not a clinical record.", id="casebook.E003"))
            continue
        if crf.form is None and not crf.add_url and not crf.create and crf.offered_at is not None:
            errors.append(
                Error(
                    f"{crf.key}: offered on the participant page but has no form to enter it.",
                    hint="Give the registry entry a ward form (form=...) or offered_at=None.",
                    id="casebook.E004",
                )
            )
        if not crf.natural_key:
            errors.append(
                Error(
                    f"{crf.key}: {crf.model._meta.label} has no natural key.",
                    hint="Set natural_key_fields on the model: what names one record within a casebook.",
                    id="casebook.E005",
                )
            )
        for path in crf.natural_key:
            try:
                crf.model._meta.get_field(path.split("__")[0])
            except FieldDoesNotExist:
                errors.append(Error(f"{crf.key}: natural key field {path!r} does not exist.", id="casebook.E006"))
        if crf.page_section is not None:
            try:
                get_template(crf.page_section.template)
            except TemplateDoesNotExist:
                errors.append(
                    Error(f"{crf.key}: page section {crf.page_section.template!r} not found.", id="casebook.E007")
                )
        if crf.analysis_domain:
            if crf.analysis_domain in seen_domains:
                errors.append(
                    Error(
                        f"{crf.key} and {seen_domains[crf.analysis_domain]} write the same analysis file "
                        f"{crf.analysis_domain!r}.",
                        id="casebook.E008",
                    )
                )
            seen_domains[crf.analysis_domain] = crf.key
    return errors


@register()
def allocation_is_declared(app_configs=None, **kwargs):
    """A field that looks derived from the arm is declared by its model (patients/casebook/blinding.py): in
    ``allocation_fields`` (hidden from a blind reader) or ``allocation_links`` (a blind relation nothing reads
    through). Undeclared, the blinding policy would not know it, and a blind reader would see it."""
    errors = []
    for model in apps.get_models():
        for name in undeclared_allocation(model):
            errors.append(
                Error(
                    f"{model._meta.label}.{name} looks derived from the allocation but is not declared.",
                    hint="Add it to the model's allocation_fields (its value tells the arm) or allocation_links "
                    "(a relation to an allocation table whose own value does not); see patients/casebook/blinding.py.",
                    obj=model,
                    id="casebook.E010",
                )
            )
    return errors


# The classes whose save() add_in_bulk repeats for a batch (the lock check, the review status of a new record,
# the history rows, the data version, the signature): a model that adds its own save() work does not write in bulk.
BULK_REPEATS_SAVE_OF = (ClinicalRecord, CaseReportForm, models.Model)


@register()
def bulk_writers_skip_nothing(app_configs=None, **kwargs):
    """A model that writes new records in bulk (``adds_in_bulk``) has no save() work of its own: add_in_bulk
    skips save(), so a side effect there (an infusion's deviations and planned doses, an endpoint's window
    deviation) would silently not happen for an imported batch."""
    errors = []
    for model in _clinical_models():
        if not model.adds_in_bulk:
            continue
        own = [
            klass.__qualname__ for klass in model.__mro__ if "save" in vars(klass) and klass not in BULK_REPEATS_SAVE_OF
        ]
        if own:
            errors.append(
                Error(
                    f"{model._meta.label} writes in bulk (adds_in_bulk) but {', '.join(own)}.save() does more, "
                    "which add_in_bulk would skip.",
                    hint="Write it one save at a time (adds_in_bulk = False), or move the extra work into a step "
                    "add_in_bulk runs too.",
                    obj=model,
                    id="casebook.E011",
                )
            )
    return errors
