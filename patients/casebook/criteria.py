"""The protocol's eligibility criteria as data of the trial (issue 29, 1): each asked yes or no on the
screening form, in order; the answer that makes a person ineligible; optionally checked against what the
screening page already holds (the age at screening within a range). Set up in the admin with the rest of the
design, fixed once anyone is screened. Phase 1's ten are the data migration patients/0006.

A criterion's code is stored with each answer and exported, so a code is never reused for another question:
a protocol amendment before screening adds a criterion, it does not re-word one under the same code."""

from django.apps import apps
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from patients.casebook import rules
from patients.casebook.choices import Answer, CriterionKind


class AutomaticCheck(models.TextChoices):
    """What a criterion's answer is checked against, from the screening page's own fields."""

    NONE = "", "None"
    AGE = "age", "Age at screening (years) within the range"


class EligibilityCriterion(models.Model):
    code = models.SlugField(
        max_length=32, unique=True, help_text="Stored with each answer and exported, e.g. inc_age; never reused."
    )
    kind = models.CharField(max_length=10, choices=CriterionKind.choices)
    text = models.CharField(max_length=300, help_text="The question as the screening form asks it.")
    order = models.PositiveSmallIntegerField(default=0, help_text="Its place on the form, within its kind.")
    ineligible_answer = models.CharField(
        max_length=3,
        choices=Answer.choices,
        help_text="The answer that makes the person ineligible: no for an inclusion criterion, yes for an exclusion.",
    )
    automatic = models.CharField(
        "checked against", max_length=10, choices=AutomaticCheck.choices, blank=True, default=AutomaticCheck.NONE
    )
    min_value = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(200)])
    max_value = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(200)])

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "code"]
        default_permissions = ("add", "change", "view")
        verbose_name_plural = "eligibility criteria"
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CriterionKind.values), name="patients_criterion_kind_valid"),
            models.CheckConstraint(
                condition=Q(ineligible_answer__in=Answer.values), name="patients_criterion_answer_valid"
            ),
            models.CheckConstraint(
                condition=Q(automatic="") | Q(min_value__isnull=False, max_value__isnull=False),
                name="patients_criterion_check_has_range",
            ),
        ]

    def __str__(self):
        return f"{self.code}: {self.text}"

    @property
    def required_answer(self) -> str:
        """The answer that keeps the person eligible."""
        return Answer.NO if self.ineligible_answer == Answer.YES else Answer.YES

    def clean(self):
        super().clean()
        # The participants are a floor above the design: looked up by name, not imported.
        participants = apps.get_model("patients", "Participant")
        errors = rules.RuleErrors()
        errors.check(rules.check_criteria_open, screening_started=participants.objects.exists())
        errors.check(
            rules.check_criterion_shape,
            kind=self.kind,
            ineligible_answer=self.ineligible_answer,
            automatic=self.automatic,
            min_value=self.min_value,
            max_value=self.max_value,
        )
        errors.raise_any()
