"""Blinding, the known leaks of issue 16: in a blinded trial (the design's ``blinded``) the ward's participant list
and page, the admin's lists, filters, search, forms and exports show no arm to a user without
``patients.view_unblinded``, and the allocation tables are not in the admin; a user with it sees them.
(The walk over every URL is the next step of issue 16.)"""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from patients.models import Arm, Participant
from tests.factories import blind_trial, treated_participant
from tests.helpers import admin_export

pytestmark = pytest.mark.django_db


@pytest.fixture
def blinded(coordinator, site_a):
    blind_trial()
    # Arm names no page would otherwise hold, so their absence means something.
    Arm.objects.filter(code="ucmsc").update(name="Arm Quillon")
    Arm.objects.filter(code="control").update(name="Arm Vantrel")
    return [
        treated_participant(user=coordinator, site=site_a, arm_code="ucmsc"),
        treated_participant(user=coordinator, site=site_a, arm_code="control"),
    ]


NAMES = ("Arm Quillon", "Arm Vantrel")


def shows_an_arm(response) -> bool:
    text = response.content.decode()
    return any(name in text for name in NAMES)


def unblind(user):
    user.user_permissions.add(Permission.objects.get(codename="view_unblinded"))
    return type(user).objects.get(pk=user.pk)  # a fresh copy: permissions are cached per object


def test_the_ward_list_and_page_show_no_arm_and_ignore_an_arm_filter(client, clinician, blinded):
    client.force_login(clinician)
    listing = client.get(reverse("participant-list"))
    assert not shows_an_arm(listing) and 'name="arm"' not in listing.content.decode()
    # Filtering by arm would reveal it: the parameter is ignored, every participant is listed.
    filtered = client.get(reverse("participant-list"), {"arm": "control"})
    assert [p.study_id for p in filtered.context["participants"]] == sorted(p.study_id for p in blinded)
    for participant in blinded:
        assert not shows_an_arm(client.get(reverse("participant-detail", args=[participant.study_id])))


def test_the_admin_shows_no_arm_in_lists_filters_forms_or_exports(client, coordinator, blinded):
    client.force_login(coordinator)
    changelist = client.get(reverse("admin:patients_participant_changelist"))
    assert not shows_an_arm(changelist)
    assert "arm" not in changelist.context["cl"].list_display
    assert not any("arm" in str(f) for f in changelist.context["cl"].list_filter)
    # Filtering by arm through the address: Django refuses an unknown lookup (an error page, no data).
    assert not shows_an_arm(client.get(reverse("admin:patients_participant_changelist"), {"arm__id__exact": 1}))
    change = client.get(reverse("admin:patients_participant_change", args=[blinded[0].pk]))
    assert change.status_code == 200 and not shows_an_arm(change)
    assert "arm" not in change.context["adminform"].form.fields
    for name in ("dosing_infusion", "outcomes_dailyobservation", "patients_endofstudy"):
        assert not shows_an_arm(client.get(reverse(f"admin:{name}_changelist")))
    exported = admin_export(client, reverse("admin:patients_participant_export"))
    assert exported["Content-Type"].startswith("text/csv")
    header = next(csv.reader(io.StringIO(exported.content.decode())))
    assert "study_id" in header and "arm" not in header and not shows_an_arm(exported)


def test_the_allocation_tables_are_not_in_the_admin(client, coordinator, blinded):
    client.force_login(coordinator)
    index = client.get(reverse("admin:index"))
    assert "/admin/patients/arm/" not in index.content.decode()
    assert "/admin/dosing/armregimen/" not in index.content.decode()
    assert client.get(reverse("admin:patients_arm_changelist")).status_code == 403
    assert client.get(reverse("admin:dosing_armregimen_changelist")).status_code == 403


def test_an_unblinded_user_sees_the_arms(client, coordinator, blinded):
    client.force_login(unblind(coordinator))
    assert shows_an_arm(client.get(reverse("participant-list")))
    filtered = client.get(reverse("participant-list"), {"arm": "control"})
    assert [p.arm.code for p in filtered.context["participants"]] == ["control"]
    changelist = client.get(reverse("admin:patients_participant_changelist"))
    assert "arm" in changelist.context["cl"].list_display and shows_an_arm(changelist)
    assert client.get(reverse("admin:patients_arm_changelist")).status_code == 200


def test_an_open_trial_shows_the_arms_to_everyone(client, clinician, coordinator, site_a):
    participant = treated_participant(user=coordinator, site=site_a, arm_code="control")
    client.force_login(clinician)
    assert "Control" in client.get(reverse("participant-detail", args=[participant.study_id])).content.decode()
    assert Participant.objects.count() == 1
