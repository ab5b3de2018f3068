"""The Hodges-Lehmann interval against R's own ``wilcox.test(x, y, conf.int = TRUE)`` (issue 29, 8): R is the
reference. Samples small and large, with and without ties, exact and approximate, some of them changes from
baseline computed from one-decimal measurements; every one run through Rscript in one process, the values
handed over as hexadecimal floats (the same doubles on both sides), and each interval compared to the last
bits (1e-9 relative) and as the endpoint table prints it.

Skipped, saying why, where R is missing (``apt-get install r-base-core``); CI installs R and sets
CRF_REQUIRE_R=1, so there it fails instead."""

import random
import subprocess
from decimal import Decimal

import pytest

from outcomes.report_cells import fmt, mann_whitney_p
from outcomes.statistics import hodges_lehmann
from tests.helpers import rscript


def _one_decimal(rng, centre, spread):
    return Decimal(str(round(rng.gauss(centre, spread), 1)))


def _samples():
    """(name, x, y): floats as the endpoint table hands them to hodges_lehmann."""
    rng = random.Random(29)
    cases = []
    # Small, no ties: R's exact path.
    for n, m in ((3, 4), (5, 5), (8, 6), (12, 9), (20, 15), (49, 30)):
        values = rng.sample(range(-400, 400), n + m)
        cases.append((f"exact {n}x{m}", [v / 4 + 0.125 for v in values[:n]], [v / 4 for v in values[n:]]))
    # One-decimal measurements with ties, small and large: the normal approximation.
    for n, m in ((7, 18), (17, 33), (18, 7), (25, 25), (40, 20), (60, 30), (120, 80)):
        x = [_one_decimal(rng, -12, 8) for _ in range(n)]
        y = [_one_decimal(rng, -5, 8) for _ in range(m)]
        cases.append((f"ties {n}x{m}", [float(v) for v in x], [float(v) for v in y]))
    # Changes from baseline: at visit minus baseline in exact decimals (as outcomes/endpoints.py does), so a
    # tie between two changes is a tie in the floats too.
    for n, m in ((9, 11), (33, 17), (66, 34)):

        def changes(count, shift):
            found = []
            for _ in range(count):
                baseline = _one_decimal(rng, 30, 10)
                found.append(float(_one_decimal(rng, 30 + shift, 10) - baseline))
            return found

        cases.append((f"changes {n}x{m}", changes(n, -6), changes(m, 0)))
    # Integers (six-minute walk distances), many ties; large samples without ties.
    for n, m in ((15, 14), (50, 50), (80, 75)):
        cases.append(
            (
                f"integers {n}x{m}",
                [rng.randrange(250, 520, 5) for _ in range(n)],
                [rng.randrange(230, 500, 5) for _ in range(m)],
            )
        )
    for n, m in ((55, 52), (90, 100)):
        values = rng.sample(range(-5000, 5000), n + m)
        cases.append((f"no ties {n}x{m}", [v / 8 for v in values[:n]], [v / 8 for v in values[n:]]))
    # R's own extreme case: the interval's end is the range's end.
    cases.append(("extreme 1x59", [1.0], [float(v) for v in range(2, 61)]))
    return cases


def _r_intervals(cases, folder) -> dict[str, tuple[float, float, float]]:
    def vector(values):
        return "c(" + ", ".join(float(v).hex() for v in values) + ")"

    script = ["options(warn = -1)"]
    for index, (_, x, y) in enumerate(cases):
        # R stops when every value is tied ("cannot compute confidence interval"): NA then, as the app's None.
        script.append(
            f"r <- tryCatch(wilcox.test({vector(x)}, {vector(y)}, conf.int = TRUE), error = function(e) NULL); "
            f'if (is.null(r)) cat({index}, "NA NA NA\\n") else '
            f'cat({index}, sprintf("%a", r$conf.int[1]), sprintf("%a", r$conf.int[2]), sprintf("%a", r$p.value), "\\n")'
        )
    path = folder / "intervals.R"
    path.write_text("\n".join(script) + "\n")
    done = subprocess.run([rscript(), "--vanilla", str(path)], capture_output=True, text=True, timeout=120, check=True)
    found = {}
    for line in done.stdout.splitlines():
        index, *values = line.split()
        found[cases[int(index)][0]] = tuple(None if v == "NA" else float.fromhex(v) for v in values)
    return found


def test_every_interval_is_rs(tmp_path):
    cases = _samples()
    r = _r_intervals(cases, tmp_path)
    assert len(r) == len(cases)
    differ = []
    for name, x, y in cases:
        found = hodges_lehmann(x, y)
        low, high, p = r[name]
        same = found.low == pytest.approx(low, rel=1e-9, abs=1e-12) and found.high == pytest.approx(
            high, rel=1e-9, abs=1e-12
        )
        printed = (fmt(found.low), fmt(found.high)) == (fmt(low), fmt(high))
        if not (same and printed):
            differ.append(f"{name}: ({found.low!r}, {found.high!r}) here, R ({low!r}, {high!r})")
        # The p-value beside it is R's too: exact or approximate as R chooses (an interval covering 0 beside
        # p = 0.049 was seen when the two came from different methods).
        here = mann_whitney_p([x, y])
        if here != pytest.approx(p, rel=1e-9, abs=1e-15):
            differ.append(f"{name}: p {here!r} here, R {p!r}")
    assert differ == []
    # Both paths were compared: R's exact (no ties, under 50) and its normal approximation.
    assert {hodges_lehmann(x, y).exact for _, x, y in cases} == {True, False}


@pytest.mark.django_db
def test_every_interval_the_endpoint_table_prints_is_rs(tmp_path, coordinator, site_a, monkeypatch):
    """Issue 29, done means: the endpoint table's own rows (changes from baseline of one-decimal CT readings,
    ties among them, three components) each against R, the samples taken as the table hands them over."""
    from outcomes import endpoint_table as table_module
    from outcomes.statistics import hodges_lehmann as computed
    from patients.casebook.schedule import Visit, VisitForm
    from patients.models import Participant
    from tests.factories import follow_up_after_discharge
    from tests.outcomes.test_endpoint_analysis import enrolled, scan

    follow_up_after_discharge()
    visit = Visit.objects.create(code="d28", label="Day 28", target_day=28, window_before=3, window_after=3)
    VisitForm.objects.create(visit=visit, crf_key="qct")
    rng = random.Random(290)
    for arm, shift, count in (("ucmsc", -9, 13), ("control", -3, 9)):
        for _ in range(count):
            p = enrolled(coordinator, site_a, arm=arm, days_ago=35)
            scan(p, coordinator, 0, str(round(rng.uniform(15, 35), 1)))
            scan(p, coordinator, 28, str(round(max(0.5, rng.gauss(20 + shift, 5)), 0)))
    seen = []

    def recording(x, y, **kwargs):
        found = computed(x, y, **kwargs)
        seen.append((f"row {len(seen)}", [float(v) for v in x], [float(v) for v in y], found))
        return found

    monkeypatch.setattr(table_module, "hodges_lehmann", recording)
    groups = [list(Participant.objects.filter(arm__code=code)) for code in ("ucmsc", "control")]
    rows = [row for row in table_module.endpoint_table(groups) if row.shift is not None]
    assert len(rows) == len(seen) == 3  # lesion, solid and ground-glass changes at day 28
    assert any(len(set(x + y)) < len(x) + len(y) for _, x, y, _ in seen)  # ties: R's approximate path
    r = _r_intervals([(name, x, y) for name, x, y, _ in seen], tmp_path)
    for name, _, _, found in seen:
        low, high, _ = r[name]
        if low is None:  # every value tied: R refuses the interval, and so does the table
            assert found.low is None and found.high is None, name
            continue
        assert (found.low, found.high) == (pytest.approx(low, rel=1e-9), pytest.approx(high, rel=1e-9)), name
