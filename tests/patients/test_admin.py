"""The coordinator's workbench: screening, correcting with a reason, enrolling, no deleting."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from patients.eligibility import current_criteria
from patients.models import Arm, Participant
from tests.factories import consent, enrolled_participant, screened_participant
from tests.helpers import admin_form_data

pytestmark = pytest.mark.django_db


def participant_post(client, site, **overrides):
    today = timezone.localdate()
    data = {
        "site": site.pk,
        "initials": "ZWL",
        "sex": "M",
        "date_of_birth": "1965-03-02",
        "weight_kg": "72.5",
        "height_cm": "170",
        "admission_date": (today - datetime.timedelta(days=2)).isoformat(),
        "symptom_onset_date": (today - datetime.timedelta(days=7)).isoformat(),
        "severity": "severe",
        "hypertension": "yes",
        "diabetes": "no",
        "cardiovascular_disease": "no",
        "chronic_lung_disease": "no",
        "chronic_kidney_disease": "no",
        "chronic_liver_disease": "unknown",
        "other_comorbidities": "",
        "screening_datetime_0": today.isoformat(),
        "screening_datetime_1": "00:01:00",
        "change_reason": "",
    }
    page = admin_form_data(client.get(reverse("admin:patients_participant_add")))
    return {**page, **data, **overrides}


def inline_management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def answers_post(answers):
    data = inline_management("eligibility_answers", total=len(answers))
    for i, (code, answer) in enumerate(answers.items()):
        data[f"eligibility_answers-{i}-criterion"] = code
        data[f"eligibility_answers-{i}-answer"] = answer
    return data


def test_coordinator_screens_a_person_with_answers_and_a_study_id_is_issued(client, coordinator, site_a):
    client.force_login(coordinator)
    answers = {c.code: c.required_answer for c in current_criteria()}
    answers["exc_malignancy"] = "yes"
    response = client.post(
        reverse("admin:patients_participant_add"), participant_post(client, site_a, **answers_post(answers))
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    participant = Participant.objects.get(site=site_a)
    assert participant.study_id == "01-001"
    assert participant.status == "screen_failure"
    assert "Malignancy" in participant.screen_failure_reason
    assert participant.history.earliest().history_user == coordinator


def test_age_answer_contradicting_date_of_birth_is_refused_on_the_add_page(client, coordinator, site_a):
    client.force_login(coordinator)
    answers = {c.code: c.required_answer for c in current_criteria()}
    answers["inc_age"] = "no"  # born 1965: within the protocol's age range
    response = client.post(
        reverse("admin:patients_participant_add"), participant_post(client, site_a, **answers_post(answers))
    )
    assert response.status_code == 200
    age_form = next(
        f for f in response.context["inline_admin_formsets"][0].formset if f["criterion"].value() == "inc_age"
    )
    assert 'must be answered "yes"' in age_form.errors["answer"][0]
    assert not Participant.objects.exists()


def test_bad_input_gets_message_on_its_field_and_saves_nothing(client, coordinator, site_a):
    client.force_login(coordinator)
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.post(
        reverse("admin:patients_participant_add"),
        participant_post(client, site_a, admission_date=future, weight_kg="7"),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "future" in errors["admission_date"][0]
    assert "weight_kg" in errors
    assert not Participant.objects.exists()


def test_change_needs_a_reason_which_lands_in_history(client, coordinator, site_a):
    participant = screened_participant(user=coordinator, site=site_a, initials="AB")
    client.force_login(coordinator)
    url = reverse("admin:patients_participant_change", args=[participant.pk])
    data = admin_form_data(client.get(url), initials="XY")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Give the reason" in response.context["adminform"].form.errors["change_reason"][0]
    participant.refresh_from_db()
    assert participant.initials == "AB"

    response = client.post(url, {**data, "change_reason": "Initials misread from the wristband"})
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.initials == "XY"
    latest = participant.history.latest()
    assert latest.history_change_reason == "Initials misread from the wristband"
    assert latest.history_user == coordinator


def post_enrol(client, participant, arm_code):
    now = timezone.localtime()
    return client.post(
        reverse("admin:patients_participant_enrol", args=[participant.pk]),
        {
            "arm": Arm.objects.get(code=arm_code).pk,
            "enrolment_datetime_0": now.date().isoformat(),
            "enrolment_datetime_1": now.strftime("%H:%M:%S"),
        },
    )


def test_enrol_view_refuses_unconsented_person_on_arm_field(client, coordinator, site_a):
    participant = screened_participant(user=coordinator, site=site_a)
    client.force_login(coordinator)
    response = post_enrol(client, participant, "ucmsc")
    assert response.status_code == 200
    assert "no informed consent" in response.context["form"].errors["arm"][0]
    participant.refresh_from_db()
    assert participant.arm_id is None


def test_enrol_view_enrols_eligible_consented_person(client, coordinator, site_a):
    participant = screened_participant(user=coordinator, site=site_a)
    consent(participant, user=coordinator)
    client.force_login(coordinator)
    change_url = reverse("admin:patients_participant_change", args=[participant.pk])
    assert "Enrol</a>" in client.get(change_url).content.decode()
    now = timezone.localtime()
    response = post_enrol(client, participant, "control")
    assert response.status_code == 302
    participant.refresh_from_db()
    assert (participant.status, participant.arm.code, participant.day0_date) == ("enrolled", "control", now.date())


def test_changelist_search_by_study_id_and_filters(client, coordinator, site_a):
    first = enrolled_participant(user=coordinator, site=site_a)
    second = enrolled_participant(user=coordinator, site=site_a, arm_code="control")
    client.force_login(coordinator)
    url = reverse("admin:patients_participant_changelist")
    result = list(client.get(url, {"q": second.study_id}).context["cl"].result_list)
    assert result == [second]
    arm_filtered = list(client.get(url, {"arm__id__exact": first.arm_id}).context["cl"].result_list)
    assert arm_filtered == [first]


def test_no_delete_anywhere_in_admin(client, coordinator, site_a):
    participant = enrolled_participant(user=coordinator, site=site_a)
    client.force_login(coordinator)
    changelist = client.get(reverse("admin:patients_participant_changelist"))
    assert "delete_selected" not in changelist.content.decode()
    assert client.get(reverse("admin:patients_participant_delete", args=[participant.pk])).status_code == 403
    assert (
        client.post(reverse("admin:patients_participant_delete", args=[participant.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert Participant.objects.filter(pk=participant.pk).exists()


def test_study_id_is_read_only_in_admin(client, coordinator, site_a):
    participant = enrolled_participant(user=coordinator, site=site_a)
    client.force_login(coordinator)
    form = client.get(reverse("admin:patients_participant_change", args=[participant.pk])).context["adminform"].form
    assert "study_id" not in form.fields and "site" not in form.fields and "arm" not in form.fields


def test_monitor_reads_but_cannot_change(client, monitor, coordinator, site_a):
    participant = enrolled_participant(user=coordinator, site=site_a, initials="AB")
    client.force_login(monitor)
    url = reverse("admin:patients_participant_change", args=[participant.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"initials": "XY", "change_reason": "x"}).status_code == 403
    assert client.get(reverse("admin:patients_participant_history", args=[participant.pk])).status_code == 200
    participant.refresh_from_db()
    assert participant.initials == "AB"


def test_statistician_has_no_record_pages(client, site_a, coordinator):
    from tests.factories import UserFactory

    participant = enrolled_participant(user=coordinator, site=site_a)
    statistician = UserFactory(role="Statistician", sites=[site_a])
    client.force_login(statistician)
    assert client.get(reverse("participant-detail", args=[participant.study_id])).status_code == 403
    assert client.get(reverse("admin:patients_participant_changelist")).status_code == 302  # not staff
    assert client.get(reverse("home")).status_code == 200
