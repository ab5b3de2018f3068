"""Issue 29, done means: the published phase 2 design set up through the admin's forms only, as the data
manager (coordinator) and the unblinded statistician would by the guide (docs/setup/new-trial.md) (criteria, arms, the
blinded design with the levels it enrols, the schedule by form name, the list made and signed off), then
people screened, consented and randomised through the ward, the screening asking the configured criteria."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dosing.models import Regimen
from patients.casebook.schedule import Visit
from patients.models import Arm, Participant, RandomisationList, TrialDesign
from tests.factories import PASSWORD, UserFactory
from tests.helpers import admin_form_data
from tests.patients.test_criteria import screening_post

pytestmark = pytest.mark.django_db

LUNG = "Lung damage on CT from a disease other than COVID-19"


def saved(response):
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context and "adminform" in response.context else response
    )
    return response


def test_the_published_phase_2_design_set_up_through_the_admin_then_run_on_the_ward(client, site_a, site_b):
    coordinator = UserFactory(username="dm", role="Coordinator", sites=[site_a, site_b], is_staff=True)
    ustat = UserFactory(username="ustat", role="Unblinded statistician", is_staff=True)  # no sites: by the role
    clinician = UserFactory(username="ward", role="Clinician", sites=[site_a])

    # The data manager: the protocol's extra exclusion criterion, before anyone is screened.
    client.force_login(coordinator)
    saved(
        client.post(
            reverse("admin:patients_eligibilitycriterion_add"),
            {
                "code": "exc_prior_lung_damage",
                "kind": "exclusion",
                "text": LUNG,
                "order": 11,
                "ineligible_answer": "yes",
                "automatic": "",
            },
        )
    )

    # The unblinded statistician: 2:1 UC-MSC : placebo, the placebo arm on the regimen too (step 2).
    client.force_login(ustat)
    active, comparator = Arm.objects.get(code="ucmsc"), Arm.objects.get(code="control")
    url = reverse("admin:patients_arm_change", args=[active.pk])
    saved(client.post(url, admin_form_data(client.get(url), ratio_weight="2")))
    url = reverse("admin:patients_arm_change", args=[comparator.pk])
    saved(client.post(url, admin_form_data(client.get(url), name="Placebo", treatment="placebo")))
    add = reverse("admin:dosing_armregimen_add")
    regimen = Regimen.objects.get(code="ucmsc-phase1")
    saved(client.post(add, admin_form_data(client.get(add), arm=str(comparator.pk), regimen=str(regimen.pk))))

    # The data manager: blinded, by list, stratified by site and severity, enrolling moderate and severe only;
    # a day-28 visit expecting the quantitative CT, picked by its name.
    client.force_login(coordinator)
    url = reverse("admin:patients_trialdesign_change", args=[1])
    saved(
        client.post(
            url,
            admin_form_data(
                client.get(url),
                code="ucmsc-phase2",
                title="UC-MSC phase 2",
                blinded="on",
                allocation="list",
                stratify_by_site="on",
                stratification_factors=["severity"],
                enrolled_severity=["moderate", "severe"],
                follow_up_after_discharge="on",
            ),
        )
    )
    add = reverse("admin:patients_visit_add")
    page = client.get(add)
    assert '<option value="qct">' in page.content.decode()  # the form offered by its name
    prefix = page.context["inline_admin_formsets"][0].formset.prefix
    data = admin_form_data(
        page,
        code="d28",
        label="Day 28",
        anchor="day0",
        target_day="28",
        window_before="3",
        window_after="3",
        **{
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-0-crf_key": "qct",
            f"{prefix}-0-required": "on",
            f"{prefix}-0-expected_if": "always",
        },
    )
    saved(client.post(add, data))
    assert list(Visit.objects.get(code="d28").expected_forms.values_list("crf_key", flat=True)) == ["qct"]

    # The unblinded statistician: the list, generated, its report signed off.
    client.force_login(ustat)
    saved(
        client.post(
            reverse("admin:patients_randomisationlist_add"),
            {"generate-slots_per_stratum": "6", "generate-block_multiples": "1", "generate-seed": "2020"},
        )
    )
    made = RandomisationList.objects.get()
    assert made.strata.count() == 4  # 2 sites x moderate, severe: never a stratum that cannot be used
    saved(client.post(reverse("admin:patients_randomisationlist_change", args=[made.pk]), {"password": PASSWORD}))
    design = TrialDesign.current()
    assert design.blinded and design.randomised and design.enrolled_levels == {"severity": ["moderate", "severe"]}

    # The ward: the screening form asks the configured criteria; consent; "Randomise and enrol".
    client.force_login(clinician)
    page = client.get(reverse("participant-screen")).content.decode()
    assert LUNG in page and "Aged 18 to 75 years" in page
    saved(client.post(reverse("participant-screen"), screening_post(site_a, exc_prior_lung_damage="no")))
    person = Participant.objects.get()
    consent_at = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    saved(
        client.post(
            reverse("consent-new", args=[person.study_id]),
            {"consent_datetime": consent_at, "form_version": "2.0", "given_by": "participant"},
        )
    )
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    enrol = reverse("participant-enrol", args=[person.study_id])
    assert "Randomise and enrol" in client.get(enrol).content.decode()
    saved(client.post(enrol, {"enrolment_datetime": now}))
    person.refresh_from_db()
    assert person.status == "enrolled"
    assert person.randomisation_slot.stratum.key == f"site={site_a.code}|severity=severe"
    # A person with prior lung damage is a screen failure, named by the criterion.
    client.post(reverse("participant-screen"), screening_post(site_a, exc_prior_lung_damage="yes"))
    failed = Participant.objects.exclude(pk=person.pk).get()
    assert failed.status == "screen_failure" and LUNG in failed.eligibility().summary
