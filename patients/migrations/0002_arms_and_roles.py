"""The phase 1 trial's arms, and the role groups (their permissions are synced after every migrate
from patients/roles.py, so models added later reach the roles too)."""

from django.db import migrations

ARMS = [
    {
        "code": "ucmsc",
        "name": "UC-MSC",
        "receives_product": True,
        "description": "Three intravenous infusions of 3 x 10^7 UC-MSCs on study days 0, 3 and 6, with conventional treatment.",
    },
    {
        "code": "control",
        "name": "Control",
        "receives_product": False,
        "description": "Conventional treatment only.",
    },
]
ROLES = ["Clinician", "Coordinator", "Monitor", "Statistician"]


def forwards(apps, schema_editor):
    Arm = apps.get_model("patients", "Arm")
    Group = apps.get_model("auth", "Group")
    for arm in ARMS:
        Arm.objects.update_or_create(code=arm["code"], defaults=arm)
    for role in ROLES:
        Group.objects.get_or_create(name=role)


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
