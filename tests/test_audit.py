"""The audit trail: every clinical model keeps history; changes carry who and why; nothing is deleted."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from simple_history.models import registered_models

from patients.casebook.exceptions import BulkUpdateRefused, ChangeReasonRequired, HardDeleteRefused
from patients.casebook.records import ClinicalRecord
from patients.casebook.saving import record_save
from patients.roles import CLINICAL_APPS
from tests.factories import ParticipantFactory, enrolled_participant, screened_participant

# Append-only logs: their rows are never changed, so a history of them would only repeat them.
APPEND_ONLY = {"AccessEvent"}


def clinical_models():
    return [
        model
        for app_label in CLINICAL_APPS
        for model in apps.get_app_config(app_label).get_models()
        if not model.__name__.startswith("Historical") and model.__name__ not in APPEND_ONLY
    ]


def test_every_clinical_model_has_history():
    """Fails when someone adds a model to patients, dosing or outcomes without an audit trail."""
    missing = [m.__name__ for m in clinical_models() if m not in registered_models.values()]
    assert missing == []
    assert len(clinical_models()) >= 7


def test_every_record_model_refuses_delete_and_has_no_delete_permission():
    records = [m for m in clinical_models() if issubclass(m, ClinicalRecord)]
    assert {m.__name__ for m in records} >= {"Participant", "EligibilityAnswer", "Consent", "Withdrawal"}
    for model in records:
        assert "delete" not in model._meta.default_permissions, model


@pytest.mark.django_db
def test_no_role_can_delete_anything():
    for group in Group.objects.filter(name__in=["Clinician", "Coordinator", "Monitor", "Statistician"]):
        assert not group.permissions.filter(codename__startswith="delete_").exists(), group.name
    assert not Permission.objects.filter(content_type__app_label="patients", codename="delete_participant").exists()


@pytest.mark.django_db
def test_create_records_user_and_reason(coordinator, site_a):
    participant = screened_participant(user=coordinator, site=site_a)
    created = participant.history.earliest()
    assert created.history_type == "+"
    assert created.history_user == coordinator
    assert created.history_change_reason == "Screened"


@pytest.mark.django_db
def test_update_without_reason_is_refused_and_changes_nothing(site_a):
    participant = ParticipantFactory(site=site_a, initials="AB")
    participant.initials = "XY"
    with pytest.raises(ChangeReasonRequired):
        participant.save()
    participant.refresh_from_db()
    assert participant.initials == "AB"
    assert participant.history.count() == 1


@pytest.mark.django_db
def test_update_records_old_and_new_value_user_and_reason(coordinator, site_a):
    participant = ParticipantFactory(site=site_a, initials="AB")
    participant.initials = "XY"
    record_save(participant, user=coordinator, reason="Transcription error on the paper CRF")
    new, old = participant.history.all()[:2]
    delta = new.diff_against(old)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("initials", "AB", "XY")]
    assert new.history_user == coordinator
    assert new.history_change_reason == "Transcription error on the paper CRF"
    # The reason covered one change: the next save needs its own.
    participant.initials = "ZZ"
    with pytest.raises(ChangeReasonRequired):
        participant.save()


@pytest.mark.django_db
def test_records_cannot_be_hard_deleted(coordinator, site_a):
    participant = enrolled_participant(user=coordinator, site=site_a)
    with pytest.raises(HardDeleteRefused):
        participant.delete()
    with pytest.raises(HardDeleteRefused):
        type(participant).objects.filter(pk=participant.pk).delete()
    with pytest.raises(HardDeleteRefused):
        participant.consents.all().delete()
    with pytest.raises(BulkUpdateRefused):
        type(participant).objects.filter(pk=participant.pk).update(initials="QQ")
    assert type(participant).objects.filter(pk=participant.pk).exists()


@pytest.mark.django_db
def test_void_keeps_the_record_with_reason_and_history(coordinator, site_a):
    participant = screened_participant(user=coordinator, site=site_a)
    answer = participant.eligibility_answers.first()
    answer.void(reason="Entered for the wrong person", user=coordinator)
    answer.refresh_from_db()
    assert answer.voided and answer.voided_by == coordinator
    assert answer.history.latest().history_change_reason == "Voided: Entered for the wrong person"
    assert not participant.eligibility_answers.active().filter(pk=answer.pk).exists()
