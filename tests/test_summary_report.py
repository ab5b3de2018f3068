"""The trial summary: small datasets with known answers, every section checked against values computed
here (p-values with scipy directly), and the page and downloads for the roles that may see them."""

import csv
import datetime
import io
from decimal import Decimal

import numpy
import pytest
from django.urls import reverse
from scipy.stats import fisher_exact, mannwhitneyu

from dosing.services import planned_infusion_mark
from outcomes.models import AdverseEvent, DailyObservation, LabResult
from outcomes.summary import as_table, trial_summary
from patients import services
from patients.casebook.saving import record_save
from patients.models import Participant
from tests.factories import (
    UserFactory,
    ae_values,
    blind_trial,
    eligible_answers,
    end_study,
    give_infusion,
    lab_values,
    observation_values,
    record,
    screened_participant,
    treated_participant,
)

pytestmark = pytest.mark.django_db
SUPPORT = {
    "room_air": {"oxygen_support": "room_air", "who_score": 4},
    "low_flow": {"oxygen_support": "low_flow", "oxygen_flow_l_min": Decimal("3.0"), "fio2_percent": 30, "who_score": 5},
    "imv": {"oxygen_support": "imv", "fio2_percent": 60, "who_score": 7},
}


def stay(participant, user, supports, *, fever_days=0):
    """One observation per day with the given support levels, then discharge the next day."""
    for day, level in enumerate(supports):
        on = participant.day0_date + datetime.timedelta(days=day)
        values = observation_values(participant, on=on, fever="present" if day < fever_days else "absent")
        values.update(SUPPORT[level])
        record(DailyObservation, participant, values, user=user)
    end_study(participant, user=user, on=participant.day0_date + datetime.timedelta(days=len(supports)))


@pytest.fixture
def small_trial(coordinator, clinician, site_a):
    """2 treated (one ventilated 2 days), 3 controls (two ventilated), 1 screen failure, 1 awaiting."""
    t1 = treated_participant(user=coordinator, site=site_a, sex="M", date_of_birth=datetime.date(1960, 1, 1))
    t2 = treated_participant(user=coordinator, site=site_a, sex="F", date_of_birth=datetime.date(1980, 1, 1))
    controls = [
        treated_participant(user=coordinator, site=site_a, arm_code="control", sex="M", severity="severe")
        for _ in range(3)
    ]
    give_infusion(t1, 1, user=clinician)
    give_infusion(t2, 1, user=clinician)
    planned_infusion_mark(
        planned=t2.planned_infusions.get(sequence_number=2), user=coordinator, status="missed", reason="Fever"
    )
    stay(t1, clinician, ["low_flow", "imv", "imv", "room_air"], fever_days=2)
    stay(t2, clinician, ["room_air", "room_air"])
    stay(controls[0], clinician, ["imv", "imv", "imv", "low_flow", "room_air"])
    stay(controls[1], clinician, ["imv", "low_flow", "room_air"], fever_days=1)
    stay(controls[2], clinician, ["room_air", "room_air", "room_air"])
    record(AdverseEvent, t1, ae_values(t1, grade=2), user=clinician)
    record(
        AdverseEvent,
        controls[0],
        _serious(controls[0]),
        user=clinician,
    )
    screened_participant(user=coordinator, site=site_a, answers={**eligible_answers(), "exc_malignancy": "yes"})
    screened_participant(user=coordinator, site=site_a)
    return {"treated": [t1, t2], "controls": controls}


def _serious(participant):
    values = ae_values(participant, grade=4, serious=True, serious_life_threatening=True)
    values["site_aware_datetime"] = values["onset_datetime"]
    values["reported_datetime"] = values["onset_datetime"] + datetime.timedelta(hours=6)
    return values


def rows(summary, title):
    section = next(s for s in summary.sections if s.title == title)
    return {row.label: row for row in section.rows}


def fisher(a, n_a, b, n_b):
    return fisher_exact([[a, n_a - a], [b, n_b - b]]).pvalue


def test_enrolment_flow_counts_everyone_screened(small_trial):
    summary = trial_summary(Participant.objects.all())
    flow = summary.flow
    assert (flow["screened"], flow["screen_failures"], flow["eligible"], flow["awaiting"]) == (7, 1, 6, 1)
    assert [a["arm"].code for a in flow["arms"]] == ["ucmsc", "control"]
    assert [(a["enrolled"], a["completed"], a["withdrawn"]) for a in flow["arms"]] == [(2, 2, 0), (3, 3, 0)]


def test_status_at_discharge_counts_medians_and_p_values(small_trial):
    table = rows(trial_summary(Participant.objects.all()), "Status at discharge")
    ventilation = table["Mechanical ventilation"]
    assert [(c.n, c.of) for c in ventilation.cells] == [(1, 2), (2, 3)]
    assert [c.extra for c in ventilation.cells] == ["median 2 days", "median 2 days"]  # 2; and 3 and 1
    assert ventilation.p == pytest.approx(fisher(1, 2, 2, 3))
    low_flow = table["Low-flow oxygen"]
    assert [(c.n, c.of) for c in low_flow.cells] == [(1, 2), (2, 3)]
    fever = table["Fever"]
    assert [(c.n, c.of) for c in fever.cells] == [(1, 2), (1, 3)] and fever.p == pytest.approx(fisher(1, 2, 1, 3))
    stay_row = table["Days from admission to discharge, median (IQR)"]
    treated = [p.ends_of_study.get().end_date - p.admission_date for p in small_trial["treated"]]
    control = [p.ends_of_study.get().end_date - p.admission_date for p in small_trial["controls"]]
    treated, control = [d.days for d in treated], [d.days for d in control]
    expected = numpy.percentile(treated, [25, 50, 75], method="weibull")
    assert (stay_row.cells[0].q1, stay_row.cells[0].median, stay_row.cells[0].q3) == pytest.approx(tuple(expected))
    assert stay_row.p == pytest.approx(mannwhitneyu(treated, control, alternative="two-sided").pvalue)
    assert (
        "exploratory"
        in next(
            s
            for s in trial_summary(Participant.objects.all()).sections
            if s.rows is not None and s.title == "Status at discharge"
        ).note
    )


def test_titres_at_discharge_are_the_last_before_discharge(small_trial, clinician):
    t1, t2 = small_trial["treated"]
    for participant, value in ((t1, "10.0"), (t2, "30.0")):
        record(LabResult, participant, lab_values(participant, analyte="igm", value=Decimal(value)), user=clinician)
    igm = rows(trial_summary(Participant.objects.all()), "Status at discharge")["IgM at discharge, S/CO, median (IQR)"]
    assert igm.cells[0].median == pytest.approx(20.0)
    assert igm.cells[1].median is None and igm.p is None  # no control values: no test


def test_baseline_exposure_and_safety(small_trial):
    summary = trial_summary(Participant.objects.all())
    baseline = rows(summary, "Baseline")
    assert [(c.n, c.of) for c in baseline["Male"].cells] == [(1, 2), (3, 3)]
    assert baseline["Male"].p == pytest.approx(fisher(1, 2, 3, 3))
    ages = [p.age_at_enrolment for p in small_trial["treated"]]
    assert baseline["Age, years, median (IQR)"].cells[0].median == pytest.approx(numpy.median(ages))
    assert [(c.n, c.of) for c in baseline["Severe disease at enrolment"].cells] == [(0, 2), (3, 3)]
    exposure = rows(summary, "Exposure")
    assert [c.n for c in exposure["Infusions planned"].cells] == [6, 0]
    assert [c.n for c in exposure["Infusions given"].cells] == [2, 0]
    assert [c.n for c in exposure["Infusions missed or cancelled"].cells] == [1, 0]
    assert [c.n for c in exposure["Deviations: planned infusion missed"].cells] == [1, 0]
    assert exposure["Cells per infusion, x 10^6, median (IQR)"].cells[0].median == pytest.approx(30.0)
    safety = rows(summary, "Safety (adverse events)")
    assert [c.n for c in safety["Adverse events"].cells] == [1, 1]
    assert [c.n for c in safety["Serious adverse events"].cells] == [0, 1]
    assert [c.n for c in safety["Grade 4 Life-threatening"].cells] == [0, 1]
    assert [c.n for c in safety["Grade 2 Moderate"].cells] == [1, 0]
    assert [c.n for c in safety["Relation: unlikely"].cells] == [1, 0]
    assert len(summary.safety_rows) == 2  # one per infusion given


def test_trajectories_and_oxygen_by_day(small_trial, clinician):
    t1, t2 = small_trial["treated"]
    for participant, value in ((t1, "10"), (t2, "30")):
        record(LabResult, participant, lab_values(participant, analyte="il6", value=Decimal(value)), user=clinician)
    summary = trial_summary(Participant.objects.all())
    il6 = next(t for t in summary.trajectories if t.analyte.code == "il6")
    ((day, middle, q1, q3, n),) = il6.series["ucmsc"]
    assert (middle, n) == (20.0, 2) and il6.series["control"] == []
    day0 = dict(summary.oxygen["control"])[0]
    assert day0 == {"imv": 2, "room_air": 1}


def test_the_table_download_has_every_section(small_trial):
    table = as_table(trial_summary(Participant.objects.all()))
    assert table[0][:3] == ["section", "item", "overall"]
    sections = {row[0] for row in table[1:]}
    assert {"Enrolment", "Baseline", "Exposure", "Safety (adverse events)", "Status at discharge"} <= sections
    assert {"Infusion-associated events"} <= sections


def test_report_page_and_downloads_for_reviewing_roles_only(
    client, small_trial, clinician, coordinator, monitor, coordinator_b
):
    statistician = UserFactory(role="Statistician", sites=[small_trial["treated"][0].site])
    for user in (coordinator, monitor, statistician):
        client.force_login(user)
        page = client.get(reverse("report"))
        assert page.status_code == 200
        body = page.content.decode()
        assert "Mechanical ventilation" in body and "<svg" in body and "Participant flow" in body
    response = client.get(reverse("report"), {"format": "csv"})
    assert response["Content-Type"] == "text/csv"
    found = list(csv.reader(io.StringIO(response.content.decode())))
    ventilation = next(r for r in found if r[1] == "Mechanical ventilation")
    assert ventilation[3:5] == ["1/2 (50%); median 2 days", "2/3 (67%); median 2 days"]
    assert client.get(reverse("report"), {"format": "xlsx"}).content[:2] == b"PK"
    client.force_login(clinician)
    assert client.get(reverse("report")).status_code == 403
    client.force_login(coordinator_b)  # another site: none of these participants
    assert client.get(reverse("report")).context["summary"].flow["screened"] == 0


def test_withdrawn_participants_are_counted_apart(small_trial, coordinator, site_a):
    participant = treated_participant(user=coordinator, site=site_a)
    services.participant_withdraw(
        participant=participant, user=coordinator, withdrawal_date=participant.day0_date, reason="consent_withdrawn"
    )
    flow = trial_summary(Participant.objects.all()).flow
    assert [(a["enrolled"], a["withdrawn"]) for a in flow["arms"]] == [(3, 1), (3, 0)]


def test_small_p_values_are_shown_as_below_a_thousandth():
    from outcomes.summary import Row

    assert Row("x", [], p=0.0004).p_text == "<0.001" and Row("x", [], p=0.0415).p_text == "0.042"
    assert Row("x", []).p_text == ""


def test_a_blinded_trial_shows_no_arm_without_the_unblinded_permission(client, small_trial, coordinator, settings):
    from django.contrib.auth.models import Permission

    blind_trial()
    client.force_login(coordinator)
    page = client.get(reverse("report"))
    summary = page.context["summary"]
    assert [a.name for a in summary.arms] == ["All participants"]
    main = page.content.decode().split("<main")[1]
    assert "blinded" in main and "UC-MSC" not in main and "Control" not in main
    ventilation = rows(summary, "Status at discharge")["Mechanical ventilation"]
    assert [(c.n, c.of) for c in ventilation.cells] == [(3, 5)] and ventilation.p is None
    bundle = b"".join(client.get(reverse("analysis-export")).streaming_content)
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(bundle))
    assert "arm" not in archive.read("participants.csv").decode().splitlines()[0].split(",")
    assert "arm" not in archive.read("analysis_table.csv").decode().splitlines()[0].split(",")
    assert b"ucmsc" not in archive.read("participants.csv") and b"ucmsc" not in archive.read("analysis_table.csv")
    # What a kit held tells the arm too (the infusion declares it): not in the file, nor in the dictionary.
    product = {"cells_administered_millions", "lot_number", "viability_percent"}
    assert not product & set(archive.read("infusions.csv").decode().splitlines()[0].split(","))
    assert not any(f"infusions.csv,{name}," in archive.read("dictionary.csv").decode() for name in product)
    coordinator.user_permissions.add(Permission.objects.get(codename="view_unblinded"))
    coordinator = type(coordinator).objects.get(pk=coordinator.pk)  # permission cache
    client.force_login(coordinator)
    assert [a.code for a in client.get(reverse("report")).context["summary"].arms] == ["ucmsc", "control"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(client.get(reverse("analysis-export")).streaming_content)))
    assert product <= set(archive.read("infusions.csv").decode().splitlines()[0].split(","))
    assert "arm" in archive.read("analysis_table.csv").decode().splitlines()[0].split(",")


def test_every_count_row_has_scipys_fisher_p_for_its_own_counts(small_trial):
    checked = 0
    for section in trial_summary(Participant.objects.all()).sections:
        for row in section.rows:
            if row.test == "Fisher":
                (a, b) = row.cells
                if not (a.of and b.of):  # an arm where nobody was assessed (all unknown): nothing to test
                    assert row.p is None, row.label
                    continue
                assert row.p == pytest.approx(fisher(a.n, a.of, b.n, b.of)), row.label
                checked += 1
            elif row.test == "Mann-Whitney U":
                assert row.p is None or 0 <= row.p <= 1
    assert checked >= 15


def test_a_symptom_never_assessed_is_left_out_of_its_denominator(small_trial, clinician):
    """Missing is never "no": a participant whose fever was never assessed is not in the fever row's N."""
    t2 = small_trial["treated"][1]
    for observation in DailyObservation.objects.filter(participant=t2):
        observation.fever = "not_assessed"
        record_save(observation, user=clinician, reason="Fever was not assessed")
    fever = rows(trial_summary(Participant.objects.all()), "Status at discharge")["Fever"]
    assert [(c.n, c.of) for c in fever.cells] == [(1, 1), (1, 3)]
    assert fever.p == pytest.approx(fisher(1, 1, 1, 3))
    assert str(fever.cells[0]).startswith("1/1 (100%)")


def test_status_at_discharge_is_over_participants_whose_stay_has_ended(small_trial, coordinator, clinician, site_a):
    """A participant still in follow-up changes neither a denominator nor a p-value; it is counted beside."""
    before = rows(trial_summary(Participant.objects.all()), "Status at discharge")
    in_hospital = treated_participant(user=coordinator, site=site_a, arm_code="control")
    values = observation_values(in_hospital, fever="present")
    values.update(SUPPORT["imv"])
    record(DailyObservation, in_hospital, values, user=clinician)
    after = rows(trial_summary(Participant.objects.all()), "Status at discharge")
    for label in ("Mechanical ventilation", "Fever", "Low-flow oxygen"):
        assert [(c.n, c.of) for c in after[label].cells] == [(c.n, c.of) for c in before[label].cells], label
        assert after[label].p == before[label].p
    assert [c.n for c in after["Participants whose stay has ended (in this table)"].cells] == [2, 3]
    assert [c.n for c in after["Still in follow-up (not in this table)"].cells] == [0, 1]
    note = next(s for s in trial_summary(Participant.objects.all()).sections if s.title == "Status at discharge").note
    assert "whose stay has ended" in note


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        (108.755, "108.76"),
        (82.495, "82.5"),
        (2.675, "2.68"),
        (-1.005, "-1.01"),
        (20.0, "20"),
        (1234.5, "1235"),
        (Decimal("24.625"), "24.63"),
        (None, "-"),
    ],
)
def test_decimals_are_rounded_one_way(value, printed):
    from outcomes.report_cells import fmt as _fmt

    assert _fmt(value) == printed


def test_the_dsmb_reads_the_closed_report_by_arm_with_the_same_tables(client, small_trial, coordinator, site_b):
    blind_trial()
    client.force_login(coordinator)
    pooled = client.get(reverse("report"))
    dsmb = UserFactory(username="dsmb_chair", role="DSMB member")  # no site: the board sees every site
    client.force_login(dsmb)
    closed = client.get(reverse("report"))
    assert [a.name for a in closed.context["summary"].arms] == ["UC-MSC", "Control"]
    assert [s.title for s in closed.context["summary"].sections] == [
        s.title for s in pooled.context["summary"].sections
    ]
    assert 'id="closed-report"' in closed.content.decode() and 'id="closed-report"' not in pooled.content.decode()
    ventilation = rows(closed.context["summary"], "Status at discharge")["Mechanical ventilation"]
    assert (
        sum(c.n for c in ventilation.cells)
        == rows(pooled.context["summary"], "Status at discharge")["Mechanical ventilation"].cells[0].n
    )
    download = client.get(reverse("report") + "?format=csv")
    assert "ucmsc-closed-report-" in download["Content-Disposition"]
    # The board has the report only: no record pages, no exports.
    assert client.get(reverse("participant-list")).status_code == 403
    assert client.get(reverse("analysis-export")).status_code == 403


@pytest.mark.parametrize(
    ("n", "of", "printed"),
    [
        (1, 8, "1/8 (13%)"),
        (5, 8, "5/8 (63%)"),
        (3, 8, "3/8 (38%)"),
        (1, 200, "1/200 (1%)"),
        (0, 9, "0/9 (0%)"),
        (9, 9, "9/9 (100%)"),
        (1, 3, "1/3 (33%)"),
        (2, 3, "2/3 (67%)"),
    ],
)
def test_percentages_round_half_up_as_the_readme_says(n, of, printed):
    """Issue 28, 4: 1/8 printed (12%) and 5/8 (62%), half to even."""
    from outcomes.report_cells import Cell

    assert str(Cell(n=n, of=of)) == printed


def test_a_quartile_of_exactly_x_xx5_rounds_half_up():
    """Issue 29, 9: quartiles at 38.975 printed 38.97 (rounded on the binary float 38.974999...)."""
    from decimal import Decimal

    from outcomes.report_cells import median_cell

    # Weibull q3 of 7 values: h = 6, the 6th value; of 8 values: h = 6.75, between the 6th and 7th.
    cell = median_cell([Decimal(v) for v in ("13.5", "20.1", "28.7", "30", "35", "38.9", "39", "40")])
    assert cell.q3 == Decimal("38.975") and str(cell).endswith("-38.98)")
    assert str(median_cell([1.005, 1.005, 1.005])) == "1.01 (1.01-1.01)"
