"""Setting a randomised trial up in the admin: the coordinator sets the design, the unblinded statistician
generates (or imports) the list, reads its report and signs it off; the coordinator sees the slots left per
stratum and nothing of the list itself."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from patients.models import RandomisationList, TrialDesign
from tests.factories import PASSWORD, UserFactory, enrolled_participant, randomised_design, signed_off_list
from tests.helpers import admin_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def statistician(site_a, site_b):
    return UserFactory(username="ustat", role="Unblinded statistician")


def test_the_coordinator_sets_the_design_until_someone_is_enrolled(client, coordinator, site_a):
    client.force_login(coordinator)
    url = reverse("admin:patients_trialdesign_change", args=[1])
    assert url in client.get(reverse("admin:patients_trialdesign_changelist")).content.decode()
    data = admin_form_data(client.get(url), stratify_by_site="on", stratification_factors=["severity"])
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    design = TrialDesign.current()
    assert design.stratify_by_site and design.stratification_factors == ["severity"]
    assert design.history.first().history_user == coordinator
    enrolled_participant(user=coordinator, site=site_a)
    response = client.post(url, {**data, "stratification_factors": ["severity", "sex"]})
    form = response.context["adminform"].form
    assert form.errors.as_data()["stratification_factors"][0].code == "design_fixed"
    assert TrialDesign.current().stratification_factors == ["severity"]


def test_after_enrolment_a_coordinator_cannot_let_investigators_unblind_alone(client, coordinator, site_a):
    """Issue 28, G: a blinded coordinator ticked "investigator may unblind alone" after enrolment, after which a
    clinician approved their own unblinding. Turning it on is refused on its field once anyone is enrolled;
    turning it off (every request to an approver) is still allowed, and audited."""
    client.force_login(coordinator)
    url = reverse("admin:patients_trialdesign_change", args=[1])
    enrolled_participant(user=coordinator, site=site_a)
    response = client.post(url, admin_form_data(client.get(url), unblinding_by_investigator_alone="on"))
    errors = response.context["adminform"].form.errors.as_data()
    assert [e.code for e in errors["unblinding_by_investigator_alone"]] == ["design_fixed"]
    assert TrialDesign.current().unblinding_by_investigator_alone is False
    TrialDesign.objects.filter(pk=1).update(unblinding_by_investigator_alone=True)  # as the trial started
    data = admin_form_data(client.get(url))
    data.pop("unblinding_by_investigator_alone", None)
    assert client.post(url, data).status_code == 302
    assert TrialDesign.current().unblinding_by_investigator_alone is False
    assert TrialDesign.current().history.first().history_user == coordinator


def test_a_blinded_design_the_admin_refuses_says_why_on_its_fields(client, coordinator):
    client.force_login(coordinator)
    url = reverse("admin:patients_trialdesign_change", args=[1])
    response = client.post(url, admin_form_data(client.get(url), blinded="on"))
    errors = response.context["adminform"].form.errors.as_data()
    assert [e.code for e in errors["allocation"]] == ["blinded_needs_list"]
    assert [e.code for e in errors["blinded"]] == ["blinded_arm_without_infusions"]


def test_the_statistician_generates_the_list_reads_its_report_and_signs_it_off(client, statistician, site_a, site_b):
    randomised_design(factors=["severity"])
    client.force_login(statistician)
    add = reverse("admin:patients_randomisationlist_add")
    page = client.get(add).content.decode()
    assert "Generate the list" in page and "active (Active product (UC-MSC)) 2 : placebo (Placebo) 1" in page
    response = client.post(
        add,
        {
            "generate": "1",
            "generate-slots_per_stratum": "12",
            "generate-block_multiples": "1, 2",
            "generate-seed": "77",
        },
    )
    made = RandomisationList.objects.get()
    assert response.url == reverse("admin:patients_randomisationlist_change", args=[made.pk])
    report = client.get(response.url).content.decode()
    assert "<code>77</code>" in report and made.algorithm in report and "not yet" in report
    assert report.count("<tr><td>Site ") == 8  # two sites times four severity levels
    response = client.post(response.url, {"password": "not it"})
    assert response.context["sign_off"].errors.as_data()["password"][0].code == "wrong_password"
    response = client.post(reverse("admin:patients_randomisationlist_change", args=[made.pk]), {"password": PASSWORD})
    made.refresh_from_db()
    assert made.signed_off_by == statistician
    download = client.get(reverse("admin:patients_randomisationlist_download", args=[made.pk]))
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert len(rows) == sum(made.strata.values_list("size", flat=True)) >= 8 * 12 and set(rows[0]) >= {
        "randomisation_number",
        "site",
        "severity",
        "arm",
    }


def test_a_bad_import_shows_its_problems_on_the_page(client, statistician, site_a, site_b):
    randomised_design()
    client.force_login(statistician)
    text = "randomisation_number,site,block,arm,treatment_code\nR1,01,1,active,A1\nR1,01,1,active,A2\n"
    response = client.post(
        reverse("admin:patients_randomisationlist_add"),
        {"import-file": SimpleUploadedFile("list.csv", text.encode(), content_type="text/csv")},
    )
    assert response.status_code == 200
    errors = response.context["upload"].errors.as_data()["file"]
    assert {e.code for e in errors} == {"list_problem"}
    page = response.content.decode()
    assert "randomisation number R1 appears twice" in page and "Stratum Site 02 (Site B): no rows." in page
    assert not RandomisationList.objects.exists()


def test_the_coordinator_sees_slots_left_per_stratum_and_never_the_list(client, coordinator, statistician, site_a):
    randomised_design()
    made = signed_off_list(user=statistician, slots_per_stratum=6, block_multiples=[1], seed=3)
    enrolled_participant(user=coordinator, site=site_a, arm_code=None)
    client.force_login(coordinator)
    strata = client.get(reverse("admin:patients_stratum_changelist"))
    text = strata.content.decode()
    # Site A's stratum only (the coordinator works there): 6 slots, 1 used, 5 left.
    assert [(s.label, s.size, s.used) for s in strata.context["cl"].result_list] == [("Site 01 (Site A)", 6, 1)]
    assert "Active cells" not in text and "Placebo saline" not in text
    index = client.get(reverse("admin:index")).content.decode()
    assert "Randomisation list" not in index and "Randomisation slot" not in index
    for url in (
        reverse("admin:patients_randomisationlist_changelist"),
        reverse("admin:patients_randomisationlist_change", args=[made.pk]),
        reverse("admin:patients_randomisationlist_download", args=[made.pk]),
        reverse("admin:patients_randomisationslot_changelist"),
        reverse("admin:patients_arm_changelist"),
    ):
        assert client.get(url).status_code in (403, 404), url


def test_the_design_enrols_the_protocols_levels_only(client, coordinator, site_a, site_b, statistician):
    """Issue 29, 2: stratifying by severity made sites x all four levels, half of them never usable; the
    protocol enrols moderate and severe only, and enrolment refuses another level with a code."""
    from django.core.exceptions import ValidationError

    from patients.randomisation.strata import design_strata
    from patients.services import participant_enrol
    from tests.factories import consent, screened_participant
    from tests.helpers import error_codes

    randomised_design(factors=["severity"])
    client.force_login(coordinator)
    url = reverse("admin:patients_trialdesign_change", args=[1])
    page = client.get(url)
    assert "levels enrolled" in page.content.decode()
    data = admin_form_data(page, enrolled_severity=["moderate", "severe"])
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    design = TrialDesign.current()
    assert design.enrolled_levels == {"severity": ["moderate", "severe"]}
    keys = [spec.key for spec in design_strata(design, [site_a, site_b])]
    assert keys == [
        "site=01|severity=moderate",
        "site=01|severity=severe",
        "site=02|severity=moderate",
        "site=02|severity=severe",
    ]
    signed_off_list(user=statistician, slots_per_stratum=6, block_multiples=[1], seed=4)
    mild = screened_participant(user=coordinator, site=site_a, severity="mild")
    consent(mild, user=coordinator)
    with pytest.raises(ValidationError) as exc:
        participant_enrol(participant=mild, user=coordinator)
    assert error_codes(exc, "severity") == ["level_not_enrolled"]
    severe = screened_participant(user=coordinator, site=site_a, severity="severe")
    consent(severe, user=coordinator)
    assert participant_enrol(participant=severe, user=coordinator).arm is not None
