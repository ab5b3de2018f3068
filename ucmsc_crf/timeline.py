"""The participant timeline as server-rendered SVG: SpO2 and temperature over study days, the oxygen
support level as a band, infusions as markers and adverse events as marks with their grade.

Plain SVG (no script, no CDN): it scales with its viewBox to a phone's width, and each mark carries a
<title> so hovering or long-pressing shows its details.
"""

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from outcomes.choices import OxygenSupport

WIDTH, LEFT, RIGHT = 720, 44, 44
# Room above the chart and below the axis for labels drawn larger on a phone (static/css/crf.css).
TOP, CHART_HEIGHT, BAND_TOP, BAND_HEIGHT, AXIS_Y = 24, 150, 198, 22, 244
HEIGHT = 280
# A day label takes about this many units at a phone's label size: fewer labels where days are narrower.
PHONE_LABEL_UNITS = 48
SPO2_RANGE, TEMP_RANGE = (80, 100), (35.0, 41.0)
SUPPORT_COLOURS = {
    OxygenSupport.ROOM_AIR: "#e8f5e9",
    OxygenSupport.LOW_FLOW: "#b3e5fc",
    OxygenSupport.HIGH_FLOW: "#4fc3f7",
    OxygenSupport.NIV: "#0288d1",
    OxygenSupport.IMV: "#d32f2f",
    OxygenSupport.ECMO: "#4a148c",
}
GRADE_COLOURS = {1: "#fbc02d", 2: "#f57c00", 3: "#e64a19", 4: "#b71c1c", 5: "#000000"}


def _days(moment, day0) -> float:
    local = timezone.localtime(moment)
    return (local.date() - day0).days + (local.hour * 60 + local.minute) / 1440


def timeline_svg(book) -> str:
    participant = book.participant
    day0 = participant.day0_date
    if day0 is None:
        return ""
    observations = sorted(book.observations, key=lambda o: o.observation_date)
    points = [(o.observation_date - day0).days for o in observations]
    points += [_days(i.start_datetime, day0) for i in book.infusions]
    points += [_days(e.onset_datetime, day0) for e in book.adverse_events]
    first, last = min([0, *points]), max([6, *points]) + 1
    span = max(last - first, 1)

    def x(day):
        return LEFT + (day - first) / span * (WIDTH - LEFT - RIGHT)

    def y(value, low, high):
        value = min(max(value, low), high)
        return TOP + (high - value) / (high - low) * CHART_HEIGHT

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-label="Timeline of {escape(participant.study_id)} over study days" class="timeline">',
        f'<rect x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}" height="{CHART_HEIGHT}" fill="#fafafa" '
        'stroke="#ccc"/>',
    ]
    for value in (80, 90, 100):
        parts.append(
            f'<text class="axis" x="{LEFT - 6}" y="{y(value, *SPO2_RANGE) + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#1565c0">{value}</text>'
        )
    for value in (36, 38, 40):
        parts.append(
            f'<text class="axis" x="{WIDTH - RIGHT + 6}" y="{y(value, *TEMP_RANGE) + 4:.1f}" font-size="11" '
            f'fill="#c62828">{value}</text>'
        )
    parts.append(f'<text class="axis" x="{LEFT}" y="{TOP - 4}" font-size="11" fill="#1565c0">SpO2 %</text>')
    parts.append(
        f'<text class="axis" x="{WIDTH - RIGHT}" y="{TOP - 4}" font-size="11" fill="#c62828" text-anchor="end">'
        "Temperature °C</text>"
    )

    def line(values, colour, low, high, label, unit):
        coords = [(x((o.observation_date - day0).days + 0.5), y(float(v), low, high), o, v) for o, v in values]
        if len(coords) > 1:
            path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy, _, _ in coords)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for cx, cy, obs, value in coords:
            parts.append(
                f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3" fill="{colour}">'
                f"<title>Day {(obs.observation_date - day0).days}: {label} {escape(value)} {unit}</title></circle>"
            )

    line([(o, o.spo2_percent) for o in observations], "#1565c0", *SPO2_RANGE, "SpO2", "%")
    line([(o, o.temperature_c) for o in observations], "#c62828", *TEMP_RANGE, "temperature", "°C")

    # Oxygen support band, one cell per observed day.
    parts.append(f'<text class="axis" x="{LEFT - 6}" y="{BAND_TOP + 15}" font-size="11" text-anchor="end">O2</text>')
    for obs in observations:
        day = (obs.observation_date - day0).days
        parts.append(
            f'<rect x="{x(day):.1f}" y="{BAND_TOP}" width="{x(day + 1) - x(day):.1f}" height="{BAND_HEIGHT}" '
            f'fill="{SUPPORT_COLOURS[obs.oxygen_support]}" stroke="#fff"><title>Day {day}: '
            f"{escape(obs.get_oxygen_support_display())}, WHO score {obs.who_score}</title></rect>"
        )

    # Infusions: a marker across the chart at the start time.
    for infusion in book.infusions:
        ix = x(_days(infusion.start_datetime, day0))
        parts.append(
            f'<g class="infusion"><line x1="{ix:.1f}" x2="{ix:.1f}" y1="{TOP}" y2="{BAND_TOP + BAND_HEIGHT}" '
            f'stroke="#2e7d32" stroke-dasharray="4 3"/><path d="M{ix - 6:.1f},{TOP + CHART_HEIGHT + 14} '
            f'L{ix + 6:.1f},{TOP + CHART_HEIGHT + 14} L{ix:.1f},{TOP + CHART_HEIGHT + 4} Z" fill="#2e7d32">'
            f"<title>Infusion {infusion.sequence_number}: {escape(_given(infusion))}</title></path></g>"
        )
    # Adverse events: a mark with the grade at the onset.
    for event in book.adverse_events:
        ex = x(_days(event.onset_datetime, day0))
        parts.append(
            f'<g class="adverse-event">'
            f'<circle cx="{ex:.1f}" cy="{TOP + 12}" r="9" fill="{GRADE_COLOURS[event.grade]}"/>'
            f'<text x="{ex:.1f}" y="{TOP + 16}" font-size="11" text-anchor="middle" fill="#fff">{event.grade}</text>'
            f"<title>{escape(event.term)} (grade {event.grade}{', serious' if event.serious else ''})</title></g>"
        )

    # Study-day axis.
    step = 1 if span <= 14 else (2 if span <= 30 else 5)
    # On a phone the labels are drawn twice as large (issue 28, 10: at the screen's width they shrank to about
    # 5 px), so only every phone_step-th day is labelled there (the others are "minor", hidden by the CSS).
    day_units = (WIDTH - LEFT - RIGHT) / span
    phone_step = step * max(1, -(-PHONE_LABEL_UNITS // int(day_units * step or 1)))
    for day in range(int(first), int(last), step):  # last is the exclusive right edge
        minor = " minor" if (day - int(first)) % phone_step else ""
        parts.append(
            f'<text class="axis{minor}" x="{x(day + 0.5):.1f}" y="{AXIS_Y}" font-size="11" '
            f'text-anchor="middle">{day}</text>'
        )
    parts.append(
        f'<text class="axis" x="{WIDTH / 2}" y="{AXIS_Y + 22}" font-size="11" text-anchor="middle">Study day</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text above is escaped


SHORT_LABELS = {
    OxygenSupport.ROOM_AIR: "Room air",
    OxygenSupport.LOW_FLOW: "Low-flow O2",
    OxygenSupport.HIGH_FLOW: "High-flow",
    OxygenSupport.NIV: "NIV",
    OxygenSupport.IMV: "Ventilated",
    OxygenSupport.ECMO: "ECMO",
}
SUPPORT_LEGEND = [(SHORT_LABELS[code], colour) for code, colour in SUPPORT_COLOURS.items()]


def _given(infusion) -> str:
    """What the chart says was given: the kit's code in a blinded trial (the ward never sees what a kit
    holds), the cells otherwise."""
    if infusion.kit_code:
        return f"kit {infusion.kit_code}"
    return f"{infusion.cells_administered_millions} x 10^6 cells"
