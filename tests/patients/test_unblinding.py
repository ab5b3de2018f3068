"""Emergency unblinding: the investigator asks with the clinical reason, a designated approver decides (or
the investigator alone, where the design allows); then only those two see the arm, on a page that says so,
each look in the access log; the participant shows as unblinded to data management; e-mails go to the people
the design names and name no arm; everything is in the audit trail."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from patients import unblinding
from patients.access_log import AccessEvent, AccessEventKind
from patients.choices import UnblindingStatus
from patients.models import TrialDesign
from tests.factories import UserFactory, randomised_design, signed_off_list, treated_participant
from tests.helpers import error_codes

pytestmark = pytest.mark.django_db
ARM_WORDS = ("active", "placebo", "saline", "cells")


@pytest.fixture
def trial(site_a):
    randomised_design()
    TrialDesign.objects.filter(pk=1).update(unblinding_notify="sponsor@example.org\nqa@example.org")
    signed_off_list(user=UserFactory(role="Unblinded statistician"), slots_per_stratum=6, block_multiples=[1], seed=8)


@pytest.fixture
def approver(site_a):
    user = UserFactory(username="medmon", role="Monitor", sites=[site_a])
    user.user_permissions.add(Permission.objects.get(codename="approve_unblinding"))
    return user


@pytest.fixture
def participant(trial, coordinator, site_a):
    return treated_participant(user=coordinator, site=site_a, arm_code=None)


def page(client, user, participant):
    client.force_login(user)
    return client.get(reverse("participant-unblinding", kwargs={"study_id": participant.study_id}))


def test_request_approval_and_who_sees_the_arm(
    client, participant, clinician, approver, monitor, clinician_b, django_capture_on_commit_callbacks
):
    arm_name = participant.arm.name
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(clinician)
        url = reverse("participant-unblinding", kwargs={"study_id": participant.study_id})
        response = client.post(url, {"reason": "Anaphylaxis after infusion 2; treatment depends on the product"})
    assert response.status_code == 302
    request = participant.unblinding_requests.get()
    assert request.status == UnblindingStatus.REQUESTED and request.requested_by == clinician
    assert arm_name not in page(client, clinician, participant).content.decode()  # not before the decision
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(approver)
        client.post(url, {"decide": "approve", "request_id": request.pk, "decision_note": "Agreed"})
    request.refresh_from_db()
    assert request.status == UnblindingStatus.APPROVED and request.decided_by == approver
    for who in (clinician, approver):
        text = page(client, who, participant).content.decode()
        assert 'id="unblinded-arm"' in text and arm_name in text
    monitor.user_permissions.add(Permission.objects.get(codename="request_unblinding"))
    for who in (monitor,):
        text = page(client, who, participant).content.decode()
        assert 'id="unblinded-arm"' not in text and arm_name not in text
    # Data management sees that the participant was unblinded, not the arm.
    client.force_login(monitor)
    detail = client.get(participant.get_absolute_url()).content.decode()
    assert "Emergency unblinded" in detail and arm_name not in detail
    # Another site's investigator does not even find the participant.
    assert page(client, clinician_b, participant).status_code == 404
    # The access log: the request, the decision and each look at the arm (two here).
    kinds = list(AccessEvent.objects.filter(detail__startswith=participant.study_id).values_list("kind", flat=True))
    assert kinds.count(AccessEventKind.UNBLINDED_VIEW) == 2
    assert {AccessEventKind.UNBLINDING_REQUESTED, AccessEventKind.UNBLINDING_DECIDED} <= set(kinds)
    # The audit trail: who asked, who decided.
    assert [h.history_user for h in request.history.order_by("history_id")] == [clinician, approver]
    # E-mails to the people the design names, naming no arm.
    assert [m.to for m in mail.outbox] == [["sponsor@example.org", "qa@example.org"]] * 2
    assert participant.study_id in mail.outbox[0].subject and "Anaphylaxis" in mail.outbox[0].body
    for message in mail.outbox:
        text = (message.subject + message.body).lower()
        assert arm_name.lower() not in text and not any(word in text for word in ARM_WORDS), text


def test_the_approver_is_someone_else_and_a_refusal_says_why(participant, clinician, approver):
    approver.user_permissions.add(Permission.objects.get(codename="request_unblinding"))
    own = unblinding.unblinding_request(participant=participant, user=approver, reason="Suspected SUSAR")
    with pytest.raises(ValidationError) as exc:
        unblinding.unblinding_decide(unblinding=own, user=approver, approve=True)
    assert error_codes(exc) == ["own_request"]
    approver_two = UserFactory(username="medmon2", role="Monitor")
    approver_two.user_permissions.add(Permission.objects.get(codename="approve_unblinding"))
    with pytest.raises(ValidationError) as exc:
        unblinding.unblinding_decide(unblinding=own, user=approver_two, approve=False)
    assert error_codes(exc, "decision_note") == ["missing"]
    unblinding.unblinding_decide(unblinding=own, user=approver_two, approve=False, note="Not needed for treatment")
    own.refresh_from_db()
    assert own.status == UnblindingStatus.REFUSED
    assert unblinding.unblinded_arm(approver, participant) is None and not unblinding.was_unblinded(participant)


def test_alone_in_an_emergency_only_where_the_design_allows(participant, clinician):
    with pytest.raises(ValidationError) as exc:
        unblinding.unblinding_request(participant=participant, user=clinician, reason="Arrest", alone=True)
    assert error_codes(exc, "alone") == ["approver_required"]
    TrialDesign.objects.filter(pk=1).update(unblinding_by_investigator_alone=True)
    done = unblinding.unblinding_request(participant=participant, user=clinician, reason="Arrest", alone=True)
    assert done.status == UnblindingStatus.APPROVED and done.self_approved and done.decided_by == clinician
    assert unblinding.unblinded_arm(clinician, participant) == participant.arm


def test_requests_need_a_reason_a_blinded_trial_and_a_role(participant, clinician):
    with pytest.raises(ValidationError) as exc:
        unblinding.unblinding_request(participant=participant, user=clinician, reason="  ")
    assert error_codes(exc, "reason") == ["missing"]
    TrialDesign.objects.filter(pk=1).update(blinded=False)
    with pytest.raises(ValidationError) as exc:
        unblinding.unblinding_request(participant=participant, user=clinician, reason="x")
    assert error_codes(exc) == ["not_blinded"]
    with pytest.raises(PermissionDenied):
        unblinding.unblinding_request(participant=participant, user=UserFactory(role="Statistician"), reason="Curious")


@pytest.mark.parametrize("request_id", ["abc", "1.5", "", "٣", "1; DROP TABLE x"])
def test_a_decision_on_a_request_id_that_is_not_one_is_not_found(client, participant, approver, request_id):
    """Issue 28, I: a non-numeric request id answered 500."""
    client.force_login(approver)
    url = reverse("participant-unblinding", kwargs={"study_id": participant.study_id})
    response = client.post(url, {"decide": "approve", "request_id": request_id, "decision_note": "ok"})
    assert response.status_code == 404


def test_data_management_exports_the_unblinding_requests_without_the_arm(client, participant, clinician, coordinator):
    """Issue 28, 15: unblinding requests had no admin export, unlike every other record an inspector may ask for."""
    from tests.helpers import admin_export

    unblinding.unblinding_request(participant=participant, user=clinician, reason="Anaphylaxis after infusion 2")
    client.force_login(coordinator)
    response = admin_export(client, reverse("admin:patients_unblindingrequest_export"))
    text = response.content.decode("utf-8-sig")
    assert response.status_code == 200 and participant.study_id in text and "Anaphylaxis after infusion 2" in text
    assert participant.arm.name not in text and participant.arm.code not in text
