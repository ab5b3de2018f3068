"""The generated trial (tests/world.py) is a trial the app would accept: every generated record passes the
same model rules as one typed on the ward, and the history has one entry per record."""

import pytest

from dosing.models import Infusion
from outcomes.models import AdverseEvent, DailyObservation, LabResult
from patients.casebook.choices import ParticipantStatus
from patients.models import Consent, EndOfStudy, Participant
from tests.world import generate

pytestmark = pytest.mark.django_db


def test_generated_records_pass_the_model_rules_and_have_their_history():
    world = generate(60, sites=3, site_prefix="T")
    assert world.participants == 60 and Participant.objects.filter(site__in=world.sites).count() == 60
    statuses = set(Participant.objects.values_list("status", flat=True))
    assert {ParticipantStatus.COMPLETED, ParticipantStatus.ENROLLED} <= statuses
    for model in (Participant, Consent, Infusion, DailyObservation, LabResult, AdverseEvent, EndOfStudy):
        records = list(model.objects.all()[:25])
        assert records, model
        for obj in records:
            obj.full_clean()
        assert model.history.count() == model.objects.count()
