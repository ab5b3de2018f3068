"""Outcomes' case report forms: daily observations, lab results, chest CT, adverse events, and the endpoint
forms with the follow-up visit (see patients/casebook/registry.py)."""

from django.utils import timezone

from dosing.crfs import INFUSION_KEY
from outcomes.endpoint_forms import (
    DyspnoeaGradeForm,
    FollowUpVisitForm,
    LungFunctionForm,
    QuantitativeCtForm,
    SixMinuteWalkForm,
)
from outcomes.forms import AdverseEventForm, ChestCtForm, DailyObservationForm
from outcomes.models import (
    AdverseEvent,
    ChestCt,
    DailyObservation,
    DyspnoeaGrade,
    FollowUpVisit,
    LabResult,
    LungFunction,
    QuantitativeCt,
    SixMinuteWalk,
)
from outcomes.ward import next_observation_due
from patients.casebook.registry import (
    GENERIC_SECTION_TEMPLATE,
    CaseReportFormType,
    EndpointSpec,
    PageSection,
    RelatedKey,
    register,
)
from patients.casebook.schedule import offered_if_scheduled

register(
    CaseReportFormType(
        key="observations",
        model=DailyObservation,
        label="Daily observation",
        position=30,
        form=DailyObservationForm,
        button_style="primary",
        initial=lambda participant: {"observation_date": timezone.localdate()},
        next_due=next_observation_due,
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

LUNG = "% of lung"
PREDICTED = "% predicted"
# The endpoint forms and the follow-up visit: offered on the ward when the design's schedule expects them,
# each with the quantitative endpoints it measures (the only list of them: outcomes/endpoints.py reads it).
ENDPOINT_FORMS = (
    # key, model, label, ward form, date field, analysis file, endpoints
    ("follow-up", FollowUpVisit, "Follow-up visit", FollowUpVisitForm, "visit_date", "follow_up_visits", ()),
    (
        "qct",
        QuantitativeCt,
        "Quantitative CT",
        QuantitativeCtForm,
        "scan_date",
        "quantitative_ct",
        (
            EndpointSpec("ct_lesion", "Whole-lung lesion volume", "lesion_percent", LUNG),
            EndpointSpec("ct_solid", "Solid component", "solid_percent", LUNG),
            EndpointSpec("ct_ground_glass", "Ground-glass component", "ground_glass_percent", LUNG),
        ),
    ),
    (
        "six-minute-walk",
        SixMinuteWalk,
        "Six-minute walk",
        SixMinuteWalkForm,
        "test_date",
        "six_minute_walk",
        (EndpointSpec("walk_distance", "Six-minute walk distance", "distance_m", "m", "integer"),),
    ),
    (
        "lung-function",
        LungFunction,
        "Lung function",
        LungFunctionForm,
        "test_date",
        "lung_function",
        (
            EndpointSpec("fvc_pct", "FVC", "fvc_pct_predicted", PREDICTED, "integer"),
            EndpointSpec("fev1_pct", "FEV1", "fev1_pct_predicted", PREDICTED, "integer"),
            EndpointSpec("dlco_pct", "DLCO", "dlco_pct_predicted", PREDICTED, "integer"),
        ),
    ),
    (
        "mmrc",
        DyspnoeaGrade,
        "mMRC dyspnoea grade",
        DyspnoeaGradeForm,
        "assessment_date",
        "mmrc",
        (EndpointSpec("mmrc", "mMRC dyspnoea grade", "grade", "0-4", "integer"),),
    ),
)
for order, (key, model, label, form, date_field, domain, endpoints) in enumerate(ENDPOINT_FORMS):
    register(
        CaseReportFormType(
            key=key,
            model=model,
            label=label,
            position=51 + order,
            form=form,
            offered_if=offered_if_scheduled(key),
            initial=lambda participant, date_field=date_field: {date_field: timezone.localdate()},
            page_section=PageSection(GENERIC_SECTION_TEMPLATE, column=2, order=21 + order),
            page_order_by=(date_field,),
            admin_inline=(date_field, "review_status"),
            importable=True,
            analysis_domain=domain,
            analysis_order=(date_field,),
            study_day_from=date_field,
            endpoints=endpoints,
        )
    )
