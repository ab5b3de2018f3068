"""Nightly automatic data checks: raised once, never twice, closed by themselves when the data are fixed."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from outcomes.models import AdverseEvent, DailyObservation, LabResult
from patients.casebook import services as casebook_services
from patients.casebook.queries import DataQuery
from patients.casebook.saving import record_save
from tests.factories import ae_values, lab_values, observation_values, record, treated_participant
from ucmsc_crf.data_checks import run_data_checks

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def test_missing_observation_is_raised_once_and_closed_when_entered(coordinator, clinician, site_a):
    participant = treated_participant(user=coordinator, site=site_a, days_ago=3)
    for offset in (0, 2):
        record(
            DailyObservation,
            participant,
            observation_values(participant, on=participant.day0_date + offset * DAY),
            user=clinician,
        )
    assert run_data_checks() == {"findings": 1, "raised": 1, "closed": 0, "locked": 0}
    query = DataQuery.objects.get()
    assert query.check_code == f"missing_observation:{participant.day0_date + DAY}"
    assert "study day 1" in query.text and query.raised_by is None
    assert run_data_checks()["raised"] == 0  # never twice

    record(
        DailyObservation, participant, observation_values(participant, on=participant.day0_date + DAY), user=clinician
    )
    assert run_data_checks() == {"findings": 0, "raised": 0, "closed": 1, "locked": 0}
    query.refresh_from_db()
    assert query.status == "closed" and "no longer show" in query.history.latest().history_change_reason


def test_a_finding_closed_by_a_reviewer_is_not_raised_again(coordinator, clinician, site_a):
    participant = treated_participant(user=coordinator, site=site_a, days_ago=1)
    run_data_checks()
    query = DataQuery.objects.get()
    casebook_services.query_close(query=query, user=coordinator, note="Patient in theatre all day: accepted")
    assert run_data_checks() == {"findings": 1, "raised": 0, "closed": 0, "locked": 0}
    assert participant.data_queries.count() == 1


def test_late_sae_report_and_uncommented_abnormal_lab(coordinator, clinician, site_a):
    participant = treated_participant(user=coordinator, site=site_a, days_ago=0)
    aware = participant.enrolment_datetime
    record(
        AdverseEvent,
        participant,
        ae_values(
            participant,
            term="Pneumothorax",
            onset_datetime=aware,
            resolution_datetime=None,
            outcome="recovering",
            grade=3,
            serious=True,
            serious_hospitalisation=True,
            relation="unlikely",
            site_aware_datetime=aware,
            reported_datetime=None,
        ),
        user=clinician,
    )
    lab = record(
        LabResult,
        participant,
        lab_values(participant, analyte="crp", value=Decimal("85"), sample=aware),
        user=clinician,
    )
    result = run_data_checks(now=aware + 30 * datetime.timedelta(hours=1))
    codes = sorted(DataQuery.objects.values_list("check_code", "field_name"))
    assert ("sae_reported_late", "reported_datetime") in codes and ("lab_outside_reference", "comment") in codes
    assert result["raised"] == len(codes)

    lab.comment = "Bacterial superinfection suspected; treated"
    record_save(lab, user=None, reason="Query answered", validate=True)
    run_data_checks(now=aware + 31 * datetime.timedelta(hours=1))
    assert DataQuery.objects.get(check_code="lab_outside_reference").status == "closed"
    assert DataQuery.objects.get(check_code="sae_reported_late").status == "open"


def test_command_reports_what_it_did(capsys, coordinator, site_a):
    treated_participant(user=coordinator, site=site_a, days_ago=2)
    call_command("run_data_checks")
    assert "2 findings; 2 queries raised, 0 closed as fixed." in capsys.readouterr().out


def test_an_overdue_visit_is_raised_once_and_closed_when_its_form_is_entered(coordinator, site_a):
    from outcomes.models import ChestCt
    from patients.casebook.schedule import Visit, VisitForm
    from tests.factories import ct_values

    visit = Visit.objects.create(code="d28", label="Day 28", target_day=28, window_before=3, window_after=3)
    VisitForm.objects.create(visit=visit, crf_key="ct", required=True)
    participant = treated_participant(user=coordinator, site=site_a, days_ago=40)
    run_data_checks()
    overdue = DataQuery.objects.filter(check_code="overdue_visit:d28")
    assert overdue.count() == 1
    query = overdue.get()
    assert query.participant == participant and query.status == "open"
    assert "Day 28 visit" in query.text and "chest ct not entered" in query.text.lower()
    run_data_checks()
    assert overdue.count() == 1  # never twice
    record(ChestCt, participant, ct_values(participant, on=participant.day0_date + 28 * DAY), user=coordinator)
    run_data_checks()
    query.refresh_from_db()
    assert query.status == "closed"


def test_many_findings_are_raised_in_bulk_each_with_its_audit_entry_and_a_locked_casebook_gets_none(
    coordinator, clinician, site_a, django_assert_max_num_queries
):
    # Three participants with no observation for their first days: nine findings, and one casebook locked.
    participants = [treated_participant(user=coordinator, site=site_a, days_ago=3) for _ in range(3)]
    locked = participants[2]
    casebook_services.casebook_lock(
        participant=locked, user=coordinator, reason="Database lock for the interim analysis", override_reason="Test"
    )
    with django_assert_max_num_queries(40):  # a fixed number, not one save per finding
        result = run_data_checks()
    assert result == {"findings": 9, "raised": 6, "closed": 0, "locked": 3}
    assert not locked.data_queries.exists()
    raised = DataQuery.objects.all()
    assert raised.count() == 6 and DataQuery.history.filter(history_type="+").count() == 6
    entry = DataQuery.history.first()
    assert entry.history_change_reason == "Query raised" and entry.history_user is None
    assert "study day 0" in DataQuery.objects.filter(participant=participants[0]).order_by("check_code")[0].text
    assert run_data_checks()["raised"] == 0  # and never twice


def test_what_will_be_overdue_on_a_later_day_is_listed_and_nothing_is_written(capsys, coordinator, site_a):
    """Issue 29, 5: a data manager asks what will be overdue on Friday; tests need not back-date day 0."""
    from django.utils import timezone

    from patients.casebook.schedule import Visit, VisitForm

    visit = Visit.objects.create(code="d28", label="Day 28", target_day=28, window_before=3, window_after=3)
    VisitForm.objects.create(visit=visit, crf_key="ct", required=True)
    participant = treated_participant(user=coordinator, site=site_a, days_ago=20)
    on = timezone.localdate() + 12 * DAY  # day 32: past day 28's window
    call_command("run_data_checks", date=on.isoformat())
    out = capsys.readouterr().out
    assert (
        f"{participant.study_id}\toverdue_visit:d28\t" in out
        and f"findings on {on:%Y-%m-%d}; nothing was written" in out
    )
    assert not DataQuery.objects.exists()
    call_command("run_data_checks", date=timezone.localdate().isoformat())
    assert "overdue_visit:d28" not in capsys.readouterr().out  # not yet
    with pytest.raises(CommandError):
        call_command("run_data_checks", date="Friday")


def test_staff_see_the_matrix_as_of_a_later_day(client, coordinator, clinician, site_a):
    from django.urls import reverse
    from django.utils import timezone

    from patients.casebook.schedule import Visit, VisitForm

    visit = Visit.objects.create(code="d28", label="Day 28", target_day=28, window_before=3, window_after=3)
    VisitForm.objects.create(visit=visit, crf_key="ct", required=True)
    participant = treated_participant(user=coordinator, site=site_a, days_ago=20)
    on = (timezone.localdate() + 12 * DAY).isoformat()

    def state(user, query):
        client.force_login(user)
        rows = client.get(reverse("subject-matrix") + query).context["rows"]
        return next(c.key for p, _, cells in rows if p == participant for c in cells if c.status.visit == visit)

    assert state(coordinator, "") == "not_yet_due"
    assert state(coordinator, f"?on={on}") == "overdue"
    assert state(coordinator, f"?on={on}&needs=action") == "overdue"
    assert state(clinician, f"?on={on}") == "not_yet_due"  # the ward's matrix is today's
    assert state(coordinator, "?on=someday") == "not_yet_due"
