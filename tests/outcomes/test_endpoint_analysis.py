"""Change from baseline, derived (outcomes/endpoints.py): the baseline is the measurement nearest before day
0 within the design's window, the visit value the one nearest the target day within the visit's window.
It reaches the analysis table and its dictionary, and the report's endpoint table, by arm with the
Hodges-Lehmann difference for an unblinded reader, pooled for a blinded one."""

import csv
import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.utils import timezone

from outcomes.endpoint_table import endpoint_table
from outcomes.endpoints import endpoint_values
from outcomes.models import QuantitativeCt, SixMinuteWalk
from outcomes.statistics import hodges_lehmann
from outcomes.summary import as_table, trial_summary
from patients.casebook.schedule import Visit, VisitForm
from patients.models import Participant
from tests.factories import (
    end_study,
    follow_up_after_discharge,
    qct_values,
    record,
    treated_participant,
    walk_values,
)
from ucmsc_crf.analysis.bundle import bundle_chunks

pytestmark = pytest.mark.django_db


def day(participant, n):
    return participant.day0_date + datetime.timedelta(days=n)


@pytest.fixture
def day28():
    follow_up_after_discharge()
    visit = Visit.objects.create(code="d28", label="Day 28", target_day=28, window_before=3, window_after=3)
    VisitForm.objects.create(visit=visit, crf_key="qct")
    return visit


def enrolled(coordinator, site, *, arm="ucmsc", days_ago=40):
    # Admitted twelve days before day 0, so a baseline scan may be a week before it.
    admitted = timezone.localdate() - datetime.timedelta(days=days_ago + 12)
    return treated_participant(user=coordinator, site=site, days_ago=days_ago, arm_code=arm, admission_date=admitted)


def scan(participant, user, n, lesion):
    values = qct_values(
        participant,
        on=day(participant, n),
        lesion_percent=Decimal(lesion),
        solid_percent=Decimal(0),
        ground_glass_percent=Decimal(lesion),
    )
    return record(QuantitativeCt, participant, values, user=user)


def test_baseline_and_visit_values_are_the_nearest_in_their_windows(coordinator, site_a, day28):
    p = enrolled(coordinator, site_a)
    scan(p, coordinator, -10, "30")  # before the 7-day baseline window: not the baseline
    scan(p, coordinator, -2, "20")
    scan(p, coordinator, 27, "8")  # nearest day 28
    scan(p, coordinator, 31, "7")
    found = endpoint_values([p])[p.pk]["ct_lesion"]
    assert found.baseline == Decimal("20") and found.at_visit["d28"] == Decimal("8")
    assert found.change("d28") == Decimal("-12")
    # No baseline measurement: no change, never a guess.
    q = enrolled(coordinator, site_a)
    scan(q, coordinator, 28, "9")
    other = endpoint_values([q])[q.pk]["ct_lesion"]
    assert other.baseline is None and other.change("d28") is None


def test_the_analysis_table_and_dictionary_carry_the_change(coordinator, site_a, day28):
    p = enrolled(coordinator, site_a)
    scan(p, coordinator, 0, "20")
    scan(p, coordinator, 28, "5.5")
    with zipfile.ZipFile(io.BytesIO(b"".join(bundle_chunks(user=coordinator)))) as archive:
        files = {name: archive.read(name).decode() for name in archive.namelist()}
    row = next(csv.DictReader(io.StringIO(files["analysis_table.csv"])))
    assert (row["ct_lesion_baseline"], row["ct_lesion_d28"], row["ct_lesion_d28_change"]) == ("20.0", "5.5", "-14.5")
    # Day 28 expects the CT only: no walk columns for it (issue 29, 10), the walk's baseline still there.
    assert "walk_distance_d28_change" not in row and "walk_distance_baseline" in row
    dictionary = {r["column"]: r for r in csv.DictReader(io.StringIO(files["dictionary.csv"]))}
    assert "change from baseline to Day 28" in dictionary["ct_lesion_d28_change"]["label"]
    assert "quantitative_ct.csv" in files and "six_minute_walk.csv" in files


def two_arms(coordinator, site_a):
    changes = {
        "ucmsc": [(-2, "20", "5"), (-1, "30", "12"), (0, "25", "10")],
        "control": [(0, "22", "18"), (-3, "28", "20")],
    }
    for arm, scans in changes.items():
        for before, baseline, after in scans:
            p = enrolled(coordinator, site_a, arm=arm, days_ago=35)
            scan(p, coordinator, before, baseline)
            scan(p, coordinator, 28, after)


def test_the_endpoint_table_by_arm_with_its_hodges_lehmann_difference(coordinator, site_a, day28):
    two_arms(coordinator, site_a)
    summary = trial_summary(Participant.objects.all(), by_arm=True)
    assert [a.code for a in summary.arms] == ["ucmsc", "control"]
    row = next(r for r in summary.endpoints if r.endpoint.code == "ct_lesion")
    cells = {a.code: c for a, c in zip(summary.arms, row.cells, strict=True)}
    assert cells["ucmsc"].n == 3 and cells["control"].n == 2
    assert cells["ucmsc"].change.median == -15 and cells["control"].change.median == -6
    assert row.compared == "change"
    assert row.shift == hodges_lehmann([-15, -18, -15], [-4, -8])
    assert row.p is not None
    exported = [r for r in as_table(summary) if r[0] == "Endpoints (exploratory)"]
    assert any("Hodges-Lehmann difference in change" in r[-1] for r in exported)


def test_a_blinded_reader_gets_the_pooled_table_only(coordinator, site_a, day28):
    two_arms(coordinator, site_a)
    summary = trial_summary(Participant.objects.all(), by_arm=False)
    row = next(r for r in summary.endpoints if r.endpoint.code == "ct_lesion")
    assert len(row.cells) == 1 and row.cells[0].n == 5
    assert row.shift is None and row.p is None


def test_without_baselines_the_arms_are_compared_on_the_visit_value(coordinator, site_a, day28):
    VisitForm.objects.create(visit=day28, crf_key="six-minute-walk")
    for arm, distance in (("ucmsc", 420), ("ucmsc", 460), ("control", 380), ("control", 400)):
        p = treated_participant(user=coordinator, site=site_a, days_ago=35, arm_code=arm)
        record(SixMinuteWalk, p, walk_values(p, on=day(p, 28), distance_m=distance), user=coordinator)
    groups = [list(Participant.objects.filter(arm__code=code)) for code in ("ucmsc", "control")]
    row = next(r for r in endpoint_table(groups) if r.endpoint.code == "walk_distance")
    assert row.compared == "value at visit"
    assert row.cells[0].n_change == 0 and row.cells[0].at_visit.median == 440
    assert row.shift.estimate == 50


def test_a_visit_without_an_endpoint_form_has_no_row_and_a_measurement_counts_for_its_own_visit(
    coordinator, site_a, day28
):
    """Issue 29, 10: "Follow-up 14 days after discharge" expects no endpoint form, yet the table had 21 rows
    for it, filled with day-28 scans whose dates fell in its window."""
    call = Visit.objects.create(
        code="fu14",
        label="Follow-up 14 days after discharge",
        anchor="discharge",
        target_day=14,
        window_before=7,
        window_after=7,
    )
    VisitForm.objects.create(visit=call, crf_key="end-of-study", required=False)
    people = [enrolled(coordinator, site_a, arm=arm) for arm in ("ucmsc", "ucmsc", "control", "control")]
    for n, p in enumerate(people):
        end_study(p, user=coordinator, on=day(p, 14))  # follow-up call due on day 28, window days 21-35
        scan(p, coordinator, 0, "30")
        # The day-28 scan, recorded for day 28 (the form's visit), dated day 29: inside both windows.
        values = qct_values(
            p,
            on=day(p, 29),
            lesion_percent=Decimal(20 - n),
            solid_percent=Decimal(0),
            ground_glass_percent=Decimal(20 - n),
            visit=day28,
        )
        record(QuantitativeCt, p, values, user=coordinator)
    found = endpoint_values(people)
    assert {found[p.pk]["ct_lesion"].at_visit.get("d28") for p in people} == {Decimal(v) for v in (20, 19, 18, 17)}
    assert all("fu14" not in found[p.pk]["ct_lesion"].at_visit for p in people)
    rows = endpoint_table([people[:2], people[2:]])
    assert {row.visit_label for row in rows} == {"Day 28"}
    # A scan recorded for the follow-up call's visit... is not possible (it expects no CT); one recorded for no
    # visit and dated in day 28's window counts for day 28.
    loose = enrolled(coordinator, site_a)
    scan(loose, coordinator, 0, "30")
    scan(loose, coordinator, 27, "12")
    assert endpoint_values([loose])[loose.pk]["ct_lesion"].at_visit == {"d28": Decimal("12")}
