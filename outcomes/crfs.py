"""Outcomes' case report forms: daily observations, lab results, chest CT, adverse events
(see patients/casebook/registry.py)."""

from django.utils import timezone

from dosing.crfs import INFUSION_KEY
from outcomes.forms import AdverseEventForm, ChestCtForm, DailyObservationForm
from outcomes.models import AdverseEvent, ChestCt, DailyObservation, LabResult
from patients.casebook.registry import CaseReportFormType, PageSection, RelatedKey, register

register(
    CaseReportFormType(
        key="observations",
        model=DailyObservation,
        label="Daily observation",
        position=30,
        form=DailyObservationForm,
        button_style="primary",
        initial=lambda participant: {"observation_date": timezone.localdate()},
        page_section=PageSection("clinic/sections/observations.html", column=1, order=20),
        page_order_by=("-observation_date",),  # newest first
        admin_inline=("observation_date", "oxygen_support", "who_score", "spo2_percent", "temperature_c"),
        importable=True,
        import_resource="outcomes.resources.DailyObservationResource",
        analysis_domain="daily_observations",
        analysis_order=("observation_date",),
        study_day_from="observation_date",
    )
)
register(
    CaseReportFormType(
        key="labs",
        model=LabResult,
        label="Lab result",
        position=40,
        button="Lab results",
        add_url="lab-sample-new",  # one sample, several analytes: its own page
        page_section=PageSection("clinic/sections/labs.html", column=2, order=30),
        page_order_by=("sample_datetime",),
        page_select_related=("analyte",),
        importable=True,
        import_resource="outcomes.resources.LabResultResource",
        analysis_domain="labs",
        analysis_order=("sample_datetime", "analyte__display_order"),
        study_day_from="sample_datetime",
        related_keys=(RelatedKey("analyte", "analyte code (see the labs catalogue)", "analyte__code", type="code"),),
    )
)
register(
    CaseReportFormType(
        key="ct",
        model=ChestCt,
        label="Chest CT",
        position=50,
        form=ChestCtForm,
        page_section=PageSection("clinic/sections/chest_ct.html", column=2, order=20),
        page_order_by=("scan_date",),
        admin_inline=("scan_date", "extent_score", "comparison"),
        analysis_domain="chest_ct",
        analysis_order=("scan_date",),
        study_day_from="scan_date",
    )
)
register(
    CaseReportFormType(
        key="adverse-events",
        model=AdverseEvent,
        label="Adverse event",
        position=60,
        form=AdverseEventForm,
        button_style="outline-danger",
        page_section=PageSection("clinic/sections/adverse_events.html", column=2, order=10),
        page_order_by=("onset_datetime",),
        page_select_related=("infusion",),
        admin_inline=("term", "onset_datetime", "grade", "serious", "relation", "infusion", "outcome"),
        analysis_domain="adverse_events",
        analysis_order=("onset_datetime",),
        study_day_from="onset_datetime",
        related_keys=(INFUSION_KEY,),
    )
)
