"""The Hodges-Lehmann interval against R's own ``wilcox.test(x, y, conf.int = TRUE)`` (issue 29, 8): R is the
reference. Samples small and large, with and without ties, exact and approximate, some of them changes from
baseline computed from one-decimal measurements; every one run through Rscript in one process, the values
handed over as hexadecimal floats (the same doubles on both sides), and each interval compared to the last
bits (1e-9 relative) and as the endpoint table prints it.

Skipped, saying why, where R is missing (``apt-get install r-base-core``); CI installs R and sets
CRF_REQUIRE_R=1, so there it fails instead."""

import os
import random
import shutil
import subprocess
from decimal import Decimal

import pytest

from outcomes.report_cells import fmt, mann_whitney_p
from outcomes.statistics import hodges_lehmann


def _rscript() -> str:
    found = shutil.which("Rscript")
    if found is None:
        message = "R is not installed (apt-get install r-base-core): the comparison with R cannot run"
        if os.environ.get("CRF_REQUIRE_R"):
            pytest.fail(message)
        pytest.skip(message)
    return found


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
        script.append(
            f"r <- wilcox.test({vector(x)}, {vector(y)}, conf.int = TRUE); "
            f'cat({index}, sprintf("%a", r$conf.int[1]), sprintf("%a", r$conf.int[2]), sprintf("%a", r$p.value), "\\n")'
        )
    path = folder / "intervals.R"
    path.write_text("\n".join(script) + "\n")
    done = subprocess.run([_rscript(), "--vanilla", str(path)], capture_output=True, text=True, timeout=120, check=True)
    found = {}
    for line in done.stdout.splitlines():
        index, low, high, p = line.split()
        found[cases[int(index)][0]] = (float.fromhex(low), float.fromhex(high), float.fromhex(p))
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
