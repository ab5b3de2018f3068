"""The outbox: every e-mail the trial sends (emergency unblinding notices today) is a row written in the
transaction of the act it reports, and sent after that transaction commits, away from the request.

Why: an emergency page must answer at once whatever fails behind it. Sending inside the request made an
unblinding answer 500 when the SMTP server was down and never answer when it hung (issue 28, E). Here the
act commits with its message; the message is then sent in a background thread (``CRF_MAIL_DELIVERY``
``background``), with ``EMAIL_TIMEOUT``, and retried with growing waits until ``MAX_ATTEMPTS``; a message
that could not be sent is ``failed``, with the error, in **Patients > Outgoing e-mails** for data
management, who may send it again. ``manage.py send_outbox`` (cron, every minute) sends what is due,
including what a stopped server process left behind. Delivery is at least once: a message whose sender
died mid-send is sent again after ``STALE_AFTER``.
"""

import datetime
import logging
import threading
import time

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import OperationalError, connections, models, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# Waits after the 1st, 2nd ... failed attempt: a short outage is bridged within minutes, a long one in hours.
RETRY_AFTER = [datetime.timedelta(minutes=m) for m in (1, 2, 5, 10, 30, 60, 120)]
# A message claimed by a sender that never reported back (its process stopped) is tried again after this.
STALE_AFTER = datetime.timedelta(minutes=10)
# Tries of the thread that sends after a commit, while the database is busy (0.1 s, 0.2 s, ... apart).
THREAD_TRIES = 6


class MailStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Not sent (gave up)"


class OutgoingEmail(models.Model):
    """One message and its delivery: written with the act it reports, sent after it commits."""

    topic = models.CharField(max_length=40, help_text="What the message is about, e.g. emergency unblinding.")
    # The site whose participant it concerns: data management sees its own sites' messages only.
    site = models.ForeignKey("patients.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    subject = models.CharField(max_length=255)
    body = models.TextField()
    recipients = models.TextField(help_text="One address per line.")
    from_email = models.CharField(max_length=254)
    created_datetime = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(max_length=10, choices=MailStatus.choices, default=MailStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_datetime = models.DateTimeField(default=timezone.now)
    last_attempt_datetime = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_datetime = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "outgoing e-mail"
        ordering = ["-created_datetime"]
        default_permissions = ("view",)
        permissions = [("resend_outgoingemail", "Can send a failed e-mail again")]
        indexes = [models.Index(fields=["status", "next_attempt_datetime"], name="patients_outbox_due")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=MailStatus.values), name="patients_outbox_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=MailStatus.SENT) | Q(sent_datetime__isnull=False),
                name="patients_outbox_sent_has_time",
            ),
        ]

    def __str__(self):
        return self.subject

    @property
    def recipient_list(self) -> list[str]:
        return [line.strip() for line in self.recipients.splitlines() if line.strip()]


def _due(now) -> Q:
    return Q(status=MailStatus.PENDING, next_attempt_datetime__lte=now) | Q(
        status=MailStatus.SENDING, last_attempt_datetime__lt=now - STALE_AFTER
    )


def mail_enqueue(*, topic: str, subject: str, body: str, recipients: list[str], site=None) -> OutgoingEmail | None:
    """Write a message into the outbox, in the caller's transaction; it is sent once that commits (and never,
    if it rolls back). Nothing is written without a recipient."""
    if not recipients:
        return None
    message = OutgoingEmail.objects.create(
        topic=topic,
        site=site,
        subject=subject[:255],
        body=body,
        recipients="\n".join(recipients),
        from_email=settings.DEFAULT_FROM_EMAIL,
    )
    transaction.on_commit(lambda: deliver_soon([message.pk]))
    return message


def mail_resend(*, message: OutgoingEmail) -> None:
    """Data management sends a message that was given up on again (a fresh round of attempts)."""
    message.status, message.attempts = MailStatus.PENDING, 0
    message.next_attempt_datetime = timezone.now()
    message.save()
    transaction.on_commit(lambda: deliver_soon([message.pk]))


def deliver_soon(pks) -> None:
    """After a commit: send these messages (and anything else due) without holding the request. In the
    ``inline`` mode (the test suite, a management command) they are sent here and now."""
    if getattr(settings, "CRF_MAIL_DELIVERY", "background") == "inline":
        deliver_due(first=pks)
        return
    threading.Thread(target=_deliver_in_thread, args=(list(pks),), name="crf-outbox", daemon=True).start()


def _deliver_in_thread(pks) -> None:
    try:
        for attempt in range(THREAD_TRIES):
            try:
                deliver_due(first=pks)
                return
            except OperationalError:
                # The database is busy (the request that wrote the message still saving its session, SQLite
                # writing one at a time): try again shortly, then leave it to send_outbox.
                connections.close_all()
                if attempt == THREAD_TRIES - 1:
                    raise
                time.sleep(0.1 * 2**attempt)
    except Exception:  # a thread's exception would only reach stderr; the rows say what is left to send
        logger.exception("The outbox could not be worked through; manage.py send_outbox will try again.")
    finally:
        connections.close_all()  # this thread's own connections


def deliver_due(*, first=(), limit: int = 100) -> dict[str, int]:
    """Send ``first`` and then whatever else is due (oldest first), each claimed before it is sent so two
    senders never send one message at once. Returns how many were sent and how many failed this time."""
    now = timezone.now()
    due = list(OutgoingEmail.objects.filter(_due(now)).order_by("created_datetime").values_list("pk", flat=True))
    order = [pk for pk in first if pk in due] + [pk for pk in due if pk not in first]
    counts = {"sent": 0, "failed": 0}
    for pk in order[:limit]:
        outcome = _deliver_one(pk)
        if outcome:
            counts[outcome] += 1
    return counts


def _deliver_one(pk) -> str | None:
    with transaction.atomic():
        now = timezone.now()
        message = OutgoingEmail.objects.select_for_update().filter(_due(now), pk=pk).first()
        if message is None:
            return None  # sent, or being sent, by someone else
        message.status, message.attempts, message.last_attempt_datetime = MailStatus.SENDING, message.attempts + 1, now
        message.save()
    # Outside any transaction: the SMTP conversation may take up to EMAIL_TIMEOUT and holds no lock.
    try:
        connection = get_connection(fail_silently=False)
        EmailMessage(
            message.subject, message.body, message.from_email, message.recipient_list, connection=connection
        ).send()
    except Exception as exc:  # any failure of the mail system is the message's state, never the caller's error
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = MailStatus.FAILED
            logger.error("E-mail %s given up after %s attempts: %s", pk, message.attempts, message.last_error)
        else:
            message.status = MailStatus.PENDING
            message.next_attempt_datetime = timezone.now() + RETRY_AFTER[min(message.attempts, len(RETRY_AFTER)) - 1]
            logger.warning("E-mail %s not sent (attempt %s): %s", pk, message.attempts, message.last_error)
        message.save()
        return "failed"
    message.status, message.sent_datetime, message.last_error = MailStatus.SENT, timezone.now(), ""
    message.save()
    return "sent"
