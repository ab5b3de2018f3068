"""The enrolment app's admin, by concern (Django's admin imports this package; each module registers its
models): ``accounts`` (users, sites, arms, the access log), ``design`` (the trial design and its
randomisation list), ``participants`` (the participant admin with every form's inline),
``enrolment_forms``, ``outbox`` (the e-mails sent and failed), ``queries`` (the data query queue), ``signatures``."""

from patients.admin import accounts, design, enrolment_forms, outbox, participants, queries, signatures  # noqa: F401
