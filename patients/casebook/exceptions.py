"""What the clinical records' guards raise: programming errors a path must not make (a form or service
that passes validation never meets them), not messages for a user (those are ValidationErrors with codes)."""


class HardDeleteRefused(Exception):
    """Clinical records are voided with a reason, never deleted."""


class BulkUpdateRefused(Exception):
    """A bulk update writes no history; save each record with a reason instead."""


class ChangeReasonRequired(Exception):
    """An update to a clinical record was attempted without a reason for change."""


class CasebookLocked(Exception):
    """The participant's casebook is locked: its data are read-only on every path until unlocked."""


class RecordLocked(Exception):
    """The record itself is locked (review status "locked"): a coordinator must unlock it first."""


class ReviewStatusRefused(Exception):
    """The review status was changed by a plain save instead of a transition (patients/casebook/review.py)."""


class RecordChanged(Exception):
    """Optimistic locking: the record was saved by someone else since this copy was loaded."""
