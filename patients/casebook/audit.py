"""The audit trail's extra columns and what every history row is written with: who, why and the data query
from the record's save context (patients/casebook/saving.py); and, after every audited change, the data
version the report's cache follows (patients/casebook/data_version.py)."""

from django.db import models
from django.dispatch import receiver
from simple_history.signals import post_create_historical_record, pre_create_historical_record

from patients.casebook.data_version import data_changed


class AuditEntry(models.Model):
    """Columns every history row has beyond simple-history's own (who, when, reason, every value)."""

    # A correction made in answer to a data query names it, so the query shows the change it led to and
    # the audit trail shows why the change was made. No database constraint: history rows outlive anything.
    answers_query = models.ForeignKey(
        "patients.DataQuery",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        help_text="The data query this change answers.",
    )

    class Meta:
        abstract = True


@receiver(pre_create_historical_record)
def _audit_from_save_context(sender, instance, history_instance, **kwargs):
    # The history row's who, why and query come from the record's save context (patients/casebook/saving.py),
    # not from simple-history's own attributes on the instance: one object says it, for every path.
    context = getattr(instance, "save_context", None)
    if context is None:
        return
    if context.user is not None:
        history_instance.history_user = context.user
    history_instance.history_change_reason = context.reason or None
    if isinstance(history_instance, AuditEntry):
        history_instance.answers_query_id = context.answers_query_id


@receiver(post_create_historical_record)
def _data_changed(sender, instance, history_instance, using=None, **kwargs):
    # Every audited change, of any model: what is computed from the data is computed again after it. A
    # participant's own records move their block's version; anything else (the trial's set-up) everything's.
    if instance._meta.label == "patients.Participant":
        data_changed(using=using, participant_ids=[instance.pk])
    elif getattr(instance, "participant_id", None) is not None:
        data_changed(using=using, participant_ids=[instance.participant_id])
    else:
        data_changed(using=using)
