"""The phase 1 trial's reference data: its design (patients/casebook/design.py: one row, open-label and
non-randomised), its arms (what each receives, and its allocation ratio weight), its visit schedule
(patients/casebook/schedule.py) and the first four role groups (their permissions are synced after every
migrate from patients/roles.py, which also creates the later roles).

Written by 2026-12-07's squash (issue 28, 12) from the data migrations 0002, 0016 and 0019 it replaced: the
functions are theirs, and idempotent, so the tests put the reference data back with them after a flush."""

from django.db import migrations

PHASE1_DESIGN = {
    "code": "ucmsc-phase1",
    "title": "UC-MSC for COVID-19 pneumonia, phase 1 (open-label, non-randomised, controlled)",
    "blinded": False,
    "allocation": "investigator",
    "stratify_by_site": False,
    "stratification_factors": [],
}
PHASE1_ARMS = {
    "ucmsc": {
        "name": "UC-MSC",
        "treatment": "active",
        "ratio_weight": 1,
        "description": "Three intravenous infusions of 3 x 10^7 UC-MSCs on study days 0, 3 and 6, with conventional treatment.",
    },
    "control": {
        "name": "Control",
        "treatment": "none",
        "ratio_weight": 1,
        "description": "Conventional treatment only.",
    },
}


ROLES = ["Clinician", "Coordinator", "Monitor", "Statistician"]


def roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role in ROLES:
        Group.objects.get_or_create(name=role)


def phase1_design(apps, schema_editor):
    """The design row (phase 1's) when there is none; phase 1's arms when there are no arms. Idempotent: the
    tests put the reference data back with it after a flush."""
    TrialDesign = apps.get_model("patients", "TrialDesign")
    Arm = apps.get_model("patients", "Arm")
    TrialDesign.objects.get_or_create(pk=1, defaults=PHASE1_DESIGN)
    if not Arm.objects.exists():
        for code, fields in PHASE1_ARMS.items():
            Arm.objects.create(code=code, **fields)


PHASE1_SCHEDULE = [
    # code, label, anchor, target day, window before, window after, [(form, required)]
    ("baseline", "Baseline (day 0)", "day0", 0, 0, 0, [("consent", True), ("eligibility", True)]),
    ("discharge", "Discharge", "discharge", 0, 3, 0, [("end-of-study", True), ("ct", False)]),
]


def phase1_schedule(apps, schema_editor):
    """Phase 1's visits, when there are none (idempotent: the tests put it back after a flush)."""
    Visit = apps.get_model("patients", "Visit")
    VisitForm = apps.get_model("patients", "VisitForm")
    if Visit.objects.exists():
        return
    for code, label, anchor, day, before, after, forms in PHASE1_SCHEDULE:
        visit = Visit.objects.create(
            code=code, label=label, anchor=anchor, target_day=day, window_before=before, window_after=after
        )
        for key, required in forms:
            VisitForm.objects.create(visit=visit, crf_key=key, required=required)


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(roles, migrations.RunPython.noop),
        migrations.RunPython(phase1_design, migrations.RunPython.noop),
        migrations.RunPython(phase1_schedule, migrations.RunPython.noop),
    ]
