"""A randomised design, as the trial runs it: the design's rules, the list generated or imported once, and
allocation at enrolment (next slot of the stratum, nothing taken by a refused enrolment, a used-up stratum
refused with a clear message, the arm never chosen nor told)."""

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.urls import reverse
from django.utils import timezone

from patients import services
from patients.casebook.choices import Allocation, ParticipantStatus, Severity, Treatment
from patients.casebook.design import TrialDesign
from patients.models import Arm, Participant, RandomisationList, RandomisationSlot, Stratum
from patients.randomisation import blocks
from patients.randomisation.services import list_generate, list_import, list_sign_off
from tests.factories import (
    PASSWORD,
    UserFactory,
    consent,
    enrolled_participant,
    randomised_design,
    screened_participant,
    signed_off_list,
)
from tests.helpers import error_codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def statistician(site_a, site_b):
    return UserFactory(username="ustat", role="Unblinded statistician", is_staff=True)


def test_a_blinded_design_allocates_by_list_and_gives_every_arm_infusions():
    design = TrialDesign.current()
    design.blinded = True
    with pytest.raises(ValidationError) as exc:
        design.full_clean()
    # Phase 1's control arm receives nothing: the ward would see who is in it.
    assert error_codes(exc, "allocation") == ["blinded_needs_list"]
    assert error_codes(exc, "blinded") == ["blinded_arm_without_infusions"]
    assert "Control receives nothing" in str(exc.value)


def test_a_placebo_arm_cannot_become_a_no_treatment_arm_in_a_blinded_design():
    randomised_design()
    placebo = Arm.objects.get(code="placebo")
    placebo.treatment = Treatment.NONE
    with pytest.raises(ValidationError) as exc:
        placebo.full_clean()
    assert error_codes(exc, "treatment") == ["blinded_arm_without_infusions"]


def test_the_design_is_fixed_once_anyone_is_enrolled(coordinator, site_a):
    design = TrialDesign.current()
    design.title = "Renamed before anyone is enrolled"
    design.stratify_by_site = True
    design.full_clean()  # nobody enrolled: the design may still change
    design.save()
    enrolled_participant(user=coordinator, site=site_a)
    design.refresh_from_db()
    design.allocation = Allocation.RANDOMISATION_LIST
    design.stratification_factors = ["severity"]
    with pytest.raises(ValidationError) as exc:
        design.full_clean()
    assert error_codes(exc, "allocation") == error_codes(exc, "stratification_factors") == ["design_fixed"]
    assert "Participants are enrolled" in str(exc.value)
    arm = Arm.objects.get(code="ucmsc")
    arm.ratio_weight = 2
    with pytest.raises(ValidationError) as exc:
        arm.full_clean()
    assert error_codes(exc, "ratio_weight") == ["design_fixed"]
    with pytest.raises(ValidationError) as exc:
        Arm(code="high", name="High dose", treatment=Treatment.ACTIVE).full_clean()
    assert error_codes(exc, "code") == ["design_fixed"]
    # A label is not the design: it may still be corrected.
    design.refresh_from_db()
    design.title = "UC-MSC phase 1, corrected title"
    design.full_clean()


def test_unknown_stratification_factors_are_refused():
    design = TrialDesign.current()
    design.stratification_factors = ["blood_group"]
    with pytest.raises(ValidationError) as exc:
        design.full_clean()
    assert error_codes(exc, "stratification_factors") == ["unknown_factor"]


def test_the_generated_list_has_every_stratum_in_exact_ratio_and_records_how_it_was_made(statistician, site_a, site_b):
    randomised_design(factors=["severity"])
    made = signed_off_list(user=statistician, slots_per_stratum=10, block_multiples=[1, 2], seed=424242)
    assert made.seed == 424242 and made.block_multiples == [1, 2] and made.slots_per_stratum == 10
    assert made.algorithm == blocks.ALGORITHM and "Python 3." in made.software_version
    assert made.design_snapshot == {
        "design": "ucmsc-phase2",
        "stratifiers": ["site", "severity"],
        "ratio": {"active": 2, "placebo": 1},
    }
    strata = list(made.strata.order_by("key"))
    # Two sites times four severity levels.
    assert len(strata) == 8 and strata[0].key == f"site={site_a.code}|severity=critical"
    for stratum in strata:
        slots = list(stratum.slots.select_related("arm").order_by("sequence"))
        assert stratum.size == len(slots) >= 10 and stratum.used == 0
        assert [s.sequence for s in slots] == list(range(1, len(slots) + 1))
        counts = {code: sum(s.arm.code == code for s in slots) for code in ("active", "placebo")}
        assert counts["active"] == 2 * counts["placebo"]  # complete blocks only, so exact over the stratum
        # The same as the pure function gives for this seed and stratum: reproducible from what is stored.
        again = blocks.permuted_blocks(
            seed=424242, stratum_key=stratum.key, weights={"active": 2, "placebo": 1}, multiples=[1, 2], min_slots=10
        )
        assert [s.arm.code for s in slots] == [p.arm for p in again]
    slots = RandomisationSlot.objects.all()
    assert len({s.number for s in slots}) == slots.count()
    # Active and placebo kits alike carry a code, so the code says nothing.
    assert all(s.treatment_code for s in slots) and len({s.treatment_code for s in slots}) == slots.count()
    # Written once, with its history.
    assert RandomisationSlot.history.count() == slots.count()
    with pytest.raises(ValidationError) as exc:
        list_generate(user=statistician, slots_per_stratum=10, block_multiples=[1])
    assert error_codes(exc) == ["list_exists"]


def test_a_list_is_only_made_for_a_randomised_design(statistician):
    with pytest.raises(ValidationError) as exc:
        list_generate(user=statistician, slots_per_stratum=10, block_multiples=[1])
    assert error_codes(exc) == ["not_randomised"]
    assert not RandomisationList.objects.exists()


def enrol_into_list(user, site, **fields):
    return enrolled_participant(user=user, site=site, arm_code=None, **fields)


def test_enrolment_takes_the_next_slot_of_the_participants_stratum(coordinator, statistician, site_a):
    randomised_design(factors=["severity"])
    signed_off_list(user=statistician, slots_per_stratum=6, block_multiples=[1, 2], seed=99)
    stratum = Stratum.objects.get(key=f"site={site_a.code}|severity=moderate")
    expected = list(stratum.slots.order_by("sequence"))
    enrolled = [enrol_into_list(coordinator, site_a, severity=Severity.MODERATE) for _ in range(3)]
    severe = enrol_into_list(coordinator, site_a, severity=Severity.SEVERE)
    for participant, slot in zip(enrolled, expected, strict=False):
        slot.refresh_from_db()
        assert slot.participant == participant and participant.arm_id == slot.arm_id
        assert slot.allocated_by == coordinator and slot.allocated_datetime == participant.enrolment_datetime
    stratum.refresh_from_db()
    assert stratum.used == 3 and stratum.remaining == stratum.size - 3
    assert severe.randomisation_slot.stratum.key == f"site={site_a.code}|severity=severe"
    assert severe.randomisation_slot.sequence == 1
    # The audit trail says who allocated which slot, and the enrolment's reason names no arm.
    assert expected[0].history.first().history_user == coordinator
    assert enrolled[0].history.first().history_change_reason == "Enrolled"


def test_an_ineligible_person_takes_no_slot(coordinator, statistician, site_a):
    randomised_design()
    signed_off_list(user=statistician, slots_per_stratum=3, block_multiples=[1], seed=5)
    participant = screened_participant(user=coordinator, site=site_a)  # no consent yet
    with pytest.raises(ValidationError) as exc:
        services.participant_enrol(participant=participant, user=coordinator, enrolment_datetime=timezone.now())
    assert error_codes(exc, "arm") == ["no_consent"]
    assert Stratum.objects.get(site=site_a).used == 0
    assert not RandomisationSlot.objects.filter(participant__isnull=False).exists()
    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.SCREENING


def test_a_used_up_stratum_refuses_enrolment_and_says_so(coordinator, statistician, site_a):
    randomised_design()
    signed_off_list(user=statistician, slots_per_stratum=3, block_multiples=[1], seed=5)
    for _ in range(3):
        enrol_into_list(coordinator, site_a)
    participant = screened_participant(user=coordinator, site=site_a)
    consent(participant, user=coordinator)
    with pytest.raises(ValidationError) as exc:
        services.participant_enrol(participant=participant, user=coordinator)
    assert error_codes(exc, NON_FIELD_ERRORS) == ["stratum_full"]
    assert "used up" in str(exc.value) and "all 3 slots" in str(exc.value)
    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.SCREENING and participant.arm_id is None


def test_without_a_list_or_with_a_chosen_arm_a_randomised_enrolment_is_refused(coordinator, statistician, site_a):
    randomised_design()
    participant = screened_participant(user=coordinator, site=site_a)
    consent(participant, user=coordinator)
    with pytest.raises(ValidationError) as exc:
        services.participant_enrol(participant=participant, user=coordinator)
    assert error_codes(exc, NON_FIELD_ERRORS) == ["no_list"]
    signed_off_list(user=statistician, slots_per_stratum=3, block_multiples=[1], seed=5)
    with pytest.raises(ValidationError) as exc:
        services.participant_enrol(
            participant=participant, user=coordinator, requested_arm=Arm.objects.get(code="active")
        )
    assert error_codes(exc, "arm") == ["arm_chosen"]


def test_the_ward_enrols_without_choosing_an_arm_and_is_told_the_number_not_the_arm(
    client, clinician, coordinator, statistician, site_a
):
    randomised_design()
    signed_off_list(user=statistician, slots_per_stratum=3, block_multiples=[1], seed=11)
    participant = screened_participant(user=coordinator, site=site_a)
    consent(participant, user=coordinator, when=timezone.now() - datetime.timedelta(hours=1))
    client.force_login(coordinator)
    url = reverse("participant-enrol", kwargs={"study_id": participant.study_id})
    page = client.get(url).content.decode()
    assert 'name="arm"' not in page and "Randomise and enrol" in page
    response = client.post(url, {"enrolment_datetime": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}, follow=True)
    participant.refresh_from_db()
    slot = participant.randomisation_slot
    text = response.content.decode()
    assert f"randomisation number {slot.number}, treatment code {slot.treatment_code}" in text
    assert "Active cells" not in text and "Placebo saline" not in text


CSV_HEADER = "randomisation_number,site,block,arm,treatment_code\n"


def import_csv(user, text, name="list.csv"):
    return list_import(user=user, file_name=name, content=text.encode())


def good_rows(site_code, start=1):
    arms = ["active", "placebo", "active", "active", "active", "placebo"]
    return "".join(
        f"X{start + i:03d},{site_code},{1 + i // 3},{arm},K{site_code}{start + i:03d}\n" for i, arm in enumerate(arms)
    )


def test_an_imported_list_is_checked_once_then_allocates_in_file_order(coordinator, statistician, site_a, site_b):
    randomised_design()
    text = CSV_HEADER + good_rows(site_a.code) + good_rows(site_b.code, start=7)
    made = import_csv(statistician, text)
    assert made.source == "imported" and len(made.file_sha256) == 64 and made.seed is None
    stratum = Stratum.objects.get(site=site_a)
    assert [s.number for s in stratum.slots.order_by("sequence")] == [f"X{i:03d}" for i in range(1, 7)]
    assert {s.block_size for s in stratum.slots.all()} == {3}
    list_sign_off(randomisation_list=made, user=statistician, password=PASSWORD)
    participant = enrol_into_list(coordinator, site_a)
    assert participant.randomisation_slot.number == "X001" and participant.arm.code == "active"


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        (lambda a, b: good_rows(a) + good_rows(b, 7).replace("placebo", "active"), "the ratio needs"),
        (lambda a, b: good_rows(a) + good_rows(b, 1), "appears twice"),
        (lambda a, b: good_rows(a), "no rows"),
        (lambda a, b: good_rows(a) + good_rows(b, 7).replace(f",{b},", ",99,"), "no stratum 'site=99'"),
        (lambda a, b: good_rows(a) + good_rows(b, 7).replace("placebo", "dummy"), "no arm 'dummy'"),
        (lambda a, b: good_rows(a) + good_rows(b, 7).replace(f",{b},1,", f",{b},one,"), "not a whole number"),
    ],
)
def test_a_bad_list_file_is_refused_with_its_problems_and_nothing_is_saved(statistician, site_a, site_b, rows, problem):
    randomised_design()
    with pytest.raises(ValidationError) as exc:
        import_csv(statistician, CSV_HEADER + rows(site_a.code, site_b.code))
    assert problem in str(exc.value), exc.value
    assert set(error_codes(exc, "file")) <= {"list_problem", "columns"}
    assert not RandomisationList.objects.exists() and not Stratum.objects.exists()


def test_a_list_file_without_its_columns_is_refused(statistician, site_a):
    randomised_design()
    with pytest.raises(ValidationError) as exc:
        import_csv(statistician, "number,arm\n1,active\n")
    assert error_codes(exc, "file") == ["columns"]
    assert "randomisation_number, site, block, arm, treatment_code" in str(exc.value)


def test_the_statistician_signs_the_report_off_with_their_password(statistician, site_a):
    randomised_design()
    made = list_generate(user=statistician, slots_per_stratum=3, block_multiples=[1], seed=5)
    with pytest.raises(ValidationError) as exc:
        list_sign_off(randomisation_list=made, user=statistician, password="wrong")
    assert error_codes(exc, "password") == ["wrong_password"]
    list_sign_off(randomisation_list=made, user=statistician, password=PASSWORD)
    made.refresh_from_db()
    assert made.signed_off_by == statistician and made.signed_off_datetime is not None
    with pytest.raises(ValidationError) as exc:
        list_sign_off(randomisation_list=made, user=statistician, password=PASSWORD)
    assert error_codes(exc) == ["already_signed_off"]


def test_a_list_not_signed_off_allocates_nobody_on_any_path(client, coordinator, statistician, site_a):
    """Issue 28, B: an enrolment was randomised from a list nobody had signed off. Until its report is
    signed off, the service, the ward and the admin refuse with the same code, and nothing is taken."""
    randomised_design()
    made = list_generate(user=statistician, slots_per_stratum=3, block_multiples=[1], seed=5)
    participant = screened_participant(user=coordinator, site=site_a)
    consent(participant, user=coordinator, when=timezone.now() - datetime.timedelta(hours=1))
    with pytest.raises(ValidationError) as exc:
        services.participant_enrol(participant=participant, user=coordinator)
    assert error_codes(exc, NON_FIELD_ERRORS) == ["list_not_signed_off"]
    client.force_login(coordinator)
    when = {"enrolment_datetime": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    ward = client.post(reverse("participant-enrol", kwargs={"study_id": participant.study_id}), when)
    assert ward.status_code == 200 and "not signed off yet" in ward.content.decode()
    now = timezone.localtime()
    admin_page = client.post(
        reverse("admin:patients_participant_enrol", args=[participant.pk]),
        {"enrolment_datetime_0": now.date().isoformat(), "enrolment_datetime_1": now.strftime("%H:%M:%S")},
    )
    assert admin_page.status_code == 200 and "not signed off yet" in admin_page.content.decode()
    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.SCREENING and participant.arm_id is None
    assert not RandomisationSlot.objects.filter(participant__isnull=False).exists()
    list_sign_off(randomisation_list=made, user=statistician, password=PASSWORD)
    services.participant_enrol(participant=participant, user=coordinator)
    assert participant.randomisation_slot.sequence == 1


def test_phase1_stays_open_and_chosen_by_the_investigator(coordinator, site_a):
    design = TrialDesign.current()
    assert not design.blinded and design.allocation == Allocation.INVESTIGATOR and design.pk == 1
    participant = enrolled_participant(user=coordinator, site=site_a, arm_code="control")
    assert participant.arm.code == "control" and not Participant.objects.filter(randomisation_slot__isnull=False)


def test_a_three_arm_one_to_one_to_one_list(statistician, coordinator, site_a):
    randomised_design(
        arms=(
            ("low", "Low dose", Treatment.ACTIVE, 1),
            ("high", "High dose", Treatment.ACTIVE, 1),
            ("placebo", "Placebo saline", Treatment.PLACEBO, 1),
        ),
        stratify_by_site=False,
    )
    made = signed_off_list(user=statistician, slots_per_stratum=30, block_multiples=[1, 2], seed=31)
    stratum = made.strata.get()
    assert stratum.key == "all" and stratum.label == "All participants"
    arms = list(stratum.slots.order_by("sequence").values_list("arm__code", "block"))
    assert {code: sum(a == code for a, _ in arms) for code in ("low", "high", "placebo")} == {
        "low": len(arms) // 3,
        "high": len(arms) // 3,
        "placebo": len(arms) // 3,
    }
    # Every participant, whatever their site, takes the next slot of the one stratum.
    taken = [enrol_into_list(coordinator, site_a).randomisation_slot.sequence for _ in range(2)]
    assert taken == [1, 2]


def test_a_site_that_joins_gets_its_strata_in_a_signed_off_extension_and_nothing_allocated_changes(
    client, coordinator, statistician, site_a, site_b
):
    """Issue 29, 6: the list's add page disappeared once a list existed, so a centre joining a multi-site trial
    could not be randomised. The unblinded statistician adds the new site's strata, signs them off, and the
    strata and slots already made stay as they were."""
    from tests.factories import SiteFactory

    randomised_design(factors=["severity"])
    first = signed_off_list(user=statistician, slots_per_stratum=6, block_multiples=[1], seed=5)
    enrolled = enrol_into_list(coordinator, site_a, severity=Severity.SEVERE)
    before = list(RandomisationSlot.objects.order_by("pk").values_list("pk", "number", "arm_id", "treatment_code"))
    with pytest.raises(ValidationError) as exc:
        list_generate(user=statistician, slots_per_stratum=6, block_multiples=[1], seed=6)
    assert error_codes(exc) == ["list_exists"]  # nothing to add while every site has its strata

    site_c = SiteFactory(code="03", name="Third centre")
    coordinator.site_memberships.create(site=site_c)
    client.force_login(statistician)
    add = reverse("admin:patients_randomisationlist_add")
    page = client.get(add)
    assert page.status_code == 200 and "Third centre" in page.content.decode()
    response = client.post(
        add, {"generate-slots_per_stratum": "6", "generate-block_multiples": "1", "generate-seed": "6"}
    )
    assert response.status_code == 302
    extension = RandomisationList.objects.exclude(pk=first.pk).get()
    assert extension.extends == first and "extension" in str(extension)
    assert sorted(extension.strata.values_list("key", flat=True)) == [
        "site=03|severity=critical",
        "site=03|severity=mild",
        "site=03|severity=moderate",
        "site=03|severity=severe",
    ]
    # Nothing made before changed; the numbers follow on; no treatment code is given twice.
    assert (
        list(
            RandomisationSlot.objects.filter(pk__in=[b[0] for b in before])
            .order_by("pk")
            .values_list("pk", "number", "arm_id", "treatment_code")
        )
        == before
    )
    new_numbers = sorted(
        RandomisationSlot.objects.filter(stratum__randomisation_list=extension).values_list("number", flat=True)
    )
    assert new_numbers[0] == f"R{len(before) + 1:05d}"
    codes = [c for c in RandomisationSlot.objects.values_list("treatment_code", flat=True) if c]
    assert len(codes) == len(set(codes))
    # Not signed off: the new site's enrolment is refused; signed off, it allocates from the extension.
    person = screened_participant(user=coordinator, site=site_c, severity=Severity.MODERATE)
    consent(person, user=coordinator)
    with pytest.raises(ValidationError) as exc:
        services.participant_enrol(participant=person, user=coordinator)
    assert error_codes(exc) == ["list_not_signed_off"]
    list_sign_off(randomisation_list=extension, user=statistician, password=PASSWORD)
    joined = services.participant_enrol(participant=Participant.objects.get(pk=person.pk), user=coordinator)
    assert joined.randomisation_slot.stratum.randomisation_list == extension
    enrolled.refresh_from_db()
    assert enrolled.randomisation_slot.stratum.randomisation_list == first
    # A file for an extension (a fourth centre joined, so one may be made) names new strata only.
    SiteFactory(code="04", name="Fourth centre")
    with pytest.raises(ValidationError) as exc:
        import_csv(
            statistician,
            f"randomisation_number,site,severity,block,arm,treatment_code\nZ001,{site_a.code},severe,1,active,ZZ1\n",
        )
    assert set(error_codes(exc, "file")) == {"list_problem"} and "in the list already" in str(exc.value)
