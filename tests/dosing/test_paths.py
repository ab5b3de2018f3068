"""The same rules on every path: the clinician form, the admin, and an import (dry run and real)."""

import datetime
from decimal import Decimal

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dosing.admin import InfusionAdmin
from dosing.forms import InfusionForm
from dosing.models import Infusion, ProtocolDeviation
from dosing.resources import InfusionResource
from patients.import_batches import BatchedRecordResource
from patients.resources import ClinicalRecordResource
from tests.factories import give_infusion, infusion_values, planned_start, treated_participant
from tests.helpers import admin_form_data, infusion_dataset, local, run_infusion_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def treated(coordinator, site_a):
    return treated_participant(user=coordinator, site=site_a)


def plain_values(participant, k, user, **overrides) -> dict:
    values = infusion_values(participant, k, user=user, **overrides)
    values.pop("participant")
    values.pop("administered_by")
    return values


# The three rules the issue names, each as (infusion to try, field, words in the message).
def window_case(p):
    return 1, {"start": planned_start(p, 1, shift_days=2)}, "start_datetime", "window of +/- 1 day"


def gap_case(p):
    return (
        2,
        {"start": planned_start(p, 1, at=datetime.time(23, 0)) + datetime.timedelta(hours=30)},
        "start_datetime",
        "minimum safe gap",
    )


def count_case(p):
    return 4, {"start": planned_start(p, 3, shift_days=3)}, "sequence_number", "there is no infusion 4"


CASES = {"window": window_case, "gap": gap_case, "count": count_case}


def prepare(case, participant, user):
    """Give the infusions a case needs first (gap: infusion 1; count: all three)."""
    if case == "gap":
        give_infusion(participant, 1, user=user)
    if case == "count":
        for k in (1, 2, 3):
            give_infusion(participant, k, user=user)


# --- clinician form ---------------------------------------------------------------------------------


def form_post(participant, k, user, **overrides) -> dict:
    data = {}
    for name, value in plain_values(participant, k, user, **overrides).items():
        if isinstance(value, datetime.datetime):
            data[name] = local(value, "%Y-%m-%dT%H:%M")
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = str(value)
    return data


@pytest.mark.parametrize("case", CASES)
def test_form_shows_the_rule_on_its_field_and_saves_nothing(treated, coordinator, case):
    prepare(case, treated, coordinator)
    k, overrides, field, words = CASES[case](treated)
    before = Infusion.objects.count()
    form = InfusionForm(data=form_post(treated, k, coordinator, **overrides), participant=treated, user=coordinator)
    assert not form.is_valid()
    assert words in " ".join(form.errors[field])
    assert Infusion.objects.count() == before


def test_form_saves_an_off_window_infusion_with_its_deviation(treated, coordinator):
    data = form_post(treated, 1, coordinator, start=planned_start(treated, 1, shift_days=2))
    data["deviation_reason"] = "Product delivery delayed by two days"
    form = InfusionForm(data=data, participant=treated, user=coordinator)
    assert form.is_valid(), form.errors
    infusion = form.save()
    assert infusion.administered_by == coordinator
    assert ProtocolDeviation.objects.get().category == "infusion_window"


def test_form_renders_units_with_crispy_bootstrap(treated, coordinator):
    from crispy_forms.utils import render_crispy_form

    html = render_crispy_form(InfusionForm(participant=treated, user=coordinator))
    assert "× 10⁶ cells" in html and "°C" in html and "mmHg" in html and 'type="datetime-local"' in html


# --- admin ------------------------------------------------------------------------------------------


def admin_post(client, participant, k, user, **overrides) -> dict:
    values = infusion_values(participant, k, user=user, **overrides)
    page = client.get(reverse("admin:dosing_infusion_add"))
    data = admin_form_data(page)
    for name, value in values.items():
        if isinstance(value, datetime.datetime):
            data[f"{name}_0"] = local(value, "%Y-%m-%d")
            data[f"{name}_1"] = local(value, "%H:%M:%S")
        elif hasattr(value, "pk"):
            data[name] = str(value.pk)
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = str(value)
    return data


@pytest.mark.parametrize("case", CASES)
def test_admin_shows_the_rule_on_its_field_and_saves_nothing(client, treated, coordinator, case):
    prepare(case, treated, coordinator)
    k, overrides, field, words = CASES[case](treated)
    client.force_login(coordinator)
    before = Infusion.objects.count()
    response = client.post(
        reverse("admin:dosing_infusion_add"), admin_post(client, treated, k, coordinator, **overrides)
    )
    assert response.status_code == 200
    assert words in " ".join(response.context["adminform"].form.errors[field])
    assert Infusion.objects.count() == before


def test_admin_saves_a_valid_infusion_with_the_user_in_history(client, treated, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("admin:dosing_infusion_add"), admin_post(client, treated, 1, coordinator))
    assert response.status_code == 302
    infusion = Infusion.objects.get()
    assert infusion.history.get().history_user == coordinator
    changelist = client.get(reverse("admin:dosing_infusion_changelist")).content.decode()
    assert treated.study_id in changelist and "LOT-1" in changelist


# --- import -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "real"])
@pytest.mark.parametrize("case", CASES)
def test_import_refuses_the_row_with_its_message_and_saves_nothing(treated, coordinator, case, dry_run):
    prepare(case, treated, coordinator)
    k, overrides, field, words = CASES[case](treated)
    before = Infusion.objects.count()
    other = treated_participant(user=coordinator, site=treated.site)
    # A good row first: a file with any bad row saves nothing, not even the good ones.
    data = infusion_dataset((other, 1, coordinator, {}), (treated, k, coordinator, overrides))
    result = run_infusion_import(data, coordinator, dry_run)
    assert result.has_validation_errors()
    [invalid] = result.invalid_rows
    assert invalid.number == 2
    assert words in " ".join(invalid.error_dict[field])
    assert Infusion.objects.count() == before
    assert not other.infusions.exists()


def test_real_import_of_a_good_file_saves_with_user_and_reason(treated, coordinator):
    data = infusion_dataset((treated, 1, coordinator, {}), (treated, 2, coordinator, {}))
    result = run_infusion_import(data, coordinator, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert list(treated.infusions.values_list("sequence_number", flat=True)) == [1, 2]
    record = treated.infusions.get(sequence_number=1).history.get()
    assert record.history_user == coordinator and record.history_change_reason == "Imported from ward3.csv"
    assert list(treated.planned_infusions.values_list("status", flat=True)) == ["given", "given", "planned"]


def test_import_cannot_reach_another_sites_participant(treated, coordinator_b):
    result = run_infusion_import(infusion_dataset((treated, 1, coordinator_b, {})), coordinator_b, dry_run=False)
    [(row_number, errors)] = result.row_errors()
    assert row_number == 1
    assert "No participant '01-001' at your sites" in str(errors[0].error)
    assert not treated.infusions.exists()


def test_admin_import_dry_run_lists_each_refused_row(client, treated, coordinator):
    give_infusion(treated, 1, user=coordinator)
    data = infusion_dataset(
        (
            treated,
            2,
            coordinator,
            {"start": planned_start(treated, 1, at=datetime.time(23, 0)) + datetime.timedelta(hours=30)},
        )
    )
    client.force_login(coordinator)
    formats = [f().get_title() for f in InfusionAdmin(Infusion, None).get_import_formats()]
    response = client.post(
        reverse("admin:dosing_infusion_import"),
        {
            "format": formats.index("csv"),
            "import_file": SimpleUploadedFile("ward3.csv", data.export("csv").encode()),
            "resource": 0,
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "minimum safe gap" in body
    assert treated.infusions.count() == 1


def test_every_import_resource_validates_and_is_all_or_nothing():
    """Fails if anyone switches off full_clean on import, transactions, or turns on import-export's bulk mode
    outside the batch writer (patients/import_batches.py), which only models declaring adds_in_bulk use."""
    resources, unseen = [], [InfusionResource, ClinicalRecordResource]
    while unseen:
        resource = unseen.pop()
        resources.append(resource)
        unseen.extend(resource.__subclasses__())
    assert len(resources) > 3
    for resource in resources:
        assert resource._meta.clean_model_instances is True, resource
        assert resource._meta.use_transactions is True, resource
        if resource._meta.use_bulk:
            assert issubclass(resource, BatchedRecordResource), resource
            assert resource._meta.model is None or resource._meta.model.adds_in_bulk, resource


def test_dose_and_viability_soft_rules_hold_on_import(treated, coordinator):
    data = infusion_dataset((treated, 1, coordinator, {"viability_percent": Decimal("70.0")}))
    result = run_infusion_import(data, coordinator, dry_run=True)
    assert "release minimum" in " ".join(result.invalid_rows[0].error_dict["viability_percent"])
    data = infusion_dataset(
        (treated, 1, coordinator, {"viability_percent": Decimal("70.0"), "deviation_reason": "Only lot available"})
    )
    result = run_infusion_import(data, coordinator, dry_run=False)
    assert not result.has_validation_errors()
    assert ProtocolDeviation.objects.get().category == "viability"


# --- who gave it, date-times and codes on import: the forms' rules ------------------------------------


def with_value(data, column, value):
    """The one-row dataset with ``column`` set to ``value``."""
    changed = tablib.Dataset(headers=data.headers)
    row = list(data[0])
    row[data.headers.index(column)] = value
    changed.append(row)
    return changed


@pytest.mark.parametrize("who", ["another site's clinician", "a superuser", "an unknown name"])
def test_import_takes_administered_by_among_the_sites_users_only(treated, coordinator, clinician_b, who):
    from django.contrib.auth import get_user_model

    name = {
        "another site's clinician": clinician_b.username,
        "a superuser": get_user_model().objects.create_superuser("root", password="x" * 16).username,
        "an unknown name": "nobody-here",
    }[who]
    data = infusion_dataset((treated, 1, coordinator, {}))
    data = with_value(data, "administered_by", name)
    result = run_infusion_import(data, coordinator, dry_run=False)
    [invalid] = result.invalid_rows
    # One message whatever the reason: an import does not tell whether the username exists elsewhere.
    assert invalid.error_dict["administered_by"] == [f"{name!r} is not a user of this site."]
    assert not treated.infusions.exists()


def test_import_takes_utc_and_offset_times_as_the_admin_export_writes_them(treated, coordinator):
    from patients.casebook.exports import export_resource_for

    give_infusion(treated, 1, user=coordinator)
    exported = export_resource_for(Infusion)().export(queryset=Infusion.objects.all()).dict[0]
    assert exported["start_datetime"].endswith("Z")
    start = planned_start(treated, 2)
    data = infusion_dataset((treated, 2, coordinator, {}))
    data = with_value(data, "start_datetime", start.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    offset = datetime.timezone(datetime.timedelta(hours=8))
    data = with_value(data, "end_datetime", (start + datetime.timedelta(minutes=45)).astimezone(offset).isoformat())
    result = run_infusion_import(data, coordinator, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors(), [r.error_dict for r in result.invalid_rows]
    infusion = treated.infusions.get(sequence_number=2)
    assert infusion.start_datetime == start and infusion.end_datetime == start + datetime.timedelta(minutes=45)


@pytest.mark.parametrize(
    ("local_text", "kind"),
    [("2025-10-26 01:30:00", "ambiguous"), ("2025-03-30 01:30:00", "does not exist")],
)
def test_a_local_time_a_dst_change_makes_ambiguous_or_impossible_is_refused_on_its_field(
    treated, coordinator, settings, local_text, kind
):
    from patients.casebook.exports import UtcDateTimeWidget

    settings.TIME_ZONE = "Europe/London"
    timezone.activate("Europe/London")
    try:
        with pytest.raises(ValueError, match="ambiguous or does not exist as a local time in Europe/London"):
            UtcDateTimeWidget().clean(local_text)
        data = infusion_dataset((treated, 1, coordinator, {}))
        data = with_value(data, "start_datetime", local_text)
        [invalid] = run_infusion_import(data, coordinator, dry_run=True).invalid_rows
        assert any("ambiguous or does not exist" in m for m in invalid.error_dict["start_datetime"])
        # The forms refuse the same wall-clock time (Django's rule for form fields), and accept it with an offset.
        from django import forms
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError) as refused:
            forms.DateTimeField().clean(local_text)
        assert refused.value.code == "ambiguous_timezone"
        assert UtcDateTimeWidget().clean(local_text.replace(" ", "T") + "+00:00").tzinfo is not None
    finally:
        timezone.deactivate()


def test_end_after_start_compares_instants_across_a_dst_fall_back():
    from zoneinfo import ZoneInfo

    from dosing import rules

    london = ZoneInfo("Europe/London")
    first = datetime.datetime(2025, 10, 26, 1, 45, tzinfo=london)  # BST, 00:45 UTC
    second = datetime.datetime(2025, 10, 26, 1, 30, fold=1, tzinfo=london)  # GMT, 01:30 UTC: 45 min later
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    rules.check_infusion_times(start=first, end=second, now=now, max_duration=datetime.timedelta(hours=6))
    with pytest.raises(Exception) as refused:
        rules.check_infusion_times(start=second, end=first, now=now, max_duration=datetime.timedelta(hours=6))
    assert "must end after it starts" in str(refused.value)


def test_an_unknown_code_in_an_import_is_refused_on_its_field_naming_the_codes(treated, coordinator):
    from outcomes.models import DailyObservation
    from outcomes.resources import DailyObservationResource
    from tests.factories import observation_values

    headers = ["study_id", *DailyObservationResource.Meta.fields[1:]]
    values = observation_values(treated, oxygen_support="oxygen")
    data = tablib.Dataset(headers=headers)
    data.append([treated.study_id, *["" if values.get(h) is None else str(values[h]) for h in headers[1:]]])
    result = DailyObservationResource(user=coordinator).import_data(data, dry_run=True)
    assert not result.has_errors(), [e.error for _, errs in result.row_errors() for e in errs]
    [invalid] = result.invalid_rows
    [message] = invalid.error_dict["oxygen_support"]
    assert message.startswith("'oxygen' is not a code of oxygen support") and "room_air, low_flow" in message
    assert not DailyObservation.objects.exists()
