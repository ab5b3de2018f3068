"""The Hodges-Lehmann estimate and its distribution-free interval (outcomes/statistics.py), checked against
an independent computation: the Mann-Whitney null distribution counted by enumerating every assignment of
ranks (itertools), not by the module's generating function, and against answers known by hand and from R."""

import itertools
import math
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outcomes.statistics import _u_counts, hodges_lehmann, u_quantile


def enumerated_u_counts(n, m):
    """U for every choice of the n ranks (of n + m) that x takes: U = sum of x's ranks - n(n+1)/2."""
    counts = [0] * (n * m + 1)
    for ranks in itertools.combinations(range(1, n + m + 1), n):
        counts[sum(ranks) - n * (n + 1) // 2] += 1
    return counts


def independent_interval(x, y, confidence=0.95):
    """Straight from the definition (Hollander & Wolfe 4.3): k the smallest with P(U <= k) >= alpha/2."""
    n, m = len(x), len(y)
    counts = enumerated_u_counts(n, m)
    total = math.comb(n + m, n)
    alpha = 1 - confidence
    k = next(k for k in range(n * m + 1) if sum(counts[: k + 1]) >= alpha / 2 * total)
    k = max(k, 1)
    d = sorted(a - b for a in x for b in y)
    return statistics.median(d), d[k - 1], d[n * m - k]


@pytest.mark.parametrize("n,m", [(1, 1), (2, 3), (3, 3), (4, 6), (5, 5), (7, 4), (8, 8)])
def test_the_null_distribution_matches_enumeration(n, m):
    assert list(_u_counts(n, m)) == enumerated_u_counts(n, m)


def test_known_critical_values():
    # Hollander & Wolfe table: n = m = 5 gives the 96.8 % interval from the 3rd smallest difference;
    # n = m = 3: no 95 % interval is narrower than the whole range (P(U = 0) = 0.05).
    assert u_quantile(0.025, 5, 5) == 3
    assert u_quantile(0.025, 3, 3) == 0


def test_a_shift_known_by_hand():
    found = hodges_lehmann([10, 11, 12], [1, 2, 3])
    # Differences 7, 8, 8, 9, 9, 9, 10, 10, 11: median 9; at n = m = 3 the interval is the whole range.
    assert (found.estimate, found.low, found.high) == (9, 7, 11)
    assert found.exact and found.confidence == pytest.approx(0.9)


def test_the_example_of_r_wilcox_test():
    # ?wilcox.test's two-sample example; R: wilcox.test(x, y, conf.int = TRUE) gives the difference in
    # location 0.305 and the 95 percent confidence interval -0.15 to 0.76.
    x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
    y = [1.15, 0.88, 0.90, 0.74, 1.21]
    found = hodges_lehmann(x, y)
    assert found.estimate == pytest.approx(0.305)
    assert (found.low, found.high) == (pytest.approx(-0.15), pytest.approx(0.76))
    assert found.exact


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(-500, 500), min_size=1, max_size=7, unique=True),
    st.lists(st.integers(-500, 500), min_size=1, max_size=7, unique=True),
)
def test_it_agrees_with_the_independent_computation(x, y):
    y = [v + 0.5 for v in y]  # no value of y equals one of x: the exact method applies
    found = hodges_lehmann(x, y)
    assert found.exact
    assert (found.estimate, found.low, found.high) == pytest.approx(independent_interval(x, y))


def test_ties_use_the_normal_approximation_and_the_interval_still_holds_the_estimate():
    x = [3, 3, 4, 5, 5, 6, 7, 7, 8, 9] * 6
    y = [1, 2, 2, 3, 3, 4, 5, 5, 6, 6] * 6
    found = hodges_lehmann(x, y)
    assert not found.exact
    assert found.low <= found.estimate <= found.high
    assert found.estimate == 2


def test_an_empty_sample_has_no_estimate():
    assert hodges_lehmann([], [1, 2]) is None
    assert hodges_lehmann([1, None], [None]) is None


def test_every_value_tied_gives_the_estimate_and_no_interval_as_r():
    # R: wilcox.test(c(5, 5, 5), c(2, 2), conf.int = TRUE) stops: "cannot compute confidence interval when all
    # observations are tied". The estimate stands; the interval is not made up.
    found = hodges_lehmann([5, 5, 5], [2, 2])
    assert found.estimate == 3 and found.low is None and found.high is None and not found.exact
