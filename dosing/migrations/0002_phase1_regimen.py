"""The phase 1 regimen (NCT04252118): three IV infusions of 3 x 10^7 UC-MSCs, three days apart (days 0, 3, 6).

Window, gap, tolerance, viability and duration limits are not published; these are the protocol values the
issue gives as examples. A phase 2 regimen is a new row and a new arm link, not an edit of this one.
"""

from decimal import Decimal

from django.db import migrations

PHASE1 = {
    "code": "ucmsc-phase1",
    "name": "UC-MSC phase 1: 3 infusions of 3 x 10^7 cells, days 0, 3 and 6",
    "number_of_infusions": 3,
    "interval_days": 3,
    "window_days": 1,
    "min_gap_hours": 48,
    "nominal_cells_millions": Decimal("30.0"),
    "dose_tolerance_percent": Decimal("10.0"),
    "min_viability_percent": Decimal("80.0"),
    "max_duration_minutes": 360,
}


def forwards(apps, schema_editor):
    Regimen = apps.get_model("dosing", "Regimen")
    ArmRegimen = apps.get_model("dosing", "ArmRegimen")
    Arm = apps.get_model("patients", "Arm")
    regimen, _ = Regimen.objects.update_or_create(code=PHASE1["code"], defaults=PHASE1)
    arm = Arm.objects.filter(code="ucmsc").first()
    if arm is not None:
        ArmRegimen.objects.get_or_create(arm=arm, defaults={"regimen": regimen})


class Migration(migrations.Migration):
    # The squash of 2026-12-07 (issue 28, 12): 0001 and this one are the schema the 9 migrations before it built,
    # with their data. A database migrated by the old ones (every name below applied) takes them as applied.
    replaces = [
        ("dosing", "0003_cells_validator"),
        ("dosing", "0004_record_version"),
        ("dosing", "0005_review_status"),
        ("dosing", "0006_explicit_participant_related_names"),
        ("dosing", "0007_pharmacy_preparations"),
        ("dosing", "0008_visits_missed_and_out_of_window"),
    ]

    dependencies = [
        ("dosing", "0001_initial"),
        ("patients", "0002_arms_and_roles"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
