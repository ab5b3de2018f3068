"""The follow-up visit (or telephone contact) after discharge: vital status, readmission since the last
visit, new symptoms and current oxygen use. A death is not recorded here but on the end-of-study form, once
(outcomes.choices.VitalStatus)."""

from django.db import models
from django.db.models import Q

from outcomes import endpoint_rules
from outcomes.choices import HomeOxygen, VitalStatus
from outcomes.models.endpoints import EndpointRecord
from patients.casebook.records import participant_link
from patients.casebook.reviewed import CaseReportForm
from patients.choices import YesNoUnknown


class FollowUpVisit(EndpointRecord):
    participant = participant_link("follow_up_visits")
    visit_date = models.DateField("date of the visit or call")
    vital_status = models.CharField(max_length=12, choices=VitalStatus.choices, default=VitalStatus.ALIVE)
    readmitted = models.CharField(
        "readmitted to hospital since the last visit", max_length=7, choices=YesNoUnknown.choices
    )
    readmission_details = models.CharField(max_length=200, blank=True)
    new_symptoms = models.CharField("new symptoms since the last visit", max_length=7, choices=YesNoUnknown.choices)
    new_symptoms_details = models.CharField(max_length=200, blank=True)
    home_oxygen = models.CharField("oxygen use now", max_length=10, choices=HomeOxygen.choices, blank=True)

    natural_key_fields = ("visit_date",)
    date_field, date_label = "visit_date", "A follow-up visit"
    from_day0 = True

    class Meta(EndpointRecord.Meta):
        verbose_name = "follow-up visit"
        ordering = ["participant", "visit_date"]
        constraints = [
            *CaseReportForm.Meta.constraints,
            models.UniqueConstraint(
                fields=["participant", "visit_date"],
                condition=Q(voided=False),
                name="outcomes_followupvisit_one_per_day",
            ),
            models.CheckConstraint(
                condition=Q(vital_status__in=VitalStatus.values), name="outcomes_followupvisit_vital_status_valid"
            ),
        ]

    def __str__(self):
        return f"Follow-up visit {self.visit_date}"

    def clean(self):
        super().clean()
        errors = self.clean_endpoint()
        errors.check(
            endpoint_rules.check_follow_up_contact,
            vital_status=self.vital_status,
            readmitted=self.readmitted,
            readmission_details=self.readmission_details,
            new_symptoms=self.new_symptoms,
            new_symptoms_details=self.new_symptoms_details,
            home_oxygen=self.home_oxygen,
        )
        errors.raise_any()
