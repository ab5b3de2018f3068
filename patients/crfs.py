"""The casebook's enrolment forms: eligibility, consent, withdrawal, end of study
(see patients/casebook/registry.py)."""

from patients import services
from patients.casebook.choices import ParticipantStatus
from patients.casebook.registry import CaseReportFormType, PageSection, register
from patients.forms import ConsentForm, EndOfStudyForm
from patients.models import Consent, EligibilityAnswer, EndOfStudy, Withdrawal

ENROLMENT_SECTION = PageSection("clinic/sections/enrolment.html", column=2, order=50)
# Deviations (dosing), withdrawal and end of study share one card: how the participant left the protocol.
END_OF_STUDY_SECTION = PageSection("clinic/sections/end_of_study.html", column=2, order=40)


def _end_of_study_create(*, record, user):
    # Closing follow-up also marks the participant completed.
    services.end_of_study_record(end_of_study=record, user=user)


def _withdrawal_create(*, record, user):
    # Withdrawing ends follow-up: the participant becomes "withdrawn".
    services.withdrawal_record(withdrawal=record, user=user)


register(
    CaseReportFormType(
        key="eligibility",
        model=EligibilityAnswer,
        label="Eligibility answer",
        position=5,
        offered_at=None,  # answered on the screening form
        page_section=ENROLMENT_SECTION,
        admin_inline="patients.admin.participants.EligibilityAnswerInline",
        analysis_domain="eligibility",
        analysis_order=("criterion",),
    )
)
register(
    CaseReportFormType(
        key="consent",
        model=Consent,
        label="Consent",
        position=10,
        form=ConsentForm,
        offered_at=ParticipantStatus.SCREENING,
        button="Record consent",
        button_style="primary",
        page_section=ENROLMENT_SECTION,
        page_select_related=("obtained_by",),
        admin_inline="patients.admin.participants.ConsentInline",
    )
)
register(
    CaseReportFormType(
        key="withdrawal",
        model=Withdrawal,
        label="Withdrawal",
        position=70,
        offered_at=None,  # recorded in the admin
        create=_withdrawal_create,
        page_section=END_OF_STUDY_SECTION,
        analysis_domain="withdrawals",
        analysis_order=("withdrawal_date",),
    )
)
register(
    CaseReportFormType(
        key="end-of-study",
        model=EndOfStudy,
        label="End of study",
        position=80,
        form=EndOfStudyForm,
        button_style="outline-secondary",
        create=_end_of_study_create,
        page_section=END_OF_STUDY_SECTION,
        voidable_on_page=False,
        analysis_domain="end_of_study",
        analysis_order=("end_date",),
    )
)
