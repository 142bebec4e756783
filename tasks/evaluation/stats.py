"""Confidence intervals for the teacher-vs-student verdict, and the non-inferiority decision.

Every comparison is paired: the same items answered by both arms. The method depends on the data:
- **Paired yes/no metrics** (schema validity, one field's agreement): Tango's asymptotic score interval for
  the difference of paired proportions (Tango 1998, Statistics in Medicine 17:891-908; recommended at small n
  by Fagerland, Lydersen & Laake 2013, BMC Med Res Methodol 13:84). The percentile bootstrap it replaces
  under-covers there: at n = 10-20 with p near 1, most resamples are all-1 and the interval collapses to a
  point. One arm's proportion alone: the Clopper-Pearson interval (scipy), conservative by construction (Wilson's
  dips to 0.90 coverage at p = 0.99, n = 10).
- **Continuous metrics** (chrF, judge win scores, mean agreement over fields): the paired percentile
  bootstrap; when every item has the same value the bootstrap has nothing to resample, so the interval is
  widened by the share of items that could differ without the run seeing it (`_unanimous_ci`).
`benchmarks/ci_coverage.py` measures each method's coverage at the sample sizes the product uses.

A metric is non-inferior when the lower bound of (student - reference) is at least -margin, the margin fixed
in the config before the run, and only with at least `evaluation.min_items` items: below that, the verdict is
"insufficient evidence", never a pass.
"""

import math

import numpy as np

from distillery.proportions import proportion_ci


def z_of(confidence: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(0.5 + confidence / 2))


def tango_ci(b, c, n, confidence: float):
    """Tango's score interval for p1 - p2 from paired yes/no data: b items yes in arm 1 only, c in arm 2 only, n
    items in all. Vectorised over arrays of (b, c) (the coverage benchmark evaluates every possible table).

    Hand-written: no maintained Python package implements it (statsmodels has McNemar's test, not this interval).
    The interval is every d whose score statistic |Z(d)| <= z, with the cell probability p01 re-estimated under
    d by maximum likelihood (closed form, Tango's eq. 4); Z decreases in d, so each bound is found by bisection."""
    b, c, n = (np.asarray(x, dtype=float) for x in np.broadcast_arrays(b, c, n))
    z = z_of(confidence)
    est = (b - c) / n

    def score(d):
        # restricted MLE of p01 given p10 - p01 = d: the root of 2n q^2 + B q + C = 0 in [0, 1]
        big_b = -(b + c) + (2 * n - b + c) * d
        q = (-big_b + np.sqrt(np.maximum(big_b ** 2 + 8 * n * c * d * (1 - d), 0))) / (4 * n)
        var = n * (2 * q + d * (1 - d))
        num = b - c - n * d
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(var > 0, num / np.sqrt(np.maximum(var, 1e-300)), np.where(num == 0, 0.0, np.sign(num) * np.inf))

    def bound(lo, hi, target):
        for _ in range(60):  # 2^-60 of [-1, 1]: far below any reported digit
            mid = (lo + hi) / 2
            above = score(mid) > target  # Z decreasing: still above the target means the root lies to the right
            lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
        return (lo + hi) / 2

    lower = bound(np.full_like(est, -1.0), est, z)
    upper = bound(est, np.full_like(est, 1.0), -z)
    return lower, upper


def _is_binary(*arrays) -> bool:
    return all(len(a) and np.isin(a, (0.0, 1.0)).all() for a in arrays)


def _unanimous_ci(value: float, n: int, low: float, high: float, confidence: float) -> tuple[float, float]:
    """Every item gave `value`: the bootstrap sees no spread, but up to the upper bound for 0 of n (Clopper-Pearson) of
    the items could differ without the run seeing it, each by as much as the metric's range [low, high] allows."""
    share = proportion_ci(0, n, confidence)[1]
    return value - share * (value - low), value + share * (high - value)


def _bootstrap(values: np.ndarray, resamples: int, confidence: float, seed: int) -> tuple[float, float]:
    from scipy.stats import bootstrap

    # Percentile intervals: BCa is undefined on the many constant resamples a small eval split produces.
    res = bootstrap((values,), np.mean, n_resamples=resamples, confidence_level=confidence, method="percentile",
                    rng=np.random.default_rng(seed), vectorized=True)
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def _estimate(values: np.ndarray, method: str, lo: float, hi: float) -> dict:
    return {"estimate": round(float(values.mean()), 4), "ci": [round(lo, 4), round(hi, 4)], "n": int(len(values)),
            "method": method}


def mean_ci(values, resamples: int, confidence: float, seed: int) -> dict:
    """One arm's mean with its CI: Clopper-Pearson for yes/no values, the bootstrap otherwise (metric range [0, 1])."""
    v = np.asarray(values, dtype=float)
    if not len(v):
        return {"estimate": None, "ci": [None, None], "n": 0, "method": None}
    if _is_binary(v):
        return _estimate(v, "clopper-pearson", *proportion_ci(int(v.sum()), len(v), confidence))
    if np.all(v == v[0]):
        return _estimate(v, "unanimous", *_unanimous_ci(float(v[0]), len(v), 0.0, 1.0, confidence))
    return _estimate(v, "bootstrap", *_bootstrap(v, resamples, confidence, seed))


def paired_diff_ci(a, b, resamples: int, confidence: float, seed: int) -> dict:
    """Mean of a - b over the same items: Tango's interval when both arms are yes/no, else the paired bootstrap
    (items resampled once for both arms; metric range [0, 1], so a difference lies in [-1, 1])."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    d = a - b
    if not len(d):
        return {"estimate": None, "ci": [None, None], "n": 0, "method": None}
    if _is_binary(a, b):
        only_a, only_b = int(((a == 1) & (b == 0)).sum()), int(((a == 0) & (b == 1)).sum())
        lo, hi = tango_ci(only_a, only_b, len(d), confidence)
        return {**_estimate(d, "tango", float(lo), float(hi)), "discordant": [only_a, only_b]}
    if np.all(d == d[0]):
        return _estimate(d, "unanimous", *_unanimous_ci(float(d[0]), len(d), -1.0, 1.0, confidence))
    return _estimate(d, "bootstrap", *_bootstrap(d, resamples, confidence, seed))


def non_inferior(diff: dict, margin: float) -> bool:
    return diff["n"] > 0 and diff["ci"][0] >= -margin


def items_needed(diff: dict, margin: float, confidence: float, cap: int = 100_000) -> int | None:
    """How many items this comparison needs for its lower bound to clear -margin if the student were exactly as good
    as the reference, with the spread this run saw (the discordance rate for yes/no data, the SD otherwise)."""
    n = diff["n"]
    if not n or margin <= 0:
        return None
    if diff.get("method") == "tango":
        rate = sum(diff["discordant"]) / n

        def lower(m: int) -> float:
            half = rate * m / 2  # as many items better as worse: a true difference of 0
            return float(tango_ci(half, half, m, confidence)[0])

        m = 2
        while lower(m) < -margin:
            m *= 2
            if m > cap:
                return None
        lo_m, hi_m = m // 2, m
        while hi_m - lo_m > 1:  # the lower bound tightens with m: bisect for the first m that clears
            mid = (lo_m + hi_m) // 2
            lo_m, hi_m = (lo_m, mid) if lower(mid) >= -margin else (mid, hi_m)
        return hi_m
    lo, hi = diff["ci"]
    half = (hi - lo) / 2
    if half <= 0:
        return n
    return min(cap, max(2, math.ceil(n * (half / margin) ** 2)))  # half-widths shrink as 1/sqrt(n)


def win_scores(outcomes: list[str], arm: str) -> list[float]:
    """Per-item score for `arm` from judge outcomes: a win 1, a tie 0.5, a loss 0."""
    return [1.0 if o == arm else 0.5 if o == "tie" else 0.0 for o in outcomes]
