"""A blinded trial's pharmacy and the chain of identity: the pharmacist prepares and releases each kit
(cells and viability for active product, none for placebo; release checks), the ward records the kit's code
with what it sees, and a kit goes only to the participant and infusion it was prepared for, once, before its
use-by time. Every refusal the ward can meet names no product."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from dosing import rules
from dosing.choices import PlannedInfusionStatus
from dosing.models import Infusion, Preparation
from tests.factories import (
    UserFactory,
    give_infusion,
    infusion_values,
    kit_code_for,
    planned_start,
    prepare_kit,
    randomised_design,
    signed_off_list,
    treated_participant,
)
from tests.helpers import error_codes

pytestmark = pytest.mark.django_db
PRODUCT_WORDS = ("placebo", "active", "saline", "ucmsc-p2", "viab", "x 10^6")


@pytest.fixture
def pharmacist(site_a):
    return UserFactory(username="pharm", role="Pharmacist", sites=[site_a])


@pytest.fixture
def trial(site_a):
    randomised_design()
    signed_off_list(user=UserFactory(role="Unblinded statistician"), slots_per_stratum=6, block_multiples=[1], seed=3)


def participant_on(treatment, coordinator, site):
    """Enrol from the list until someone is allocated ``treatment``."""
    for _ in range(6):
        participant = treated_participant(user=coordinator, site=site, arm_code=None)
        if participant.arm.treatment == treatment:
            return participant
    raise AssertionError(f"no {treatment} participant in a block")


def refusal_on_ward(participant, sequence_number, *, user, **overrides):
    with pytest.raises(ValidationError) as exc:
        give_infusion(participant, sequence_number, user=user, **overrides)
    text = " ".join(exc.value.messages).lower()
    assert not any(word in text for word in PRODUCT_WORDS), text  # the ward is blind
    return exc


def test_active_and_placebo_kits_are_prepared_to_their_own_rules(trial, coordinator, pharmacist, site_a):
    active = participant_on("active", coordinator, site_a)
    placebo = participant_on("placebo", coordinator, site_a)
    kit = prepare_kit(active, 1, user=pharmacist)
    assert kit.use_by_datetime == kit.prepared_datetime + datetime.timedelta(hours=6)  # the regimen's hours
    prepare_kit(placebo, 1, user=pharmacist)
    with pytest.raises(ValidationError) as exc:
        prepare_kit(placebo, 2, user=pharmacist, cells_millions=Decimal("30.0"))
    assert error_codes(exc, "cells_millions") == ["placebo_has_cells"]
    with pytest.raises(ValidationError) as exc:
        prepare_kit(active, 2, user=pharmacist, cells_millions=Decimal("20.0"), viability_percent=Decimal("70"))
    assert error_codes(exc, "cells_millions") == ["dose_out_of_range"]
    assert error_codes(exc, "viability_percent") == ["viability_below_minimum"]
    with pytest.raises(ValidationError) as exc:
        prepare_kit(active, 2, user=pharmacist, release_tests_passed=False)
    assert error_codes(exc, "release_tests_passed") == ["release_check_missing"]
    with pytest.raises(ValidationError) as exc:
        prepare_kit(active, 2, user=pharmacist, kit_code=kit.kit_code)
    assert error_codes(exc, "kit_code") == ["duplicate"]
    with pytest.raises(ValidationError) as exc:
        prepare_kit(active, 4, user=pharmacist)
    assert error_codes(exc, "sequence_number") == ["beyond_regimen"]
    assert Preparation.history.filter(history_user=pharmacist).count() == 2


def test_the_ward_records_the_kit_and_what_it_sees_never_what_it_holds(trial, coordinator, pharmacist, site_a):
    participant = participant_on("placebo", coordinator, site_a)
    kit = prepare_kit(participant, 1, user=pharmacist)
    infusion = give_infusion(participant, 1, user=coordinator)
    assert infusion.preparation == kit and infusion.cells_administered_millions is None
    assert participant.planned_infusions.get(sequence_number=1).status == PlannedInfusionStatus.GIVEN
    exc = refusal_on_ward(participant, 2, user=coordinator, cells_administered_millions=Decimal("30.0"))
    assert error_codes(exc, "cells_administered_millions") == ["pharmacy_field"]


def test_a_kit_goes_only_to_its_participant_and_infusion(trial, coordinator, pharmacist, site_a):
    first = treated_participant(user=coordinator, site=site_a, arm_code=None)
    second = treated_participant(user=coordinator, site=site_a, arm_code=None)
    prepare_kit(first, 1, user=pharmacist)
    prepare_kit(first, 2, user=pharmacist)
    exc = refusal_on_ward(second, 1, user=coordinator, kit_code=kit_code_for(first, 1))
    assert error_codes(exc, "kit_code") == ["kit_for_another_participant"]
    give_infusion(first, 1, user=coordinator)
    exc = refusal_on_ward(first, 2, user=coordinator, kit_code=kit_code_for(first, 1))
    assert error_codes(exc, "kit_code") == ["kit_for_another_infusion"]
    exc = refusal_on_ward(first, 2, user=coordinator, kit_code="NO-SUCH-KIT")
    assert error_codes(exc, "kit_code") == ["unknown_kit"]
    assert not Infusion.objects.filter(participant=second).exists()


def test_a_kit_is_given_once_even_past_the_rules(trial, coordinator, pharmacist, site_a):
    participant = treated_participant(user=coordinator, site=site_a, arm_code=None)
    given = give_infusion(participant, 1, user=coordinator)
    # The rule (a second record of the same kit) ...
    with pytest.raises(ValidationError) as exc:
        rules.check_kit_given(
            kit_code="K",
            found=True,
            released=True,
            for_this_participant=True,
            for_this_infusion=True,
            already_given=True,
            use_by=None,
            start=None,
        )
    assert error_codes(exc, "kit_code") == ["kit_given"]
    # ... and the database, for a write that skips the rules.
    values = infusion_values(participant, 1, user=coordinator)
    values.update(participant=participant, sequence_number=2, start_datetime=given.start_datetime)
    twice = Infusion(**values, preparation=given.preparation)
    with pytest.raises(IntegrityError), transaction.atomic():
        Infusion.objects.bulk_create([twice])


def test_an_unreleased_or_expired_kit_is_refused(trial, coordinator, pharmacist, site_a):
    participant = treated_participant(user=coordinator, site=site_a, arm_code=None)
    unreleased = prepare_kit(participant, 1, user=pharmacist, released=False)
    exc = refusal_on_ward(participant, 1, user=coordinator)
    assert error_codes(exc, "kit_code") == ["kit_not_released"]
    with pytest.raises(ValidationError) as exc:
        prepare_kit(participant, 1, user=pharmacist, kit_code="KIT-REPLACEMENT-1")
    assert error_codes(exc, "sequence_number") == ["kit_already_prepared"]
    unreleased.void(reason="Bag leaked", user=pharmacist)
    prepare_kit(participant, 1, user=pharmacist, kit_code="KIT-REPLACEMENT-1")
    give_infusion(participant, 1, user=coordinator, kit_code="KIT-REPLACEMENT-1")
    start = planned_start(participant, 2)
    prepare_kit(participant, 2, user=pharmacist, prepared=start - datetime.timedelta(hours=7))
    exc = refusal_on_ward(participant, 2, user=coordinator, start=start)
    assert error_codes(exc, "kit_code") == ["kit_expired"]


def test_open_label_trials_keep_the_ward_record_of_the_product(coordinator, pharmacist, site_a):
    participant = treated_participant(user=coordinator, site=site_a)
    with pytest.raises(ValidationError) as exc:
        give_infusion(participant, 1, user=coordinator, kit_code="K-1")
    assert error_codes(exc, "kit_code") == ["no_pharmacy"]
    with pytest.raises(ValidationError) as exc:
        give_infusion(participant, 1, user=coordinator, cells_administered_millions=None)
    assert error_codes(exc, "cells_administered_millions") == ["missing"]
    with pytest.raises(ValidationError) as exc:
        prepare_kit(participant, 1, user=pharmacist)
    assert error_codes(exc, "participant") == ["no_pharmacy"]


def test_the_ward_form_asks_for_the_kit_not_the_cells(client, trial, clinician, coordinator, site_a):
    participant = treated_participant(user=coordinator, site=site_a, arm_code=None)
    client.force_login(clinician)
    page = client.get(reverse("infusions-new", kwargs={"study_id": participant.study_id})).content.decode()
    assert 'name="kit_code"' in page
    assert 'name="cells_administered_millions"' not in page and 'name="viability_percent"' not in page


def test_only_the_pharmacist_reads_the_preparations(client, trial, coordinator, pharmacist, site_a):
    participant = participant_on("active", coordinator, site_a)
    prepare_kit(participant, 1, user=pharmacist)
    url = reverse("admin:dosing_preparation_changelist")
    client.force_login(pharmacist)
    page = client.get(url)
    assert page.status_code == 200 and "Active product (UC-MSC)" in page.content.decode()
    client.force_login(coordinator)
    assert client.get(url).status_code == 403


def test_the_pharmacist_sees_what_each_kit_must_hold_and_nobody_blinded_does(
    client, trial, pharmacist, coordinator, site_a
):
    """Issue 28, C: no page showed the pharmacist a participant's allocation before the first kit, so the
    pharmacy could only guess active or placebo. The work list and the preparation page say it, to the
    unblinded pharmacist only."""
    active = participant_on("active", coordinator, site_a)
    placebo = participant_on("placebo", coordinator, site_a)
    client.force_login(pharmacist)
    work = client.get(reverse("admin:dosing_preparation_to_prepare"))
    text = work.content.decode()
    assert work.status_code == 200
    rows = {kit.participant.study_id: kit for kit in work.context["kits"] if kit.sequence_number == 1}
    assert rows[active.study_id].treatment == "Active product (UC-MSC)" and "x 10^6 cells" in rows[active.study_id].dose
    assert rows[placebo.study_id].treatment == "Placebo" and "no cells" in rows[placebo.study_id].dose
    assert active.randomisation_slot.treatment_code in text
    # The "Prepare" link opens the add form for that infusion, which says what the kit holds.
    add = client.get(f"{reverse('admin:dosing_preparation_add')}?participant={placebo.pk}&sequence_number=1")
    page = add.content.decode()
    assert 'id="what-to-prepare"' in page and "Placebo" in page and placebo.study_id in page
    # A kit prepared leaves the list; its page still says what it holds.
    kit = prepare_kit(active, 1, user=pharmacist)
    assert (active.pk, 1) not in {
        (k.participant.pk, k.sequence_number)
        for k in client.get(reverse("admin:dosing_preparation_to_prepare")).context["kits"]
    }
    change = client.get(reverse("admin:dosing_preparation_change", args=[kit.pk])).content.decode()
    assert 'id="allocation-arm"' in change and "Active product (UC-MSC)" in change
    # A blinded coordinator gets neither page.
    client.force_login(coordinator)
    assert client.get(reverse("admin:dosing_preparation_to_prepare")).status_code == 403
    add = client.get(f"{reverse('admin:dosing_preparation_add')}?participant={placebo.pk}&sequence_number=1")
    assert add.status_code == 403


def test_the_closed_report_shows_exposure_by_arm_from_the_kits_given(client, trial, pharmacist, coordinator, site_a):
    """Issue 28, D: the DSMB's closed report showed "-" for cells per infusion in a blinded trial with kits
    (the ward records the kit, not its cells). By arm, exposure comes from the kits given; a blinded
    reader's pooled report keeps "-" (with one participant at a site, a pooled dose would tell the arm)."""
    from django.contrib.auth.models import Permission

    active = participant_on("active", coordinator, site_a)
    placebo = participant_on("placebo", coordinator, site_a)
    for participant in (active, placebo):
        give_infusion(participant, 1, user=coordinator)

    def exposure(user):
        client.force_login(user)
        summary = client.get(reverse("report")).context["summary"]
        section = next(s for s in summary.sections if s.title == "Exposure")
        rows = {row.label: [str(cell) for cell in row.cells] for row in section.rows}
        return [a.code for a in summary.arms], rows

    dsmb = UserFactory(username="dsmb1", role="DSMB member")
    arms, rows = exposure(dsmb)
    cells = dict(zip(arms, rows["Cells per infusion, x 10^6, median (IQR)"], strict=True))
    viability = dict(zip(arms, rows["Viability at release, %, median (IQR)"], strict=True))
    assert cells["active"].startswith("30") and cells["placebo"] == "-"
    assert viability["active"] != "-" and viability["placebo"] == "-"
    coordinator.user_permissions.add(Permission.objects.get(codename="view_report"))
    arms, rows = exposure(coordinator)
    assert arms == ["all"] and rows["Cells per infusion, x 10^6, median (IQR)"] == ["-"]
    assert rows["Viability at release, %, median (IQR)"] == ["-"]


def test_the_preparation_page_takes_any_typed_participant_and_infusion(client, trial, pharmacist):
    """What a hostile address holds is no participant, not a 500 (found by tests/test_fuzz_forms.py)."""
    client.force_login(pharmacist)
    add = reverse("admin:dosing_preparation_add")
    for participant, sequence in (("9" * 5000, "1"), ("1", "9" * 5000), ("١", "1"), ("-1", "x")):
        response = client.get(add, {"participant": participant, "sequence_number": sequence})
        assert response.status_code == 200 and 'id="what-to-prepare"' not in response.content.decode()
    assert client.post(add, {"participant": "9" * 5000, "sequence_number": "1"}).status_code == 200


def test_every_kit_holds_the_regimens_volume(trial, coordinator, pharmacist, site_a):
    """Issue 29, 7: the design's 100 mL was never recorded nor checked against the kit."""
    from dosing.models import Regimen

    regimen = Regimen.objects.get(code="ucmsc-phase1")
    regimen.volume_ml, regimen.placebo_description = Decimal("100.0"), "100 mL saline with 1% albumin"
    regimen.full_clean()
    regimen.save()
    active = participant_on("active", coordinator, site_a)
    placebo = participant_on("placebo", coordinator, site_a)
    prepare_kit(active, 1, user=pharmacist, volume_ml=Decimal("103.0"))  # within the 5 mL tolerance
    from dosing.pharmacy import what_to_prepare

    told = what_to_prepare(pharmacist, placebo, 1).dose
    assert "100 mL (within 5 mL): 100 mL saline with 1% albumin" in told
    for participant in (active, placebo):
        with pytest.raises(ValidationError) as exc:
            prepare_kit(participant, 2, user=pharmacist, volume_ml=Decimal("50.0"))
        assert error_codes(exc, "volume_ml") == ["volume_off_regimen"]
