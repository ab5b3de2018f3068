"""The outbox (issue 28, E): an emergency unblinding answers at once whatever the mail system does. The
message is written with the request and sent after the commit, away from the page, with a timeout and
retries; a message that cannot be sent is data management's to see and send again, never the clinician's 500."""

import datetime
import io
import socket
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from patients.choices import UnblindingStatus
from patients.models import TrialDesign
from patients.outbox import MAX_ATTEMPTS, MailStatus, OutgoingEmail, deliver_due
from tests.factories import UserFactory, randomised_design, signed_off_list, treated_participant
from tests.mail_backends import HeldBackend

pytestmark = pytest.mark.django_db
REASON = {"reason": "Anaphylaxis after infusion 2; treatment depends on the product"}


@pytest.fixture
def participant(site_a, coordinator):
    randomised_design()
    TrialDesign.objects.filter(pk=1).update(unblinding_notify="sponsor@example.org")
    signed_off_list(user=UserFactory(role="Unblinded statistician"), slots_per_stratum=6, block_multiples=[1], seed=8)
    return treated_participant(user=coordinator, site=site_a, arm_code=None)


def ask(client, clinician, participant):
    client.force_login(clinician)
    return client.post(reverse("participant-unblinding", kwargs={"study_id": participant.study_id}), REASON)


def later(message, **delta):
    """Move the clock past the message's next attempt (as the minutes pass)."""
    OutgoingEmail.objects.filter(pk=message.pk).update(
        next_attempt_datetime=timezone.now() - datetime.timedelta(**delta)
    )


def test_with_the_mail_server_down_the_request_is_made_and_the_mail_waits(
    client, settings, participant, clinician, coordinator, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.mail_backends.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, clinician, participant)
    assert response.status_code == 302  # before: 500, with the request committed and the page saying nothing
    assert participant.unblinding_requests.get().status == UnblindingStatus.REQUESTED
    message = OutgoingEmail.objects.get()
    assert message.status == MailStatus.PENDING and message.attempts == 1
    assert message.last_error.startswith("ConnectionRefusedError")
    assert message.next_attempt_datetime > timezone.now()  # retried later, not at once
    assert message.site == participant.site and participant.study_id in message.subject
    # The server comes back: the next run of send_outbox (cron) sends it.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_outbox", stdout=io.StringIO())
    assert OutgoingEmail.objects.get().status == MailStatus.PENDING  # its retry is not due yet
    later(message, seconds=1)
    call_command("send_outbox", stdout=io.StringIO())
    message.refresh_from_db()
    assert message.status == MailStatus.SENT and message.sent_datetime and message.last_error == ""
    assert [m.to for m in mail.outbox] == [["sponsor@example.org"]]


def test_a_message_given_up_on_is_shown_to_data_management_and_sent_again(
    client, settings, participant, clinician, coordinator, coordinator_b, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.mail_backends.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, clinician, participant)
    message = OutgoingEmail.objects.get()
    for _ in range(MAX_ATTEMPTS - 1):
        later(message, seconds=1)
        deliver_due()
    message.refresh_from_db()
    assert message.status == MailStatus.FAILED and message.attempts == MAX_ATTEMPTS
    assert message.history.count() >= MAX_ATTEMPTS  # each attempt is in its history
    # The coordinator of the participant's site sees it with its error; another site's does not.
    client.force_login(coordinator)
    listing = client.get(reverse("admin:patients_outgoingemail_changelist")).content.decode()
    assert participant.study_id in listing and "ConnectionRefusedError" in listing and "Not sent (gave up)" in listing
    client.force_login(coordinator_b)
    assert participant.study_id not in client.get(reverse("admin:patients_outgoingemail_changelist")).content.decode()
    # The clinician has no outbox at all.
    client.force_login(clinician)
    assert client.get(reverse("admin:patients_outgoingemail_changelist")).status_code in (302, 403)
    # Sent again by the coordinator once the server is back.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:patients_outgoingemail_changelist"),
            {"action": "send_again", "_selected_action": [message.pk]},
        )
    message.refresh_from_db()
    assert message.status == MailStatus.SENT and len(mail.outbox) == 1


def test_no_mail_leaves_for_an_unblinding_that_was_rolled_back(participant, clinician, settings):
    from django.db import transaction

    from patients import unblinding

    with pytest.raises(RuntimeError), transaction.atomic():
        unblinding.unblinding_request(participant=participant, user=clinician, reason="Anaphylaxis")
        raise RuntimeError("the request's transaction fails after the request was written")
    assert not OutgoingEmail.objects.exists() and mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_the_page_answers_while_the_mail_server_still_has_not(client, settings, reference_data, site_a):
    """A mail server that hangs held the worker for 150 s: the page waited for send_mail. Now the page has
    answered, and the request is committed, while the mail server is still holding the message."""
    settings.CRF_MAIL_DELIVERY = "background"
    settings.EMAIL_BACKEND = "tests.mail_backends.HeldBackend"
    # The session is saved after the view's commit, while the thread claims the message. A file database (the
    # demo) makes the later writer wait (busy timeout), PostgreSQL locks rows; the test's in-memory SQLite
    # shares one cache between connections and fails the later writer at once ("database table is locked",
    # seen once in CI). Sessions in a signed cookie take the session's write out of a race the product
    # does not have.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    HeldBackend.entered.clear(), HeldBackend.release.clear(), HeldBackend.sent.clear()
    coordinator = UserFactory(username="o_coord", role="Coordinator", sites=[site_a])
    clinician = UserFactory(username="o_clin", role="Clinician", sites=[site_a])
    participant = make_participant(site_a, coordinator)
    response = ask(client, clinician, participant)
    try:
        assert response.status_code == 302
        assert HeldBackend.entered.wait(10), "the message was never handed to the mail server"
        assert not HeldBackend.release.is_set() and HeldBackend.sent == []  # the server has not answered yet
        assert participant.unblinding_requests.get().status == UnblindingStatus.REQUESTED
        assert OutgoingEmail.objects.get().status == MailStatus.SENDING
    finally:
        HeldBackend.release.set()
        for thread in threading.enumerate():
            if thread.name == "crf-outbox":
                thread.join(10)
    assert OutgoingEmail.objects.get().status == MailStatus.SENT and len(HeldBackend.sent) == 1


def make_participant(site_a, coordinator):
    """(The transactional test's own set-up: the fixtures above assume a rolled-back test.)"""
    randomised_design()
    TrialDesign.objects.filter(pk=1).update(unblinding_notify="sponsor@example.org")
    signed_off_list(user=UserFactory(role="Unblinded statistician"), slots_per_stratum=6, block_multiples=[1], seed=8)
    return treated_participant(user=coordinator, site=site_a, arm_code=None)


def test_a_hanging_smtp_peer_is_given_up_on_after_the_timeout(settings, participant, clinician):
    """A real socket that accepts and never speaks: the SMTP conversation ends at EMAIL_TIMEOUT, and the
    message waits for its retry with the error."""
    from patients import unblinding

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", listener.getsockname()[1], 1
    try:
        unblinding.unblinding_request(participant=participant, user=clinician, reason="Anaphylaxis")
        assert deliver_due() == {"sent": 0, "failed": 1}
    finally:
        listener.close()
    message = OutgoingEmail.objects.get()
    assert message.status == MailStatus.PENDING and "timed out" in message.last_error
