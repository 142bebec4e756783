"""The report stage: the run's records -> report.html (self-contained) and cost.csv, byte-identical on a rebuild.

    distillery report -c configs/demo.yaml --run-dir .distillery/runs/<run>    # + report.pdf where Chromium is

Reads stage-*.json, ab.json, eval.parquet and labels.parquet (token counts), prompts.parquet (only the length of
the prefix a route's prompts repeat: no prompt or answer text reaches the report) and the pricing config. No
clock, no randomness: the same inputs give the same bytes.
"""

import csv
import io
import json
import logging
from pathlib import Path

from distillery.config import RunConfig
from distillery.failpoints import failpoint
from distillery.prices import effective_pricing
from distillery.store import write_json, write_text
from tasks.report.cost_line import Line
from tasks.report.costs import run_costs
from tasks.report.history import headline, record_run
from tasks.report.production import production_served, production_words
from tasks.report.plots import trend as plot_trend
from tasks.report.records import ReportError, read_record

log = logging.getLogger(__name__)


def run_report(cfg: RunConfig, run_dir: Path) -> dict:
    import jinja2

    store = run_dir.parent.parent  # <store>/runs/<run>: the store whose history and prices this report joins
    pricing, prices = effective_pricing(cfg.pricing, store)  # the store's price table once finance has set one
    cfg = cfg.model_copy(update={"pricing": pricing})
    lines, summary = run_costs(cfg, run_dir)
    ab = read_record(run_dir, "ab.json", "the quality verdict")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.globals["money"] = lambda v: f"{'-' if v < 0 else ''}${abs(v):,.2f}"
    funnel = funnel_rows(run_dir)
    examples = next((n for step, n in funnel if step == "training examples"), None)
    runs = record_run(store, headline(run_dir.name, ab, summary, examples))
    plots = {**pictures(cfg, summary), "trend": plot_trend(runs) if len(runs) > 1 else None}
    html = env.get_template("report.html.j2").render(
        run=run_dir.name, ab=ab, s=summary, recommendation=recommendation(ab, summary), plots=plots, runs=runs,
        plan=plan_rows(ab, production_served(store, run_dir.name, ab["decision"].get("plan") or {}, cfg.evaluation.confidence)),
        evidence="evidence" in ab.get("counts", {}),
        run_lines=[x for x in lines if x.section == "run"], funnel=funnel, assumptions=assumptions(cfg, prices))
    write_text(html, run_dir / "report.html")
    write_text(cost_csv(lines, summary), run_dir / "cost.csv")
    failpoint("report.written")
    outputs = ["report.html", "cost.csv"] + (["report.pdf"] if write_pdf(run_dir) else [])
    record = {"stage": "report", "summary": record_summary(summary), "outputs": outputs, "prices": prices}
    write_json(record, run_dir / "stage-report.json")
    return record


def plan_rows(ab: dict, production: dict[str, dict] | None = None) -> list[dict]:
    """The routing plan after this decision, a row per route, with what its verdict rests on where ab.json says
    (counts.evidence) and, on a student route, what the router served in production (`production`, by route);
    none for an ab.json from before the plan (all or nothing: the verdict says it)."""
    production = production or {}
    plan = ab["decision"].get("plan") or {}
    evidence = ab.get("counts", {}).get("evidence") or {}
    return [{"route": route, "to": p.get("to", "teacher"), "version": p.get("version"), "since": p.get("since"),
             "defer": (f"where it is sure (p ≥ {p['defer_below']}): {p['served_share']:.0%} of requests, the rest to the "
                       "teacher") if p.get("defer_below") else "",
             "why": "; ".join(x for x in (p.get("why"), p.get("last_candidate")) if x),  # a newer candidate that failed it
             "evidence": evidence_words(evidence.get(route)) if evidence else "",
             "production": production_words(production.get(route), p.get("served_share") if p.get("defer_below") else None)
             if p.get("to") == "student" else ""} for route, p in sorted(plan.items())]


def evidence_words(e: dict | None) -> str:
    """'120 items, 3 nights'; 'no eval items' when the route has no record of any."""
    if not e or not e.get("items"):
        return "no eval items"
    nights = e.get("nights", 0)
    return f"{e['items']:,} items, {nights} night{'' if nights == 1 else 's'}"


def record_summary(summary: dict) -> dict:
    """The summary for stage-report.json: the page's numbers without the sensitivity grids (they are on the page)."""
    options = [{k: v for k, v in o.items() if k != "sensitivity"} for o in summary.get("student_options", [])]
    return {**summary, "student_options": options}


def write_pdf(run_dir: Path) -> bool:
    """report.pdf from the page by headless Chromium (its bytes carry a creation date, unlike the HTML and CSV)."""
    from tasks.report.browser import find_chromium, print_pdf

    if find_chromium() is None:
        log.warning("no Chromium on this machine: report.pdf skipped (apt-get install chromium)")
        return False
    print_pdf(run_dir / "report.html", run_dir / "report.pdf")
    return True


def pictures(cfg: RunConfig, s: dict) -> dict[str, str]:
    from tasks.report import plots
    from tasks.report.cost_model import Deferred, Traffic
    from tasks.report.pricing import price_of, student_options

    teacher_t, student_t = Traffic(**s["tokens"]["teacher"]), Traffic(**s["tokens"]["student"])
    d = s.get("deferred")
    deferred = Deferred(d["share"], Traffic(**d["tokens"])) if d else None
    # the recommended way to pay for the student: the one the headline numbers are about
    student = next(o.price for o in student_options(cfg.pricing.student, s["student_output_tok_s"]) if o.key == s["student_option"])
    volume = s["student_requests_per_day"]  # both pictures are about the requests the student takes
    return {"cost_per_day": plots.cost_per_day({**s, "requests_per_day": volume}),
            "saving_vs_volume": plots.saving_vs_volume(price_of(cfg.pricing.teacher), teacher_t, student, student_t,
                                                       s["pipeline_daily"], volume, s["break_even_requests_per_day"],
                                                       deferred)}


def recommendation(ab: dict, s: dict) -> str:
    """One sentence for finance: switch, keep the teacher (quality), or wait (volume); route by route when the
    decision has a routing plan, all or nothing for an ab.json from before it."""
    d = ab["decision"]
    if "plan" in d:
        on_student = [r for r, p in sorted(d["plan"].items()) if p.get("to") == "student"]
        return route_recommendation(d, s, on_student) if on_student else keep_teacher(ab)
    if not d["promote"]:
        return keep_teacher(ab)
    how = s.get("student_option_label", "dedicated GPU")  # the cheapest way to pay for it (records before: one way)
    if s["saving_daily"] <= 0:
        be = s["break_even_requests_per_day"]
        return (f"Keep the teacher for now: the student is as good, but at {s['requests_per_day']:,.0f} requests/day it costs "
                f"${-s['saving_daily']:,.2f} a day more ({how} + nightly pipeline, its cheapest way)"
                + (f"; it pays from {be:,} requests/day." if be else "; it does not pay at any volume with these prices."))
    return (f"Switch to the student ({how}): as good as the teacher on every gated metric, and it saves "
            f"${s['saving_monthly']:,.2f} a month at {s['requests_per_day']:,.0f} requests/day"
            + (f", paying back the first run in {s['payback_days']} days." if s["payback_days"] is not None else "."))


def keep_teacher(ab: dict) -> str:
    """No route goes to the student: the quality gate's findings, counted (too few items is not the same as worse)."""
    reasons = ab["decision"]["reasons"]
    thin = sum("insufficient evidence" in r for r in reasons)
    why = ", ".join(x for x in (f"{len(reasons) - thin} failed" if len(reasons) > thin else "",
                                f"{thin} with too few items to decide" if thin else "") if x)
    return (f"Keep the teacher: the student {ab['candidate']} did not pass the quality gate ({why}). "
            f"Savings are moot until it does.")


def route_recommendation(d: dict, s: dict, on_student: list[str]) -> str:
    """The routes the plan sends to the student, what they save (or cost) at their share of the requests, and
    each route the teacher keeps with its short reason. It opens as the all-or-nothing sentence did ("Switch to
    the student", "Keep the teacher"): readers and tests look for those words."""
    how = s.get("student_option_label", "dedicated GPU")
    priced = [r for r in on_student if r in s.get("student_routes", []) and not s.get("student_routes_hypothetical")]
    if not priced:  # the plan's student routes have no measured tokens or traffic this run: nothing to price
        why = "; ".join(f"{r}: {w}" for r, w in s.get("unpriced_routes", {}).items() if r in on_student)
        return (f"Switch to the student on {names(on_student)}: as good as the teacher on every gated metric there, but "
                f"this run cannot price the saving ({why or 'no measured tokens'})"
                + "".join(f"; {x}" for x in [teacher_clause(d, s)] if x) + ".")
    rest = "".join(f"; {x}" for x in (unpriced_clause(s, on_student), teacher_clause(d, s)) if x) + "."
    at = f"their {s['student_requests_per_day']:,.0f} of {s['requests_per_day']:,.0f} requests/day"
    if s["saving_daily"] <= 0:
        be = s["break_even_requests_per_day"]
        return (f"Keep the teacher for now on {names(deferring(d, priced))}: the student is as good there, but at {at} it costs "
                f"${-s['saving_daily']:,.2f} a day more ({how} + nightly pipeline, its cheapest way)"
                + (f"; it pays from {be:,} requests/day on them" if be else "; it does not pay at any volume with these prices")
                + rest)
    payback = f", paying back the first run in {s['payback_days']} days" if s["payback_days"] is not None else ""
    return (f"Switch to the student on {names(deferring(d, priced))} ({how}): as good as the teacher on every gated "
            f"metric there, saving ${s['saving_monthly']:,.2f} a month at {at}{payback}" + rest)


def deferring(d: dict, routes: list[str]) -> list[str]:
    """Each route, with its terms where the student serves it only where it is sure: 'ticket-triage (where the student
    is sure, 51% of its requests; the rest to the teacher)'."""
    out = []
    for r in routes:
        p = d["plan"].get(r, {})
        out.append(f"{r} (where the student is sure, {p['served_share']:.0%} of its requests; the rest to the teacher)"
                   if p.get("defer_below") else r)
    return out


def unpriced_clause(s: dict, on_student: list[str]) -> str:
    """Routes the plan sends to the student that the saving leaves out, said, never counted silently."""
    unpriced = {r: why for r, why in s.get("unpriced_routes", {}).items() if r in on_student}
    return "; ".join(f"{r} goes to the student too but is not in the saving ({why})" for r, why in unpriced.items())


def teacher_clause(d: dict, s: dict) -> str:
    """'support-reply stays with the teacher (schema_validity inferior)': every route the teacher keeps, and why."""
    kept = [r for r in s.get("teacher_routes", []) if d["plan"].get(r, {}).get("to") != "student"]
    if not kept:
        return ""
    if len(kept) == 1:
        return f"{kept[0]} stays with the teacher ({short_reason(d, kept[0])})"
    return f"{names([f'{r} ({short_reason(d, r)})' for r in kept])} stay with the teacher"


def short_reason(d: dict, route: str) -> str:
    """A route's reasons in a few words: each gated metric and what held it back."""
    reasons = [r.removeprefix(f"{route}: ") for r in d.get("routes", {}).get(route, {}).get("reasons", [])]
    # the student with deferral, tried after it failed alone: said as such ("with deferral: share served too low")
    alone = [reason_kind(r) for r in reasons if not r.startswith(WITH_DEFERRAL)]
    cascade = [deferral_kind(r.split(": ", 1)[1].removeprefix(f"{route}: ")) for r in reasons if r.startswith(WITH_DEFERRAL)]
    kinds = dict.fromkeys(alone + [f"with deferral: {k}" for k in cascade])  # ordered, without repeats (a metric's fields)
    if kinds:
        return ", ".join(kinds)
    return d["plan"].get(route, {}).get("why") or "not evaluated this run"


# What held a gated metric back, by the words tasks/evaluation/score.py's reasons use; anything else is inferior.
REASON_KINDS = (("insufficient evidence", "too few items"), (" is unavailable", "unavailable"),
                ("no judge verdicts", "no verdicts"))


WITH_DEFERRAL = "with deferral below p "  # tasks/evaluation/score.py `with_deferral`'s reasons open so


def deferral_kind(reason: str) -> str:
    """What held the student with deferral back: a gated metric, or too small a share served."""
    return "too few requests served" if "min_served_share" in reason else reason_kind(reason)


def reason_kind(reason: str) -> str:
    """'schema_validity inferior', 'judge_win_rate unavailable', 'field_agreement too few items'."""
    metric = reason.split(" ", 1)[0].rstrip(":,")
    return f"{metric} " + next((kind for words, kind in REASON_KINDS if words in reason), "inferior")


def names(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def funnel_rows(run_dir: Path) -> list[tuple[str, int]]:
    rows = []
    sample = json.loads((run_dir / "stage-sample.json").read_text())["funnel"]
    rows += [("log requests read", sample["read"]), ("valid", sample["valid"]), ("unique", sample["unique"]),
             ("sampled", sum(sample["sampled"].values()))]
    curate = run_dir / "funnel.json"
    if curate.is_file():
        f = json.loads(curate.read_text())
        rows += [("curation in (train split)", f["total"]["in"])]
        rows += [(f"  dropped: {name}", sum(by_route.values())) for name, by_route in f["dropped"].items()]
        earlier = f.get("earlier_nights") or {}
        carried = sum(earlier.get("examples", {}).values())
        if earlier.get("nights"):  # curation.history_nights: earlier nights' examples trained tonight's student too
            rows += [("curation out (tonight)", f["total"]["out"]),
                     (f"  plus from {len(earlier['nights'])} earlier night(s)", carried)]
        rows += [("training examples", f["total"]["out"] + carried)]
    return rows


def assumptions(cfg: RunConfig, prices: dict) -> list[str]:
    p = cfg.pricing
    when = f", set {prices['changed_at']} by {prices['changed_by']}" if "changed_at" in prices else ""
    return [f"prices: {prices['source']}{when}", *([prices["config_differs"]] if "config_differs" in prices else []),
            f"teacher pricing: {json.dumps(p.teacher.model_dump(exclude_none=True), sort_keys=True)}",
            f"student pricing: {json.dumps(p.student.model_dump(exclude_none=True), sort_keys=True)}: each way given is "
            "priced, the cheapest at today's volume is recommended",
            "cached input: the prefix each route's prompts repeat is billed at the teacher API's cached price when it has "
            "one and the prefix reaches its cache minimum; every request counted a cache hit",
            "batch discount: only for calls a stage record says went through the provider's batch API; labeling and the "
            "judge are online calls unless so recorded",
            "labels: billed by the run that paid for them; labels reused from the store are not billed again",
            "tokens per request: each route's mean over the eval items, weighted by production's route mix",
            "routes: both arms are priced on the routes the routing plan sends to the student, at their share of the "
            "requests; the teacher's bill on the routes it keeps is the same either way (an ab.json without a plan: "
            "every route or none)",
            f"pipeline GPU ${p.pipeline_usd_per_gpu_hour:g}/h, training {p.training_tok_s:g} trained tokens/s on it",
            f"the pipeline runs {p.nights_per_month} nights a month; a month is 30 days",
            "volume: " + (f"{p.requests_per_day:g} requests/day (configured)" if p.requests_per_day
                          else "measured from the production log window sampled by this run"
                          + (f", divided by the share of requests the log holds ({cfg.source.sample_rate:g}, "
                             "source.sample_rate)" if cfg.source.sample_rate < 1 else ""))]


def cost_csv(lines: list[Line], summary: dict) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["section", "item", "quantity", "unit", f"cost_{summary['currency'].lower()}", "source", "note"])
    for x in lines:
        w.writerow([x.section, x.item, round(x.quantity, 4), x.unit, round(x.usd, 6), x.source, x.note])
    w.writerow(["total", "one night of the pipeline", "", "", round(sum(x.usd for x in lines if x.section == "run"), 6),
                "derived", "sum of the run lines"])
    return out.getvalue()


__all__ = ["run_report", "ReportError"]
