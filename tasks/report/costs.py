"""The run's cost lines and summary, from its stage records and the pricing config: every number says where it
came from.

    lines, summary = run_costs(cfg, run_dir)

Sources: `measured` (a stage record, eval.parquet, labels.parquet or prompts.parquet of this run), `assumed` (a
pricing value in the config), `derived` (arithmetic on the two). The arithmetic itself is cost_model.py; this
module puts the parts together:
- records.py     the run folder's records, and ReportError when one is missing;
- pricing.py     prices from the config, and each way to pay for the student;
- traffic.py     requests per day, the route mix, tokens per request;
- prefix.py      the prefix every request of a route repeats, billed at the cached-input price;
- label_bill.py  the labels this run paid for, not the ones it reused;
- night_bill.py  one night of the pipeline: its stages, the judge's calls, repeated attempts;
- savings.py     each student option against the teacher; the cheapest is recommended.

Four rules keep the comparison fair to both sides:
- tokens per request are each route's mean over the eval items, weighted by production's route mix (the log
  window's traffic), not by how many eval items each route happens to have;
- the prefix every request of a route repeats (its system prompt) is billed at the API's cached-input price
  when it has one, measured from the run's prompts and the teacher's token counts;
- a call is billed at the batch price only when its stage record says it went through the batch API;
- a label is billed once, by the run that paid for it: labels a run reused from the store are not on its bill.
The student is priced each way the config gives (hosted per token, a dedicated GPU, a share of a multi-LoRA
GPU); the cheapest at today's volume is the one the headline numbers and the recommendation use.

Both arms are priced on the routes the evaluation's routing plan sends to the student (ab.json decision.plan),
at those routes' share of the requests: the teacher's bill on the routes it keeps is the same either way. With
no route going to the student (or an ab.json from before the plan that did not promote), the comparison is over
every evaluated route at the whole volume, as before, and marked hypothetical.
"""

from dataclasses import asdict
from pathlib import Path

from distillery.config import RunConfig
from tasks.report import cost_model as cm
from tasks.report.cost_line import Line
from tasks.report.night_bill import night_lines
from tasks.report.prefix import cache_note, cached_by_route, repeated_prefix
from tasks.report.pricing import how_priced, measured_serving, price_of, student_options
from tasks.report.records import ReportError, read_record, read_records
from tasks.report.savings import cheapest, one_decimal, price_option, rounded
from tasks.report.traffic import (Routing, arm_traffic, deferred_traffic, measured_volume, mix_note, months_to_reach, route_mix,
                                  route_plan, route_volumes, volume_source)

# Line and ReportError are what callers of run_costs handle (the CLI imports ReportError from here).
__all__ = ["Line", "ReportError", "run_costs"]


def run_costs(cfg: RunConfig, run_dir: Path) -> tuple[list[Line], dict]:
    p = cfg.pricing
    sample, label, train, rows = read_records(run_dir)
    teacher, options = price_of(p.teacher, what="pricing.teacher"), student_options(p.student, measured_serving(run_dir))
    mix, mix_source = route_mix(sample)
    routing = route_plan(read_record(run_dir, "ab.json", "the quality verdict").get("decision"), rows, mix)
    priced_rows = [r for r in rows if r["route"] in routing.student]  # tokens per request over the student's routes
    prefixes, prefix_source = repeated_prefix(cfg, run_dir)
    cached = cached_by_route(p.teacher.api, prefixes)
    teacher_t, student_t = arm_traffic(priced_rows, "teacher", mix, cached), arm_traffic(priced_rows, "student", mix)
    total = p.requests_per_day or measured_volume(sample, cfg.source.sample_rate)
    volume = total * routing.share  # the requests the student takes; the comparison's volume
    volume_words, volume_column = volume_source(p.requests_per_day, cfg.source.sample_rate)
    weighting = mix_note(priced_rows, mix, mix_source, planned=routing.share < 1)
    caching = cache_note(p.teacher.api, prefixes, cached, prefix_source)
    dedicated = next((o.price for o in options if o.key == "dedicated_gpu"), None)
    run_lines = night_lines(cfg, run_dir, label, train, rows, teacher, dedicated, cached)
    per_night = sum(x.usd for x in run_lines)
    pipeline_daily = per_night * p.nights_per_month / cm.DAYS_PER_MONTH
    deferred = deferred_traffic(priced_rows, mix, routing, cached)
    priced = [price_option(o, teacher, teacher_t, student_t, volume, pipeline_daily, per_night, deferred) for o in options]
    best = cheapest(priced)
    teacher_daily = cm.daily_cost(teacher, volume, teacher_t)
    covers = coverage(routing)
    lines = (token_lines(teacher_t, student_t, weighting, caching)
             + [Line("daily", "requests per day", total, "requests", 0.0, volume_column,
                     "" if volume_column != "derived" else f"the log's requests per day / {volume_words}"),
                Line("daily", f"requests per day the comparison covers: {covers}", volume, "requests", 0.0, "derived",
                     share_note(routing, mix_source)),
                Line("daily", "teacher", volume, "requests", teacher_daily, "derived", f"{how_priced(teacher)}; {covers}")]
             + option_lines(priced, best, volume, covers)
             + deferred_lines(deferred, best, volume, routing, teacher)
             + [Line("daily", "nightly pipeline, amortised", p.nights_per_month, "nights/month", pipeline_daily, "derived")]
             + run_lines)
    top = rounded(best)
    summary = {"currency": p.currency, "requests_per_day": round(total, 1), "volume_source": volume_words,
               **routing_summary(routing, volume),
               "teacher_per_1k": round(teacher_daily / volume * 1000, 4), "student_per_1k": top["per_1k"],
               "teacher_daily": round(teacher_daily, 2), "student_daily": top["daily"],
               "pipeline_per_night": round(per_night, 2), "pipeline_daily": round(pipeline_daily, 2),
               "saving_daily": top["saving_daily"], "saving_monthly": top["saving_monthly"],
               "cost_change": top["cost_change"], "inference_change": top["inference_change"],
               "break_even_requests_per_day": best["break_even_requests_per_day"], "payback_days": best["payback_days"],
               "student_option": best["option"], "student_option_label": best["label"],
               "student_options": [rounded(o) for o in priced],
               "cpu_demo": train.get("device") != "cuda",
               "student_output_tok_s": getattr(dedicated, "output_tok_s", None),
               "student_tok_s_source": "measured" if p.student.self_hosted and not p.student.self_hosted.output_tok_s else "assumed",
               "growth_per_month": p.growth_per_month,
               "months_to_break_even": one_decimal(months_to_reach(volume, best["break_even_requests_per_day"], p.growth_per_month)),
               "volume_by_route": route_volumes(sample, total), "route_mix": {r: round(x, 4) for r, x in mix.items()},
               "tokens_weighting": weighting,
               "cached_prefix": {"tokens_per_request": round(teacher_t.cached_prompt_tokens, 1),
                                 "by_route": {r: round(x.tokens, 1) for r, x in prefixes.items()},
                                 "billed_by_route": {r: round(x, 1) for r, x in cached.items()}, "note": caching},
               "tokens": {"teacher": asdict(teacher_t), "student": asdict(student_t)},
               "deferred": None if deferred is None else
               {"share": round(deferred.share, 4), "daily": top["deferred_daily"], "by_route": routing.deferred,
                "tokens": asdict(deferred.traffic)}}
    return lines, summary


def deferred_lines(deferred: cm.Deferred | None, best: dict, volume: float, routing: Routing, teacher) -> list[Line]:
    """The teacher's day on the requests the student passes on (routes promoted with deferral): each was answered by
    the student first, so the student's own line already counts it, and the teacher's answer is paid on top."""
    if deferred is None:
        return []
    routes = ", ".join(f"{r} {share:.0%}" for r, share in sorted(routing.deferred.items()))
    return [Line("daily", "teacher on the requests the student defers", volume * deferred.share, "requests",
                 best["deferred_daily"], "derived",
                 f"{how_priced(teacher)}; the share each route deferred at evaluation ({routes}; ab.json decision.plan "
                 f"served_share), {deferred.traffic.prompt_tokens:.0f} / {deferred.traffic.completion_tokens:.0f} "
                 "tokens in / out per deferred request (the teacher's mean on those routes' eval items)")]


def routing_summary(routing: Routing, volume: float) -> dict:
    """The routes the comparison is priced on, those the teacher keeps, and those it could not price."""
    return {"student_routes": list(routing.student), "teacher_routes": list(routing.teacher),
            "student_routes_hypothetical": routing.hypothetical, "unpriced_routes": routing.unpriced,
            "student_share": round(routing.share, 4), "student_requests_per_day": round(volume, 1)}


def coverage(routing: Routing) -> str:
    """The routes a cost line is about, in words (cost.csv names them: its numbers are not the whole traffic's)."""
    routes = ", ".join(routing.student)
    if routing.hypothetical:
        return f"{routes}, as if the student took them (a hypothetical: no route it takes can be priced)"
    return f"{routes} (the student's routes)" if routing.share < 1 else f"{routes} (all the traffic)"


def share_note(routing: Routing, mix_source: str) -> str:
    """Where the comparison's share of the requests comes from."""
    if routing.share < 1:
        return f"{routing.share:.1%} of the requests: the student's routes' share of the route mix ({mix_source})"
    if routing.planned and not routing.hypothetical:
        return "every request: the student takes every route with traffic"
    return "every request, as if the student took them all" if routing.hypothetical else \
        "every request: an ab.json without a routing plan promotes all routes or none"


def token_lines(teacher_t: cm.Traffic, student_t: cm.Traffic, weighting: str, caching: str) -> list[Line]:
    """Each arm's measured tokens per request, and how many of the teacher's are billed as cached input."""
    tokens = lambda item, n: Line("per_request", item, n, "tokens", 0.0, "measured", weighting)  # noqa: E731
    return [tokens("teacher: tokens in (with its system prompt)", teacher_t.prompt_tokens),
            Line("per_request", "teacher: of which the repeated prefix billed as cached input", teacher_t.cached_prompt_tokens,
                 "tokens", 0.0, "derived", caching),
            tokens("teacher: tokens out", teacher_t.completion_tokens),
            tokens("student: tokens in (no system prompt)", student_t.prompt_tokens),
            tokens("student: tokens out", student_t.completion_tokens)]


def option_lines(priced: list[dict], best: dict, volume: float, covers: str) -> list[Line]:
    """A day of the student each way it is priced, the recommended one said (when there is a choice)."""
    return [Line("daily", f"student: {o['label']}" + (" (recommended: the cheapest)" if o is best and len(priced) > 1 else ""),
                 o["replicas"] or volume, "replicas" if o["replicas"] else "requests", o["daily"], "derived",
                 f"{o['how']}; {covers}")
            for o in priced]
