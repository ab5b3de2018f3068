"""Dosing's case report forms: infusions and protocol deviations (see patients/casebook/registry.py)."""

from dosing.choices import PlannedInfusionStatus
from dosing.forms import InfusionForm
from dosing.models import Infusion, ProtocolDeviation
from patients.casebook.registry import CaseReportFormType, PageSection, RelatedKey, register
from patients.crfs import END_OF_STUDY_SECTION

# The infusion a record concerns, named by its sequence number.
INFUSION_KEY = RelatedKey(
    "infusion_sequence",
    "the infusion it concerns (1 = first)",
    "infusion__sequence_number",
    empty_means="not about an infusion",
)


def _next_planned(participant):
    return participant.planned_infusions.active().filter(status=PlannedInfusionStatus.PLANNED).first()


def _infusion_due(participant) -> bool:
    # Only an arm that receives product has infusions, and only while one is still planned.
    return bool(participant.arm_id and participant.arm.receives_infusions and _next_planned(participant))


def _infusion_initial(participant) -> dict:
    planned = _next_planned(participant)
    return {"sequence_number": planned.sequence_number} if planned else {}


register(
    CaseReportFormType(
        key="infusions",
        model=Infusion,
        label="Infusion",
        position=20,
        form=InfusionForm,
        offered_if=_infusion_due,
        button="Record infusion",
        button_style="success",
        initial=_infusion_initial,
        # The schedule and the infusions given against it are one card.
        page_section=PageSection("clinic/sections/infusions.html", column=1, order=10),
        page_order_by=("sequence_number",),
        admin_inline="dosing.admin.INFUSION_INLINES",
        importable=True,
        import_resource="dosing.resources.InfusionResource",
        analysis_domain="infusions",
        analysis_order=("sequence_number",),
        study_day_from="start_datetime",
    )
)
register(
    CaseReportFormType(
        key="deviations",
        model=ProtocolDeviation,
        label="Protocol deviation",
        position=25,
        offered_at=None,  # recorded by the infusion rules and the schedule, or in the admin
        page_section=END_OF_STUDY_SECTION,
        page_order_by=("reported_datetime",),
        page_select_related=("infusion",),
        analysis_domain="protocol_deviations",
        analysis_order=("reported_datetime",),
        related_keys=(INFUSION_KEY,),
    )
)
