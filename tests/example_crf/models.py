import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from patients.casebook.records import participant_link
from patients.casebook.reviewed import CaseReportForm


class PulseCheck(CaseReportForm):
    """A pulse taken at a visit: the smallest real form (a date that names it and one measured value)."""

    participant = participant_link("pulse_checks")
    check_date = models.DateField()
    pulse_bpm = models.PositiveSmallIntegerField(
        "pulse (/min)", validators=[MinValueValidator(20), MaxValueValidator(250)]
    )

    natural_key_fields = ("check_date",)

    class Meta(CaseReportForm.Meta):
        constraints = [
            *CaseReportForm.Meta.constraints,
            models.UniqueConstraint(
                fields=["participant", "check_date"],
                condition=models.Q(voided=False),
                name="example_crf_one_pulse_check_a_day",
            ),
        ]

    def __str__(self):
        return f"{self.check_date:%Y-%m-%d}: {self.pulse_bpm}/min"

    @staticmethod
    def example_values(participant) -> dict:
        """One valid record for the participant (the tests' fixtures, tests/factories.crf_values)."""
        return {"check_date": participant.day0_date + datetime.timedelta(days=1), "pulse_bpm": 72}
