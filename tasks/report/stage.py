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
        run_lines=[x for x in lines if x.section == "run"], funnel=funnel, assumptions=assumptions(cfg, prices))
    write_text(html, run_dir / "report.html")
    write_text(cost_csv(lines, summary), run_dir / "cost.csv")
    failpoint("report.written")
    outputs = ["report.html", "cost.csv"] + (["report.pdf"] if write_pdf(run_dir) else [])
    record = {"stage": "report", "summary": record_summary(summary), "outputs": outputs, "prices": prices}
    write_json(record, run_dir / "stage-report.json")
    return record


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
    from tasks.report.cost_model import Traffic
    from tasks.report.pricing import price_of, student_options

    teacher_t, student_t = Traffic(**s["tokens"]["teacher"]), Traffic(**s["tokens"]["student"])
    # the recommended way to pay for the student: the one the headline numbers are about
    student = next(o.price for o in student_options(cfg.pricing.student, s["student_output_tok_s"]) if o.key == s["student_option"])
    return {"cost_per_day": plots.cost_per_day(s),
            "saving_vs_volume": plots.saving_vs_volume(price_of(cfg.pricing.teacher), teacher_t, student, student_t,
                                                       s["pipeline_daily"], s["requests_per_day"],
                                                       s["break_even_requests_per_day"])}


def recommendation(ab: dict, s: dict) -> str:
    """One sentence for finance: switch, keep the teacher (quality), or wait (volume)."""
    if not ab["decision"]["promote"]:
        reasons = ab["decision"]["reasons"]
        thin = sum("insufficient evidence" in r for r in reasons)  # too few items is not the same finding as worse
        why = ", ".join(x for x in (f"{len(reasons) - thin} failed" if len(reasons) > thin else "",
                                    f"{thin} with too few items to decide" if thin else "") if x)
        return (f"Keep the teacher: the student {ab['candidate']} did not pass the quality gate ({why}). "
                f"Savings are moot until it does.")
    how = s.get("student_option_label", "dedicated GPU")  # the cheapest way to pay for it (records before: one way)
    if s["saving_daily"] <= 0:
        be = s["break_even_requests_per_day"]
        return (f"Keep the teacher for now: the student is as good, but at {s['requests_per_day']:,.0f} requests/day it costs "
                f"${-s['saving_daily']:,.2f} a day more ({how} + nightly pipeline, its cheapest way)"
                + (f"; it pays from {be:,} requests/day." if be else "; it does not pay at any volume with these prices."))
    return (f"Switch to the student ({how}): as good as the teacher on every gated metric, and it saves "
            f"${s['saving_monthly']:,.2f} a month at {s['requests_per_day']:,.0f} requests/day"
            + (f", paying back the first run in {s['payback_days']} days." if s["payback_days"] is not None else "."))


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
        rows += [("training examples", f["total"]["out"])]
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
            f"pipeline GPU ${p.pipeline_usd_per_gpu_hour:g}/h, training {p.training_tok_s:g} trained tokens/s on it",
            f"the pipeline runs {p.nights_per_month} nights a month; a month is 30 days",
            "volume: " + (f"{p.requests_per_day:g} requests/day (configured)" if p.requests_per_day
                          else "measured from the production log window sampled by this run")]


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
