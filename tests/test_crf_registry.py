"""One place to add a case report form: the tests' throw-away form (tests/example_crf, installed by the
test settings only) is a model, a ward form and one registry entry, and it is on every surface the
registry feeds, with no other edit: the ward's pages, the participant page, "correct the record" links,
the participant admin, its own admin with review steps and import, the export, the analysis bundle and
its dictionary, the roles' permissions and the permission matrix."""

import csv
import io
import zipfile

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse

from patients.casebook import services as casebook_services
from patients.casebook.registry import registry
from tests.example_crf.models import PulseCheck
from tests.factories import crf_values, record, treated_participant
from tests.helpers import admin_export, url_patterns
from ucmsc_crf import settings as project_settings
from ucmsc_crf.analysis.bundle import bundle_chunks
from ucmsc_crf.analysis.columns import Options

pytestmark = pytest.mark.django_db


@pytest.fixture
def crf():
    return registry.get("pulse-checks")


@pytest.fixture
def participant(coordinator, site_a):
    return treated_participant(user=coordinator, site=site_a)


def test_the_example_form_exists_in_the_tests_only(crf):
    assert "tests.example_crf" in settings.INSTALLED_APPS
    assert "tests.example_crf" not in project_settings.INSTALLED_APPS
    assert crf.model is PulseCheck


def test_a_clinician_enters_and_corrects_it_on_the_ward(client, clinician, participant, crf):
    client.force_login(clinician)
    page = client.get(reverse("participant-detail", args=[participant.study_id])).content.decode()
    new_url = reverse("pulse-checks-new", args=[participant.study_id])
    assert f'href="{new_url}">Pulse check</a>' in page  # the page's button
    values = crf_values(crf, participant)
    response = client.post(new_url, {"check_date": values["check_date"].isoformat(), "pulse_bpm": "72"})
    assert response.status_code == 302
    check = PulseCheck.objects.get(participant=participant)
    assert check.history.first().history_user == clinician  # audited like every form
    # The rules of the model layer reach the ward form: out of range on its field, nothing saved.
    response = client.post(new_url, {"check_date": "2020-02-10", "pulse_bpm": "400"})
    assert "pulse_bpm" in response.context["form"].errors
    assert PulseCheck.objects.count() == 1

    page = client.get(reverse("participant-detail", args=[participant.study_id])).content.decode()
    assert "Pulse checks" in page and "72/min" in page  # its card, generic
    edit_url = reverse("pulse-checks-edit", args=[participant.study_id, check.pk])
    assert edit_url in page and reverse("pulse-checks-void", args=[participant.study_id, check.pk]) in page
    response = client.post(
        edit_url,
        {
            "check_date": check.check_date.isoformat(),
            "pulse_bpm": "80",
            "change_reason": "Misread the monitor",
            "loaded_version": check.version,
        },
    )
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.pulse_bpm == 80
    assert check.history.first().history_change_reason.startswith("Misread the monitor")


def test_a_query_about_it_links_to_its_correction(client, clinician, monitor, participant, crf):
    check = record(PulseCheck, participant, crf_values(crf, participant), user=clinician)
    query = casebook_services.query_raise(
        record=check, user=monitor, text="Pulse taken at rest?", field_name="pulse_bpm"
    )
    client.force_login(clinician)
    page = client.get(reverse("participant-detail", args=[participant.study_id])).content.decode()
    correction = reverse("pulse-checks-edit", args=[participant.study_id, check.pk]) + f"?query={query.pk}"
    assert correction in page


def test_it_is_in_the_admin_with_review_steps_import_export_and_the_participant_inline(
    client, coordinator, monitor, participant, crf
):
    check = record(PulseCheck, participant, crf_values(crf, participant), user=coordinator)
    client.force_login(coordinator)
    changelist = client.get(reverse("admin:example_crf_pulsecheck_changelist"))
    assert changelist.status_code == 200
    actions = [value for value, _ in changelist.context["action_form"].fields["action"].choices]
    assert {"submit_selected", "lock_selected"} <= set(actions)
    assert client.get(reverse("admin:example_crf_pulsecheck_import")).status_code == 200
    review = client.get(reverse("admin:example_crf_pulsecheck_review", args=[check.pk]))
    assert review.status_code == 200
    participant_page = client.get(reverse("admin:patients_participant_change", args=[participant.pk]))
    assert "pulse_checks-group" in participant_page.content.decode()  # its inline
    exported = admin_export(client, reverse("admin:example_crf_pulsecheck_export"))
    assert exported["Content-Type"].startswith("text/csv")
    # Its export, built from the model: named by study ID and its natural key, never a database id.
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert [(r["study_id"], r["check_date"], r["pulse_bpm"]) for r in rows] == [
        (participant.study_id, check.check_date.isoformat(), "72")
    ]
    assert "participant" not in rows[0] and "id" not in rows[0]
    # The review steps every form has: the coordinator submits it, the monitor verifies it.
    casebook_services.record_review(record=check, user=coordinator, step="submit")
    client.force_login(monitor)
    client.post(reverse("admin:example_crf_pulsecheck_review", args=[check.pk]), {"step": "verify", "reason": ""})
    check.refresh_from_db()
    assert check.review_status == "verified" and check.verified_by == monitor


def test_it_is_in_the_analysis_bundle_and_its_dictionary(coordinator, participant, crf):
    record(PulseCheck, participant, crf_values(crf, participant), user=coordinator)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(bundle_chunks(user=coordinator, options=Options()))))
    rows = list(csv.DictReader(io.StringIO(archive.read("pulse_checks.csv").decode())))
    assert rows[0]["study_id"] == participant.study_id
    assert rows[0]["pulse_bpm"] == "72" and rows[0]["study_day"] == "1"
    dictionary = list(csv.DictReader(io.StringIO(archive.read("dictionary.csv").decode())))
    described = {r["column"] for r in dictionary if r["file"] == "pulse_checks.csv"}
    assert {"study_id", "study_day", "check_date", "pulse_bpm", "review_status"} <= described


def test_roles_get_its_permissions_from_its_entry():
    def codes(role):
        return {
            p.codename for p in Group.objects.get(name=role).permissions.filter(content_type__app_label="example_crf")
        }

    assert codes("Clinician") == {"add_pulsecheck", "change_pulsecheck", "view_pulsecheck"}
    assert codes("Coordinator") == {"add_pulsecheck", "change_pulsecheck", "view_pulsecheck"}
    assert codes("Monitor") == {"view_pulsecheck"}
    assert codes("Statistician") == set()


def test_the_permission_matrix_walks_its_pages():
    # The matrix walks every URL the resolver has, and its ward pages are the registry's forms.
    assert registry.get("pulse-checks") in registry.with_ward_form()
    names = {name for name, _, _ in url_patterns()}
    assert {"pulse-checks-new", "pulse-checks-edit", "pulse-checks-void"} <= names
    assert {"admin:example_crf_pulsecheck_changelist", "admin:example_crf_pulsecheck_import"} <= names


def test_section_titles_keep_the_words_as_written():
    """Issue 28, 10: str.capitalize() made "Quantitative chest cts" and "Mmrc dyspnoea grades"."""
    from outcomes.models import DyspnoeaGrade, QuantitativeCt
    from patients.casebook.registry import registry
    from ucmsc_crf.casebook import SectionForm

    titles = {
        model: SectionForm(registry.for_model(model), [], False).title for model in (QuantitativeCt, DyspnoeaGrade)
    }
    assert titles == {QuantitativeCt: "Quantitative chest CTs", DyspnoeaGrade: "mMRC dyspnoea grades"}


def test_the_endpoints_are_the_forms_own_declarations():
    """Issue 30, 3: outcomes/endpoints.py kept its own list, so a new endpoint form reached 19 of 22 surfaces.
    The endpoints now derive from the registry; the scale test's reference keeps the list it was written with,
    an independent oracle, and the two agree."""
    from outcomes.endpoints import all_endpoints
    from tests.scale.reference.endpoints import ENDPOINTS as REFERENCE

    assert [(e.code, e.model, e.date_field, e.value_field, e.unit, e.kind) for e in all_endpoints()] == [
        (e.code, e.model, e.date_field, e.value_field, e.unit, e.kind) for e in REFERENCE
    ]


def test_an_endpoint_declared_on_a_new_form_reaches_the_analysis_table_and_the_endpoint_table(coordinator, site_a, crf):
    """Issue 30, 3: a form following "Adding a case report form" was missing from the change-from-baseline
    columns and the report's endpoint table. Declared on its registry entry, its endpoint is in both."""
    import dataclasses
    import datetime

    from outcomes.endpoint_table import endpoint_table
    from patients.casebook.registry import EndpointSpec
    from patients.casebook.schedule import Visit, VisitForm
    from patients.models import Participant
    from tests.factories import follow_up_after_discharge

    pulse = EndpointSpec("pulse", "Resting pulse", "pulse_bpm", "/min", "integer")
    registry.register(dataclasses.replace(crf, endpoints=(pulse,)))
    try:
        follow_up_after_discharge()
        visit = Visit.objects.create(code="d28", label="Day 28", target_day=28, window_before=3, window_after=3)
        VisitForm.objects.create(visit=visit, crf_key=crf.key)
        people = [
            treated_participant(user=coordinator, site=site_a, days_ago=35, arm_code=arm)
            for arm in ("ucmsc", "ucmsc", "control", "control")
        ]
        for n, p in enumerate(people):
            for day, bpm in ((0, 90 + n), (28, 70 + 2 * n)):
                values = {**crf_values(crf, p), "check_date": p.day0_date + datetime.timedelta(days=day)}
                record(PulseCheck, p, {**values, "pulse_bpm": bpm}, user=coordinator)
        archive = zipfile.ZipFile(io.BytesIO(b"".join(bundle_chunks(user=coordinator, options=Options()))))
        table = list(csv.DictReader(io.StringIO(archive.read("analysis_table.csv").decode())))
        first = next(r for r in table if r["study_id"] == people[0].study_id)
        assert (first["pulse_baseline"], first["pulse_d28"], first["pulse_d28_change"]) == ("90", "70", "-20")
        dictionary = {r["column"]: r for r in csv.DictReader(io.StringIO(archive.read("dictionary.csv").decode()))}
        assert "Resting pulse: change from baseline to Day 28" in dictionary["pulse_d28_change"]["label"]
        groups = [list(Participant.objects.filter(arm__code=code)) for code in ("ucmsc", "control")]
        row = next(r for r in endpoint_table(groups) if r.endpoint.code == "pulse")
        assert row.visit_label == "Day 28" and row.cells[0].n == 2 and row.shift is not None
    finally:
        registry.register(crf)
