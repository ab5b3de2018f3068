"""The review workflow of a case report form record, as one table: which status may follow which, who may
make each move, and which moves need a reason.

    draft --submit--> submitted --verify--> verified --lock--> locked
                          ^                    |  ^              |
                          +-----unverify-------+  +----unlock----+

Editing is not a transition: an edit of a verified record returns it to submitted by itself
(``CaseReportForm.save``), and a locked record cannot be edited. Pure functions only: the caller passes
the user's permission check, so this module needs no database.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from patients.casebook.choices import ReviewStatus
from patients.casebook.rules import refusal

# The permission that stands for "may enter and edit this kind of record" (its model's change_ permission).
EDIT = "<change>"


@dataclass(frozen=True)
class Transition:
    name: str
    done: str  # past tense, for messages and the audit trail
    source: str
    target: str
    permission: str  # "app.codename", or EDIT
    who: str  # the role's words for messages
    reason_required: bool = False

    @property
    def label(self) -> str:
        return self.name.capitalize()


TRANSITIONS = (
    Transition("submit", "submitted", ReviewStatus.DRAFT, ReviewStatus.SUBMITTED, EDIT, "someone who enters data"),
    Transition(
        "verify", "verified", ReviewStatus.SUBMITTED, ReviewStatus.VERIFIED, "patients.verify_data", "a monitor"
    ),
    Transition(
        "unverify",
        "verification withdrawn",
        ReviewStatus.VERIFIED,
        ReviewStatus.SUBMITTED,
        "patients.verify_data",
        "a monitor",
        reason_required=True,
    ),
    Transition("lock", "locked", ReviewStatus.VERIFIED, ReviewStatus.LOCKED, "patients.lock_casebook", "a coordinator"),
    Transition(
        "unlock",
        "unlocked",
        ReviewStatus.LOCKED,
        ReviewStatus.VERIFIED,
        "patients.lock_casebook",
        "a coordinator",
        reason_required=True,
    ),
)
BY_NAME = {t.name: t for t in TRANSITIONS}


def transition_named(name: str) -> Transition:
    try:
        return BY_NAME[name]
    except KeyError:
        raise refusal("review_status", f"There is no review step {name!r}.", "unknown_step") from None


def permission_for(transition: Transition, edit_permission: str) -> str:
    return edit_permission if transition.permission == EDIT else transition.permission


def available(status: str, has_perm: Callable[[str], bool], edit_permission: str) -> list[Transition]:
    """The moves this user may make from ``status`` (for buttons and actions)."""
    return [t for t in TRANSITIONS if t.source == status and has_perm(permission_for(t, edit_permission))]


def check_transition(
    transition: Transition,
    *,
    status: str,
    has_perm: Callable[[str], bool],
    edit_permission: str,
    reason: str = "",
    voided: bool = False,
    open_queries: int = 0,
    version: int | None = None,
    seen_version: int | None = None,
) -> None:
    """Refuse a move the workflow or the user's role does not allow. PermissionDenied for the role,
    ValidationError (on ``review_status`` or ``reason``) for the record's state."""
    if not has_perm(permission_for(transition, edit_permission)):
        raise PermissionDenied(f"Only {transition.who} can {transition.name} a record.")
    if voided:
        raise refusal("review_status", "This record is voided: it is out of review.", "voided")
    if seen_version is not None and version != seen_version:
        # Source data verification compares values with the source: the values the monitor saw, not newer ones.
        raise refusal(
            "review_status",
            f"This record changed since the page showed it (version {seen_version}, now {version}): look at its "
            "values again before verifying.",
            "changed_since_shown",
        )
    if status != transition.source:
        raise refusal(
            "review_status",
            f"Cannot {transition.name} a record that is {ReviewStatus(status).label.lower()}: "
            f"only a {ReviewStatus(transition.source).label.lower()} one.",
            "wrong_status",
        )
    if transition.target in (ReviewStatus.VERIFIED, ReviewStatus.LOCKED) and transition.name != "unlock":
        if open_queries:
            raise refusal(
                "review_status",
                f"This record has {open_queries} open data "
                f"quer{'y' if open_queries == 1 else 'ies'}: they must be closed first.",
                "open_queries",
            )
    if transition.reason_required and not (reason or "").strip():
        raise refusal("reason", f"Give the reason to {transition.name} this record.", "missing")
