"""One proportion's exact interval, shared by the evaluation's gate and the report's check of production's share."""


def proportion_ci(successes: int, n: int, confidence: float) -> tuple[float, float]:
    """Clopper-Pearson's interval for one proportion (scipy's): never below nominal coverage, even at 0 or n of n."""
    from scipy.stats import binomtest

    ci = binomtest(successes, n).proportion_ci(confidence, method="exact")
    return float(ci.low), float(ci.high)
