"""The ward round (issue 18): a new day's observation starts from the day before for what may be carried
(oxygen support, flow, FiO2, WHO score, symptoms; the vital signs only when asked), each carried value marked, one
confirmation for the form, and the audit trail saying what was carried; "Save and next" goes straight to the
next participant whose observation is due today."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from outcomes.models import DailyObservation
from outcomes.rules import VITAL_SIGNS
from outcomes.ward import WardOrder
from patients.casebook import services as casebook_services
from patients.models import Participant
from tests.factories import end_study, observation_values, record, screened_participant, treated_participant
from tests.helpers import error_codes

pytestmark = pytest.mark.django_db


def yesterday_observed(participant, user, **values):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    return record(
        DailyObservation,
        participant,
        observation_values(
            participant,
            on=yesterday,
            oxygen_support="low_flow",
            oxygen_flow_l_min=2,
            fio2_percent=29,
            who_score=5,
            fever="present",
            **values,
        ),
        user=user,
    )


def form_post(form, **changes) -> dict:
    """What the browser sends: the form's initial values (the carried ones) with today's vital signs typed."""
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is not None and value is not False:
            data[name] = value.isoformat() if hasattr(value, "isoformat") else value
    data.update(
        {
            "temperature_c": "37.2",
            "heart_rate": "88",
            "respiratory_rate": "20",
            "systolic_bp": "124",
            "diastolic_bp": "78",
            "spo2_percent": "95",
        }
    )
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def participant(coordinator, site_a):
    return treated_participant(user=coordinator, site=site_a, days_ago=3)


def test_the_new_day_starts_from_yesterday_marked_and_asks_one_confirmation(client, clinician, participant):
    yesterday_observed(participant, clinician)
    client.force_login(clinician)
    url = reverse("observations-new", args=[participant.study_id])
    response = client.get(url)
    form = response.context["form"]
    assert form.initial["oxygen_support"] == "low_flow" and form.initial["fever"] == "present"
    assert "temperature_c" not in form.initial and "heart_rate" not in form.initial  # never the vital signs
    page = response.content.decode()
    assert "data-carried=" in page and "Carried from" in page and "still true today" in page
    # Without the confirmation nothing is saved, and the form says why on the box.
    refused = client.post(url, form_post(form, cough="absent"))
    assert refused.status_code == 200 and "confirm_carried" in refused.context["form"].errors
    assert DailyObservation.objects.filter(observation_date=timezone.localdate()).count() == 0
    client.post(url, form_post(form, cough="absent", confirm_carried="on"))
    today = DailyObservation.objects.get(observation_date=timezone.localdate())
    assert today.oxygen_support == "low_flow" and today.cough == "absent"
    carried = today.carried_fields.split(",")
    assert "oxygen_support" in carried and "fever" in carried and "cough" not in carried
    assert today.carried_from == timezone.localdate() - datetime.timedelta(days=1)
    entry = today.history.first()
    assert entry.history_user == clinician
    assert entry.history_change_reason == (
        f"Entered with {len(carried)} values carried forward from {today.carried_from:%Y-%m-%d}, confirmed"
    )


def test_the_first_day_carries_nothing_and_asks_nothing(client, clinician, participant):
    client.force_login(clinician)
    form = client.get(reverse("observations-new", args=[participant.study_id])).context["form"]
    assert "confirm_carried" not in form.fields and "oxygen_support" not in form.initial


def test_only_what_may_be_carried_is_recorded_as_carried(clinician, participant):
    values = observation_values(participant, on=timezone.localdate())
    with pytest.raises(ValidationError) as exc:
        record(
            DailyObservation,
            participant,
            {**values, "carried_from": timezone.localdate() - datetime.timedelta(days=1)} | {"carried_fields": "x"},
            user=clinician,
        )
    assert error_codes(exc, "observation_date") == ["not_carried"]


def test_save_and_next_goes_to_the_next_participant_due_and_says_when_the_round_is_done(
    client, clinician, coordinator, site_a
):
    first, second, done = (treated_participant(user=coordinator, site=site_a, days_ago=3) for _ in range(3))
    record(DailyObservation, done, observation_values(done, on=timezone.localdate()), user=clinician)
    for participant in (first, second):
        yesterday_observed(participant, clinician)
    client.force_login(clinician)
    url = reverse("observations-new", args=[first.study_id])
    form = client.get(url).context["form"]
    response = client.post(url, form_post(form, save_next="Save and next", confirm_carried="on"))
    assert response.status_code == 302
    assert response["Location"] == reverse("observations-new", args=[second.study_id])
    page = client.get(response["Location"]).content.decode()
    assert f"{first.study_id}: daily observation submitted. Next: {second.study_id}." in page
    url = reverse("observations-new", args=[second.study_id])
    form = client.get(url).context["form"]
    response = client.post(url, form_post(form, save_next="Save and next", confirm_carried="on"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("participant-list")
    assert "No other participant&#x27;s is due today." in response.content.decode()


def test_the_list_puts_what_is_due_first_and_every_badge_links_to_its_form(client, clinician, coordinator, site_a):
    # Controls (no infusions), one observed today, one not; and a treated participant's first infusion today.
    observed = treated_participant(user=coordinator, site=site_a, days_ago=3, arm_code="control")
    record(DailyObservation, observed, observation_values(observed, on=timezone.localdate()), user=clinician)
    due = treated_participant(user=coordinator, site=site_a, days_ago=3, arm_code="control")
    infusion_today = treated_participant(user=coordinator, site=site_a, days_ago=0)  # infusion 1 due today
    client.force_login(clinician)
    response = client.get(reverse("participant-list"))
    order = [p.study_id for p in response.context["participants"]]
    assert order.index(infusion_today.study_id) < order.index(due.study_id) < order.index(observed.study_id)
    page = response.content.decode()
    assert reverse("observations-new", args=[due.study_id]) in page
    assert reverse("infusions-new", args=[infusion_today.study_id]) in page
    assert reverse("observations-new", args=[observed.study_id]) not in page


def test_the_ward_order_pages_what_is_due_first_then_everyone_else_by_study_id(clinician, coordinator, site_a):
    # Created in this order, so the study IDs run the other way from what is due.
    screening = screened_participant(user=coordinator, site=site_a)
    home = treated_participant(user=coordinator, site=site_a, days_ago=3, arm_code="control")
    end_study(home, user=coordinator, on=timezone.localdate())
    observed = treated_participant(user=coordinator, site=site_a, days_ago=3, arm_code="control")
    record(DailyObservation, observed, observation_values(observed, on=timezone.localdate()), user=clinician)
    due = treated_participant(user=coordinator, site=site_a, days_ago=3, arm_code="control")
    infusion_today = treated_participant(user=coordinator, site=site_a, days_ago=0)
    order = WardOrder(Participant.objects.for_user(clinician).active(), timezone.localdate())
    everyone = order[0 : len(order)]
    assert len(order) == 5
    # The person waiting to be enrolled is owed a decision (issue 28, 11): after the infusion, before the
    # routine observation.
    assert everyone == [infusion_today.pk, screening.pk, due.pk, home.pk, observed.pk]
    # Any page, across the boundary between what is due and the rest, is the same cut of the one order.
    for size in (1, 2, 3):
        pages = [order[start : start + size] for start in range(0, len(order), size)]
        assert [pk for page in pages for pk in page] == everyone
    assert order.state.observed_today == {observed.pk}  # the page reads its badges from it


def test_a_query_card_names_its_record_and_correct_the_record_opens_on_the_queried_field(
    client, clinician, monitor, participant
):
    observation = yesterday_observed(participant, clinician)
    query = casebook_services.query_raise(
        record=observation, user=monitor, field_name="heart_rate", text="Heart rate 82 at 02:00? Check the chart."
    )
    client.force_login(clinician)
    page = client.get(reverse("participant-detail", args=[participant.study_id])).content.decode()
    day = participant.study_day(observation.observation_date)
    assert f"Daily observation {observation.observation_date:%Y-%m-%d} (day {day})" in page
    assert f"(query #{query.pk})" in page
    edit = reverse("observations-edit", args=[participant.study_id, observation.pk]) + f"?query={query.pk}"
    form_page = client.get(edit).content.decode()
    assert 'id="answering-query"' in form_page and "Check the chart." in form_page
    field = re.search(r'<input[^>]*id="id_heart_rate"[^>]*>', form_page).group(0)
    assert f'data-query="{query.pk}"' in field and "autofocus" in field
    assert "autofocus" not in re.search(r'<input[^>]*id="id_temperature_c"[^>]*>', form_page).group(0)


def test_a_correction_keeps_what_was_carried(client, clinician, participant):
    yesterday_observed(participant, clinician)
    client.force_login(clinician)
    url = reverse("observations-new", args=[participant.study_id])
    client.post(url, form_post(client.get(url).context["form"], confirm_carried="on"))
    today = DailyObservation.objects.get(observation_date=timezone.localdate())
    carried = (today.carried_from, today.carried_fields)
    edit = reverse("observations-edit", args=[participant.study_id, today.pk])
    form = client.get(edit).context["form"]
    data = form_post(form, heart_rate="101", change_reason="Recounted", loaded_version=str(today.version))
    assert client.post(edit, data).status_code == 302
    today.refresh_from_db()
    assert today.heart_rate == 101 and (today.carried_from, today.carried_fields) == carried


def test_a_form_that_sent_no_carried_day_carried_nothing_and_a_voided_source_is_refused(
    client, clinician, coordinator, participant
):
    source = yesterday_observed(participant, clinician)
    client.force_login(clinician)
    url = reverse("observations-new", args=[participant.study_id])
    form = client.get(url).context["form"]
    # A client that typed every value (no carried day sent): nothing to confirm, nothing recorded as carried.
    typed = {k: v for k, v in form_post(form).items() if k not in ("carried_from", "confirm_carried")}
    source.void(reason="Entered for the wrong participant", user=coordinator)
    refused = client.post(url, form_post(form, confirm_carried="on"))
    assert refused.status_code == 200 and "was voided since it was opened" in refused.content.decode()
    assert client.post(url, typed).status_code == 302
    today = DailyObservation.objects.get(observation_date=timezone.localdate())
    assert today.carried_from is None and today.carried_fields == ""


def test_the_vital_signs_are_carried_only_when_asked_and_then_marked_and_recorded(client, clinician, participant):
    previous = yesterday_observed(participant, clinician)
    client.force_login(clinician)
    url = reverse("observations-new", args=[participant.study_id])
    page = client.get(url).content.decode()
    assert 'href="?carry_vitals=1"' in page and f"Copy the vital signs of {previous.observation_date:%d %b}" in page
    response = client.get(url + "?carry_vitals=1")
    form = response.context["form"]
    assert form.initial["heart_rate"] == previous.heart_rate and form.initial["temperature_c"] == previous.temperature_c
    heart_rate = re.search(r'<input[^>]*id="id_heart_rate"[^>]*>', response.content.decode()).group(0)
    assert "data-carried=" in heart_rate and 'id="copy-vital-signs"' not in response.content.decode()
    # The browser posts what the page shows: the carried vital signs, one of them changed.
    data = {k: v for k, v in form_post(form).items() if k not in VITAL_SIGNS}
    data.update({name: str(form.initial[name]) for name in VITAL_SIGNS}, heart_rate="101", confirm_carried="on")
    assert client.post(url, data).status_code == 302
    today = DailyObservation.objects.get(observation_date=timezone.localdate())
    carried = today.carried_fields.split(",")
    assert today.heart_rate == 101 and today.temperature_c == previous.temperature_c
    assert "temperature_c" in carried and "spo2_percent" in carried and "heart_rate" not in carried
    assert "oxygen_support" in carried


def test_a_page_that_did_not_ask_for_the_vital_signs_never_records_them_as_carried(client, clinician, participant):
    previous = yesterday_observed(participant, clinician)
    client.force_login(clinician)
    url = reverse("observations-new", args=[participant.study_id])
    form = client.get(url).context["form"]
    # The same numbers typed as yesterday's are typed, not carried.
    same = {name: str(getattr(previous, name)) for name in VITAL_SIGNS}
    assert client.post(url, form_post(form, confirm_carried="on", **same)).status_code == 302
    today = DailyObservation.objects.get(observation_date=timezone.localdate())
    assert not set(today.carried_fields.split(",")) & set(VITAL_SIGNS)
