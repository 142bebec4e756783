"""What the router served in production, beside what the evaluation expected (models/served_counts.py's files).

The saving on a route served with deferral is priced at the share of requests the student kept at evaluation
(routing.json's "served_share"). `distillery serve router` counts the share it keeps on real traffic; the report
shows the two side by side, with the production share's exact (Clopper-Pearson) 95% interval, and says when the
evaluation's estimate lies above that interval: the student then keeps fewer requests than priced, and the saving
shown is too high.
"""

import datetime as dt
from pathlib import Path

from models.served_counts import ServedCounts

WINDOW_DAYS = 7  # the router's latest days up to the run's night: a week of weekday and weekend traffic


def production_served(store: Path, run_name: str) -> dict[str, dict]:
    """route -> {"student", "requests", "days", "ci"} summed over the router's latest WINDOW_DAYS days up to the run's
    night (the run id starts with it), so a rebuilt report reads the same days; {} when no router has counted."""
    counts = ServedCounts(store / "router")
    night = _night(run_name)
    days = [d for d in counts.days() if night is None or d <= night][-WINDOW_DAYS:]
    totals: dict[str, dict] = {}
    for day in days:
        for route, c in counts.read(day)["routes"].items():
            t = totals.setdefault(route, {"student": 0, "requests": 0, "days": 0})
            t["student"], t["requests"], t["days"] = t["student"] + c["student"], t["requests"] + c["requests"], t["days"] + 1
    for t in totals.values():
        t["ci"] = _exact_ci(t["student"], t["requests"])
    return totals


def production_words(served: dict | None, estimate: float | None) -> str:
    """'in production: 58% [55%, 61%] of 1,204 requests over 7 days', and, against the evaluation's estimate on a
    route served with deferral, whether the saving is priced too high; "" without router counts."""
    if not served or not served["requests"]:
        return ""
    lo, hi = served["ci"]
    days = served["days"]
    words = (f"in production: the student answered {served['student'] / served['requests']:.0%} [{lo:.0%}, {hi:.0%}] "
             f"of {served['requests']:,} requests over {days} day{'' if days == 1 else 's'} (router counts)")
    if estimate is not None and estimate > hi:
        words += (f"; below the {estimate:.0%} the evaluation measured and the saving is priced at: the saving shown "
                  "is too high")
    return words


def _exact_ci(successes: int, n: int) -> tuple[float, float]:
    from scipy.stats import binomtest

    ci = binomtest(successes, n).proportion_ci(0.95, method="exact")
    return float(ci.low), float(ci.high)


def _night(run_name: str) -> str | None:
    try:
        return dt.date.fromisoformat(run_name[:10]).isoformat()
    except ValueError:
        return None
