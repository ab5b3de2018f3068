"""The role groups exist after migrate, with the permissions patients/roles.py gives them."""

import pytest
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db


def perms(role):
    return {f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name=role).permissions.all()}


def test_clinician_enters_and_edits_but_does_not_export():
    granted = perms("Clinician")
    assert {"patients.add_participant", "patients.change_consent", "patients.view_withdrawal"} <= granted
    assert "patients.export_data" not in granted


def test_coordinator_reviews_and_exports():
    assert {"patients.change_participant", "patients.view_site", "patients.export_data"} <= perms("Coordinator")


def test_monitor_reads_and_raises_data_queries_only():
    granted = perms("Monitor")
    assert "patients.view_participant" in granted
    writes = {code for code in granted if code.split(".")[1].startswith(("add_", "change_"))}
    assert writes == {"patients.add_dataquery", "patients.change_dataquery"}


def test_statistician_only_exports_and_reads_the_summary():
    # No record pages and no admin: the de-identified exports and the by-arm summary report only.
    assert perms("Statistician") == {"patients.export_data", "patients.view_report"}


def test_no_role_sees_every_site_by_default():
    for role in ("Clinician", "Coordinator", "Monitor", "Statistician"):
        assert "patients.view_all_sites" not in perms(role)


def test_reference_data_is_read_only_for_every_role():
    for role in ("Clinician", "Coordinator", "Monitor", "Statistician"):
        granted = perms(role)
        for model in ("site", "arm", "regimen", "armregimen"):
            assert not any(code.endswith(f".add_{model}") or code.endswith(f".change_{model}") for code in granted)


def test_clinicians_record_infusions_and_monitors_read_them():
    assert {"dosing.add_infusion", "dosing.change_infusion", "dosing.view_plannedinfusion"} <= perms("Clinician")
    assert {"dosing.view_infusion", "dosing.view_protocoldeviation"} <= perms("Monitor")
