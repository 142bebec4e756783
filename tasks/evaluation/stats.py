"""Paired bootstrap confidence intervals and the non-inferiority decision.

Every estimate is paired: the same items, resampled together, for both arms. A metric is non-inferior
when the lower CI bound of (student - reference) is at least -margin, with the margin fixed in the
config before the run.
"""

import numpy as np


def _bootstrap(values: np.ndarray, resamples: int, confidence: float, seed: int) -> tuple[float, float]:
    from scipy.stats import bootstrap

    if len(values) < 2 or np.all(values == values[0]):
        return float(values.mean()) if len(values) else float("nan"), float(values.mean()) if len(values) else float("nan")
    # Percentile intervals: BCa is undefined on the many all-0/1 resamples a small eval split produces.
    res = bootstrap((values,), np.mean, n_resamples=resamples, confidence_level=confidence, method="percentile",
                    rng=np.random.default_rng(seed), vectorized=True)
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def mean_ci(values, resamples: int, confidence: float, seed: int) -> dict:
    """Point estimate and CI of a per-item metric's mean."""
    v = np.asarray(values, dtype=float)
    lo, hi = _bootstrap(v, resamples, confidence, seed)
    return {"estimate": round(float(v.mean()), 4) if len(v) else None, "ci": [round(lo, 4), round(hi, 4)], "n": int(len(v))}


def paired_diff_ci(a, b, resamples: int, confidence: float, seed: int) -> dict:
    """Mean of a - b over the same items, with a paired bootstrap CI (items resampled once for both arms)."""
    return mean_ci(np.asarray(a, dtype=float) - np.asarray(b, dtype=float), resamples, confidence, seed)


def non_inferior(diff: dict, margin: float) -> bool:
    return diff["n"] > 0 and diff["ci"][0] >= -margin


def win_scores(outcomes: list[str], arm: str) -> list[float]:
    """Per-item score for `arm` from judge outcomes: a win 1, a tie 0.5, a loss 0."""
    return [1.0 if o == arm else 0.5 if o == "tie" else 0.0 for o in outcomes]
