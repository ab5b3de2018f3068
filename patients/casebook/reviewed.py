"""The review status every case report form record carries (draft -> submitted -> verified -> locked),
and what a plain save may do to it. The steps themselves are patients/casebook/review.py and
patients.casebook.services.record_review."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from patients.casebook.choices import ReviewStatus
from patients.casebook.exceptions import RecordLocked, ReviewStatusRefused
from patients.casebook.records import ParticipantRecord
from patients.casebook.saving import attach, context_of


class CaseReportForm(ParticipantRecord):
    """A case report form record under review: draft -> submitted -> verified (SDV) -> locked.

    The status moves through ``patients.services.record_review`` (the transition table and who may make
    each move are in ``patients/casebook/review.py``); each move is a save, so who and when are in the audit trail
    with the step as the reason. A plain save (form, admin, import) is an edit: it may submit a draft,
    returns a verified record to submitted, and is refused on a locked record.
    """

    review_status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT, editable=False
    )
    review_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    review_changed_datetime = models.DateTimeField(null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    verified_datetime = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta(ParticipantRecord.Meta):
        abstract = True
        constraints = [
            *ParticipantRecord.Meta.constraints,
            models.CheckConstraint(
                condition=Q(review_status__in=ReviewStatus.values),
                name="%(app_label)s_%(class)s_review_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(review_status__in=[ReviewStatus.DRAFT, ReviewStatus.SUBMITTED])
                | Q(verified_by__isnull=False, verified_datetime__isnull=False),
                name="%(app_label)s_%(class)s_verified_has_who_when",
                violation_error_message="A verified or locked record needs who verified it and when.",
            ),
        ]

    def save(self, *args, **kwargs):
        kept = (
            "review_status",
            "review_changed_by_id",
            "review_changed_datetime",
            "verified_by_id",
            "verified_datetime",
        )
        before = {name: getattr(self, name) for name in kept}
        before["save_context"] = getattr(self, "save_context", None)
        try:
            if context_of(self).review_step is None and not self._state.adding:
                self._apply_edit_to_review()
            super().save(*args, **kwargs)  # a new record: before_insert()
        except BaseException:
            # A refused save leaves this copy as it was, so the form shows what the user had.
            for name, value in before.items():
                setattr(self, name, value)
            raise

    def before_insert(self) -> None:
        if context_of(self).review_step is None:
            self._apply_edit_to_review()

    def clean(self):
        super().clean()
        if not self._state.adding and self._stored_review_status() == ReviewStatus.LOCKED:
            raise ValidationError(self.record_lock_message(), code="record_locked")

    def _stored_review_status(self) -> str | None:
        # From the database, not from this possibly stale copy (optimistic locking catches a race after).
        return type(self).objects.filter(pk=self.pk).values_list("review_status", flat=True).first()

    def _apply_edit_to_review(self) -> None:
        context = context_of(self)
        user = context.user
        if self._state.adding:
            if self.review_status not in (ReviewStatus.DRAFT, ReviewStatus.SUBMITTED):
                raise ReviewStatusRefused("A new record starts as a draft or submitted.")
            if self.review_status == ReviewStatus.SUBMITTED:
                self.review_changed_by, self.review_changed_datetime = user, timezone.now()
            return
        stored = self._stored_review_status()
        if stored == ReviewStatus.LOCKED:
            raise RecordLocked(self.record_lock_message())
        if self.review_status == stored:
            if stored == ReviewStatus.VERIFIED:
                # The verified values are no longer the record's: it goes back for re-verification.
                self.review_status = ReviewStatus.SUBMITTED
                self.verified_by = self.verified_datetime = None
                self.review_changed_by, self.review_changed_datetime = user, timezone.now()
                if context.stated_reason:
                    attach(self, context.with_reason(f"{context.reason} (was verified: back to submitted)"))
        elif (stored, self.review_status) == (ReviewStatus.DRAFT, ReviewStatus.SUBMITTED):
            # Saving a draft with "Submit": an edit and the submit step in one (same permission).
            self.review_changed_by, self.review_changed_datetime = user, timezone.now()
        else:
            raise ReviewStatusRefused(
                f"The review status moves only through its steps (patients/casebook/review.py), not from {stored} "
                f"to {self.review_status} by a save."
            )

    def record_lock_message(self) -> str:
        who = getattr(self.review_changed_by, "username", None) or "a coordinator"
        when = (
            f" on {timezone.localtime(self.review_changed_datetime):%Y-%m-%d %H:%M}"
            if self.review_changed_datetime
            else ""
        )
        return (
            f"This {self._meta.verbose_name} is locked (by {who}{when}): it cannot be changed. "
            "A coordinator can unlock it, giving a reason."
        )
