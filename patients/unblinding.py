"""Emergency unblinding: an investigator asks, with the clinical reason, to know one participant's arm; a
designated approver decides (or, where the design allows, the investigator approves alone in an
emergency). Then only the requester and the approver see that participant's arm (``unblinded_arm``), on a
page that says so, each look written to the access log. The participant shows as unblinded to data
management (``was_unblinded``), never with the arm. Everything is in the audit trail; the people the design
names get an e-mail, which names no arm."""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db import transaction
from django.utils import timezone

from patients.access_log import AccessEventKind
from patients.access_log_receivers import log_access_event
from patients.casebook.choices import ENROLLED_STATUSES
from patients.casebook.design import TrialDesign
from patients.casebook.rules import refusal
from patients.casebook.saving import record_save
from patients.choices import UnblindingStatus
from patients.models import Participant, UnblindingRequest
from patients.outbox import mail_enqueue


def notify_addresses(design: TrialDesign) -> list[str]:
    return [line.strip() for line in design.unblinding_notify.replace(",", "\n").splitlines() if line.strip()]


def _notify(unblinding: UnblindingRequest, subject: str, body: str) -> None:
    # Through the outbox: written with the request, sent after it commits and away from the page, so the
    # emergency answers at once even with the mail server down (patients/outbox.py).
    design = TrialDesign.current()
    mail_enqueue(
        topic="emergency unblinding",
        subject=f"[{design.code}] {subject}",
        body=body,
        recipients=notify_addresses(design),
        site=unblinding.participant.site,
    )


@transaction.atomic
def unblinding_request(
    *, participant: Participant, user, reason: str, alone: bool = False, request=None
) -> UnblindingRequest:
    """Record an investigator's request. ``alone``: approved at once by the requester, where the design
    allows it (a true emergency with no approver reachable)."""
    if not user.has_perm("patients.request_unblinding"):
        raise PermissionDenied
    design = TrialDesign.current()
    if not design.blinded:
        raise refusal(NON_FIELD_ERRORS, "This trial is open: every arm is already visible.", "not_blinded")
    if participant.status not in ENROLLED_STATUSES:
        raise refusal(NON_FIELD_ERRORS, "Only an enrolled participant has an arm to unblind.", "not_enrolled")
    if alone and not design.unblinding_by_investigator_alone:
        raise refusal(
            "alone",
            "This trial's design has a designated approver decide every unblinding.",
            "approver_required",
        )
    if not (reason or "").strip():
        raise refusal("reason", "Give the clinical reason: why treatment depends on knowing the arm.", "missing")
    if participant.unblinding_requests.active().filter(status=UnblindingStatus.REQUESTED).exists():
        raise refusal(NON_FIELD_ERRORS, "A request for this participant is waiting for its decision.", "open_request")
    now = timezone.now()
    unblinding = UnblindingRequest(
        participant=participant, reason=reason.strip(), requested_by=user, requested_datetime=now
    )
    if alone:
        unblinding.status = UnblindingStatus.APPROVED
        unblinding.decided_by, unblinding.decided_datetime = user, now
        unblinding.self_approved = True
        unblinding.decision_note = "Approved by the investigator alone in an emergency, as the design allows."
    record_save(unblinding, user=user, reason="Emergency unblinding requested", validate=True)
    detail = f"{participant.study_id}: {'unblinded alone in an emergency' if alone else 'requested'}"
    log_access_event(AccessEventKind.UNBLINDING_REQUESTED, user=user, request=request, detail=detail)
    _notify(
        unblinding,
        f"Emergency unblinding {'done' if alone else 'requested'}: {participant.study_id}",
        f"{user.get_username()} {'unblinded' if alone else 'asks to unblind'} participant {participant.study_id} "
        f"(site {participant.site.code}) on {timezone.localtime(now):%Y-%m-%d %H:%M}.\n\n"
        f"Reason: {unblinding.reason}\n\nThis message does not name the arm.",
    )
    return unblinding


@transaction.atomic
def unblinding_decide(*, unblinding: UnblindingRequest, user, approve: bool, note: str = "", request=None):
    """The designated approver's decision on an open request (not their own)."""
    if not user.has_perm("patients.approve_unblinding"):
        raise PermissionDenied
    unblinding = unblinding.locked_for_write()
    if unblinding.status != UnblindingStatus.REQUESTED:
        raise refusal(NON_FIELD_ERRORS, "This request has been decided already.", "already_decided")
    if unblinding.requested_by_id == user.pk:
        raise refusal(NON_FIELD_ERRORS, "Someone other than the requester decides.", "own_request")
    if not approve and not (note or "").strip():
        raise refusal("decision_note", "Say why the request is refused.", "missing")
    unblinding.status = UnblindingStatus.APPROVED if approve else UnblindingStatus.REFUSED
    unblinding.decided_by, unblinding.decided_datetime = user, timezone.now()
    unblinding.decision_note = (note or "").strip()
    record_save(unblinding, user=user, reason=f"Emergency unblinding {unblinding.get_status_display().lower()}")
    study_id = unblinding.participant.study_id
    log_access_event(
        AccessEventKind.UNBLINDING_DECIDED,
        user=user,
        request=request,
        detail=f"{study_id}: {unblinding.get_status_display().lower()}",
    )
    _notify(
        unblinding,
        f"Emergency unblinding {unblinding.get_status_display().lower()}: {study_id}",
        f"{user.get_username()} {unblinding.get_status_display().lower()} the request of "
        f"{unblinding.requested_by.get_username()} to unblind participant {study_id}.\n\n"
        f"Note: {unblinding.decision_note or '-'}\n\nThis message does not name the arm.",
    )
    return unblinding


def unblinded_arm(user, participant: Participant):
    """The participant's arm if ``user`` requested or approved its (approved) unblinding, else None."""
    approved = participant.unblinding_requests.active().filter(status=UnblindingStatus.APPROVED)
    if approved.filter(requested_by=user).exists() or approved.filter(decided_by=user).exists():
        return participant.arm
    return None


def log_unblinded_view(user, participant: Participant, *, request) -> None:
    log_access_event(AccessEventKind.UNBLINDED_VIEW, user=user, request=request, detail=participant.study_id)


def was_unblinded(participant: Participant) -> bool:
    """For data management: the participant's allocation was revealed (not to whom, not which arm)."""
    return participant.unblinding_requests.active().filter(status=UnblindingStatus.APPROVED).exists()
