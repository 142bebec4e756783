"""What the router served in production, beside what the evaluation expected (models/served_counts.py's files).

The saving on a route served with deferral is priced at the share of requests the student kept at evaluation
(routing.json's "served_share"). `distillery serve router` counts the share it keeps on real traffic; the report
shows the two side by side, with the production share's exact (Clopper-Pearson) interval at the evaluation's
confidence, and says when the priced share lies above that interval: the student then keeps fewer requests than
priced (unsure more often, or down), and the saving shown is too high.

Only days the route's current plan served whole count: after the night it took its terms (`since`, a run id that
starts with that night) and before the run's own night (still being counted). A week at most: a router that was idle
for months is not read as last week.
"""

import datetime as dt
from pathlib import Path

from distillery.proportions import proportion_ci
from models.served_counts import ServedCounts, served_share

WINDOW_DAYS = 7  # a week of weekday and weekend traffic


def production_served(store: Path, run_name: str, plan: dict, confidence: float) -> dict[str, dict]:
    """route -> {"student", "requests", "days", "ci"} for each route of `plan` with router counts on whole days under
    its current terms in the week before the run's night; {} without a run night or counts."""
    night = _night(run_name)
    if night is None:
        return {}
    counts = ServedCounts.for_store(store)
    week = {(night - dt.timedelta(days=k)).isoformat() for k in range(1, WINDOW_DAYS + 1)}
    days = {d: counts.read(d)["routes"] for d in counts.days() if d in week}  # each day's file read once
    totals: dict[str, dict] = {}
    for route, p in plan.items():
        since = _night(p.get("since") or "")
        for day in (d for d in sorted(days) if since is None or d > since.isoformat()):
            c = days[day].get(route)
            if c:
                t = totals.setdefault(route, {"student": 0, "requests": 0, "days": 0})
                t["student"], t["requests"], t["days"] = t["student"] + c["student"], t["requests"] + c["requests"], t["days"] + 1
    for t in totals.values():
        t["ci"] = proportion_ci(t["student"], t["requests"], confidence)
    return totals


def production_words(served: dict | None, priced: float | None) -> str:
    """'in production: the student answered 58% [55%, 61%] of 1,204 requests over 7 days', and, against the share the
    saving is priced at on a route served with deferral, whether that is too high; "" without router counts."""
    share = served_share(served or {})
    if share is None:
        return ""
    lo, hi = served["ci"]
    days = served["days"]
    words = (f"in production: the student answered {share:.0%} [{lo:.0%}, {hi:.0%}] of {served['requests']:,} requests "
             f"over {days} day{'' if days == 1 else 's'} (router counts)")
    if priced is not None and priced > hi:
        words += (f"; below the {priced:.0%} the evaluation measured and the saving is priced at, by "
                  f"{100 * (priced - share):.0f} points: the saving shown is too high")
    return words


def _night(run_name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(run_name[:10])
    except ValueError:
        return None
