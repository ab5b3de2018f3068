"""Dosing's system check: every arm that receives product has a dosing regimen (else its participants can be
enrolled but never infused). It reads data, so it is tagged ``database`` and runs with
``manage.py check --database default`` (CI runs it after migrating)."""

from django.core.checks import Error, Tags, register
from django.db import DatabaseError

from dosing.models import ArmRegimen
from patients.casebook.choices import INFUSED_TREATMENTS
from patients.models import Arm


@register(Tags.database)
def product_arms_have_a_regimen(app_configs=None, databases=None, **kwargs):
    if not databases:
        return []
    errors = []
    for database in databases:
        try:
            missing = list(
                Arm.objects.using(database)
                .filter(treatment__in=INFUSED_TREATMENTS)
                .exclude(pk__in=ArmRegimen.objects.using(database).values("arm_id"))
                .values_list("code", flat=True)
            )
        except DatabaseError:  # not migrated yet: nothing to check
            continue
        errors += [
            Error(
                f"The arm {code!r} receives product but has no dosing regimen.",
                hint="Link it to a regimen in the admin (Dosing > Arm regimens).",
                obj=Arm,
                id="dosing.E001",
            )
            for code in missing
        ]
    return errors
