"""How much traffic the comparison is priced at: requests per day, each route's share of them, and each arm's
tokens per request.

Tokens per request are each route's mean over the eval items, weighted by production's route mix (the log
window's traffic), not by how many eval items each route happens to have: the bill follows production's
requests, not the eval split's.
"""

import math
from datetime import datetime

from tasks.report import cost_model as cm
from tasks.report.records import ReportError


def measured_volume(sample: dict) -> float:
    """Requests per day in the sampled window: every request the log holds for it, invalid ones included (they were paid)."""
    f = sample["funnel"]
    start, end = (datetime.fromisoformat(sample["window"][k]) for k in ("start", "end"))
    days = max((end - start).total_seconds() / 86_400, 1e-9)
    return (f["read"] - f["outside_window"] - f.get("other_route", 0)) / days


def months_to_reach(volume: float, target: float | None, growth: float) -> float | None:
    """Months of compound growth until `volume` reaches `target` (0 when already there; None when never)."""
    if target is None:
        return None
    if volume >= target:
        return 0.0
    if growth <= 0:
        return None
    return math.log(target / volume) / math.log(1 + growth)


def route_mix(sample: dict) -> tuple[dict[str, float], str]:
    """Each route's share of production requests: the log window's valid traffic, or, in a sample record from
    before that was kept, the sampled prompts (a proportional allocation follows the traffic)."""
    f = sample["funnel"]
    where = "traffic" if f.get("traffic") else "sampled"
    counts = f.get(where) or {}
    total = sum(counts.values())
    return ({r: n / total for r, n in sorted(counts.items())} if total else {}), f"stage-sample.json funnel.{where}"


def route_volumes(sample: dict, volume: float) -> dict[str, float]:
    """Requests per day per route: the total split by the window's valid traffic mix."""
    mix, _ = route_mix(sample)
    return {route: round(volume * share, 1) for route, share in mix.items()}


def route_traffic(rows: list[dict], arm: str, cached: dict[str, float] | None = None) -> dict[str, cm.Traffic]:
    """An arm's mean tokens per request on each route's eval items; `cached` (per route) cannot exceed the prompt."""
    by_route: dict[str, list[dict]] = {}
    for r in rows:
        by_route.setdefault(r["route"], []).append(r)
    out = {}
    for route, rs in sorted(by_route.items()):
        prompt = sum(r[f"{arm}_prompt_tokens"] or 0 for r in rs) / len(rs)
        completion = sum(r[f"{arm}_completion_tokens"] or 0 for r in rs) / len(rs)
        out[route] = cm.Traffic(prompt, completion, min((cached or {}).get(route, 0.0), prompt))
    return out


def traffic_weights(rows: list[dict], mix: dict[str, float]) -> dict[str, float]:
    """Production's route mix; where no eval route has production traffic on record, the eval items' own counts."""
    routes = {r["route"] for r in rows}
    if any(mix.get(r, 0) > 0 for r in routes):
        return mix
    return {r: sum(x["route"] == r for x in rows) for r in sorted(routes)}


def arm_traffic(rows: list[dict], arm: str, mix: dict[str, float], cached: dict[str, float] | None = None) -> cm.Traffic:
    """An arm's tokens per request: each route's mean over its eval items, weighted by the route's share of traffic."""
    if not rows:
        raise ReportError("eval.parquet has no items: the report needs the arms' measured tokens; run evaluate again")
    return cm.mix_traffic(route_traffic(rows, arm, cached), traffic_weights(rows, mix))


def mix_note(rows: list[dict], mix: dict[str, float], source: str) -> str:
    """How the per-request tokens were weighted, and what share of traffic had no eval item to measure it."""
    routes = {r["route"] for r in rows}
    if traffic_weights(rows, mix) is not mix:
        return f"mean over the eval items ({source} has no traffic for their routes)"
    shares = ", ".join(f"{r} {mix[r]:.0%}" for r in sorted(routes) if mix.get(r, 0) > 0)
    missing = 1 - sum(mix.get(r, 0) for r in routes)
    gap = f"; routes without eval items ({missing:.0%} of traffic) left out, the rest rescaled" if missing > 0.0005 else ""
    return f"each route's mean over its eval items, weighted by the production route mix ({source}: {shares}){gap}"
