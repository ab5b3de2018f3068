"""What the clinician sees of review: submit or keep a draft, a verified record's warning, a locked record
offered for no edit, and a correction that names the data query it answers."""

import datetime

import pytest
from django.urls import reverse

from outcomes.models import DailyObservation, LabResult
from patients.casebook import services as casebook_services
from patients.casebook.choices import ReviewStatus
from tests.factories import observation_values, record, treated_participant
from tests.helpers import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant(coordinator, site_a):
    return treated_participant(user=coordinator, site=site_a)


@pytest.fixture
def observation(participant, clinician):
    return record(DailyObservation, participant, observation_values(participant), user=clinician)


def edit_url(participant, observation):
    return reverse("observations-edit", args=[participant.study_id, observation.pk])


def page(client, participant):
    return client.get(reverse("participant-detail", args=[participant.study_id])).content.decode()


@pytest.mark.parametrize(
    ("button", "status", "message"),
    [("submit_record", "submitted", "Daily observation submitted."), ("save_draft", "draft", "saved as a draft")],
)
def test_a_new_record_is_submitted_or_kept_as_a_draft(client, participant, clinician, button, status, message):
    client.force_login(clinician)
    url = reverse("observations-new", args=[participant.study_id])
    assert 'name="save_draft"' in client.get(url).content.decode()
    response = client.post(url, {**form_data(observation_values(participant)), button: "x"}, follow=True)
    assert DailyObservation.objects.get().review_status == status
    assert any(message in str(m) for m in response.context["messages"])
    shown = page(client, participant)
    assert ('title="Draft: not yet submitted for review">draft</span>' in shown) == (status == "draft")


def test_a_draft_is_submitted_later_from_its_edit_form(client, participant, observation, clinician):
    client.force_login(clinician)
    data = {
        **form_data(observation_values(participant)),
        "loaded_version": "1",
        "change_reason": "Completed",
        "submit_record": "Submit",
    }
    assert client.post(edit_url(participant, observation), data).status_code == 302
    saved = DailyObservation.objects.get()
    assert (saved.review_status, saved.review_changed_by) == (ReviewStatus.SUBMITTED, clinician)


def test_editing_a_verified_record_warns_then_returns_it_to_submitted(
    client, participant, observation, clinician, monitor
):
    casebook_services.record_review(record=observation, user=clinician, step="submit")
    observation = casebook_services.record_review(record=observation, user=monitor, step="verify")
    client.force_login(clinician)
    form_page = client.get(edit_url(participant, observation)).content.decode()
    assert "Verified by mon_a" in form_page and "returns it to submitted" in form_page
    assert 'name="save_draft"' not in form_page
    data = {
        **form_data(observation_values(participant, heart_rate=99)),
        "loaded_version": str(observation.version),
        "change_reason": "Source says 99",
    }
    assert client.post(edit_url(participant, observation), data).status_code == 302
    assert DailyObservation.objects.get().review_status == ReviewStatus.SUBMITTED


def test_a_locked_record_has_no_edit_link_and_refuses_a_post(
    client, participant, observation, clinician, monitor, coordinator
):
    for user, step in ((clinician, "submit"), (monitor, "verify"), (coordinator, "lock")):
        observation = casebook_services.record_review(record=observation, user=user, step=step)
    client.force_login(clinician)
    shown = page(client, participant)
    assert edit_url(participant, observation) not in shown and ">locked</span>" in shown
    data = {
        **form_data(observation_values(participant, heart_rate=99)),
        "loaded_version": str(observation.version),
        "change_reason": "late",
    }
    response = client.post(edit_url(participant, observation), data)
    assert response.status_code == 200
    assert "is locked" in " ".join(response.context["form"].non_field_errors())
    assert DailyObservation.objects.get().heart_rate == 82


def test_a_correction_names_the_query_it_answers(client, participant, observation, clinician, monitor):
    query = casebook_services.query_raise(
        record=observation, user=monitor, text="Heart rate 82?", field_name="heart_rate"
    )
    client.force_login(clinician)
    link = f"{edit_url(participant, observation)}?query={query.pk}"
    assert link in page(client, participant)
    form = client.get(link).context["form"]
    assert form["answers_query"].value() == query.pk
    data = {
        **form_data(observation_values(participant, heart_rate=92)),
        "loaded_version": "1",
        "change_reason": f"Query #{query.pk}: source says 92",
        "answers_query": str(query.pk),
    }
    assert client.post(link, data).status_code == 302
    entry = DailyObservation.objects.get().history.latest()
    assert entry.answers_query_id == query.pk and entry.history_user == clinician
    assert "Corrected by clin_a" in page(client, participant)
    # The admin's review page links the audit entry back to the query.
    client.force_login(monitor)
    review = client.get(reverse("admin:outcomes_dailyobservation_review", args=[observation.pk])).content.decode()
    assert reverse("admin:patients_dataquery_change", args=[query.pk]) in review


def test_a_query_about_another_record_cannot_be_named(client, participant, observation, clinician, monitor):
    other = record(
        DailyObservation,
        participant,
        observation_values(participant, on=participant.day0_date + datetime.timedelta(days=1)),
        user=clinician,
    )
    query = casebook_services.query_raise(record=other, user=monitor, text="SpO2?")
    client.force_login(clinician)
    form = client.get(f"{edit_url(participant, observation)}?query={query.pk}").context["form"]
    assert "answers_query" not in form.fields
    data = {
        **form_data(observation_values(participant)),
        "loaded_version": "1",
        "change_reason": "x",
        "answers_query": str(query.pk),
    }
    client.post(edit_url(participant, observation), data)
    assert DailyObservation.objects.get(pk=observation.pk).history.latest().answers_query_id is None


def test_lab_results_can_be_kept_as_drafts(client, participant, clinician):
    client.force_login(clinician)
    url = reverse("lab-sample-new", args=[participant.study_id])
    sample = datetime.datetime.combine(participant.day0_date, datetime.time(8)).strftime("%Y-%m-%dT%H:%M")
    client.post(url, {"sample_datetime": sample, "il6": "35", "save_draft": "x"})
    assert list(LabResult.objects.values_list("review_status", flat=True)) == ["draft"]


def test_the_page_counts_records_by_review_status(client, participant, observation, clinician):
    casebook_services.record_review(record=observation, user=clinician, step="submit")
    client.force_login(clinician)
    shown = page(client, participant)
    assert "1 submitted" in shown and "0 verified" in shown


def test_an_edit_is_reported_as_a_correction(client, clinician, coordinator, site_a):
    from django.urls import reverse

    from outcomes.models import DailyObservation
    from tests.factories import observation_values, record, treated_participant

    participant = treated_participant(user=coordinator, site=site_a)
    observation = record(DailyObservation, participant, observation_values(participant), user=clinician)
    client.force_login(clinician)
    url = reverse("observations-edit", args=[participant.study_id, observation.pk])
    form = client.get(url).context["form"]
    data = {name: "" if value is None else value for name, value in form.initial.items()}
    data.update(heart_rate=95, change_reason="Re-counted", loaded_version=observation.version, submit_record="Save")
    data = {k: v for k, v in data.items() if v is not False}
    response = client.post(url, data, follow=True)
    assert "Daily observation corrected." in response.content.decode()
    assert "Daily observation submitted." not in response.content.decode()


def test_save_draft_is_an_outline_button_not_blue_on_blue(client, participant, clinician):
    """Issue 28, 8: "Save draft" carried btn-primary and btn-outline-primary at once: blue text on blue."""
    import re

    client.force_login(clinician)
    form_page = client.get(reverse("observations-new", args=[participant.study_id])).content.decode()
    tag = re.search(r'<input[^>]*name="save_draft"[^>]*>', form_page).group(0)
    classes = re.search(r'class="([^"]*)"', tag).group(1).split()
    assert "btn-outline-primary" in classes and "btn-primary" not in classes


@pytest.mark.parametrize(("written", "answer"), [("", "Query #{pk}: source says 92"), ("Checked the chart", None)])
def test_the_reason_for_change_answers_the_query_unless_another_answer_is_written(
    client, participant, observation, clinician, monitor, written, answer
):
    """Issue 28, 7: the clinician wrote the same explanation twice (the reason for change, then the answer)."""
    from patients.casebook.queries import DataQuery

    query = casebook_services.query_raise(
        record=observation, user=monitor, text="Heart rate 82?", field_name="heart_rate"
    )
    client.force_login(clinician)
    link = f"{edit_url(participant, observation)}?query={query.pk}"
    data = {
        **form_data(observation_values(participant, heart_rate=92)),
        "loaded_version": "1",
        "change_reason": f"Query #{query.pk}: source says 92",
        "answers_query": str(query.pk),
        "query_answer": written,
    }
    assert client.post(link, data).status_code == 302
    query = DataQuery.objects.get(pk=query.pk)
    assert query.site_status == "answered" and query.answered_by == clinician
    assert query.answer == (answer.format(pk=query.pk) if answer else written)


def test_the_monitor_closes_or_sends_back_an_answer_from_the_review_and_participant_pages(
    client, participant, observation, clinician, monitor, site_a
):
    """Issue 28, 7: closing a query after its answer took the admin (8 page loads, 9 clicks)."""
    from patients.casebook.queries import DataQuery
    from tests.factories import UserFactory

    query = casebook_services.query_raise(record=observation, user=monitor, text="Heart rate 82?")
    casebook_services.query_answer(query=query, user=clinician, answer="Source says 82")
    other_monitor = UserFactory(username="mon_other", role="Monitor", sites=[site_a])
    url = reverse("query-review", args=[participant.study_id, query.pk])
    # Sent back from the participant page, with the reason; then answered again and closed from the review page.
    client.force_login(monitor)
    assert f'action="{url}"' in page(client, participant)
    client.post(url, {"action": "reopen", "reason": "Attach the monitor print-out", "back": "page"})
    query.refresh_from_db()
    assert query.site_status == "awaiting" and query.status == "open"
    casebook_services.query_answer(query=query, user=clinician, answer="Print-out filed")
    review = client.get(reverse("casebook-review", args=[participant.study_id])).content.decode()
    assert "Print-out filed" in review and f'action="{url}"' in review
    # Someone who neither raised it nor coordinates sees no buttons, and cannot close it by posting.
    client.force_login(other_monitor)
    assert f'action="{url}"' not in page(client, participant)
    client.post(url, {"action": "close", "back": "review"})
    assert DataQuery.objects.get(pk=query.pk).status == "open"
    client.force_login(monitor)
    response = client.post(url, {"action": "close", "back": "review"})
    assert response.status_code == 302 and response["Location"].endswith("/review/")
    assert DataQuery.objects.get(pk=query.pk).status == "closed"
