"""The randomised demo (seed_demo --design randomised): a blinded, placebo-controlled 2:1 trial at two sites,
set up and run through the same rules as real data, with follow-up visits after discharge and endpoint data;
idempotent; refused in a database of another trial."""

from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from dosing.models import Infusion, Preparation, ProtocolDeviation
from outcomes.summary import trial_summary
from outcomes.visits import visit_statuses
from patients.choices import UnblindingStatus
from patients.demo import DEMO_PASSWORD
from patients.models import Participant, RandomisationList, TrialDesign, UnblindingRequest
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_randomised_demo_runs_the_next_trial(capsys, client):
    call_command("seed_demo", "--design", "randomised")
    out = capsys.readouterr().out
    assert "20 participants enrolled" in out and "pharmacist" in out and "ustat" in out
    design = TrialDesign.current()
    assert design.blinded and design.randomised and design.stratifiers() == ["site", "severity"]
    made = RandomisationList.objects.get()
    assert made.signed_off_by.username == "ustat" and made.design_snapshot["ratio"] == {"active": 2, "placebo": 1}
    assert set(Participant.objects.values_list("site__code", flat=True)) == {"01", "02"}
    assert set(Participant.objects.values_list("arm__treatment", flat=True)) == {"active", "placebo"}
    # Every infusion names its kit, prepared for that participant; placebo kits hold no cells.
    given = Infusion.objects.select_related("preparation__participant")
    assert given.count() == Preparation.objects.count() > 0
    assert all(
        i.preparation.participant_id == i.participant_id and i.cells_administered_millions is None for i in given
    )
    assert not Preparation.objects.filter(participant__arm__treatment="placebo", cells_millions__isnull=False).exists()
    assert UnblindingRequest.objects.get().status == UnblindingStatus.APPROVED
    # Idempotent.
    call_command("seed_demo", "--design", "randomised")
    assert Participant.objects.count() == 20 and RandomisationList.objects.count() == 1
    # The demo's blinded monitor sees no arm on a participant's page; the unblinded statistician reads the list.
    assert client.login(username="monitor", password=DEMO_PASSWORD)
    page = client.get(Participant.objects.first().get_absolute_url()).content.decode()
    assert "Emergency unblinded" in page and "Placebo" not in page and ">UC-MSC<" not in page
    assert client.login(username="ustat", password=DEMO_PASSWORD)
    assert client.get(reverse("admin:patients_randomisationlist_change", args=[made.pk])).status_code == 200


def test_the_randomised_demo_is_refused_in_the_phase1_database():
    call_command("seed_demo", "--participants", "2")
    with pytest.raises(CommandError, match="database of its own"):
        call_command("seed_demo", "--design", "randomised")
    assert not TrialDesign.current().blinded


def test_the_randomised_demo_follows_participants_after_discharge(client):
    call_command("seed_demo", "--design", "randomised")
    states = Counter(
        (status.visit.code, status.state)
        for visits in visit_statuses(Participant.objects.all()).values()
        for status in visits
    )
    assert states[("d28", "done")] == 6 and states[("d28", "due")] == 2
    assert states[("d28", "overdue")] == 1 and states[("d28", "missed")] == 1
    assert states[("d90", "done")] == 2 and states[("d90", "due")] == 2
    missed = ProtocolDeviation.objects.get(category="missed_visit")
    assert missed.visit.code == "d28" and "could not be reached" in missed.reason
    # Discharged, still in follow-up.
    assert Participant.objects.filter(status="enrolled", ends_of_study__end_reason="discharged").count() == 12
    # The endpoint table has numbers: by arm for the unblinded statistician, pooled for the blinded monitor.
    by_arm = trial_summary(Participant.objects.all(), by_arm=True)
    lesion = next(r for r in by_arm.endpoints if r.endpoint.code == "ct_lesion" and r.visit_label == "Day 28")
    assert sum(c.n for c in lesion.cells) == 6 and lesion.shift is not None
    assert client.login(username="monitor", password=DEMO_PASSWORD)
    page = client.get(reverse("report")).content.decode()
    assert "Endpoints: change from baseline" in page and "Difference (95% CI)" not in page
    matrix = client.get(reverse("subject-matrix")).content.decode()
    assert 'data-state="missed"' in matrix and 'data-state="overdue"' in matrix and 'data-state="due"' in matrix


def test_the_demo_visits_take_their_forms_from_the_registry():
    """Issue 30, 3: no list of forms in the demo. Its visits expect every form the registry records at a visit,
    and it has values for each (a new visit form without them is named here, before a demo fails)."""
    from patients.casebook.registry import registry
    from patients.casebook.schedule import Visit
    from ucmsc_crf.demo_follow_up import VISIT_VALUES, schedule_follow_up, visit_forms

    at_visits = [crf.key for crf in visit_forms()]
    assert at_visits == ["follow-up", "qct", "six-minute-walk", "lung-function", "mmrc"]
    assert all(crf.endpoints for crf in registry.all() if crf.key in at_visits[1:])
    assert sorted(VISIT_VALUES) == sorted(at_visits), "every visit form needs the demo's values"
    schedule_follow_up(UserFactory(role="Coordinator"))
    for visit in Visit.objects.filter(code__in=["d28", "d90"]):
        assert list(visit.expected_forms.order_by("pk").values_list("crf_key", flat=True)) == at_visits
