"""Enrolment: arms, the participant (screening, eligibility, enrolment, day 0, status) and the enrolment
forms (eligibility answers, consent, withdrawal, end of study); with the casebook's own models (sites, data
queries, signatures) and the access log, so Django registers every model of the app.

The database holds pseudonymised data only: a study ID and initials, never a name or hospital number.
"""

from patients.access_log import AccessEvent  # noqa: F401
from patients.casebook.criteria import EligibilityCriterion  # noqa: F401
from patients.casebook.design import Arm, TrialDesign  # noqa: F401
from patients.casebook.queries import DataQuery  # noqa: F401
from patients.casebook.schedule import Visit, VisitForm  # noqa: F401
from patients.casebook.signatures import CasebookSignature  # noqa: F401
from patients.casebook.sites import Site, SiteMembership  # noqa: F401
from patients.models.enrolment_forms import Consent, EligibilityAnswer, EndOfStudy, Withdrawal  # noqa: F401
from patients.models.participants import COMORBIDITY_FIELDS, Participant, ParticipantQuerySet  # noqa: F401
from patients.models.unblinding import UnblindingRequest  # noqa: F401
from patients.outbox import OutgoingEmail  # noqa: F401
from patients.randomisation.models import RandomisationList, RandomisationSlot, Stratum  # noqa: F401
