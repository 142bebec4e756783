"""Coverage of the verdict's 95% intervals on paired yes/no data at the sample sizes the product uses.

    .venv/bin/python benchmarks/ci_coverage.py [--confidence 0.95] [--bootstrap-resamples 1000]

Paired yes/no data: each item passes or fails in the student's arm and in the teacher's (schema validity, one
field's agreement). Cells: the teacher's rate p from 0.5 to 0.99, n = 10, 20, 50, 200; inside each cell, the
student as good as the teacher or 5 points worse, the arms independent or correlated (rho 0.5: both fail the
same hard items). Coverage = the probability that the interval contains the true difference, computed exactly
by summing over every possible table for the score intervals (they depend only on the discordant counts), and
over every table with probability above 1e-9 for the percentile bootstrap (the method tasks/evaluation/stats.py
used before; seeded resamples of the table's counts). A cell reports its worst case over the four structures.
Prints one JSON line: per method, coverage per cell and the minimum; `passes` is true when the method the
product uses for the paired difference (Tango) is at least 0.93 in every cell.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from scipy.stats import binom, multinomial

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tasks.evaluation.stats import tango_ci  # noqa: E402

PS = (0.5, 0.7, 0.8, 0.9, 0.95, 0.99)
NS = (10, 20, 50, 200)
STRUCTURES = [(delta, rho) for delta in (0.0, -0.05) for rho in (0.0, 0.5)]


def cells_of(p_teacher: float, delta: float, rho: float) -> tuple[float, float]:
    """(p10, p01): the student-only and teacher-only pass probabilities for the given marginals and correlation."""
    p_student = p_teacher + delta
    p11 = p_student * p_teacher + rho * np.sqrt(p_student * (1 - p_student) * p_teacher * (1 - p_teacher))
    p11 = min(p11, p_student, p_teacher)
    return p_student - p11, p_teacher - p11


def tables(n: int) -> tuple[np.ndarray, np.ndarray]:
    b, c = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
    keep = b + c <= n
    return b[keep], c[keep]


def table_probs(n: int, b: np.ndarray, c: np.ndarray, p10: float, p01: float) -> np.ndarray:
    return multinomial.pmf(np.stack([b, c, n - b - c], axis=1), n, [p10, p01, 1 - p10 - p01])


def bootstrap_ci(b: int, c: int, n: int, resamples: int, confidence: float, rng) -> tuple[float, float]:
    draws = rng.multinomial(n, [b / n, c / n, 1 - (b + c) / n], size=resamples)
    diffs = (draws[:, 0] - draws[:, 1]) / n
    alpha = (1 - confidence) / 2
    return float(np.quantile(diffs, alpha)), float(np.quantile(diffs, 1 - alpha))


def coverage(confidence: float, resamples: int) -> dict:
    out: dict[str, dict] = {"tango": {}, "percentile_bootstrap": {}, "clopper_pearson_one_arm": {}}
    for n in NS:
        b, c = tables(n)
        lo, hi = tango_ci(b, c, n, confidence)
        boot_cache: dict[tuple[int, int], tuple[float, float]] = {}
        for p in PS:
            cell = f"p={p},n={n}"
            worst = {"tango": 1.0, "percentile_bootstrap": 1.0}
            for delta, rho in STRUCTURES:
                p10, p01 = cells_of(p, delta, rho)
                probs = table_probs(n, b, c, p10, p01)
                true = p10 - p01
                worst["tango"] = min(worst["tango"], float(probs[(lo <= true + 1e-12) & (true - 1e-12 <= hi)].sum()))
                covered = 0.0
                for i in np.flatnonzero(probs > 1e-9):
                    key = (int(b[i]), int(c[i]))
                    if key not in boot_cache:
                        boot_cache[key] = bootstrap_ci(*key, n, resamples, confidence, np.random.default_rng(0))
                    blo, bhi = boot_cache[key]
                    covered += probs[i] * (blo <= true + 1e-12 and true - 1e-12 <= bhi)
                worst["percentile_bootstrap"] = min(worst["percentile_bootstrap"], float(covered))
            for method, value in worst.items():
                out[method][cell] = round(value, 4)
            out["clopper_pearson_one_arm"][cell] = round(one_arm_coverage(p, n, confidence), 4)
    return out


def one_arm_coverage(p: float, n: int, confidence: float) -> float:
    """The report's interval for one arm's rate (Clopper-Pearson via scipy), exactly."""
    from scipy.stats import binomtest

    ks = np.arange(n + 1)
    cis = [binomtest(int(k), n).proportion_ci(confidence, method="exact") for k in ks]
    inside = np.array([ci.low <= p <= ci.high for ci in cis])
    return float(binom.pmf(ks, n, p)[inside].sum())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--confidence", type=float, default=0.95)
    ap.add_argument("--bootstrap-resamples", type=int, default=1000)
    args = ap.parse_args()
    cov = coverage(args.confidence, args.bootstrap_resamples)
    line = {"benchmark": "ci_coverage", "confidence": args.confidence, "ps": PS, "ns": NS,
            "structures": [{"student_minus_teacher": d, "rho": r} for d, r in STRUCTURES]}
    for method, cells in cov.items():
        line[method] = {"min": min(cells.values()), "cells": cells}
    line["passes"] = line["tango"]["min"] >= 0.93
    print(json.dumps(line))


if __name__ == "__main__":
    main()
