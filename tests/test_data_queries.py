"""A data query's life: raised on a record's field, seen and answered by the site (after correcting the
data), re-opened or closed by the raiser; open queries block the casebook lock."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dosing.models import Infusion
from outcomes.models import DailyObservation
from patients.casebook import services as casebook_services
from patients.casebook.queries import DataQuery
from patients.casebook.saving import record_save
from tests.factories import UserFactory, give_infusion, observation_values, record, treated_participant
from tests.helpers import error_codes

pytestmark = pytest.mark.django_db
# These tests are about what a lock does, not about verification: they lock with records unverified.
UNVERIFIED = "Test casebook: records not verified"


@pytest.fixture
def observation(coordinator, clinician, site_a):
    participant = treated_participant(user=coordinator, site=site_a)
    return record(DailyObservation, participant, observation_values(participant, heart_rate=180), user=clinician)


def test_life_cycle_from_raise_to_close(client, observation, monitor, clinician, coordinator):
    participant = observation.participant
    query = casebook_services.query_raise(
        record=observation, user=monitor, field_name="heart_rate", text="HR 180 at rest?"
    )
    assert (query.status, query.site_status, query.field_label) == ("open", "awaiting", "heart rate (/min)")

    # The clinician sees it in the list and on the participant page, corrects the value and answers.
    client.force_login(clinician)
    row = next(p for p in client.get(reverse("participant-list")).context["participants"] if p.pk == participant.pk)
    assert row.open_queries == 1
    page = client.get(reverse("participant-detail", args=[participant.study_id])).content.decode()
    assert "HR 180 at rest?" in page and "Open data queries (1)" in page
    observation.heart_rate = 80
    record_save(
        observation, user=None, reason=f"Query #{query.pk}: transcription error, 80 on the chart", validate=True
    )
    response = client.post(
        reverse("query-answer", args=[participant.study_id, query.pk]), {"answer": "Corrected to 80"}
    )
    assert response.status_code == 302
    query.refresh_from_db()
    assert (query.site_status, query.answered_by, query.answer) == ("answered", clinician, "Corrected to 80")

    # The monitor is not satisfied: re-opened, answered again, then closed.
    casebook_services.query_reopen(query=query, user=monitor, reason="Please attach the source")
    query.refresh_from_db()
    assert (query.status, query.site_status) == ("open", "awaiting")
    casebook_services.query_answer(query=query, user=clinician, answer="Source filed")
    casebook_services.query_close(query=query, user=monitor, note="Verified against source")
    query.refresh_from_db()
    assert query.status == "closed" and query.closed_by == monitor
    reasons = list(query.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert reasons == [
        "Query raised",
        "Query answered",
        "Query re-opened: Please attach the source",
        "Query answered",
        "Query closed: Verified against source",
    ]
    correction = observation.history.latest()
    assert f"Query #{query.pk}" in correction.history_change_reason


def test_only_the_raiser_or_a_coordinator_closes(observation, monitor, clinician, coordinator, site_a):
    query = casebook_services.query_raise(record=observation, user=monitor, text="Check the date")
    with pytest.raises(PermissionDenied):
        casebook_services.query_close(query=query, user=clinician)
    other_monitor = UserFactory(role="Monitor", sites=[site_a])
    with pytest.raises(PermissionDenied):
        casebook_services.query_reopen(query=query, user=other_monitor, reason="x")
    casebook_services.query_close(query=query, user=coordinator)


def test_a_query_names_a_real_field_of_the_participants_own_record(observation, monitor, coordinator, site_a):
    with pytest.raises(ValidationError) as exc:
        casebook_services.query_raise(record=observation, user=monitor, field_name="pulse", text="?")
    assert [e.code for e in exc.value.error_dict["field_name"]] == ["unknown_field"]
    other = treated_participant(user=coordinator, site=site_a)
    query = DataQuery(participant=other, record=observation, text="?", raised_by=monitor)
    with pytest.raises(ValidationError) as exc:
        query.full_clean()
    assert [e.code for e in exc.value.error_dict["object_id"]] == ["no_such_record"]


def test_open_queries_block_the_casebook_lock(observation, monitor, coordinator):
    participant = observation.participant
    query = casebook_services.query_raise(record=observation, user=monitor, text="?")
    with pytest.raises(ValidationError) as exc:
        casebook_services.casebook_lock(
            participant=participant, user=coordinator, reason="done", override_reason=UNVERIFIED
        )
    assert error_codes(exc, "reason") == ["open_queries"]
    casebook_services.query_close(query=query, user=monitor)
    assert casebook_services.casebook_lock(
        participant=participant, user=coordinator, reason="done", override_reason=UNVERIFIED
    ).casebook_locked


def test_admin_raises_from_a_record_and_works_the_queue(client, monitor, coordinator, clinician, site_a):
    participant = treated_participant(user=coordinator, site=site_a)
    infusion = give_infusion(participant, 1, user=clinician)
    client.force_login(monitor)
    change_page = client.get(reverse("admin:dosing_infusion_change", args=[infusion.pk])).content.decode()
    content_type = ContentType.objects.get_for_model(Infusion)
    record_choice = f"{content_type.pk}:{infusion.pk}"
    add_url = f"{reverse('admin:patients_dataquery_add')}?participant={participant.pk}&casebook_record={record_choice}"
    assert add_url.replace("&", "&amp;") in change_page
    form = client.get(add_url).context["adminform"].form
    assert form.initial["casebook_record"] == record_choice
    assert (record_choice, "Infusion: sequence number 1") in form.fields["casebook_record"].choices
    assert "answer" not in form.fields and "object_id" not in form.fields  # nothing typed by id or code
    response = client.post(
        add_url,
        {
            "participant": participant.pk,
            "casebook_record": record_choice,
            "record_field": "lot_number",
            "text": "Lot not on the release certificate",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    query = DataQuery.objects.get()
    assert (query.raised_by, query.record, query.field_name) == (monitor, infusion, "lot_number")

    queue = reverse("admin:patients_dataquery_changelist")
    assert [q.pk for q in client.get(queue, {"status__exact": "open"}).context["cl"].result_list] == [query.pk]
    query.raised_datetime -= datetime.timedelta(days=10)
    record_save(query, user=None, reason="test: age the query")
    assert [q.pk for q in client.get(queue, {"age": "30"}).context["cl"].result_list] == [query.pk]
    assert list(client.get(queue, {"age": "7"}).context["cl"].result_list) == []
    client.post(queue, {"action": "close_queries", "_selected_action": [query.pk]})
    query.refresh_from_db()
    assert query.status == "closed"


def test_other_sites_queries_are_not_in_the_queue(client, monitor, coordinator_b, site_b):
    participant = treated_participant(user=coordinator_b, site=site_b)
    casebook_services.query_raise(record=participant, user=coordinator_b, text="Site B only")
    client.force_login(monitor)
    assert "Site B only" not in client.get(reverse("admin:patients_dataquery_changelist")).content.decode()


def test_participant_admin_filters_open_queries_and_signatures(
    client, observation, monitor, coordinator, clinician, site_a
):
    from tests.factories import PASSWORD

    quiet = treated_participant(user=coordinator, site=site_a)
    casebook_services.query_raise(record=observation, user=monitor, text="?")
    casebook_services.casebook_sign(participant=quiet, user=clinician, password=PASSWORD, meaning="complete_accurate")
    client.force_login(coordinator)
    url = reverse("admin:patients_participant_changelist")

    def ids(**params):
        return {p.pk for p in client.get(url, params).context["cl"].result_list}

    assert ids(open_queries="yes") == {observation.participant_id}
    assert ids(open_queries="no") == {quiet.pk}
    assert ids(signed="yes") == {quiet.pk}
    assert ids(signed="no") == {observation.participant_id}


def test_a_query_is_raised_only_on_its_participants_casebook_forms(observation, monitor, coordinator_b, site_b):
    from django.contrib.auth import get_user_model

    participant = observation.participant
    as_user = DataQuery(
        participant=participant,
        content_type=ContentType.objects.get_for_model(get_user_model()),
        object_id=monitor.pk,
        field_name="password",
        text="?",
        raised_by=monitor,
    )
    with pytest.raises(ValidationError) as exc:
        as_user.full_clean()
    assert [e.code for e in exc.value.error_dict["content_type"]] == ["not_a_casebook_form"]
    elsewhere = treated_participant(user=coordinator_b, site=site_b)
    other_sites = DailyObservation.objects.create(
        participant=elsewhere, **observation_values(elsewhere, on=elsewhere.day0_date)
    )
    pointed = DataQuery(participant=participant, record=other_sites, text="?", raised_by=monitor)
    with pytest.raises(ValidationError) as exc:
        pointed.full_clean()
    assert [e.code for e in exc.value.error_dict["object_id"]] == ["no_such_record"]


def test_only_the_site_answers(observation, monitor, clinician):
    query = DataQuery(
        participant=observation.participant, record=observation, text="?", answer="Fine", raised_by=monitor
    )
    with pytest.raises(ValidationError) as exc:
        query.full_clean()
    assert [e.code for e in exc.value.error_dict["answer"]] == ["answered_on_raise"]
    query = casebook_services.query_raise(record=observation, user=monitor, text="Check the time")
    casebook_services.query_answer(query=query, user=clinician, answer="Checked against the chart")
    assert DataQuery.objects.get().answer == "Checked against the chart"


def test_the_admin_refuses_a_tampered_record_choice(client, observation, monitor, coordinator_b, site_b):
    elsewhere = treated_participant(user=coordinator_b, site=site_b)
    other_sites = DailyObservation.objects.create(
        participant=elsewhere, **observation_values(elsewhere, on=elsewhere.day0_date)
    )
    content_type = ContentType.objects.get_for_model(DailyObservation)
    participant = observation.participant
    client.force_login(monitor)
    response = client.post(
        f"{reverse('admin:patients_dataquery_add')}?participant={participant.pk}",
        {
            "participant": participant.pk,
            "casebook_record": f"{content_type.pk}:{other_sites.pk}",
            "record_field": "",
            "text": "?",
        },
    )
    assert response.status_code == 200 and not DataQuery.objects.exists()
    assert response.context["adminform"].form.errors["casebook_record"]
