"""The system checks (patients/casebook/checks.py, dosing/checks.py) pass on the project as it is, and each
reports the mistake a new form or a new arm would bring, with its id."""

import dataclasses

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command

from dosing.checks import product_arms_have_a_regimen
from outcomes.models import Analyte
from patients.casebook import checks
from patients.casebook.registry import PageSection, registry
from patients.models import Arm


@pytest.fixture
def register():
    """Register a variant of a real form under a new key for one test."""
    added = []

    def add(**changes):
        changes = {"analysis_domain": None, **changes}
        crf = dataclasses.replace(registry.get("ct"), key=f"check-{len(added)}", **changes)
        registry.register(crf)
        added.append(crf.key)
        return crf

    yield add
    for key in added:
        registry.unregister(key)


def ids(errors) -> set[str]:
    return {error.id for error in errors}


def test_the_project_passes_its_checks():
    call_command("check", fail_level="ERROR")
    assert checks.clinical_models_have_history() == []
    assert checks.exported_relations_have_natural_keys() == []
    assert checks.registered_forms_are_complete() == []
    assert checks.casebook_records_name_their_link() == []


def test_a_form_without_history_or_not_a_clinical_record_is_reported(register):
    register(model=Session)
    assert "casebook.E001" in ids(checks.clinical_models_have_history())
    assert "casebook.E003" in ids(checks.registered_forms_are_complete())


def test_a_relation_an_export_cannot_name_is_reported(monkeypatch):
    monkeypatch.setattr(checks, "natural_key_of", lambda model: None if model is Analyte else ("x", None))
    errors = checks.exported_relations_have_natural_keys()
    assert [e.msg for e in errors if e.id == "casebook.E002"] == [
        "outcomes.LabResult.analyte points at outcomes.Analyte, which has no natural key for exports."
    ]


@pytest.mark.parametrize(
    ("changes", "error_id"),
    [
        ({"form": None}, "casebook.E004"),
        ({"page_section": PageSection("clinic/sections/no_such_card.html")}, "casebook.E007"),
        ({"analysis_domain": "chest_ct"}, "casebook.E008"),
    ],
    ids=["offered-without-a-form", "missing-section-template", "same-analysis-file"],
)
def test_an_incomplete_registry_entry_is_reported(register, changes, error_id):
    register(**changes)
    assert error_id in ids(checks.registered_forms_are_complete())


def test_a_form_without_a_natural_key_is_reported(register, monkeypatch):
    crf = register()
    monkeypatch.setattr(crf.model, "natural_key_fields", ())
    assert "casebook.E005" in ids(checks.registered_forms_are_complete())
    monkeypatch.setattr(crf.model, "natural_key_fields", ("scan_day",))
    assert "casebook.E006" in ids(checks.registered_forms_are_complete())


@pytest.mark.django_db
def test_an_arm_that_receives_infusions_without_a_regimen_is_reported():
    assert product_arms_have_a_regimen(databases=["default"]) == []
    Arm.objects.create(code="high-dose", name="UC-MSC high dose", treatment="active")
    errors = product_arms_have_a_regimen(databases=["default"])
    assert [(e.id, e.msg) for e in errors] == [
        ("dosing.E001", "The arm 'high-dose' receives product but has no dosing regimen.")
    ]
