"""The demo seed: the published phase 1 trial's shape, one user per role, and idempotent.

One test on purpose: seeding the whole trial takes seconds, so it is done twice here, not per assertion."""

from statistics import median

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from dosing.models import Infusion
from outcomes.derived import outcomes_for, safety_table
from outcomes.report_cells import fmt
from outcomes.summary import trial_summary
from patients.demo import DEMO_PASSWORD
from patients.models import Participant

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def published_site():
    """The published trial's site (the demo ward, site 99, is in hospital today: see its own test)."""
    return Participant.objects.filter(site__code="01")


def snapshot():
    return list(
        published_site()
        .order_by("study_id")
        .values_list("study_id", "arm__code", "status", "severity", "date_of_birth", "day0_date")
    )


def table3(arm):
    ids = published_site().filter(arm__code=arm).values_list("pk", flat=True)
    outcomes = outcomes_for(ids).values()
    return {
        "ventilated": sum(o.ever_ventilated for o in outcomes),
        "low_flow": sum(o.ever("low_flow") for o in outcomes),
        "high_flow": sum(o.ever("high_flow") for o in outcomes),
        **{
            s: sum(bool(o.had_symptom(s)) for o in outcomes)
            for s in ("fever", "fatigue", "cough", "shortness_of_breath")
        },
        "stay_median": median(o.length_of_stay_days for o in outcomes),
        "igm_median": float(median(o.igm_at_discharge for o in outcomes)),
        "igg_median": float(median(o.igg_at_discharge for o in outcomes)),
    }


def test_seed_demo_reproduces_the_phase1_trial_and_is_idempotent(capsys, client):
    call_command("seed_demo")
    output = capsys.readouterr().out
    first = snapshot()
    assert len(first) == 18
    assert [row[1] for row in first].count("ucmsc") == 9 and [row[1] for row in first].count("control") == 9
    assert {row[2] for row in first} == {"completed"}  # all discharged
    assert {row[3] for row in first} == {"moderate", "severe"}
    for username in ("clinician", "coordinator", "monitor", "statistician"):
        assert username in output
        user = get_user_model().objects.get(username=username)
        assert user.groups.filter(name=username.capitalize()).exists()
        assert user.site_memberships.exists()

    # Dosing: three infusions of ~3 x 10^7 cells on days 0, 3 and 6 for each treated participant.
    infusions = Infusion.objects.filter(participant__site__code="01").select_related("participant")
    assert infusions.count() == 27
    assert {i.days_off_plan for i in infusions} == {0}
    assert {(i.start_datetime.date() - i.participant.day0_date).days for i in infusions} <= {0, 3, 6}

    # Review part way: nothing left in draft, the first two casebooks verified, the first locked.
    by_status = {}
    for participant in Participant.objects.order_by("study_id")[:3]:
        observations = participant.daily_observations.all()
        by_status[participant.study_id] = set(observations.values_list("review_status", flat=True))
    assert list(by_status.values()) == [{"locked"}, {"verified"}, {"submitted"}]
    assert not Infusion.objects.filter(review_status="draft").exists()
    assert Infusion.objects.filter(review_status="locked").first().history.latest().history_user.username == (
        "coordinator"
    )

    # Table 3 of the paper, computed from what is stored.
    assert table3("ucmsc") == {
        "ventilated": 1,
        "low_flow": 7,
        "high_flow": 3,
        "fever": 5,
        "fatigue": 4,
        "cough": 4,
        "shortness_of_breath": 1,
        "stay_median": 20,
        "igm_median": 24.62,
        "igg_median": 19.93,
    }
    assert table3("control") == {
        "ventilated": 4,
        "low_flow": 7,
        "high_flow": 5,
        "fever": 2,
        "fatigue": 5,
        "cough": 8,
        "shortness_of_breath": 5,
        "stay_median": 23,
        "igm_median": 76.89,
        "igg_median": 21.5,
    }
    # The safety table: T1 flushing after the 1st, T4 fever after the 3rd, T6 (severe) hypoxaemia after the 1st.
    treated = published_site().filter(arm__code="ucmsc").values_list("pk", flat=True)
    events = [
        (r.infusion_round, r.severity, r.spo2_lowest, r.spo2_highest, r.events[0].split(" (")[0])
        for r in safety_table(treated)
        if r.events
    ]
    assert events == [
        (1, "Moderate", 98, 98, "Facial flushing"),
        (3, "Moderate", 100, 100, "Transient fever"),
        (1, "Severe", 91, 99, "Severe hypoxaemia"),
    ]

    # The summary report reproduces the published status at discharge, counts and Fisher p-values, over every
    # site: the ward's participants are still in hospital, so they are counted beside the table, not in it.
    summary = trial_summary(Participant.objects.all())
    discharge = next(s for s in summary.sections if s.title == "Status at discharge")
    in_follow_up = next(row for row in discharge.rows if row.label.startswith("Still in follow-up"))
    assert [c.n for c in in_follow_up.cells] == [3, 1]
    published = {
        "Mechanical ventilation": (1, 4, 0.294),
        "Low-flow oxygen": (7, 7, 1.000),
        "High-flow oxygen": (3, 5, 0.637),
        "Fever": (5, 2, 0.335),
        "Fatigue": (4, 5, 1.000),
        "Cough": (4, 8, 0.131),
        "Shortness of breath": (1, 5, 0.131),
    }
    found = {
        row.label: (row.cells[0].n, row.cells[1].n, round(row.p, 3)) for row in discharge.rows if row.label in published
    }
    assert found == published
    medians = {
        row.label.split(",")[0]: [fmt(c.median) for c in row.cells] for row in discharge.rows if row.cells[0].n is None
    }
    assert medians == {  # as printed, from exact decimals (issue 29, 9)
        "IgM at discharge": ["24.62", "76.89"],
        "IgG at discharge": ["19.93", "21.5"],
        "Days from admission to discharge": ["20", "23"],
    }
    stay_row = next(row for row in discharge.rows if row.label.startswith("Days from admission"))
    assert (stay_row.cells[0].q1, stay_row.cells[0].q3) == (17.5, 24.5)  # the paper's 20.0 (17.5-24.5)

    history_rows = Participant.history.count()
    call_command("seed_demo")
    assert snapshot() == first
    assert Participant.history.count() == history_rows
    assert get_user_model().objects.count() == 4

    assert client.login(username="clinician", password=DEMO_PASSWORD)
    assert "01-018" in client.get("/", follow=True).content.decode()
    client.logout()
    assert client.login(username="coordinator", password=DEMO_PASSWORD)
    assert client.get("/admin/patients/participant/").status_code == 200


def test_seed_demo_scales_over_sites(capsys):
    call_command("seed_demo", "--participants", "7", "--sites", "2")
    output = capsys.readouterr().out
    assert "7 participants" in output
    by_site = {
        code: list(Participant.objects.filter(site__code=code).order_by("study_id").values_list("arm__code", flat=True))
        for code in ("01", "02")
    }
    assert by_site == {"01": ["ucmsc", "control", "ucmsc", "control"], "02": ["ucmsc", "control", "ucmsc"]}
    trial = Participant.objects.filter(site__code__in=("01", "02"))
    assert set(trial.values_list("status", flat=True)) == {"completed"}
    coordinator = get_user_model().objects.get(username="coordinator")
    assert set(coordinator.site_memberships.values_list("site__code", flat=True)) == {"01", "02", "99"}
    summary = trial_summary(trial)
    assert [a["enrolled"] for a in summary.flow["arms"]] == [4, 3]


def test_the_demo_ward_has_work_due_today(client):
    """Besides the finished trial, a ward in hospital now: every ward job can be tried after make run."""
    call_command("seed_demo")
    ward = Participant.objects.filter(site__code="99")
    assert sorted(ward.values_list("status", flat=True)) == ["enrolled"] * 4 + ["screening"]
    assert client.login(username="clinician", password=DEMO_PASSWORD)
    rows = {p.study_id: p for p in client.get("/participants/", {"q": "99-"}).context["participants"]}
    due = {study_id: (p.infusion_due, bool(p.observation_due)) for study_id, p in rows.items() if p.day0_date}
    # Day 3 (infusion 2 due), a control on day 2, day 1 (infusion 1 given yesterday), day 0 (infusion 1 due).
    assert due == {
        "99-001": ("due", True),
        "99-002": ("", True),
        "99-003": ("", True),
        "99-004": ("due", True),
    }
    # Seeding again adds nothing.
    count = Participant.history.count()
    call_command("seed_demo")
    assert Participant.history.count() == count
