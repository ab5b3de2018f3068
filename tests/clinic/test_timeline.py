"""The SVG timeline: what it draws, and that text in it is escaped."""

import datetime

import pytest

from outcomes.models import AdverseEvent, DailyObservation
from tests.factories import (
    ae_values,
    give_infusion,
    observation_values,
    record,
    screened_participant,
    treated_participant,
)
from ucmsc_crf.casebook import casebook
from ucmsc_crf.timeline import timeline_svg

pytestmark = pytest.mark.django_db


def test_draws_lines_band_infusions_and_graded_events(coordinator, site_a):
    participant = treated_participant(user=coordinator, site=site_a)
    first = give_infusion(participant, 1, user=coordinator)
    for day, support, who, flow, fio2 in ((0, "low_flow", 5, 3, 33), (1, "imv", 8, None, 60)):
        record(
            DailyObservation,
            participant,
            observation_values(
                participant,
                on=participant.day0_date + datetime.timedelta(days=day),
                oxygen_support=support,
                who_score=who,
                oxygen_flow_l_min=flow,
                fio2_percent=fio2,
                spo2_percent=92 - day,
            ),
            user=coordinator,
        )
    record(
        AdverseEvent,
        participant,
        ae_values(
            participant,
            term="<script>alert(1)</script>",
            grade=2,
            infusion=first,
            onset_datetime=first.start_datetime + datetime.timedelta(hours=3),
        ),
        user=coordinator,
    )
    svg = timeline_svg(casebook(participant))
    assert svg.startswith("<svg") and svg.count("<polyline") == 2  # SpO2 and temperature
    assert "Day 1: SpO2 91 %" in svg and "Day 0: Low-flow oxygen (nasal cannula / mask), WHO score 5" in svg
    assert 'fill="#d32f2f"' in svg  # the ventilated day in the band
    assert svg.count('class="infusion"') == 1 and svg.count('class="adverse-event"') == 1
    assert "<script>" not in svg and "&lt;script&gt;alert(1)&lt;/script&gt; (grade 2)" in svg


def test_nothing_to_draw_before_enrolment(coordinator, site_a):
    assert timeline_svg(casebook(screened_participant(user=coordinator, site=site_a))) == ""
