"""The cells of the report's tables and the statistics they carry: a count with its denominator or a median
with its interquartile range, a number rounded as the report prints it, Fisher's exact and Mann-Whitney U
p-values. The trial summary (outcomes/summary.py) and the endpoint table (outcomes/endpoint_table.py) both
build their rows from these.

Medians with the interquartile range: 25th and 75th percentiles by the (n + 1)p definition (numpy's
"weibull", as SPSS computes them, which clinical papers usually report). Mann-Whitney U: two-sided, scipy's
automatic exact / asymptotic choice.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import numpy
from scipy.stats import fisher_exact, mannwhitneyu


@dataclass
class Cell:
    """One arm's value in a row: a count (with its denominator) or a median with IQR."""

    n: int | None = None
    of: int | None = None
    median: Decimal | None = None  # exact (exact_quartiles): printed rounded half up on the decimal value
    q1: Decimal | None = None
    q3: Decimal | None = None
    extra: str = ""

    @property
    def percent(self) -> float | None:
        return None if self.n is None or not self.of else 100 * self.n / self.of

    def __str__(self) -> str:
        if self.n is not None:
            text = f"{self.n}/{self.of}" if self.of is not None else str(self.n)
            if self.percent is not None:
                text += f" ({whole_percent(self.n, self.of)}%)"
            return text + (f"; {self.extra}" if self.extra else "")
        if self.median is None:
            return "-"
        # A hyphen between two negative numbers reads as a minus ("-19--14"): "to" then.
        joiner = " to " if min(self.q1, self.q3) < 0 else "-"
        return f"{fmt(self.median)} ({fmt(self.q1)}{joiner}{fmt(self.q3)})"


def whole_percent(n: int, of: int) -> int:
    """n of ``of`` as a whole percentage, rounded half up, in integers (exact): 1/8 is 13%, 5/8 is 63% (the
    float's f"{12.5:.0f}" rounded half to even, 12%, against what the README says)."""
    return (200 * n + of) // (2 * of)


def fmt(value) -> str:
    """A number as the report prints it: two decimals (none from 1,000 up), rounded half away from zero
    (ROUND_HALF_UP) on the number's shortest decimal form, trailing zeros dropped. So 108.755 prints
    108.76 and 82.495 prints 82.5, whatever binary fraction the float holds (f"{x:.2f}" rounded those two
    in opposite directions)."""
    if value is None:
        return "-"
    exact = Decimal(repr(float(value))) if not isinstance(value, Decimal) else value
    places = Decimal("1") if abs(exact) >= 1000 else Decimal("0.01")
    text = str(exact.quantize(places, rounding=ROUND_HALF_UP))
    return text.rstrip("0").rstrip(".") if "." in text else text


def quartiles(values) -> tuple[float, float, float] | None:
    """(median, q1, q3) as floats, for the charts; the tables print exact_quartiles."""
    values = [float(v) for v in values if v is not None]
    if not values:
        return None
    q1, q2, q3 = numpy.percentile(values, [25, 50, 75], method="weibull")
    return float(q2), float(q1), float(q3)


def _decimal(value) -> Decimal:
    # A float by its shortest decimal form (what was entered), a Decimal or an int as it is.
    return value if isinstance(value, Decimal) else Decimal(repr(value) if isinstance(value, float) else value)


def _weibull(ordered: list[Decimal], p: Decimal) -> Decimal:
    """The p-th quantile by the (n + 1)p definition (numpy's "weibull", R's type 6), in exact decimals."""
    n = len(ordered)
    h = (n + 1) * p
    if h <= 1:
        return ordered[0]
    if h >= n:
        return ordered[-1]
    j = int(h)
    return ordered[j - 1] + (h - j) * (ordered[j] - ordered[j - 1])


def exact_quartiles(values) -> tuple[Decimal, Decimal, Decimal] | None:
    """(median, q1, q3) in exact decimal arithmetic, so that a quartile of exactly 38.975 prints 38.98: over
    binary floats it came out 38.974999... and printed 38.97 (issue 29, 9)."""
    ordered = sorted(_decimal(v) for v in values if v is not None)
    if not ordered:
        return None
    return tuple(_weibull(ordered, Decimal(p)) for p in ("0.5", "0.25", "0.75"))


def median_cell(values) -> Cell:
    found = exact_quartiles(values)
    return Cell() if found is None else Cell(median=found[0], q1=found[1], q3=found[2])


def fisher_p(counts: list[tuple[int, int]]) -> float | None:
    """counts: per arm (with, total); two arms only."""
    if len(counts) != 2 or any(total == 0 for _, total in counts):
        return None
    return _fisher(tuple((with_, total - with_) for with_, total in counts))


@lru_cache(maxsize=4096)
def _fisher(table: tuple) -> float:
    # Remembered by its four counts: after a change to one participant most rows' counts are the same, and
    # the exact test over thousands of participants is a millisecond or two each (issue 19).
    return float(fisher_exact(table, alternative="two-sided").pvalue)


def mann_whitney_p(groups: list[list]) -> float | None:
    """Two-sided, as R's ``wilcox.test(x, y)`` chooses and computes it (issue 29, 8): exact when both groups
    have fewer than 50 values and no value is tied, otherwise the normal approximation with the tie-corrected
    variance and the continuity correction. scipy's own choice (exact only up to 8 values) gave other
    p-values than R's beside an interval computed as R's (outcomes/statistics.py)."""
    groups = [[float(v) for v in g if v is not None] for g in groups]
    if len(groups) != 2 or not all(groups):
        return None
    x, y = groups
    if len(set(x + y)) == 1:
        return 1.0  # identical values: no difference to test
    exact = len(x) < 50 and len(y) < 50 and len(set(x + y)) == len(x) + len(y)
    method = "exact" if exact else "asymptotic"
    return float(mannwhitneyu(x, y, alternative="two-sided", method=method, use_continuity=True).pvalue)
