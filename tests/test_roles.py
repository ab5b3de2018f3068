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
    for role in ("Clinician", "Coordinator", "Monitor", "Statistician", "Unblinded statistician"):
        granted = perms(role)
        for model in ("site", "regimen"):
            assert not any(code.endswith(f".add_{model}") or code.endswith(f".change_{model}") for code in granted)


def test_the_design_is_set_up_by_the_coordinator_and_the_unblinded_statistician_only():
    design = {"patients.change_trialdesign", "patients.add_arm", "patients.change_arm", "dosing.change_armregimen"}
    for role in ("Clinician", "Monitor", "Statistician"):
        assert not design & perms(role), role
    assert design <= perms("Coordinator")
    # The list holds the allocation: only the unblinded statistician makes, reads and signs it off.
    listing = {
        "patients.add_randomisationlist",
        "patients.view_randomisationslot",
        "patients.sign_off_randomisationlist",
    }
    assert listing <= perms("Unblinded statistician")
    for role in ("Clinician", "Coordinator", "Monitor", "Statistician"):
        assert not listing & perms(role), role
    # The coordinator sees how many slots each stratum has left.
    assert "patients.view_stratum" in perms("Coordinator")


def test_only_the_unblinded_statistician_sees_allocation():
    for role in ("Clinician", "Coordinator", "Monitor", "Statistician"):
        assert "patients.view_unblinded" not in perms(role)
    assert "patients.view_unblinded" in perms("Unblinded statistician")
    assert "patients.view_unblinded" in perms("Pharmacist")


def test_only_the_pharmacist_prepares_kits():
    kits = {"dosing.add_preparation", "dosing.change_preparation", "dosing.view_preparation"}
    assert kits <= perms("Pharmacist")
    for role in ("Clinician", "Coordinator", "Monitor", "Statistician", "Unblinded statistician"):
        assert not kits & perms(role), role
    # No clinical record: the unblinded statistician reads exports and reports, not casebooks.
    assert not any(code.startswith(("outcomes.", "dosing.view_infusion")) for code in perms("Unblinded statistician"))


def test_clinicians_record_infusions_and_monitors_read_them():
    assert {"dosing.add_infusion", "dosing.change_infusion", "dosing.view_plannedinfusion"} <= perms("Clinician")
    assert {"dosing.view_infusion", "dosing.view_protocoldeviation"} <= perms("Monitor")


def test_study_wide_roles_see_every_site_by_their_role(site_a, site_b, coordinator, coordinator_b):
    """Issue 29, 4: the unblinded statistician set up as the guide says (a role, no sites) saw 0 enrolled."""
    from patients.casebook.sites import site_ids_for
    from tests.factories import UserFactory, enrolled_participant

    for role in ("Unblinded statistician", "DSMB member"):
        assert "patients.view_all_sites" in perms(role)
    ustat = UserFactory(username="ustat_everywhere", role="Unblinded statistician")
    assert site_ids_for(ustat) is None
    enrolled_participant(user=coordinator, site=site_a)
    enrolled_participant(user=coordinator_b, site=site_b)
    from patients.models import Participant

    assert Participant.objects.for_user(ustat).count() == 2


def test_the_unblinding_approver_is_a_role(site_a, coordinator):
    """Issue 29, 7: approving emergency unblinding was a permission picked per user among about 200."""
    from tests.factories import UserFactory

    assert perms("Unblinding approver") == {"patients.approve_unblinding", "patients.view_unblindingrequest"}
    approver = UserFactory(username="pi", role="Monitor", sites=[site_a])
    approver.groups.add(Group.objects.get(name="Unblinding approver"))
    assert approver.has_perm("patients.approve_unblinding")
