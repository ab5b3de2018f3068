"""Test settings: the real settings, run in DEBUG mode (no HTTPS redirect for the test client), with a
fast password hasher. Everything else, including DATABASE_URL, is as the environment says."""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")

from ucmsc_crf.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The test client's login() authenticates without a request, which django-axes refuses; the lockout
# tests switch it back on (tests/test_access.py).
AXES_ENABLED = False

# E-mail is sent in the committing thread, so a test's django_capture_on_commit_callbacks fills mail.outbox;
# tests/patients/test_outbox.py runs the background thread itself.
CRF_MAIL_DELIVERY = "inline"

# A throw-away case report form (tests/example_crf): added here only, it shows that one registry entry puts
# a form on every surface (tests/test_crf_registry.py).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.example_crf"]  # noqa: F405
