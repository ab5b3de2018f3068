"""The dosing rules as pure functions with plain values."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dosing import rules
from tests.helpers import error_codes

UTC = datetime.UTC
NOW = datetime.datetime(2020, 2, 20, 12, 0, tzinfo=UTC)
DAY0 = datetime.date(2020, 2, 3)


def fields_of(exc):
    return set(exc.value.message_dict)


def test_planned_dates_are_day0_plus_k_intervals():
    assert [rules.planned_date(day0=DAY0, sequence_number=k, interval_days=3) for k in (1, 2, 3)] == [
        DAY0,
        DAY0 + datetime.timedelta(days=3),
        DAY0 + datetime.timedelta(days=6),
    ]


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"arm_name": "Control", "receives_infusions": False, "has_regimen": False}, "arm_without_product"),
        ({"arm_name": None, "receives_infusions": False, "has_regimen": False}, "not_enrolled"),
        ({"arm_name": "UC-MSC", "receives_infusions": True, "has_regimen": False}, "no_regimen"),
    ],
)
def test_only_product_arms_with_a_regimen_get_infusions(kwargs, code):
    with pytest.raises(ValidationError) as exc:
        rules.check_product_arm(**kwargs)
    assert error_codes(exc, "participant") == [code]


def times(start_h, end_h, max_h=6):
    start = NOW - datetime.timedelta(hours=start_h)
    return {
        "start": start,
        "end": NOW - datetime.timedelta(hours=end_h),
        "now": NOW,
        "max_duration": datetime.timedelta(hours=max_h),
    }


def test_plausible_times_pass():
    rules.check_infusion_times(**times(3, 2))


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        (times(2, 3), "end_datetime", "end_before_start"),
        (times(2, 2), "end_datetime", "end_before_start"),
        (times(10, 3), "end_datetime", "too_long"),
        (times(-1, -2), "start_datetime", "in_future"),
    ],
    ids=["end-before-start", "zero-length", "seven-hours", "future"],
)
def test_time_refusals(kwargs, field, code):
    with pytest.raises(ValidationError) as exc:
        rules.check_infusion_times(**kwargs)
    assert error_codes(exc, field) == [code]


def follow_up(**overrides):
    kwargs = {
        "start": datetime.datetime(2020, 2, 3, 14, tzinfo=UTC),
        "start_local_date": datetime.date(2020, 2, 3),
        "day0": DAY0,
        "first_consent": datetime.datetime(2020, 2, 3, 8, tzinfo=UTC),
        "follow_up_end": None,
    }
    kwargs.update(overrides)
    return kwargs


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"first_consent": datetime.datetime(2020, 2, 3, 15, tzinfo=UTC)}, "before_consent"),
        ({"first_consent": None}, "before_consent"),
        ({"start_local_date": datetime.date(2020, 2, 2)}, "before_start"),
        ({"follow_up_end": datetime.date(2020, 2, 2)}, "after_follow_up"),
    ],
)
def test_infusion_only_within_follow_up(overrides, code):
    rules.check_infusion_in_follow_up(**follow_up())
    rules.check_infusion_in_follow_up(**follow_up(follow_up_end=datetime.date(2020, 2, 3)))  # the last day counts
    with pytest.raises(ValidationError) as exc:
        rules.check_infusion_in_follow_up(**follow_up(**overrides))
    assert error_codes(exc, "start_datetime") == [code]


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"sequence_number": 4}, "beyond_regimen"),
        ({"sequence_number": 0}, "not_positive"),
        ({"sequence_number": 2, "previous_accounted_for": False}, "previous_not_accounted_for"),
        ({"sequence_number": 2, "already_given": True}, "duplicate"),
    ],
)
def test_sequence_rules(kwargs, code):
    base = {"number_of_infusions": 3, "previous_accounted_for": True, "already_given": False}
    rules.check_sequence(sequence_number=3, **base)
    with pytest.raises(ValidationError) as exc:
        rules.check_sequence(**{**base, **kwargs})
    assert error_codes(exc, "sequence_number") == [code]


def test_gap_to_previous_and_next_infusion():
    gap = datetime.timedelta(hours=48)
    end1 = datetime.datetime(2020, 2, 3, 15, tzinfo=UTC)
    rules.check_gap(start=end1 + gap, end=None, previous_end=end1, next_start=None, min_gap=gap)
    with pytest.raises(ValidationError) as exc:
        rules.check_gap(
            start=end1 + gap - datetime.timedelta(minutes=1), end=None, previous_end=end1, next_start=None, min_gap=gap
        )
    assert "47 h 59 min" in exc.value.message_dict["start_datetime"][0]
    with pytest.raises(ValidationError) as exc:
        rules.check_gap(
            start=None, end=end1, previous_end=None, next_start=end1 + datetime.timedelta(hours=1), min_gap=gap
        )
    assert error_codes(exc, "end_datetime") == ["gap_too_short"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"lot_number": " "}, "lot_number"),
        ({"spo2_lowest": 99, "spo2_highest": 95}, "spo2_lowest"),
        ({"interrupted": True, "interruption_reason": ""}, "interruption_reason"),
    ],
)
def test_administration_details(kwargs, field):
    base = {"lot_number": "L1", "spo2_lowest": 95, "spo2_highest": 99, "interrupted": False, "interruption_reason": ""}
    rules.check_administration_details(**base)
    with pytest.raises(ValidationError) as exc:
        rules.check_administration_details(**{**base, **kwargs})
    assert fields_of(exc) == {field}


def soft(**overrides):
    kwargs = {
        "start_local_date": DAY0 + datetime.timedelta(days=3),
        "planned": DAY0 + datetime.timedelta(days=3),
        "window_days": 1,
        "day0": DAY0,
        "cells_millions": Decimal("30"),
        "nominal_cells_millions": Decimal("30"),
        "dose_tolerance_percent": Decimal("10"),
        "viability_percent": Decimal("85"),
        "min_viability_percent": Decimal("80"),
    }
    kwargs.update(overrides)
    return rules.soft_deviations(**kwargs)


def test_on_protocol_infusion_has_no_deviation():
    assert soft() == []
    assert soft(start_local_date=DAY0 + datetime.timedelta(days=4)) == []  # edge of the +/- 1 day window
    assert soft(cells_millions=Decimal("33")) == []  # exactly +10 %
    assert soft(viability_percent=Decimal("80")) == []


@pytest.mark.parametrize(
    ("overrides", "category", "field"),
    [
        ({"start_local_date": DAY0 + datetime.timedelta(days=5)}, "infusion_window", "start_datetime"),
        ({"start_local_date": DAY0 + datetime.timedelta(days=1)}, "infusion_window", "start_datetime"),
        ({"cells_millions": Decimal("33.1")}, "dose", "cells_administered_millions"),
        ({"cells_millions": Decimal("26.9")}, "dose", "cells_administered_millions"),
        ({"viability_percent": Decimal("79.9")}, "viability", "viability_percent"),
    ],
)
def test_each_soft_rule_names_its_category_and_field(overrides, category, field):
    [deviation] = soft(**overrides)
    assert (deviation.category, deviation.field) == (category, field)


def test_deviation_needs_a_reason():
    deviations = soft(viability_percent=Decimal("70"), cells_millions=Decimal("40"))
    rules.check_deviations_explained(deviations=deviations, deviation_reason="Only batch available; PI approved")
    with pytest.raises(ValidationError) as exc:
        rules.check_deviations_explained(deviations=deviations, deviation_reason="  ")
    assert fields_of(exc) == {"viability_percent", "cells_administered_millions", "deviation_reason"}
    assert error_codes(exc, "viability_percent") == ["viability"]
    assert error_codes(exc, "deviation_reason") == ["deviation_reason_required"]


def test_gap_counts_real_hours_across_daylight_saving_with_local_times():
    """Times typed on a form share the local zone; the rule must not use wall-clock subtraction."""
    import zoneinfo

    london = zoneinfo.ZoneInfo("Europe/London")
    previous_end = datetime.datetime(2021, 3, 27, 10, 0, tzinfo=london)  # GMT
    start = datetime.datetime(2021, 3, 29, 10, 0, tzinfo=london)  # BST: 47 h later
    with pytest.raises(ValidationError) as exc:
        rules.check_gap(
            start=start, end=None, previous_end=previous_end, next_start=None, min_gap=datetime.timedelta(hours=48)
        )
    assert "Only 47 h 00 min" in exc.value.message_dict["start_datetime"][0]
    autumn_end = datetime.datetime(2021, 10, 30, 10, 0, tzinfo=london)  # BST
    autumn_start = datetime.datetime(2021, 11, 1, 9, 30, tzinfo=london)  # GMT: 48 h 30 min later
    rules.check_gap(
        start=autumn_start, end=None, previous_end=autumn_end, next_start=None, min_gap=datetime.timedelta(hours=48)
    )
