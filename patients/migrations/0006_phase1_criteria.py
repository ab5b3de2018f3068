"""Phase 1's eligibility criteria as data (issue 29, 1): the ten the screening form asked when they were code
(patients/eligibility.py until 2026-12-07), with the same codes, texts, order and answers, so phase 1 screens
as it did. The published report (NCT04252118) does not list its exact criteria; the age range is a plausible
choice for the demo protocol, not a published fact. Idempotent: the tests put them back after a flush."""

from django.db import migrations

# code, kind, text, the answer that makes a person ineligible, automatic check (min, max)
PHASE1_CRITERIA = [
    ("inc_age", "inclusion", "Aged 18 to 75 years", "no", ("age", 18, 75)),
    ("inc_rt_pcr", "inclusion", "SARS-CoV-2 infection confirmed by RT-PCR", "no", None),
    ("inc_ct_pneumonia", "inclusion", "Pneumonia confirmed on chest CT", "no", None),
    ("inc_moderate_severe", "inclusion", "Moderate or severe COVID-19", "no", None),
    ("inc_consent", "inclusion", "Written informed consent given", "no", None),
    ("exc_pregnancy", "exclusion", "Pregnant or lactating", "yes", None),
    ("exc_malignancy", "exclusion", "Malignancy", "yes", None),
    ("exc_organ_failure", "exclusion", "Severe liver or kidney failure", "yes", None),
    ("exc_allergy", "exclusion", "Known allergy to components of the UC-MSC product", "yes", None),
    ("exc_other_trial", "exclusion", "Participating in another interventional trial", "yes", None),
]


def phase1_criteria(apps, schema_editor):
    EligibilityCriterion = apps.get_model("patients", "EligibilityCriterion")
    if EligibilityCriterion.objects.exists():
        return
    for order, (code, kind, text, ineligible, check) in enumerate(PHASE1_CRITERIA, start=1):
        automatic, low, high = check or ("", None, None)
        EligibilityCriterion.objects.create(
            code=code,
            kind=kind,
            text=text,
            order=order,
            ineligible_answer=ineligible,
            automatic=automatic,
            min_value=low,
            max_value=high,
        )


class Migration(migrations.Migration):
    dependencies = [("patients", "0005_eligibility_criteria")]

    operations = [migrations.RunPython(phase1_criteria, migrations.RunPython.noop)]
