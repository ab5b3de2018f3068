"""The protocol's eligibility criteria: the one place a protocol amendment edits.

Each criterion is answered yes or no on the screening form. An inclusion criterion must be answered
"yes" and an exclusion criterion "no" for the person to be eligible. Codes are stored with each answer
and exported, so a code is never reused for a different question: retire it and add a new one.

The published phase 1 report (NCT04252118) does not list its exact criteria; the age range below is a
plausible choice for the demo protocol, not a published fact.
"""

from dataclasses import dataclass

from patients.choices import CriterionKind

PROTOCOL_VERSION = "1.0"
MIN_AGE_YEARS = 18
MAX_AGE_YEARS = 75


@dataclass(frozen=True)
class Criterion:
    code: str
    kind: str
    text: str

    @property
    def required_answer(self) -> str:
        return "yes" if self.kind == CriterionKind.INCLUSION else "no"


CRITERIA: tuple[Criterion, ...] = (
    Criterion("inc_age", CriterionKind.INCLUSION, f"Aged {MIN_AGE_YEARS} to {MAX_AGE_YEARS} years"),
    Criterion("inc_rt_pcr", CriterionKind.INCLUSION, "SARS-CoV-2 infection confirmed by RT-PCR"),
    Criterion("inc_ct_pneumonia", CriterionKind.INCLUSION, "Pneumonia confirmed on chest CT"),
    Criterion("inc_moderate_severe", CriterionKind.INCLUSION, "Moderate or severe COVID-19"),
    Criterion("inc_consent", CriterionKind.INCLUSION, "Written informed consent given"),
    Criterion("exc_pregnancy", CriterionKind.EXCLUSION, "Pregnant or lactating"),
    Criterion("exc_malignancy", CriterionKind.EXCLUSION, "Malignancy"),
    Criterion("exc_organ_failure", CriterionKind.EXCLUSION, "Severe liver or kidney failure"),
    Criterion("exc_allergy", CriterionKind.EXCLUSION, "Known allergy to components of the UC-MSC product"),
    Criterion("exc_other_trial", CriterionKind.EXCLUSION, "Participating in another interventional trial"),
)

CRITERIA_BY_CODE = {criterion.code: criterion for criterion in CRITERIA}
CRITERION_CHOICES = [(criterion.code, criterion.text) for criterion in CRITERIA]
