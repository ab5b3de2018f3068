"""The between-arm estimate of the endpoint table (outcomes/endpoints.py): the Hodges-Lehmann median
difference with its distribution-free confidence interval (Bauer 1972; Hollander & Wolfe, Nonparametric
Statistical Methods, 3rd ed., section 4.3), the interval computed as R's ``wilcox.test(x, y, conf.int =
TRUE)`` (``wilcox.test.default`` of R 4.x, stats package) computes it, step for step:

- exact when both samples have fewer than 50 values and no value is tied in the pooled samples: the
  interval runs from the k-th smallest to the k-th largest of the n x m differences x_i - y_j, k =
  ``qwilcox(alpha/2, n, m)`` (at least 1), the Mann-Whitney U null distribution counted exactly;
- otherwise the normal approximation, inverted as R does: W(d) = (U(d) - nm/2 - correction) / sigma(d), U
  of x - d against y with average ranks, the continuity correction sign(.) * 0.5, sigma with the ties of
  x - d and y (tie-corrected variance); each limit the root of W(d) - z found by R's ``uniroot`` (Brent's
  zeroin, ported line by line from R's src/library/stats/src/zeroin.c, tolerance 1e-4), or the range's end
  when W does not cross z within it (min(x) - max(y), max(x) - min(y)).

The estimate is always the Hodges-Lehmann median of the n x m differences. R's approximate path reports
instead the root of W(d) = 0 without continuity correction ("difference in location"), which may differ
slightly: the table prints the median of the differences in both cases, as the protocol's definition says.

tests/outcomes/test_hodges_lehmann.py compares every interval with R's own output (Rscript), small and large
samples, with and without ties.

Pure functions over plain numbers; scipy only for the normal quantile.
"""

import math
import sys
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from statistics import median

from scipy.stats import norm

EXACT_BELOW = 50


@dataclass(frozen=True)
class ShiftEstimate:
    estimate: float
    # None when every value of each sample is the same: R refuses the interval then ("cannot compute
    # confidence interval when all observations are tied"), and so does this.
    low: float | None
    high: float | None
    confidence: float  # the interval's achieved confidence (exact), or the nominal one (approximate)
    exact: bool


@lru_cache(maxsize=32)
def _u_counts(n: int, m: int) -> tuple[int, ...]:
    """How many of the C(n+m, n) orderings give each U = 0 .. nm: the coefficients of the Gaussian binomial
    [n+m choose n]_q = prod over i = 1..n of (1 - q^(m+i)) / (1 - q^i), multiplied out one factor at a time
    (each division is exact)."""
    poly = [1]
    for i in range(1, n + 1):
        shift = m + i
        product = poly + [0] * shift
        for k, c in enumerate(poly):
            product[k + shift] -= c
        quotient = [0] * (len(product) - i)
        for k in range(len(quotient)):
            quotient[k] = product[k] + (quotient[k - i] if k >= i else 0)
        poly = quotient
    return tuple(poly)


def u_quantile(p: float, n: int, m: int) -> int:
    """The smallest k with P(U <= k) >= p under the null hypothesis (R's ``qwilcox``)."""
    counts = _u_counts(n, m)
    total = sum(counts)
    running = 0
    for k, c in enumerate(counts):
        running += c
        if running >= p * total:
            return k
    return n * m


def u_cdf(k: int, n: int, m: int) -> float:
    """P(U <= k) under the null hypothesis (R's ``pwilcox``)."""
    if k < 0:
        return 0.0
    counts = _u_counts(n, m)
    return sum(counts[: k + 1]) / sum(counts)


def hodges_lehmann(x, y, *, confidence: float = 0.95) -> ShiftEstimate | None:
    """The shift of ``x`` relative to ``y`` (x minus y) and its interval; None when a sample is empty."""
    x = [float(v) for v in x if v is not None]
    y = [float(v) for v in y if v is not None]
    n, m = len(x), len(y)
    if not n or not m:
        return None
    differences = sorted(a - b for a in x for b in y)
    total = n * m
    alpha = 1 - confidence
    # As R: exact unless a sample has 50 values or more, or a value occurs twice in the pooled samples.
    exact = n < EXACT_BELOW and m < EXACT_BELOW and len(set(x + y)) == n + m
    if exact:
        k = max(u_quantile(alpha / 2, n, m), 1)
        achieved = 1 - 2 * u_cdf(k - 1, n, m)
        low, high = differences[k - 1], differences[total - k]
    elif len(set(x)) == 1 and len(set(y)) == 1:
        low = high = None  # W's variance is 0 where x - d meets y: R stops with an error here
        achieved = confidence
    else:
        low, high = _approximate_interval(x, y, alpha)
        achieved = confidence
    return ShiftEstimate(estimate=median(differences), low=low, high=high, confidence=achieved, exact=exact)


def _average_ranks(values: list[float]) -> list[float]:
    """R's rank(): ties get the mean of the ranks they span."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for i in order[start : end + 1]:
            ranks[i] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def _standardised_w(x: list[float], y: list[float], d: float) -> float:
    """R's W(d) of wilcox.test.default's two-sample interval: the Wilcoxon statistic of x - d against y,
    centred, continuity-corrected (two-sided: sign * 0.5), over its tie-corrected standard deviation."""
    n, m = len(x), len(y)
    pooled = [v - d for v in x] + y
    ranks = _average_ranks(pooled)
    dz = sum(ranks[:n]) - n * (n + 1) / 2 - n * m / 2
    correction = math.copysign(0.5, dz) if dz != 0 else 0.0
    ties = Counter(pooled).values()
    sigma = math.sqrt((n * m / 12) * ((n + m + 1) - sum(t**3 - t for t in ties) / ((n + m) * (n + m - 1))))
    if sigma == 0:
        raise ValueError("cannot compute confidence interval when all observations are tied")
    return (dz - correction) / sigma


def _approximate_interval(x: list[float], y: list[float], alpha: float) -> tuple[float, float]:
    mumin, mumax = min(x) - max(y), max(x) - min(y)
    w_min, w_max = _standardised_w(x, y, mumin), _standardised_w(x, y, mumax)

    def root(zq: float) -> float:
        # R: in extreme cases the range's ends (e.g. wilcox.test(1, 2:60, conf.int = TRUE)).
        f_lower = w_min - zq
        if f_lower <= 0:
            return mumin
        f_upper = w_max - zq
        if f_upper >= 0:
            return mumax
        return zeroin(lambda d: _standardised_w(x, y, d) - zq, mumin, mumax, f_lower, f_upper, tol=1e-4)

    return root(float(norm.ppf(1 - alpha / 2))), root(float(norm.ppf(alpha / 2)))


EPSILON = sys.float_info.epsilon


def zeroin(f, ax: float, bx: float, fa: float, fb: float, *, tol: float, maxit: int = 1000) -> float:
    """R's R_zeroin2 (src/library/stats/src/zeroin.c, what uniroot() calls): Brent's root finder, ported
    statement by statement so that the same function gives the same root to the last bit."""
    a, b = ax, bx
    c, fc = a, fa
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    for _ in range(maxit + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2 * EPSILON * abs(b) + tol / 2
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0.0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:
                q = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tol_act * q) / 2) and p < abs(prev_step * q / 2):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return b
