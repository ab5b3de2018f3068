from patients.casebook.registry import GENERIC_SECTION_TEMPLATE, CaseReportFormType, PageSection, register
from tests.example_crf.forms import PulseCheckForm
from tests.example_crf.models import PulseCheck

register(
    CaseReportFormType(
        key="pulse-checks",
        model=PulseCheck,
        label="Pulse check",
        position=90,
        form=PulseCheckForm,
        page_section=PageSection(GENERIC_SECTION_TEMPLATE, column=2, order=60),
        admin_inline=("check_date", "pulse_bpm"),
        importable=True,
        analysis_domain="pulse_checks",
        analysis_order=("check_date",),
        study_day_from="check_date",
    )
)
