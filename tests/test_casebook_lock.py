"""A locked casebook is read-only on every path: the models refuse, the forms, the admin and import show it."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from dosing.models import Infusion
from outcomes.models import AdverseEvent, ChestCt, DailyObservation, LabResult
from patients.casebook import services as casebook_services
from patients.casebook.exceptions import CasebookLocked
from patients.casebook.records import ParticipantRecord
from patients.casebook.saving import record_save
from patients.models import Consent, Participant
from tests.factories import (
    ae_values,
    ct_values,
    give_infusion,
    lab_values,
    observation_values,
    record,
    treated_participant,
)
from tests.helpers import error_codes, form_data, infusion_dataset, run_infusion_import

pytestmark = pytest.mark.django_db
# These tests are about what a lock does, not about verification: they lock with records unverified.
UNVERIFIED = "Test casebook: records not verified"
LOCKED = "is locked"


@pytest.fixture
def locked(coordinator, clinician, site_a):
    """A treated participant with one record of each kind, then locked by the coordinator."""
    participant = treated_participant(user=coordinator, site=site_a)
    give_infusion(participant, 1, user=clinician)
    record(DailyObservation, participant, observation_values(participant), user=clinician)
    record(LabResult, participant, lab_values(participant), user=clinician)
    record(ChestCt, participant, ct_values(participant), user=clinician)
    record(AdverseEvent, participant, ae_values(participant), user=clinician)
    return casebook_services.casebook_lock(
        participant=participant, user=coordinator, reason="Data complete, SDV done", override_reason=UNVERIFIED
    )


def test_only_a_coordinator_locks_and_a_reason_is_required(coordinator, clinician, site_a):
    participant = treated_participant(user=coordinator, site=site_a)
    with pytest.raises(PermissionDenied):
        casebook_services.casebook_lock(participant=participant, user=clinician, reason="done")
    with pytest.raises(ValidationError) as exc:
        casebook_services.casebook_lock(participant=participant, user=coordinator, reason=" ")
    assert "reason" in exc.value.message_dict
    locked = casebook_services.casebook_lock(
        participant=participant, user=coordinator, reason="Database lock", override_reason=UNVERIFIED
    )
    assert locked.casebook_locked and locked.casebook_locked_by == coordinator
    latest = locked.history.latest()
    assert latest.history_user == coordinator
    assert (
        latest.history_change_reason
        == f"Casebook locked: Database lock (locked with 1 unverified records: {UNVERIFIED})"
    )
    with pytest.raises(ValidationError):
        casebook_services.casebook_lock(
            participant=participant, user=coordinator, reason="again", override_reason=UNVERIFIED
        )


def clinical_records(participant):
    """Every record of the casebook, of every kind (so a new kind is covered without editing this test)."""
    found = [participant]
    for model in set(_concrete(ParticipantRecord)):
        found += list(model.objects.filter(participant=participant))
    # participant, consent, eligibility answer, planned infusion, infusion, observation, lab, CT, AE
    assert len({type(r) for r in found}) >= 9
    return found


def _concrete(base):
    for sub in base.__subclasses__():
        if not sub._meta.abstract:
            yield sub
        yield from _concrete(sub)


def test_every_record_of_a_locked_casebook_is_read_only(locked, clinician):
    for item in clinical_records(locked):
        item = type(item).objects.get(pk=item.pk)
        with pytest.raises(ValidationError) as exc:
            item.full_clean()
        assert "casebook_locked" in error_codes(exc), type(item)
        with pytest.raises(CasebookLocked), transaction.atomic():
            record_save(item, user=None, reason="trying anyway")
        with pytest.raises((CasebookLocked, ValidationError)), transaction.atomic():
            item.void(reason="entered in error", user=clinician)


def test_nothing_new_can_be_added_to_a_locked_casebook(locked, clinician):
    new = DailyObservation(
        participant=locked, **observation_values(locked, on=locked.day0_date + datetime.timedelta(days=1))
    )
    with pytest.raises(ValidationError) as exc:
        new.full_clean()
    assert "casebook_locked" in error_codes(exc)
    with pytest.raises(CasebookLocked), transaction.atomic():
        new.save()
    assert DailyObservation.objects.filter(participant=locked).count() == 1


def test_clinician_form_shows_the_lock_and_saves_nothing(client, locked, clinician):
    client.force_login(clinician)
    page = client.get(reverse("participant-detail", args=[locked.study_id])).content.decode()
    assert "Casebook locked" in page and "Daily observation</a>" not in page
    url = reverse("observations-new", args=[locked.study_id])
    values = observation_values(locked, on=locked.day0_date + datetime.timedelta(days=1))
    response = client.post(url, form_data(values))
    assert response.status_code == 200
    assert LOCKED in " ".join(response.context["form"].non_field_errors())
    assert DailyObservation.objects.filter(participant=locked).count() == 1


def test_admin_pages_of_a_locked_casebook_are_read_only(client, locked, coordinator):
    client.force_login(coordinator)
    infusion = Infusion.objects.get(participant=locked)
    change = reverse("admin:dosing_infusion_change", args=[infusion.pk])
    page = client.get(change)
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    assert client.post(change, {"lot_number": "X", "change_reason": "x"}).status_code == 403
    participant_page = client.get(reverse("admin:patients_participant_change", args=[locked.pk]))
    assert participant_page.context["has_change_permission"] is False


def test_import_refuses_rows_of_a_locked_casebook(locked, coordinator):
    result = run_infusion_import(infusion_dataset((locked, 2, coordinator, {})), coordinator, dry_run=False)
    assert result.has_validation_errors()
    assert LOCKED in " ".join(m for ms in result.invalid_rows[0].error_dict.values() for m in ms)
    assert Infusion.objects.filter(participant=locked).count() == 1


def test_admin_actions_lock_and_unlock_with_a_reason(client, coordinator, monitor, site_a):
    participant = treated_participant(user=coordinator, site=site_a)
    changelist = reverse("admin:patients_participant_changelist")
    client.force_login(monitor)
    assert "lock_casebooks" not in client.get(changelist).content.decode()  # monitors read only
    client.force_login(coordinator)
    selection = {"action": "lock_casebooks", "_selected_action": [participant.pk]}
    asked = client.post(changelist, selection)
    assert asked.status_code == 200 and "reason" in asked.content.decode().lower()
    client.post(
        changelist, {**selection, "apply": "1", "reason": "Source data verified", "override_reason": UNVERIFIED}
    )
    participant.refresh_from_db()
    assert participant.casebook_locked
    client.post(
        changelist,
        {"action": "unlock_casebooks", "_selected_action": [participant.pk], "apply": "1", "reason": "Late query"},
    )
    participant.refresh_from_db()
    assert not participant.casebook_locked
    reasons = list(participant.history.values_list("history_change_reason", flat=True)[:2])
    assert reasons == [
        "Casebook unlocked: Late query",
        f"Casebook locked: Source data verified (locked with 1 unverified records: {UNVERIFIED})",
    ]


def test_unlocked_casebook_can_be_corrected_again(locked, coordinator, clinician):
    casebook_services.casebook_unlock(participant=locked, user=coordinator, reason="Query on day 0 temperature")
    observation = DailyObservation.objects.get(participant=locked)
    observation.temperature_c = Decimal("37.9")
    record_save(observation, user=coordinator, reason="Query answered", validate=True)
    assert DailyObservation.objects.get(pk=observation.pk).temperature_c == Decimal("37.9")


def test_a_casebook_is_locked_only_when_every_record_is_verified(coordinator, clinician, monitor, site_a):
    participant = treated_participant(user=coordinator, site=site_a)
    record(DailyObservation, participant, observation_values(participant), user=clinician)
    with pytest.raises(ValidationError) as exc:
        casebook_services.casebook_lock(participant=participant, user=coordinator, reason="Database lock")
    [error] = exc.value.error_dict["override_reason"]
    assert error.code == "unverified_records"
    assert "1 consent" in error.message and "1 daily observation" in error.message
    assert not Participant.objects.get(pk=participant.pk).casebook_locked
    for model in (Consent, DailyObservation):
        for item in model.objects.filter(participant=participant):
            if item.review_status == "draft":
                casebook_services.record_review(record=item, user=clinician, step="submit")
            casebook_services.record_review(record=model.objects.get(pk=item.pk), user=monitor, step="verify")
    locked = casebook_services.casebook_lock(participant=participant, user=coordinator, reason="Database lock")
    assert locked.casebook_locked
    assert locked.history.latest().history_change_reason == "Casebook locked: Database lock"


def test_the_admin_action_asks_for_the_override_and_keeps_it(client, coordinator, clinician, site_a):
    participant = treated_participant(user=coordinator, site=site_a)
    client.force_login(coordinator)
    changelist = reverse("admin:patients_participant_changelist")
    selection = {"action": "lock_casebooks", "_selected_action": [participant.pk], "apply": "1"}
    response = client.post(changelist, {**selection, "reason": "Database lock"}, follow=True)
    assert "not yet verified (1 consent)" in response.content.decode()
    assert not Participant.objects.get(pk=participant.pk).casebook_locked
    client.post(changelist, {**selection, "reason": "Database lock", "override_reason": "DSMB deadline"})
    participant = Participant.objects.get(pk=participant.pk)
    assert participant.casebook_locked
    assert participant.history.latest().history_change_reason.endswith("unverified records: DSMB deadline)")


def test_voiding_runs_the_sequence_rules_on_every_path(client, coordinator, clinician, site_a):
    """Voiding infusion 2 while infusion 3 is recorded would leave 3 unaccounted for: refused, with the
    code, in the service and on the admin's void page; voiding 3 first, then 2, is accepted."""
    participant = treated_participant(user=coordinator, site=site_a)
    infusions = {k: give_infusion(participant, k, user=clinician) for k in (1, 2, 3)}
    with pytest.raises(ValidationError) as exc:
        casebook_services.record_void(record=infusions[2], user=coordinator, reason="Wrong patient")
    assert [e.code for e in exc.value.error_dict["void_reason"]] == ["later_infusion_recorded"]
    assert not Infusion.objects.get(pk=infusions[2].pk).voided

    client.force_login(coordinator)
    change = client.get(reverse("admin:dosing_infusion_change", args=[infusions[2].pk])).content.decode()
    void_url = reverse("admin:dosing_infusion_void", args=[infusions[2].pk])
    assert f'href="{void_url}"' in change
    response = client.post(void_url, {"reason": "Wrong patient"})
    assert response.status_code == 200 and "Infusion 3 is recorded after this one" in response.content.decode()
    assert client.post(reverse("admin:dosing_infusion_void", args=[infusions[3].pk]), {"reason": "Wrong patient"})[
        "Location"
    ] == reverse("admin:dosing_infusion_change", args=[infusions[3].pk])
    assert client.post(void_url, {"reason": "Wrong patient"}).status_code == 302
    assert list(
        Infusion.objects.active().filter(participant=participant).values_list("sequence_number", flat=True)
    ) == [1]
    voided = Infusion.objects.get(pk=infusions[2].pk)
    assert voided.voided and voided.history.latest().history_change_reason == "Voided: Wrong patient"
    assert participant.planned_infusions.get(sequence_number=2).status == "planned"


def test_a_locked_casebook_refuses_a_void(locked, coordinator):
    observation = DailyObservation.objects.get(participant=locked)
    with pytest.raises(ValidationError) as exc:
        casebook_services.record_void(record=observation, user=coordinator, reason="Duplicate")
    assert [e.code for e in exc.value.error_dict["void_reason"]] == ["casebook_locked"]


def test_a_closed_query_is_reopened_from_the_admin_with_a_reason(client, coordinator, monitor, clinician, site_a):
    from patients.casebook.queries import DataQuery

    participant = treated_participant(user=coordinator, site=site_a)
    observation = record(DailyObservation, participant, observation_values(participant), user=clinician)
    query = casebook_services.query_raise(record=observation, user=monitor, text="Heart rate?")
    casebook_services.query_answer(query=query, user=clinician, answer="Checked")
    casebook_services.query_close(query=query, user=monitor)
    client.force_login(monitor)
    changelist = reverse("admin:patients_dataquery_changelist")
    selection = {"action": "reopen_queries", "_selected_action": [query.pk]}
    assert "reason" in client.post(changelist, selection).content.decode().lower()
    client.post(changelist, {**selection, "apply": "1", "reason": "The chart says 110"})
    query = DataQuery.objects.get(pk=query.pk)
    assert (query.status, query.site_status) == ("open", "awaiting")
    assert query.history.latest().history_change_reason == "Query re-opened: The chart says 110"
