"""The investigator's electronic signature of a casebook (21 CFR Part 11 style): the signer re-enters
their password and states the meaning; the signature shows who, when and what it means. Any later change
to the casebook's data invalidates it, visibly, with what changed (on the casebook_data_changed signal every
record's save sends)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone

from patients.casebook.choices import SignatureMeaning
from patients.casebook.lock import note_signed
from patients.casebook.naming import record_name
from patients.casebook.records import (
    ParticipantRecord,
    ParticipantRecordQuerySet,
    casebook_data_changed,
    casebook_records_added,
    participant_link,
)
from patients.casebook.saving import context_of, record_save


class CasebookSignature(ParticipantRecord):
    participant = participant_link("signatures")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_datetime = models.DateTimeField(default=timezone.now)
    meaning = models.CharField(max_length=20, choices=SignatureMeaning.choices)
    invalidated_datetime = models.DateTimeField(null=True, blank=True)
    invalidated_reason = models.CharField(max_length=300, blank=True)

    objects = ParticipantRecordQuerySet.as_manager()
    # Signing (or invalidating a signature) is not a change to the casebook's data.
    invalidates_signature = False

    class Meta(ParticipantRecord.Meta):
        ordering = ["participant", "signed_datetime"]
        constraints = [
            *ParticipantRecord.Meta.constraints,
            models.CheckConstraint(
                condition=Q(meaning__in=SignatureMeaning.values), name="patients_casebooksignature_meaning_valid"
            ),
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(voided=False, invalidated_datetime__isnull=True),
                name="patients_casebooksignature_one_valid",
            ),
        ]

    def save(self, *args, **kwargs):
        if self._state.adding:
            note_signed(self.participant_id)  # a batch holding the casebook must now look it up on a change
        super().save(*args, **kwargs)

    def __str__(self):
        return f"{self.participant} signed by {self.signed_by} {self.signed_datetime:%Y-%m-%d %H:%M}"

    @property
    def valid(self) -> bool:
        return self.invalidated_datetime is None and not self.voided


@receiver(casebook_data_changed, dispatch_uid="patients.casebook.signatures.invalidate")
def invalidate_signatures(sender, *, record, participant, user, what, reason, **kwargs):
    """A change to signed data invalidates the signature, saying which record, by whom and why."""
    for signature in CasebookSignature.objects.active().filter(participant=participant, invalidated_datetime=None):
        _invalidate(signature, record=record, user=user, what=what, reason=reason)


@receiver(casebook_records_added, dispatch_uid="patients.casebook.signatures.invalidate_added")
def invalidate_signatures_of_added(sender, *, first_records, **kwargs):
    """Records added in bulk (an import's batch): the signed casebooks among them found in one query, each
    signature invalidated by the casebook's first new record, as saving the records one by one would."""
    signed = CasebookSignature.objects.active().filter(participant__in=first_records, invalidated_datetime=None)
    for signature in signed:
        record = first_records[signature.participant_id]
        context = context_of(record)
        _invalidate(signature, record=record, user=context.user, what="added", reason=context.stated_reason)


def _invalidate(signature, *, record, user, what, reason) -> None:
    signature.invalidated_datetime = timezone.now()
    signature.invalidated_reason = (
        f"{record_name(record)} {what}"
        f"{' by ' + user.get_username() if user else ''} after signing{': ' + reason if reason else ''}"
    )[:300]
    record_save(signature, user=user, reason="Invalidated by a later change to the casebook")
