"""Blinding against typed addresses (issue 28, A): a blinded user who types ``?arm=1`` (or ``arm__id__exact``,
``arm__in``, ``randomisation_slot__arm``, ``preparations__cells_millions__isnull`` ...) into a changelist's
address must not get the rows of one arm. The blinded walk follows links; this test types.

For every model in the admin, every path (to three relations deep) that reaches the allocation is tried with
every lookup, as every blinded role. The oracle is the database query itself, not the blinding code: the
changelist either refuses (400), or ignores the parameter (a redirect to ``?e=1``), or its query's WHERE and
ORDER BY name no allocation table and no column that tells the arm."""

import re

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.urls import reverse

from dosing.models import ArmRegimen, Infusion, PlannedInfusion, Preparation
from patients.models import Arm, Participant
from patients.randomisation.models import RandomisationList, RandomisationSlot
from patients.randomisation.services import list_generate, list_sign_off
from tests.factories import PASSWORD, UserFactory, give_infusion, randomised_design, treated_participant

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

BLINDED_ROLES = ("Clinician", "Coordinator", "Monitor", "Statistician")
# What tells the arm, written here independently of the code under test: the tables that are the allocation,
# and the columns of other tables that follow from it.
ALLOCATION_TABLES = {Arm, ArmRegimen, RandomisationList, RandomisationSlot, Preparation}
ALLOCATION_COLUMNS = {
    (Participant, "arm"),
    (Infusion, "cells_administered_millions"),
    (Infusion, "lot_number"),
    (Infusion, "viability_percent"),
    (PlannedInfusion, "regimen"),
}
LOOKUPS = ("", "__exact", "__in", "__isnull", "__id__exact", "__gte")
VALUE = {"__in": "1,2", "__isnull": "0"}


def forbidden_sql() -> re.Pattern:
    tables = [model._meta.db_table for model in ALLOCATION_TABLES]
    columns = [f'"{model._meta.db_table}"."{model._meta.get_field(name).column}"' for model, name in ALLOCATION_COLUMNS]
    # Historical copies of a record carry the same columns (history__arm).
    columns += [r'"\w*historical\w*"\."(arm_id|regimen_id|cells_administered_millions|lot_number|viability_percent)"']
    return re.compile("|".join([*(re.escape(f'"{t}"') for t in tables), *columns]))


def allocation_paths(model, depth=3, prefix="", seen=()):
    """Every field path from ``model`` that reaches the allocation (by this test's own list)."""
    for field in model._meta.get_fields():
        name = field.name  # a reverse relation: its query name
        if name.endswith("+"):
            continue
        path = prefix + name
        if (model, field.name) in ALLOCATION_COLUMNS or (
            model.__name__.startswith("Historical") and field.name in {"arm", "regimen", *Infusion.allocation_fields}
        ):
            yield path
        elif field.is_relation and field.related_model is not None:
            if field.related_model in ALLOCATION_TABLES:
                yield path
                yield f"{path}__code" if field.related_model is Arm else f"{path}__pk"
            elif depth > 1 and field.related_model not in seen:
                yield from allocation_paths(field.related_model, depth - 1, f"{path}__", (*seen, model))


def test_the_allocation_tables_are_the_ones_declared():
    """A new table that holds the allocation says so (``holds_allocation``), so the policy hides it; this
    test's list is kept in step."""
    declared = {model for model in admin.site._registry if getattr(model, "holds_allocation", False)}
    assert declared == {m for m in ALLOCATION_TABLES if m in admin.site._registry}


@pytest.fixture
def world(site_a):
    randomised_design(arms=(("quillon", "Arm Quillon", "active", 1), ("vantrel", "Arm Vantrel", "placebo", 1)))
    ustat = UserFactory(username="l_ustat", role="Unblinded statistician")
    made = list_generate(user=ustat, slots_per_stratum=4, block_multiples=[1], seed=3)
    list_sign_off(randomisation_list=made, user=ustat, password=PASSWORD)
    builder = UserFactory(username="l_builder", role="Coordinator", sites=[site_a])
    builder.groups.add(builder.groups.model.objects.get(name="Clinician"))
    for _ in range(2):
        give_infusion(treated_participant(user=builder, site=site_a, arm_code=None), 1, user=builder)
    assert set(Participant.objects.values_list("arm__code", flat=True)) == {"quillon", "vantrel"}
    return {role: UserFactory(username=f"l_{role[:5].lower()}", role=role, sites=[site_a]) for role in BLINDED_ROLES}


def changelists():
    for model, model_admin in admin.site._registry.items():
        yield model, reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"), model_admin


def filtered_sql(response) -> str:
    """The WHERE and ORDER BY of the changelist's query, as the database gets them (its SELECT lists every
    column, shown or not, which tells nothing)."""
    query = response.context["cl"].queryset.query
    compiler = query.get_compiler(connection=connection)
    _extra, order_by, _group_by = compiler.pre_sql_setup()
    where = compiler.compile(compiler.where)[0] if compiler.where else ""
    return " ".join([where, *(sql for _expression, (sql, _params, _is_ref) in order_by)])


def test_no_typed_lookup_reads_the_allocation_for_a_blinded_role(client, world):
    pattern, leaks, tried = forbidden_sql(), [], 0
    for role, user in world.items():
        client.force_login(user)
        for model, url, _model_admin in changelists():
            if client.get(url).status_code != 200:
                continue  # not this role's list at all
            for path in sorted(set(allocation_paths(model))):
                for lookup in LOOKUPS:
                    key = path + lookup
                    response = client.get(url, {key: VALUE.get(lookup, "1")})
                    tried += 1
                    assert response.status_code != 500, (role, url, key)
                    if response.status_code == 200 and (found := pattern.search(filtered_sql(response))):
                        leaks.append(f"{role:<13} {url}?{key}=  reads {found.group(0)}")
    assert tried > 1000  # the walk did reach the lists (each role sees several)
    assert leaks == [], "\n" + "\n".join(leaks[:60]) + f"\n({len(leaks)} in all)"


def test_the_participant_list_refuses_the_arm_lookups_of_the_report(client, world):
    """What the red team typed, exactly: each answers 400 and no participant list."""
    client.force_login(world["Coordinator"])
    url = reverse("admin:patients_participant_changelist")
    for query in ("arm=1", "arm__id__exact=1", "arm__exact=1", "arm__in=1", "randomisation_slot__arm=1"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400, query


def test_no_ordering_or_search_reads_the_allocation_for_a_blinded_role(client, world):
    pattern, leaks = forbidden_sql(), []
    for role, user in world.items():
        client.force_login(user)
        for _model, url, _model_admin in changelists():
            first = client.get(url)
            if first.status_code != 200:
                continue
            columns = len(first.context["cl"].list_display)
            for params in [{"o": str(i)} for i in range(columns + 1)] + [{"o": f"-{columns - 1}"}, {"q": "quillon"}]:
                response = client.get(url, params)
                assert response.status_code == 200, (role, url, params)
                if found := pattern.search(filtered_sql(response)):
                    leaks.append(f"{role:<13} {url}?{params}  reads {found.group(0)}")
    assert leaks == [], "\n".join(leaks)


def test_an_unblinded_user_may_still_filter_by_arm(client, world):
    """The refusal is the policy's, not a broken filter: a coordinator given patients.view_unblinded (as a
    DSMB's statistician is) gets the arm's rows."""
    coordinator = world["Coordinator"]
    coordinator.user_permissions.add(Permission.objects.get(codename="view_unblinded"))
    client.force_login(get_user_model().objects.get(pk=coordinator.pk))
    arm = Arm.objects.get(code="quillon")
    response = client.get(reverse("admin:patients_participant_changelist"), {"arm__id__exact": arm.pk})
    assert response.status_code == 200
    assert response.context["cl"].result_count == Participant.objects.filter(arm=arm).count() >= 1


def test_every_admin_asks_the_blinding_policy():
    """A new admin cannot forget it: every admin of the trial's apps (and of the accounts) carries the policy's
    mixin. (Django's groups and django-axes' login records reach no participant; the typed walk above covers
    them all the same.)"""
    from patients.admin_base.blinding import BlindedAdminMixin

    ours = [a for m, a in admin.site._registry.items() if m._meta.app_label in {"patients", "dosing", "outcomes"}]
    ours.append(admin.site._registry[get_user_model()])
    assert len(ours) > 20
    assert [type(a).__name__ for a in ours if not isinstance(a, BlindedAdminMixin)] == []
