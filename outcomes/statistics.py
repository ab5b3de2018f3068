"""The between-arm estimate of the endpoint table (outcomes/endpoints.py): the Hodges-Lehmann median
difference with its distribution-free confidence interval (Bauer 1972; Hollander & Wolfe, Nonparametric
Statistical Methods, 3rd ed., section 4.3), computed as R's ``wilcox.test(x, y, conf.int = TRUE)`` does:

- the estimate is the median of the n x m differences x_i - y_j;
- the interval runs from the k-th smallest to the k-th largest difference, k the alpha/2 quantile of the
  Mann-Whitney U null distribution (the smallest k with P(U <= k) >= alpha/2, at least 1);
- exact when both samples have fewer than 50 values and no value is tied in the pooled samples (as R),
  the null distribution counted exactly; otherwise k from the normal approximation of U,
  nm/2 - z * sqrt(nm(n + m + 1) / 12), rounded down (the interval errs wide, never narrow).

Pure functions over plain numbers; scipy only for the normal quantile.
"""

import math
from dataclasses import dataclass
from functools import lru_cache
from statistics import median

from scipy.stats import norm

EXACT_BELOW = 50


@dataclass(frozen=True)
class ShiftEstimate:
    estimate: float
    low: float
    high: float
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
    else:
        z = norm.ppf(1 - alpha / 2)
        k = max(math.floor(total / 2 - z * math.sqrt(total * (n + m + 1) / 12)), 1)
        achieved = confidence
    return ShiftEstimate(
        estimate=median(differences),
        low=differences[k - 1],
        high=differences[total - k],
        confidence=achieved,
        exact=exact,
    )
