"""Every case report form record moves draft -> submitted -> verified -> locked, each step by the role the
protocol names, recorded in the audit trail; an edit of a verified record sends it back to submitted."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from dosing.models import Infusion, ProtocolDeviation
from outcomes.models import AdverseEvent, ChestCt, DailyObservation, LabResult
from patients.casebook import services as casebook_services
from patients.casebook.choices import ReviewStatus
from patients.casebook.exceptions import ChangeReasonRequired, RecordLocked, ReviewStatusRefused
from patients.casebook.reviewed import CaseReportForm
from patients.casebook.saving import record_save
from patients.casebook.signatures import CasebookSignature
from patients.models import Consent, EndOfStudy, Withdrawal
from tests.factories import (
    PASSWORD,
    UserFactory,
    give_infusion,
    observation_values,
    record,
    treated_participant,
)
from tests.helpers import error_codes

pytestmark = pytest.mark.django_db
# These tests are about what a lock does, not about verification: they lock with records unverified.
UNVERIFIED = "Test casebook: records not verified"

DRAFT, SUBMITTED, VERIFIED, LOCKED = (
    ReviewStatus.DRAFT,
    ReviewStatus.SUBMITTED,
    ReviewStatus.VERIFIED,
    ReviewStatus.LOCKED,
)


@pytest.fixture
def statistician(site_a):
    return UserFactory(username="stat", role="Statistician", sites=[site_a])


@pytest.fixture
def participant(coordinator, site_a):
    return treated_participant(user=coordinator, site=site_a)


@pytest.fixture
def observation(participant, clinician):
    return record(DailyObservation, participant, observation_values(participant), user=clinician)


def step(record_, user, name, reason=""):
    return casebook_services.record_review(record=record_, user=user, step=name, reason=reason)


def bring_to(observation, status, *, clinician, monitor, coordinator):
    if status in (SUBMITTED, VERIFIED, LOCKED):
        observation = step(observation, clinician, "submit")
    if status in (VERIFIED, LOCKED):
        observation = step(observation, monitor, "verify")
    if status == LOCKED:
        observation = step(observation, coordinator, "lock")
    return observation


def test_the_case_report_forms_of_the_protocol_all_have_a_review_status():
    kinds = {m for m in CaseReportForm.__subclasses__()}
    kinds |= {s for k in list(kinds) for s in k.__subclasses__()}
    assert {
        Infusion,
        ProtocolDeviation,
        DailyObservation,
        LabResult,
        ChestCt,
        AdverseEvent,
        EndOfStudy,
        Withdrawal,
        Consent,
    } <= kinds


def test_a_new_record_is_a_draft_and_the_whole_path_is_in_the_audit_trail(observation, clinician, monitor, coordinator):
    assert observation.review_status == DRAFT
    observation = step(observation, clinician, "submit")
    observation = step(observation, monitor, "verify")
    assert (observation.verified_by, observation.review_status) == (monitor, VERIFIED)
    observation = step(observation, coordinator, "lock")
    assert observation.review_status == LOCKED and observation.verified_by == monitor
    trail = [
        (h.review_status, h.history_user.username, h.history_change_reason)
        for h in observation.history.order_by("history_id")
    ]
    assert trail == [
        (DRAFT, "clin_a", None),
        (SUBMITTED, "clin_a", "Submit"),
        (VERIFIED, "mon_a", "Verify"),
        (LOCKED, "coord_a", "Lock"),
    ]


# (step, status it starts from, roles allowed). Every other role is refused.
MATRIX = [
    ("submit", DRAFT, {"clinician", "coordinator"}),
    ("verify", SUBMITTED, {"monitor"}),
    ("unverify", VERIFIED, {"monitor"}),
    ("lock", VERIFIED, {"coordinator"}),
    ("unlock", LOCKED, {"coordinator"}),
]
ROLES = ("clinician", "coordinator", "monitor", "statistician")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "start", "allowed"), MATRIX, ids=[m[0] for m in MATRIX])
def test_each_step_is_allowed_to_its_role_only(request, observation, role, name, start, allowed):
    users = {r: request.getfixturevalue(r) for r in ("clinician", "coordinator", "monitor")}
    observation = bring_to(observation, start, **users)
    user = request.getfixturevalue(role)
    if role in allowed:
        moved = step(observation, user, name, reason="Checked against the source")
        assert moved.review_status != start
        assert moved.history.latest().history_user == user
    else:
        with pytest.raises(PermissionDenied):
            step(observation, user, name, reason="Checked against the source")
        assert DailyObservation.objects.get(pk=observation.pk).review_status == start


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("verify", DRAFT),
        ("lock", SUBMITTED),
        ("lock", DRAFT),
        ("unlock", VERIFIED),
        ("submit", SUBMITTED),
        ("unverify", LOCKED),
        ("verify", LOCKED),
    ],
)
def test_a_step_from_the_wrong_status_is_refused_with_a_message(
    observation, clinician, monitor, coordinator, name, start
):
    observation = bring_to(observation, start, clinician=clinician, monitor=monitor, coordinator=coordinator)
    user = {"verify": monitor, "submit": clinician, "unverify": monitor}.get(name, coordinator)
    with pytest.raises(ValidationError) as exc:
        step(observation, user, name, reason="x")
    assert error_codes(exc, "review_status") == ["wrong_status"]
    assert DailyObservation.objects.get(pk=observation.pk).review_status == start


@pytest.mark.parametrize(
    ("name", "start", "role"), [("unverify", VERIFIED, "monitor"), ("unlock", LOCKED, "coordinator")]
)
def test_taking_a_step_back_needs_a_reason(request, observation, clinician, monitor, coordinator, name, start, role):
    observation = bring_to(observation, start, clinician=clinician, monitor=monitor, coordinator=coordinator)
    with pytest.raises(ValidationError) as exc:
        step(observation, request.getfixturevalue(role), name, reason="  ")
    assert "reason" in exc.value.message_dict
    moved = step(observation, request.getfixturevalue(role), name, reason="Wrong source page")
    assert moved.history.latest().history_change_reason.endswith(": Wrong source page")


def test_editing_a_verified_record_sends_it_back_to_submitted_with_the_reason(observation, clinician, monitor):
    observation = bring_to(observation, VERIFIED, clinician=clinician, monitor=monitor, coordinator=None)
    observation.heart_rate = 101
    with pytest.raises(ChangeReasonRequired):
        record_save(observation, user=clinician)
    assert DailyObservation.objects.get(pk=observation.pk).review_status == VERIFIED
    record_save(observation, user=clinician, reason="Transcription error")
    saved = DailyObservation.objects.get(pk=observation.pk)
    assert (saved.review_status, saved.verified_by, saved.heart_rate) == (SUBMITTED, None, 101)
    assert saved.history.latest().history_change_reason == "Transcription error (was verified: back to submitted)"
    # The monitor verifies the new value again.
    assert step(saved, monitor, "verify").review_status == VERIFIED


def test_a_locked_record_refuses_every_change(observation, clinician, monitor, coordinator):
    observation = bring_to(observation, LOCKED, clinician=clinician, monitor=monitor, coordinator=coordinator)
    copy = DailyObservation.objects.get(pk=observation.pk)
    copy.heart_rate = 120
    with pytest.raises(ValidationError) as exc:
        copy.full_clean()
    assert "is locked (by coord_a" in exc.value.messages[0]
    with pytest.raises(RecordLocked):
        record_save(copy, user=coordinator, reason="late correction")
    with pytest.raises(ValidationError) as exc:  # voiding says why, on its reason, before anything is written
        copy.void(reason="entered in error", user=coordinator)
    assert [e.code for e in exc.value.error_dict["void_reason"]] == ["record_locked"]
    assert DailyObservation.objects.get(pk=observation.pk).heart_rate == observation.heart_rate
    # Unlocked (with a reason), it can be corrected, and goes back for verification.
    unlocked = step(copy, coordinator, "unlock", reason="Late lab correction")
    unlocked.heart_rate = 120
    record_save(unlocked, user=coordinator, reason="Late correction")
    assert DailyObservation.objects.get(pk=observation.pk).review_status == SUBMITTED


def test_a_plain_save_cannot_move_the_status(observation, clinician, monitor):
    observation.review_status = VERIFIED
    with pytest.raises(ReviewStatusRefused):
        record_save(observation, user=clinician, reason="sneak")
    assert DailyObservation.objects.get(pk=observation.pk).review_status == DRAFT
    new = DailyObservation(participant=observation.participant, **observation_values(observation.participant))
    new.review_status = LOCKED
    with pytest.raises(ReviewStatusRefused):
        new.save()


def test_the_database_refuses_a_verified_record_without_who_and_when(observation):
    observation.review_status = VERIFIED
    with pytest.raises(IntegrityError), transaction.atomic():
        record_save(observation, user=None, reason="bypass", review_step="forced")


def test_a_record_with_an_open_query_is_neither_verified_nor_locked(observation, clinician, monitor, coordinator):
    observation = step(observation, clinician, "submit")
    query = casebook_services.query_raise(record=observation, user=monitor, text="Heart rate?", field_name="heart_rate")
    with pytest.raises(ValidationError) as exc:
        step(observation, monitor, "verify")
    assert error_codes(exc, "review_status") == ["open_queries"]
    assert "1 open data query:" in exc.value.messages[0]  # counted, in the singular
    casebook_services.query_answer(query=query, user=clinician, answer="Correct as entered")
    casebook_services.query_close(query=query, user=monitor)
    assert step(observation, monitor, "verify").review_status == VERIFIED


def test_other_sites_voided_records_and_locked_casebooks_are_out_of_reach(
    observation, clinician, monitor, coordinator, site_b
):
    observation = step(observation, clinician, "submit")
    other_monitor = UserFactory(role="Monitor", sites=[site_b])
    with pytest.raises(PermissionDenied):
        step(observation, other_monitor, "verify")
    casebook_services.casebook_lock(
        participant=observation.participant, user=coordinator, reason="Database lock", override_reason=UNVERIFIED
    )
    with pytest.raises(ValidationError) as exc:
        step(observation, monitor, "verify")
    assert error_codes(exc, "review_status") == ["casebook_locked"]
    casebook_services.casebook_unlock(participant=observation.participant, user=coordinator, reason="Query after lock")
    observation.void(reason="Duplicate entry", user=clinician)
    with pytest.raises(ValidationError) as exc:
        step(observation, monitor, "verify")
    assert error_codes(exc, "review_status") == ["voided"]


def test_review_steps_leave_the_signature_valid_but_an_edit_invalidates_it(observation, clinician, monitor):
    observation = step(observation, clinician, "submit")
    casebook_services.casebook_sign(
        participant=observation.participant,
        user=clinician,
        password=PASSWORD,
        meaning="complete_accurate",
    )
    observation = step(observation, monitor, "verify")
    signature = CasebookSignature.objects.get(participant=observation.participant)
    assert signature.valid
    observation.heart_rate = 99
    record_save(observation, user=clinician, reason="Correction")
    signature.refresh_from_db()
    assert not signature.valid


def test_each_kind_of_record_walks_the_whole_path(participant, clinician, monitor, coordinator):
    infusion = give_infusion(participant, 1, user=clinician)
    for item in (infusion, participant.consents.get()):
        item = step(item, clinician, "submit")
        item = step(item, monitor, "verify")
        item = step(item, coordinator, "lock")
        assert type(item).objects.get(pk=item.pk).review_status == LOCKED


def test_an_infusion_whose_deviation_is_locked_says_so_instead_of_failing(participant, clinician, monitor, coordinator):
    infusion = give_infusion(participant, 1, user=clinician, viability_percent="75.0", deviation_reason="Only lot")
    deviation = infusion.deviations.get()
    for user, name in ((clinician, "submit"), (monitor, "verify"), (coordinator, "lock")):
        deviation = step(deviation, user, name)
    infusion = Infusion.objects.get(pk=infusion.pk)
    infusion.deviation_reason = "Only lot available"
    with pytest.raises(ValidationError) as exc:
        infusion.full_clean()
    assert error_codes(exc) == ["deviation_locked"]
