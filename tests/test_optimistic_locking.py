"""Two people editing the same record: the second save is refused with who changed it, when, and both
values; nothing is overwritten. Enforced in ClinicalRecord, so the admin and the clinician forms honour it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dosing.forms import InfusionForm
from outcomes.forms import DailyObservationForm
from outcomes.models import DailyObservation
from patients.casebook.exceptions import RecordChanged
from patients.casebook.saving import record_save
from patients.forms import EndOfStudyForm
from patients.models import Participant
from tests.factories import (
    infusion_values,
    observation_values,
    record,
    screened_participant,
    treated_participant,
)
from tests.helpers import admin_form_data, form_data

pytestmark = pytest.mark.django_db


def save_as(instance, user, reason, **changes):
    for name, value in changes.items():
        setattr(instance, name, value)
    record_save(instance, user=user, reason=reason)


def test_a_stale_copy_cannot_overwrite_a_newer_save(coordinator, clinician, site_a):
    participant = screened_participant(user=coordinator, site=site_a, initials="AB")
    mine, theirs = Participant.objects.get(pk=participant.pk), Participant.objects.get(pk=participant.pk)
    save_as(theirs, clinician, "Corrected from the wristband", initials="CD")
    # The refusal rolls its transaction back (here a savepoint; in a request, the request's transaction).
    with pytest.raises(RecordChanged) as exc, transaction.atomic():
        save_as(mine, coordinator, "Typo", initials="XY")
    assert "changed by clin_a" in str(exc.value)
    stored = Participant.objects.get(pk=participant.pk)
    assert (stored.initials, stored.version) == ("CD", 2)
    assert stored.history.count() == 2


def test_clean_names_who_when_and_both_values(coordinator, clinician, site_a):
    participant = treated_participant(user=coordinator, site=site_a)
    observation = record(
        DailyObservation, participant, observation_values(participant, spo2_percent=95), user=clinician
    )
    mine = DailyObservation.objects.get(pk=observation.pk)
    save_as(DailyObservation.objects.get(pk=observation.pk), clinician, "Re-measured", spo2_percent=91)
    mine.spo2_percent = 97
    with pytest.raises(ValidationError) as exc:
        record_save(mine, user=clinician, reason="Re-measured", expected_version=1, validate=True)
    assert [e.code for e in exc.value.error_dict["__all__"]] == ["record_changed"]
    assert [e.code for e in exc.value.error_dict["spo2_percent"]] == ["changed_by_other"]
    errors = exc.value.message_dict  # and what the person reads: who, when, both values
    assert "changed by clin_a at" in errors["__all__"][0]
    assert errors["spo2_percent"] == ['Changed by clin_a to "91"; you entered "97".']


def test_admin_refuses_the_second_save_and_keeps_the_first(client, coordinator, clinician, site_a):
    participant = screened_participant(user=coordinator, site=site_a, initials="AB")
    client.force_login(coordinator)
    url = reverse("admin:patients_participant_change", args=[participant.pk])
    opened = client.get(url)  # the coordinator opens the page ...
    save_as(Participant.objects.get(pk=participant.pk), clinician, "Wristband", initials="CD")  # ... a clinician saves
    response = client.post(url, admin_form_data(opened, initials="XY", change_reason="Typo"))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "changed by clin_a" in " ".join(form.non_field_errors())
    assert form.errors["initials"] == ['Changed by clin_a to "CD"; you entered "XY".']
    assert Participant.objects.get(pk=participant.pk).initials == "CD"
    # Having seen the other change, the coordinator may deliberately save over it.
    response = client.post(url, admin_form_data(response, initials="XY", change_reason="Checked with the ward"))
    assert response.status_code == 302
    assert Participant.objects.get(pk=participant.pk).initials == "XY"


def test_clinician_form_refuses_an_edit_over_a_newer_save(coordinator, clinician, site_a):
    participant = treated_participant(user=coordinator, site=site_a)
    observation = record(DailyObservation, participant, observation_values(participant), user=clinician)
    opened = DailyObservationForm(instance=observation, participant=participant)
    assert opened["loaded_version"].value() == 1
    save_as(DailyObservation.objects.get(pk=observation.pk), coordinator, "Source data check", heart_rate=99)
    data = {**form_data(observation_values(participant, heart_rate=70)), "loaded_version": "1"}
    form = DailyObservationForm(
        data=data, instance=DailyObservation.objects.get(pk=observation.pk), participant=participant
    )
    assert not form.is_valid()
    assert form.errors["heart_rate"] == ['Changed by coord_a to "99"; you entered "70".']
    assert DailyObservation.objects.get(pk=observation.pk).heart_rate == 99


def test_errors_about_fields_a_form_lacks_are_shown_not_crashed(coordinator, clinician, site_a):
    control = treated_participant(user=coordinator, site=site_a, arm_code="control")
    values = infusion_values(control, 1, user=clinician, start=timezone.now() - datetime.timedelta(days=2))
    values.pop("participant"), values.pop("administered_by")
    form = InfusionForm(data=form_data(values), participant=control, user=clinician)
    assert not form.is_valid()
    assert "receive no study product" in " ".join(form.non_field_errors())

    screening = screened_participant(user=coordinator, site=site_a)
    form = EndOfStudyForm(
        data={"end_reason": "discharged", "end_date": timezone.localdate().isoformat()}, participant=screening
    )
    assert not form.is_valid()
    assert "Only a participant in follow-up" in " ".join(form.non_field_errors())
