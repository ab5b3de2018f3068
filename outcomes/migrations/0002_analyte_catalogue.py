"""The analyte catalogue: canonical units, plausible ranges (values outside are refused as typing errors)
and adult reference ranges where a common one exists (used to flag results for review).

Units follow the phase 1 report's laboratory (SI, cytokines in pg/mL, antibodies as S/CO). Reference
ranges vary by laboratory; a site's own can be set in the admin (the change is audited)."""

from decimal import Decimal as D

from django.db import migrations

#  code, name, group, unit, plausible min, max, reference low, high
CATALOGUE = [
    ("wbc", "White blood cells", "blood_count", "10^9/L", "0.1", "100", "3.5", "9.5"),
    ("lymphocytes", "Lymphocytes", "blood_count", "10^9/L", "0", "50", "1.1", "3.2"),
    ("neutrophils", "Neutrophils", "blood_count", "10^9/L", "0", "80", "1.8", "6.3"),
    ("platelets", "Platelets", "blood_count", "10^9/L", "1", "1500", "125", "350"),
    ("crp", "C-reactive protein", "chemistry", "mg/L", "0", "500", "0", "10"),
    ("procalcitonin", "Procalcitonin", "chemistry", "ng/mL", "0", "200", "0", "0.05"),
    ("d_dimer", "D-dimer", "chemistry", "mg/L FEU", "0", "100", "0", "0.55"),
    ("ferritin", "Ferritin", "chemistry", "ng/mL", "0", "100000", "30", "400"),
    ("ldh", "Lactate dehydrogenase", "chemistry", "U/L", "0", "10000", "120", "250"),
    ("alt", "Alanine aminotransferase", "chemistry", "U/L", "0", "10000", "9", "50"),
    ("ast", "Aspartate aminotransferase", "chemistry", "U/L", "0", "10000", "15", "40"),
    ("creatinine", "Creatinine", "chemistry", "umol/L", "5", "2000", "57", "111"),
    ("il6", "IL-6", "cytokine", "pg/mL", "0", "50000", "0", "7"),
    ("ifn_gamma", "IFN-gamma", "cytokine", "pg/mL", "0", "10000", None, None),
    ("tnf_alpha", "TNF-alpha", "cytokine", "pg/mL", "0", "10000", "0", "8.1"),
    ("mcp1", "MCP-1", "cytokine", "pg/mL", "0", "50000", None, None),
    ("ip10", "IP-10", "cytokine", "pg/mL", "0", "100000", None, None),
    ("il22", "IL-22", "cytokine", "pg/mL", "0", "10000", None, None),
    ("il1ra", "IL-1RA", "cytokine", "pg/mL", "0", "100000", None, None),
    ("il18", "IL-18", "cytokine", "pg/mL", "0", "50000", None, None),
    ("il8", "IL-8", "cytokine", "pg/mL", "0", "50000", "0", "62"),
    ("mip1", "MIP-1", "cytokine", "pg/mL", "0", "10000", None, None),
    ("igm", "SARS-CoV-2 IgM", "serology", "S/CO", "0", "1000", "0", "1"),
    ("igg", "SARS-CoV-2 IgG", "serology", "S/CO", "0", "1000", "0", "1"),
]


def forwards(apps, schema_editor):
    Analyte = apps.get_model("outcomes", "Analyte")
    for order, (code, name, group, unit, low, high, ref_low, ref_high) in enumerate(CATALOGUE, start=1):
        Analyte.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "group": group,
                "unit": unit,
                "plausible_min": D(low),
                "plausible_max": D(high),
                "reference_low": D(ref_low) if ref_low is not None else None,
                "reference_high": D(ref_high) if ref_high is not None else None,
                "display_order": order,
            },
        )


class Migration(migrations.Migration):
    # The squash of 2026-12-07 (issue 28, 12): 0001 and this one are the schema the 10 migrations before it built,
    # with their data. A database migrated by the old ones (every name below applied) takes them as applied.
    replaces = [
        ("outcomes", "0003_record_version"),
        ("outcomes", "0004_review_status"),
        ("outcomes", "0005_adverse_event_meddra_code_and_awareness"),
        ("outcomes", "0006_explicit_participant_related_names"),
        ("outcomes", "0007_endpoint_forms"),
        ("outcomes", "0008_visits_missed_and_out_of_window"),
        ("outcomes", "0009_carry_forward"),
    ]

    dependencies = [
        ("outcomes", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
