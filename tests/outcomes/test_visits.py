"""The visit schedule as data and where each participant stands at each visit (outcomes/visits.py): phase
1's baseline and discharge visits, and a later design's day 28 visit, due, overdue, done or not required,
each form entered, required, optional or not required; computed in the same number of queries for 2 and for
8 participants."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outcomes.models import ChestCt
from outcomes.visits import FormState, VisitState, visit_statuses
from patients import services
from patients.casebook.schedule import ExpectedIf, Visit, VisitForm
from patients.models import Participant
from tests.factories import ct_values, end_study, follow_up_after_discharge, record, treated_participant
from tests.helpers import error_codes

pytestmark = pytest.mark.django_db


def statuses(participant, today=None):
    return {
        s.visit.code: s
        for s in visit_statuses(Participant.objects.filter(pk=participant.pk), today=today)[participant.pk]
    }


def forms(status):
    return {f.key: f.state for f in status.forms}


@pytest.fixture
def day28():
    visit = Visit.objects.create(code="d28", label="Day 28", target_day=28, window_before=3, window_after=3)
    VisitForm.objects.create(visit=visit, crf_key="ct", required=True)
    VisitForm.objects.create(visit=visit, crf_key="infusions", required=False, expected_if=ExpectedIf.INFUSED)
    return visit


def test_phase1_schedule_is_baseline_and_discharge(coordinator, site_a):
    assert list(Visit.objects.values_list("code", flat=True)) == ["baseline", "discharge"]
    participant = treated_participant(user=coordinator, site=site_a, days_ago=5)
    found = statuses(participant)
    assert found["baseline"].state == VisitState.DONE
    assert forms(found["baseline"]) == {"consent": FormState.ENTERED, "eligibility": FormState.ENTERED}
    assert found["baseline"].target == participant.day0_date
    # Not discharged yet: the discharge visit is still to come.
    assert found["discharge"].state == VisitState.NOT_YET_DUE and found["discharge"].target is None
    end_study(participant, user=coordinator, on=timezone.localdate())
    found = statuses(participant)
    assert found["discharge"].state == VisitState.DONE and found["discharge"].target == timezone.localdate()
    assert forms(found["discharge"]) == {"ct": FormState.OPTIONAL, "end-of-study": FormState.ENTERED}


def test_a_day_28_visit_is_due_then_overdue_then_done(coordinator, site_a, day28):
    participant = treated_participant(user=coordinator, site=site_a, days_ago=20)
    day0 = participant.day0_date
    assert statuses(participant, today=day0 + datetime.timedelta(days=20))["d28"].state == VisitState.NOT_YET_DUE
    in_window = statuses(participant, today=day0 + datetime.timedelta(days=26))["d28"]
    assert in_window.state == VisitState.DUE
    assert (in_window.window_start, in_window.window_end) == (
        day0 + datetime.timedelta(days=25),
        day0 + datetime.timedelta(days=31),
    )
    assert forms(in_window)["ct"] == FormState.REQUIRED
    assert statuses(participant, today=day0 + datetime.timedelta(days=32))["d28"].state == VisitState.OVERDUE
    # A scan in the window does the visit; one outside it does not count for it.
    scan = record(ChestCt, participant, ct_values(participant, on=timezone.localdate()), user=coordinator)
    assert scan.scan_date < in_window.window_start
    assert statuses(participant, today=day0 + datetime.timedelta(days=32))["d28"].state == VisitState.OVERDUE


def test_a_visit_done_by_a_form_in_its_window(coordinator, site_a, day28):
    participant = treated_participant(user=coordinator, site=site_a, days_ago=28)
    record(ChestCt, participant, ct_values(participant, on=timezone.localdate()), user=coordinator)
    found = statuses(participant)["d28"]
    assert found.state == VisitState.DONE and forms(found)["ct"] == FormState.ENTERED
    # The infusion form is expected of infused arms only: optional here (not given in the window).
    assert forms(found)["infusions"] == FormState.OPTIONAL


def test_forms_for_infused_arms_only_are_not_required_of_the_control(coordinator, site_a, day28):
    control = treated_participant(user=coordinator, site=site_a, days_ago=26, arm_code="control")
    assert forms(statuses(control)["d28"])["infusions"] == FormState.NOT_REQUIRED


def test_no_visit_is_expected_after_death_or_withdrawal_but_after_discharge_it_is(coordinator, site_a, day28):
    follow_up_after_discharge()
    died = treated_participant(user=coordinator, site=site_a, days_ago=30)
    end_study(died, user=coordinator, on=died.day0_date + datetime.timedelta(days=10), reason="died")
    gone = treated_participant(user=coordinator, site=site_a, days_ago=30)
    services.participant_withdraw(
        participant=gone, user=coordinator, withdrawal_date=gone.day0_date, reason="consent_withdrawn"
    )
    home = treated_participant(user=coordinator, site=site_a, days_ago=35)
    end_study(home, user=coordinator, on=home.day0_date + datetime.timedelta(days=10))
    assert statuses(died)["d28"].state == statuses(gone)["d28"].state == VisitState.NOT_REQUIRED
    # A death before discharge: the discharge visit is not expected either.
    assert statuses(died)["discharge"].state == VisitState.NOT_REQUIRED
    assert statuses(home)["d28"].state == VisitState.OVERDUE


def test_in_a_design_whose_follow_up_ends_at_discharge_no_visit_is_expected_after_it(coordinator, site_a, day28):
    home = treated_participant(user=coordinator, site=site_a, days_ago=35)
    end_study(home, user=coordinator, on=home.day0_date + datetime.timedelta(days=10))
    assert statuses(home)["d28"].state == VisitState.NOT_REQUIRED
    assert statuses(home)["discharge"].state == VisitState.DONE


def test_the_schedule_is_computed_in_the_same_queries_for_2_and_8_participants(coordinator, site_a, day28):
    def count():
        with CaptureQueriesContext(connection) as queries:
            result = visit_statuses(Participant.objects.all())
        return len(queries), result

    for _ in range(2):
        treated_participant(user=coordinator, site=site_a, days_ago=28)
    small, result = count()
    assert len(result) == 2
    for _ in range(6):
        treated_participant(user=coordinator, site=site_a, days_ago=28)
    large, result = count()
    assert len(result) == 8 and large == small
    # The schedule (2), the design, the participants, their ends of study and withdrawals, the missed
    # visits, the open queries, one per form kind (5).
    assert small <= 13


def test_a_visit_expects_only_forms_the_registry_has(day28):
    with pytest.raises(ValidationError) as exc:
        VisitForm(visit=day28, crf_key="shuttle-walk").full_clean()
    assert error_codes(exc, "crf_key") == ["unknown_form"]


def test_a_visit_form_is_picked_by_its_name(client, day28, django_user_model):
    """Issue 29, 3: the data manager picks "Quantitative CT" by name, in the admin's visit page and in what
    a script or import writes; an unknown form's message lists the forms by name."""
    from patients.casebook.registry import registry

    qct = registry.get("qct")
    typed = VisitForm(visit=day28, crf_key=qct.label.upper())
    typed.full_clean()
    assert typed.crf_key == "qct"
    with pytest.raises(ValidationError) as exc:
        VisitForm(visit=day28, crf_key="Shuttle walk").full_clean()
    assert f"{qct.label} (qct)" in str(exc.value)
    admin_user = django_user_model.objects.create_superuser("dm", password="x")
    client.force_login(admin_user)
    page = client.get(f"/admin/patients/visit/{day28.pk}/change/").content.decode()
    assert f'<option value="qct">{qct.label}</option>' in page
