"""The casebook machinery every case report form shares, whichever app defines the form.

- ``registry``: the case report forms, each app declaring its own (``<app>/crfs.py``);
- ``records``: the abstract models (audit trail, void instead of delete, optimistic locking, site scope)
  and ``reviewed``: the review status every form carries;
- ``saving``: ``record_save``, the one way a record is saved (who, why, which version);
- ``conflicts``: the message of an edit refused because someone else saved first;
- ``lock``: the casebook lock and the write turn writers of one casebook take;
- ``review``: the review workflow's table of steps;
- ``queries``: data queries; ``signatures``: the investigator's signature;
- ``sites``: sites, who works where, and the scope every queryset is filtered by; ``access``: arms'
  visibility and re-authentication;
- ``exceptions``: what the models' guards raise.

Enrolment (participants, eligibility, consent, withdrawal, end of study) is apart, in ``patients``.
"""
