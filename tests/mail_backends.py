"""E-mail backends that fail the way a red team's mail server did (issue 28, E), for tests/patients/test_outbox.py."""

import threading

from django.core.mail.backends.base import BaseEmailBackend


class RefusingBackend(BaseEmailBackend):
    """The SMTP server is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")


class HeldBackend(BaseEmailBackend):
    """A mail server that does not answer until the test lets it (``release``): what a hanging peer does to
    whoever waits for it."""

    entered = threading.Event()
    release = threading.Event()
    sent: list = []

    def send_messages(self, email_messages):
        HeldBackend.entered.set()
        assert HeldBackend.release.wait(30), "the test never released the mail server"
        HeldBackend.sent.extend(email_messages)
        return len(email_messages)
