"""How much traffic the comparison is priced at: requests per day, each route's share of them, and each arm's
tokens per request.

Tokens per request are each route's mean over the eval items, weighted by production's route mix (the log
window's traffic), not by how many eval items each route happens to have: the bill follows production's
requests, not the eval split's.

The student is priced on the routes the evaluation's routing plan sends to it (`route_plan`), at their share of
the requests: the teacher's bill on the routes it keeps is the same with or without the student, so it is no
part of the saving.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime

from tasks.report import cost_model as cm
from tasks.report.records import ReportError


def measured_volume(sample: dict, sample_rate: float = 1.0) -> float:
    """Requests per day in the sampled window: every request the log holds for it, invalid ones included (they were
    paid), divided by the share of production requests the log keeps (`source.sample_rate`: a sampled request log
    holds one in 1/rate of them)."""
    f = sample["funnel"]
    start, end = (datetime.fromisoformat(sample["window"][k]) for k in ("start", "end"))
    days = max((end - start).total_seconds() / 86_400, 1e-9)
    return (f["read"] - f["outside_window"] - f.get("other_route", 0)) / days / sample_rate


def volume_source(configured: float | None, sample_rate: float) -> tuple[str, str]:
    """Where the day's volume comes from, for the report's words and the cost line's source column: the config's
    `pricing.requests_per_day`, the log itself, or the log scaled up by the share of requests it holds."""
    if configured:
        return "assumed", "assumed"
    if sample_rate < 1:
        return (f"measured in the log, which holds {sample_rate * 100:.3g}% of the requests: source.sample_rate, assumed",
                "derived")
    return "measured", "measured"


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


def mix_note(rows: list[dict], mix: dict[str, float], source: str, planned: bool = False) -> str:
    """How the per-request tokens were weighted, and what share of traffic they leave out: routes without an eval
    item to measure them, or (`planned`: `rows` are the student's priced routes only) every other route."""
    routes = {r["route"] for r in rows}
    if traffic_weights(rows, mix) is not mix:
        return f"mean over the eval items ({source} has no traffic for their routes)"
    shares = ", ".join(f"{r} {mix[r]:.0%}" for r in sorted(routes) if mix.get(r, 0) > 0)
    missing = 1 - sum(mix.get(r, 0) for r in routes)
    left_out = ("routes outside the comparison ({:.0%} of traffic: the teacher's, and any the saving cannot price) left out"
                if planned
                else "routes without eval items ({:.0%} of traffic) left out, the rest rescaled")
    gap = "; " + left_out.format(missing) if missing > 0.0005 else ""
    return f"each route's mean over its eval items, weighted by the production route mix ({source}: {shares}){gap}"


@dataclass(frozen=True)
class Routing:
    """Which routes the student comparison is priced on, after the evaluation's decision."""

    student: tuple[str, ...]      # priced for the student: measured tokens and production traffic
    teacher: tuple[str, ...]      # the routes production keeps on the teacher
    unpriced: dict[str, str]      # sent to the student but not priceable this run: route -> why (left out of the saving)
    share: float                  # the student routes' share of production requests (1: the whole volume)
    hypothetical: bool            # no route goes to the student: priced as if every evaluated route did
    planned: bool                 # from a per-route plan; False: an ab.json from before it (all or nothing)
    deferred: dict[str, float] = field(default_factory=dict)  # priced route -> share of its requests the student defers


def route_plan(decision: dict | None, rows: list[dict], mix: dict[str, float]) -> Routing:
    """The routes the student takes by the decision's routing plan, and the share of requests they carry."""
    evaluated = sorted({r["route"] for r in rows})
    plan = (decision or {}).get("plan")
    if plan is None:  # an ab.json from before per-route decisions: all or nothing, at the whole volume as before
        promoted = bool((decision or {}).get("promote"))
        teacher = () if promoted else tuple(sorted(set(evaluated) | production_routes(mix)))
        return Routing(tuple(evaluated), teacher, {}, 1.0, not promoted, False)
    to_student = sorted(r for r, p in plan.items() if p.get("to") == "student")
    weights = traffic_weights(rows, mix)
    unpriced = {r: unpriced_why(r, evaluated, weights) for r in to_student}
    unpriced = {r: why for r, why in unpriced.items() if why}
    priced = [r for r in to_student if r not in unpriced]
    teacher = tuple(sorted((set(plan) | set(evaluated) | production_routes(mix)) - set(to_student)))
    if not priced:  # nothing the student takes can be priced: the hypothetical over every evaluated route, as before
        return Routing(tuple(evaluated), teacher, unpriced, 1.0, True, True)
    deferred = {r: round(1 - plan[r]["served_share"], 4) for r in priced if plan[r].get("defer_below")}
    return Routing(tuple(priced), teacher, unpriced, sum(weights[r] for r in priced) / sum(weights.values()), False, True,
                   deferred)


def deferred_traffic(rows: list[dict], mix: dict[str, float], routing: Routing,
                     cached: dict[str, float] | None = None) -> cm.Deferred | None:
    """The requests the student defers to the teacher on the routes it serves with deferral: their share of the
    student's requests (each route's deferred share at evaluation, weighted by its traffic), and the teacher's tokens
    per deferred request (its mean on those routes' eval items, weighted the same way). None when it defers nothing."""
    if not routing.deferred or routing.hypothetical:
        return None
    weights = traffic_weights(rows, mix)
    deferring = {r: weights[r] * share for r, share in routing.deferred.items() if share > 0}
    if not deferring:
        return None
    share = sum(deferring.values()) / sum(weights[r] for r in routing.student)
    return cm.Deferred(share, cm.mix_traffic(route_traffic([r for r in rows if r["route"] in deferring], "teacher", cached),
                                              deferring))


def production_routes(mix: dict[str, float]) -> set[str]:
    """The routes with production traffic in the window: those the plan does not send to the student stay with the teacher."""
    return {r for r, share in mix.items() if share > 0}


def unpriced_why(route: str, evaluated: list[str], weights: dict[str, float]) -> str:
    """Why a route the plan sends to the student cannot be priced this run ("" when it can): a route without eval
    items has no measured tokens, one without traffic in the window no requests; counting either would be a guess."""
    if route not in evaluated:
        return "no eval items this run: no measured tokens"
    if weights.get(route, 0) <= 0:
        return "no production traffic in the sampled window"
    return ""
