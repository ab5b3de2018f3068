"""The report at scale (issue 19) computes what it computed before, to the last digit: the aggregated
outcomes/summary.py against the frozen per-object one (tests/scale/reference), on the phase 1 demo, the
randomised demo (blinded, with follow-up endpoints), and a generated trial of several sites; by arm and
pooled (a blinded reader's report)."""

from dataclasses import astuple

import pytest
from django.core.management import call_command

from outcomes.summary import as_table, trial_summary
from patients.models import Participant
from tests.scale.reference import summary as reference
from tests.world import generate

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def flow(summary) -> dict:
    # The pooled column's arm is an unsaved heading: compared by its code.
    return {**summary.flow, "arms": [{**a, "arm": a["arm"].code} for a in summary.flow["arms"]]}


def endpoint_row(row) -> tuple:
    cells = [(c.n, c.n_change, str(c.baseline), str(c.at_visit), str(c.change)) for c in row.cells]
    return row.label, cells, row.compared, row.shift, row.p


def assert_same_report(scope):
    for by_arm in (True, False):
        new = trial_summary(scope, by_arm=by_arm)
        old = reference.trial_summary(scope, by_arm=by_arm)
        assert as_table(new) == reference.as_table(old)
        assert flow(new) == flow(old)
        assert [(t.analyte.code, t.series) for t in new.trajectories] == [
            (t.analyte.code, t.series) for t in old.trajectories
        ]
        assert new.oxygen == old.oxygen
        assert [endpoint_row(r) for r in new.endpoints] == [endpoint_row(r) for r in old.endpoints]
        # The page lists the infusions with an associated event, as the page always showed them.
        page = trial_summary(scope, by_arm=by_arm, all_infusions=False)
        # (Less the participant's key, which the rows now carry to be kept in their participant's block.)
        assert [astuple(r)[:-1] for r in page.safety_rows] == [astuple(r) for r in old.safety_rows if r.events]
        before_safety = len(reference.as_table(old)) - len(old.safety_rows)
        assert as_table(page)[:before_safety] == reference.as_table(old)[:before_safety]


def test_the_phase_1_demo_report_is_unchanged():
    call_command("seed_demo")
    assert_same_report(Participant.objects.all())
    assert_same_report(Participant.objects.filter(site__code="01"))


def test_the_randomised_demo_report_is_unchanged():
    call_command("seed_demo", "--design", "randomised")
    assert trial_summary(Participant.objects.all()).endpoints  # the follow-up endpoints are compared too
    assert_same_report(Participant.objects.all())


def test_a_generated_trial_report_is_unchanged():
    world = generate(150, sites=4, site_prefix="Q")
    assert_same_report(Participant.objects.all())
    assert_same_report(Participant.objects.filter(site=world.sites[0]))
