"""The visit schedule, as data: the visits of the trial's design (a target day from study day 0 or from
discharge, with a window) and the case report forms each expects. Hospital days (the daily observation) stay
as they are; visits add to them. Phase 1's schedule is a migration's rows (patients/0019); a later design adds
day 28, day 90, 6 and 12 months in the admin.

Which visit is due, overdue or done for whom is computed in outcomes/visits.py from these rows and the
records, in a few queries whatever the number of participants."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from patients.casebook import rules
from patients.casebook.registry import registry


class VisitAnchor(models.TextChoices):
    DAY0 = "day0", "Study day 0"
    DISCHARGE = "discharge", "Discharge"


class ExpectedIf(models.TextChoices):
    """When a form of a visit is expected. None of these reveals a blinded arm: in a blinded design every arm
    receives infusions (patients/casebook/rules.check_blinded_arms), so "infused" is everyone there."""

    ALWAYS = "always", "Always"
    DISCHARGED = "discharged", "Only if discharged alive"
    INFUSED = "infused", "Only for arms that receive infusions"


class Visit(models.Model):
    # How an export names one (patients/casebook/exports.py): by its code, e.g. "d28".
    export_natural_key = ("code", None)

    code = models.SlugField(max_length=20, unique=True, help_text="e.g. d28, m6.")
    label = models.CharField(max_length=100)
    anchor = models.CharField(max_length=10, choices=VisitAnchor.choices, default=VisitAnchor.DAY0)
    target_day = models.PositiveSmallIntegerField(
        "target day", validators=[MaxValueValidator(3660)], help_text="Days after the anchor: 28 for day 28."
    )
    window_before = models.PositiveSmallIntegerField("window before (days)", default=0)
    window_after = models.PositiveSmallIntegerField("window after (days)", default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["anchor", "target_day", "code"]
        default_permissions = ("add", "change", "view")
        constraints = [
            models.CheckConstraint(condition=Q(anchor__in=VisitAnchor.values), name="patients_visit_anchor_valid"),
        ]

    def __str__(self):
        return self.label


class VisitForm(models.Model):
    """A case report form a visit expects: required or optional, and when it is expected."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="expected_forms")
    crf_key = models.CharField(
        "case report form", max_length=40, help_text="The form's key in the registry, e.g. ct, observations."
    )
    required = models.BooleanField(default=True)
    expected_if = models.CharField(max_length=12, choices=ExpectedIf.choices, default=ExpectedIf.ALWAYS)

    history = HistoricalRecords()

    class Meta:
        ordering = ["visit", "crf_key"]
        default_permissions = ("add", "change", "view")
        constraints = [
            models.UniqueConstraint(fields=["visit", "crf_key"], name="patients_visitform_once_per_visit"),
            models.CheckConstraint(
                condition=Q(expected_if__in=ExpectedIf.values), name="patients_visitform_expected_if_valid"
            ),
        ]

    def __str__(self):
        return f"{self.visit}: {self.crf_key}"

    @property
    def crf(self):
        return registry.get(self.crf_key)

    def clean(self):
        super().clean()
        known = {crf.key: crf.label for crf in registry.all()}
        # A form named as a person names it ("Quantitative CT", any case) is that form (issue 29, 3: an import
        # or a script that wrote the name was refused with a list of keys).
        by_name = {label.casefold(): code for code, label in known.items()}
        self.crf_key = by_name.get(str(self.crf_key).strip().casefold(), self.crf_key)
        rules.check_known_form(field="crf_key", key=self.crf_key, known=known)


def scheduled_form_keys(participant) -> set[str]:
    """The forms any visit of the schedule expects; read once per participant object (a page asks per form)."""
    keys = getattr(participant, "_scheduled_form_keys", None)
    if keys is None:
        keys = set(VisitForm.objects.values_list("crf_key", flat=True))
        participant._scheduled_form_keys = keys
    return keys


def offered_if_scheduled(key: str):
    """For a registry entry's ``offered_if``: a form only some designs collect (the endpoint forms) is offered
    on the ward only when the schedule expects it, so phase 1's ward keeps its own buttons."""
    return lambda participant: key in scheduled_form_keys(participant)
