"""The summary report's figures as server-rendered SVG (no script, no CDN): the CONSORT-style flow, lab
trajectories by arm (median line with the IQR as a band) and oxygen support over study days by arm.
The numbers come from outcomes.summary; this module only draws them."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

from ucmsc_crf.timeline import SUPPORT_COLOURS

ARM_COLOURS = ("#1565c0", "#ef6c00", "#2e7d32", "#6a1b9a")


def _svg(width, height, label, parts) -> str:
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(label)}" font-family="sans-serif" font-size="12">' + "".join(parts) + "</svg>"
    )


def _box(x, y, w, h, lines, bold=False):
    parts = [f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="4" fill="#fff" stroke="#555"/>']
    for i, line in enumerate(lines):
        weight = ' font-weight="bold"' if bold and i == 0 else ""
        parts.append(f'<text x="{x + w / 2}" y="{y + 18 + 16 * i}" text-anchor="middle"{weight}>{escape(line)}</text>')
    return "".join(parts)


def _arrow(x1, y1, x2, y2, marker="arrow"):
    return f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#555" marker-end="url(#{marker})"/>'


def _marker(marker: str) -> str:
    return (
        f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>'
    )


def _arm_lines(arm) -> list[str]:
    return [
        f"{arm['arm'].name}: {arm['enrolled']}",
        f"completed: {arm['completed']}",
        f"withdrawn: {arm['withdrawn']}",
        f"in follow-up: {arm['in_follow_up']}",
    ]


FLOW_LABEL = "Participant flow: screened, eligible, enrolled and by arm"


def consort_svg(flow) -> str:
    """The flow on a screen: the arms side by side under the enrolled."""
    arms = flow["arms"]
    columns = max(len(arms), 1)
    width = max(720, 230 * columns + 20)
    centre = width / 2
    parts = [
        _marker("arrow"),
        _box(centre - 110, 10, 220, 30, [f"Screened: {flow['screened']}"], bold=True),
        _arrow(centre, 40, centre, 80),
        _arrow(centre, 60, centre + 150, 60),
        _box(centre + 150, 42, 180, 36, [f"Not eligible: {flow['screen_failures']}"]),
        _box(centre - 110, 80, 220, 46, [f"Eligible: {flow['eligible']}", f"awaiting enrolment: {flow['awaiting']}"]),
        _arrow(centre, 126, centre, 156),
        _box(centre - 110, 156, 220, 30, [f"Enrolled: {flow['enrolled']}"], bold=True),
    ]
    step = width / columns
    for i, arm in enumerate(arms):
        x = step * i + step / 2
        parts.append(_arrow(centre, 186, x, 216))
        parts.append(_box(x - 105, 216, 210, 84, _arm_lines(arm), bold=True))
    return _svg(width, 310, FLOW_LABEL, parts)


def consort_narrow_svg(flow) -> str:
    """The same flow for a phone (issue 28, 10): one column, the arms one under another, drawn 340 wide so
    its text keeps its size; the wide one was cut at the screen's edge, its arms off to the side."""
    width, x, w = 340, 10, 230
    parts = [
        _marker("arrow-narrow"),
        _box(x, 10, w, 30, [f"Screened: {flow['screened']}"], bold=True),
        _arrow(x + 40, 40, x + 40, 110, "arrow-narrow"),
        _arrow(x + 40, 60, x + 60, 60, "arrow-narrow"),
        _box(x + 60, 46, w - 60, 30, [f"Not eligible: {flow['screen_failures']}"]),
        _box(x, 110, w, 46, [f"Eligible: {flow['eligible']}", f"awaiting enrolment: {flow['awaiting']}"]),
        _arrow(x + 40, 156, x + 40, 180, "arrow-narrow"),
        _box(x, 180, w, 30, [f"Enrolled: {flow['enrolled']}"], bold=True),
    ]
    top = 210
    for i, arm in enumerate(flow["arms"]):
        y = top + 24 + i * 100
        parts.append(f'<line x1="{x + 20}" y1="{top}" x2="{x + 20}" y2="{y + 42}" stroke="#555"/>')
        parts.append(_arrow(x + 20, y + 42, x + 40, y + 42, "arrow-narrow"))
        parts.append(_box(x + 40, y, w + 40, 84, _arm_lines(arm), bold=True))
    height = top + 24 + 100 * max(len(flow["arms"]), 1)
    return _svg(width, height, FLOW_LABEL, parts)


def trajectory_svg(trajectory, arms, *, width=340, height=200) -> str:
    """Median by study day per arm, the IQR as a translucent band."""
    left, right, top, bottom = 46, 10, 24, 28
    points = [pt for series in trajectory.series.values() for pt in series]
    if not points:
        return ""
    days = [pt[0] for pt in points]
    first, last = min(days), max(max(days), min(days) + 1)
    high = max(pt[3] for pt in points) or 1
    high *= 1.05

    def x(day):
        return left + (day - first) / (last - first) * (width - left - right)

    def y(value):
        return top + (1 - value / high) * (height - top - bottom)

    analyte = trajectory.analyte
    parts = [
        f'<text x="{left}" y="14" font-weight="bold">{escape(analyte.name)} ({escape(analyte.unit)})</text>',
        f'<rect x="{left}" y="{top}" width="{width - left - right}" height="{height - top - bottom}" fill="#fafafa" '
        'stroke="#ccc"/>',
        f'<text x="{left - 4}" y="{top + 10}" text-anchor="end" font-size="10">{high:.3g}</text>',
        f'<text x="{left - 4}" y="{height - bottom}" text-anchor="end" font-size="10">0</text>',
        f'<text x="{left}" y="{height - 10}" font-size="10">day {first}</text>',
        f'<text x="{width - right}" y="{height - 10}" text-anchor="end" font-size="10">day {last}</text>',
    ]
    for index, arm in enumerate(arms):
        series = trajectory.series.get(arm.code, [])
        if not series:
            continue
        colour = ARM_COLOURS[index % len(ARM_COLOURS)]
        upper = " ".join(f"{x(d):.1f},{y(q3):.1f}" for d, _, _, q3, _ in series)
        lower = " ".join(f"{x(d):.1f},{y(q1):.1f}" for d, _, q1, _, _ in reversed(series))
        parts.append(f'<polygon points="{upper} {lower}" fill="{colour}" fill-opacity="0.15" stroke="none"/>')
        line = " ".join(f"{x(d):.1f},{y(m):.1f}" for d, m, _, _, _ in series)
        parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for d, m, q1, q3, n in series:
            parts.append(
                f'<circle cx="{x(d):.1f}" cy="{y(m):.1f}" r="2.5" fill="{colour}"><title>{escape(arm.name)}, '
                f"day {d}: median {m:.3g} (IQR {q1:.3g}-{q3:.3g}), n={n}</title></circle>"
            )
    return _svg(width, height, f"{analyte.name} by arm over study days", parts)


def oxygen_svg(oxygen, arms, support_choices, *, width=700) -> str:
    """Per arm, one bar per study day split by the share of participants on each support level."""
    left, top, row_height, gap = 90, 10, 60, 18
    height = top + len(arms) * (row_height + gap) + 56
    all_days = [d for series in oxygen.values() for d, _ in series]
    if not all_days:
        return ""
    first, last = min(all_days), max(all_days)
    bar = (width - left - 10) / (last - first + 1)
    parts = []
    for index, arm in enumerate(arms):
        y0 = top + index * (row_height + gap)
        parts.append(f'<text x="{left - 6}" y="{y0 + row_height / 2 + 4}" text-anchor="end">{escape(arm.name)}</text>')
        for day, counts in oxygen.get(arm.code, []):
            total = sum(counts.values())
            y = y0 + row_height
            for code, label in support_choices:
                n = counts.get(code, 0)
                if not n:
                    continue
                h = row_height * n / total
                y -= h
                parts.append(
                    f'<rect x="{left + (day - first) * bar:.1f}" y="{y:.1f}" width="{max(bar - 0.5, 0.5):.1f}" '
                    f'height="{h:.1f}" fill="{SUPPORT_COLOURS[code]}"><title>{escape(arm.name)}, day {day}: '
                    f"{n} of {total} on {escape(label.lower())}</title></rect>"
                )
    # The legend in three columns, so it fits a narrow chart.
    legend_top = height - 40
    for i, (code, label) in enumerate(support_choices):
        x, y = left + (i % 3) * 200, legend_top + 14 * (i // 3) + 10
        colour = SUPPORT_COLOURS[code]
        parts.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}" stroke="#999"/>')
        parts.append(f'<text x="{x + 14}" y="{y}" font-size="10">{escape(label.split(" (")[0])}</text>')
    parts.append(f'<text x="{left}" y="{legend_top - 8}" font-size="10">day {first}</text>')
    parts.append(f'<text x="{width - 10}" y="{legend_top - 8}" font-size="10" text-anchor="end">day {last}</text>')
    return _svg(width, height, "Oxygen support over study days by arm", parts)
