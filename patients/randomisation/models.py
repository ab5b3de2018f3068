"""The randomisation list: its provenance (generated from a seed, or imported), its strata (one per site and
level of each stratification factor) and its slots, each taken once, in order, at enrolment.

The list is written once (by ``services.list_generate`` or ``services.list_import``) and read-only after:
a slot changes only when it is allocated. Slots carry the arm, so the list is an allocation table: blinded
users never see it (patients/admin_base/blinding.py), only the strata and their counts.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from patients.casebook.design import Arm
from patients.casebook.sites import Site
from patients.choices import ListSource


class RandomisationList(models.Model):
    """The trial's randomisation list and how it was made: printed on its report and signed off."""

    holds_allocation = True  # its snapshot names the arms (patients/casebook/blinding.py)

    # A site that joined after the first list gets its strata in an extension of it (issue 29, 6): made and
    # signed off like the first; nothing already in a list changes.
    extends = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="extensions", editable=False
    )
    source = models.CharField(max_length=10, choices=ListSource.choices, editable=False)
    # Generated lists: what reproduces them.
    seed = models.BigIntegerField(null=True, blank=True, editable=False)
    block_multiples = models.JSONField(default=list, blank=True, editable=False)
    slots_per_stratum = models.PositiveIntegerField(null=True, blank=True, editable=False)
    algorithm = models.CharField(max_length=100, blank=True, editable=False)
    software_version = models.CharField(max_length=100, editable=False)
    # The design it was made for: stratifiers and arms with their weights at the time.
    design_snapshot = models.JSONField(editable=False)
    # Imported lists: the file as checked.
    file_name = models.CharField(max_length=200, blank=True, editable=False)
    file_sha256 = models.CharField("file SHA-256", max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False)
    created_datetime = models.DateTimeField(auto_now_add=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True, editable=False
    )
    signed_off_datetime = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "randomisation list"
        default_permissions = ("add", "view")
        permissions = [("sign_off_randomisationlist", "Can sign off the randomisation list's report")]
        constraints = [
            models.CheckConstraint(condition=Q(source__in=ListSource.values), name="patients_randlist_source_valid"),
            models.CheckConstraint(
                condition=Q(signed_off_by__isnull=True, signed_off_datetime__isnull=True)
                | Q(signed_off_by__isnull=False, signed_off_datetime__isnull=False),
                name="patients_randlist_sign_off_complete",
            ),
        ]

    def __str__(self):
        what = "Randomisation list extension" if self.extends_id else "Randomisation list"
        return f"{what} ({self.get_source_display().lower()}, {self.created_datetime:%Y-%m-%d})"


class Stratum(models.Model):
    """One stratum of the list: a site and a level of each factor (or the whole trial, unstratified)."""

    # Its list: a stratum's own values (site, levels, how many used) tell no arm, but nothing reads through
    # it to the list's slots (patients/casebook/blinding.py).
    allocation_links = ("randomisation_list",)
    randomisation_list = models.ForeignKey(RandomisationList, on_delete=models.PROTECT, related_name="strata")
    key = models.CharField(max_length=200, help_text="e.g. site=01|severity=severe")
    label = models.CharField(max_length=200)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    levels = models.JSONField(default=dict, blank=True)
    size = models.PositiveIntegerField()
    used = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "strata"
        ordering = ["key"]
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(fields=["randomisation_list", "key"], name="patients_stratum_key_unique"),
            models.CheckConstraint(condition=Q(used__lte=F("size")), name="patients_stratum_used_within_size"),
        ]

    def __str__(self):
        return self.label

    @property
    def remaining(self) -> int:
        return self.size - self.used


class RandomisationSlot(models.Model):
    """A position in a stratum's sequence. Allocated once, to one participant, in sequence order."""

    holds_allocation = True  # each slot carries its arm (patients/casebook/blinding.py)

    stratum = models.ForeignKey(Stratum, on_delete=models.PROTECT, related_name="slots")
    sequence = models.PositiveIntegerField(help_text="Position within the stratum, from 1.")
    number = models.CharField("randomisation number", max_length=20, unique=True)
    block = models.PositiveIntegerField()
    block_size = models.PositiveSmallIntegerField()
    arm = models.ForeignKey(Arm, on_delete=models.PROTECT, related_name="+")
    treatment_code = models.CharField(
        max_length=20,
        blank=True,
        help_text="The kit's code for an arm that receives infusions; says nothing of the arm.",
    )
    participant = models.OneToOneField(
        "patients.Participant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="randomisation_slot",
    )
    allocated_datetime = models.DateTimeField(null=True, blank=True)
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "randomisation slot"
        ordering = ["stratum", "sequence"]
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(fields=["stratum", "sequence"], name="patients_slot_sequence_unique"),
            models.UniqueConstraint(
                fields=["treatment_code"], condition=~Q(treatment_code=""), name="patients_slot_treatment_code_unique"
            ),
            models.CheckConstraint(
                condition=Q(participant__isnull=True, allocated_datetime__isnull=True)
                | Q(participant__isnull=False, allocated_datetime__isnull=False),
                name="patients_slot_allocation_complete",
            ),
        ]

    def __str__(self):
        return self.number
