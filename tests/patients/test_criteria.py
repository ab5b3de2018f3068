"""The eligibility criteria as data of the trial (issue 29, 1): set in the admin before screening, asked by
the screening form, decided by the rules, fixed once anyone is screened; phase 1's ten from the migration."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from patients.casebook.criteria import EligibilityCriterion
from patients.eligibility import current_criteria
from patients.models import COMORBIDITY_FIELDS, Participant
from tests.factories import screened_participant
from tests.helpers import admin_form_data, error_codes

pytestmark = pytest.mark.django_db


def screening_post(site, **answers):
    data = {
        "site": site.pk,
        "initials": "ZWL",
        "sex": "M",
        "date_of_birth": "1968-04-02",
        "weight_kg": "71.5",
        "height_cm": "172",
        "admission_date": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        "symptom_onset_date": (timezone.localdate() - datetime.timedelta(days=6)).isoformat(),
        "severity": "severe",
        **dict.fromkeys(COMORBIDITY_FIELDS, "no"),
        "screening_datetime": (timezone.localtime() - datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
    }
    data.update({f"criterion_{c.code}": c.required_answer for c in current_criteria()})
    data.update({f"criterion_{code}": answer for code, answer in answers.items()})
    return data


def test_phase_1s_ten_criteria_come_from_the_migration():
    criteria = current_criteria()
    assert [c.code for c in criteria][:2] == ["inc_age", "inc_rt_pcr"] and len(criteria) == 10
    age = criteria[0]
    assert (age.automatic, age.min_value, age.max_value, age.required_answer) == ("age", 18, 75, "yes")
    assert {c.required_answer for c in criteria if c.kind == "exclusion"} == {"no"}


def test_a_criterion_added_in_the_admin_is_asked_and_decides(client, coordinator, clinician, site_a):
    """The phase 2 protocol's "lung damage on CT" could only be approximated while the criteria were code."""
    client.force_login(coordinator)
    add = reverse("admin:patients_eligibilitycriterion_add")
    response = client.post(
        add,
        {
            "code": "exc_prior_lung_damage",
            "kind": "exclusion",
            "text": "Lung damage on CT from a disease other than COVID-19",
            "order": 20,
            "ineligible_answer": "yes",
            "automatic": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    client.force_login(clinician)
    page = client.get(reverse("participant-screen")).content.decode()
    assert "Lung damage on CT from a disease other than COVID-19" in page
    client.post(reverse("participant-screen"), screening_post(site_a, exc_prior_lung_damage="yes"))
    person = Participant.objects.get()
    assert person.status == "screen_failure"
    assert "Lung damage on CT" in person.eligibility().summary


def test_the_criteria_are_fixed_once_anyone_is_screened(client, coordinator, site_a):
    screened_participant(user=coordinator, site=site_a)
    criterion = EligibilityCriterion.objects.get(code="inc_age")
    criterion.max_value = 80
    with pytest.raises(ValidationError) as exc:
        criterion.full_clean()
    assert error_codes(exc, "__all__") == ["criteria_fixed"]
    client.force_login(coordinator)
    url = reverse("admin:patients_eligibilitycriterion_change", args=[criterion.pk])
    response = client.post(url, admin_form_data(client.get(url), text="Aged 18 to 80 years"))
    assert response.status_code == 200 and EligibilityCriterion.objects.get(pk=criterion.pk).text.endswith("75 years")


def test_a_criterion_is_shaped_as_its_kind_says():
    wrong = EligibilityCriterion(code="inc_x", kind="inclusion", text="X", ineligible_answer="yes")
    with pytest.raises(ValidationError) as exc:
        wrong.full_clean()
    assert error_codes(exc, "ineligible_answer") == ["ineligible_answer_for_kind"]
    no_range = EligibilityCriterion(code="inc_y", kind="inclusion", text="Y", ineligible_answer="no", automatic="age")
    with pytest.raises(ValidationError) as exc:
        no_range.full_clean()
    assert error_codes(exc, "max_value") == ["check_range"]


def test_the_analysis_files_code_the_answers_by_the_designs_criteria(coordinator, site_a):
    import csv
    import io
    import zipfile

    from ucmsc_crf.analysis.bundle import bundle_chunks

    screened_participant(user=coordinator, site=site_a)
    with zipfile.ZipFile(io.BytesIO(b"".join(bundle_chunks(user=coordinator)))) as archive:
        names = archive.namelist()
        dictionary = list(csv.DictReader(io.StringIO(archive.read("dictionary.csv").decode())))
    criterion = next(r for r in dictionary if r["column"] == "criterion")
    assert "inc_age" in str(criterion) and "Aged 18 to 75 years" in str(criterion)
    assert any("eligibility" in name for name in names)
