"""The run's cost lines, from its stage records and the pricing config: every number says where it came from.

    lines, summary = run_costs(cfg, run_dir)

Sources: `measured` (a stage record or eval.parquet of this run), `assumed` (a pricing value in the config),
`derived` (arithmetic on the two). The arithmetic itself is tasks/report/cost_model.py.
"""

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from distillery.config import ModelPricing, RunConfig
from distillery.store import read_attempts
from tasks.report import cost_model as cm


class ReportError(RuntimeError):
    """The report cannot be built from this run folder; the message says what is missing."""


@dataclass
class Line:
    section: str     # per_request | daily | run
    item: str
    quantity: float
    unit: str
    usd: float
    source: str      # measured | assumed | derived
    note: str = ""


def price_of(p: ModelPricing, measured_tok_s: float | None = None, what: str = "pricing") -> cm.ApiPrice | cm.GpuPrice:
    """The cost model's price; a self-hosted model without a configured throughput uses the run's measured one."""
    if p.api:
        return cm.ApiPrice(p.api.input_per_mtok, p.api.output_per_mtok, p.api.cached_input_per_mtok, p.api.batch_discount)
    h = p.self_hosted
    tok_s = h.output_tok_s or measured_tok_s
    if tok_s is None:
        raise ReportError(f"{what}.self_hosted.output_tok_s is not set and this run measured no GPU serving throughput "
                          f"(stage-export.json from a CUDA run): set the target GPU's tokens/s per replica")
    return cm.GpuPrice(h.usd_per_gpu_hour, tok_s, h.gpus_per_replica, h.utilization)


def measured_serving(run_dir: Path) -> float | None:
    """The student export's serving tokens/s when the run served it on CUDA; a CPU figure says nothing of a GPU."""
    export = _optional(run_dir, "stage-export.json")
    if export and export.get("device") == "cuda":
        return (export.get("serving") or {}).get("output_tok_s")
    return None


def months_to_reach(volume: float, target: float | None, growth: float) -> float | None:
    """Months of compound growth until `volume` reaches `target` (0 when already there; None when never)."""
    import math

    if target is None:
        return None
    if volume >= target:
        return 0.0
    if growth <= 0:
        return None
    return math.log(target / volume) / math.log(1 + growth)


def read_record(run_dir: Path, name: str, needed_for: str) -> dict:
    path = run_dir / name
    if not path.is_file():
        raise ReportError(f"{path} does not exist: the report needs it for {needed_for}; run that stage first")
    return json.loads(path.read_text())


def measured_volume(sample: dict) -> float:
    """Requests per day in the sampled window: every request the log holds for it, invalid ones included (they were paid)."""
    f = sample["funnel"]
    start, end = (datetime.fromisoformat(sample["window"][k]) for k in ("start", "end"))
    days = max((end - start).total_seconds() / 86_400, 1e-9)
    return (f["read"] - f["outside_window"] - f.get("other_route", 0)) / days


def arm_traffic(eval_rows: list[dict], arm: str) -> cm.Traffic:
    """Mean tokens per request of an arm over the eval items (a proportional sample of production routes)."""
    n = max(len(eval_rows), 1)
    return cm.Traffic(sum(r[f"{arm}_prompt_tokens"] for r in eval_rows) / n,
                      sum(r[f"{arm}_completion_tokens"] for r in eval_rows) / n)


def run_costs(cfg: RunConfig, run_dir: Path) -> tuple[list[Line], dict]:
    import pyarrow.parquet as pq

    p = cfg.pricing
    sample = read_record(run_dir, "stage-sample.json", "the request volume")
    label = read_record(run_dir, "stage-label.json", "the labeling cost")
    train = read_record(run_dir, "stage-train.json", "the training cost")
    read_record(run_dir, "ab.json", "the quality verdict")
    if not (run_dir / "eval.parquet").is_file():
        raise ReportError(f"{run_dir / 'eval.parquet'} does not exist: run the evaluate stage first")
    rows = pq.read_table(run_dir / "eval.parquet").to_pylist()
    measured_tok_s = measured_serving(run_dir)
    teacher, student = price_of(p.teacher, what="pricing.teacher"), price_of(p.student, measured_tok_s, "pricing.student")
    teacher_t, student_t = arm_traffic(rows, "teacher"), arm_traffic(rows, "student")
    volume = p.requests_per_day or measured_volume(sample)
    volume_source = "assumed" if p.requests_per_day else "measured"

    lines = [Line("per_request", "teacher: tokens in (with its system prompt)", teacher_t.prompt_tokens, "tokens", 0.0, "measured"),
             Line("per_request", "teacher: tokens out", teacher_t.completion_tokens, "tokens", 0.0, "measured"),
             Line("per_request", "student: tokens in (no system prompt)", student_t.prompt_tokens, "tokens", 0.0, "measured"),
             Line("per_request", "student: tokens out", student_t.completion_tokens, "tokens", 0.0, "measured")]
    run_lines = pipeline_lines(cfg, label, train, rows, teacher, student)
    run_lines += judge_lines(cfg, run_dir, teacher)
    run_lines += repeat_lines(run_lines, read_attempts(run_dir), {"train": train,
                                                                 "evaluate": _optional(run_dir, "stage-evaluate.json")})
    per_night = sum(x.usd for x in run_lines)
    pipeline_daily = per_night * p.nights_per_month / cm.DAYS_PER_MONTH
    c = cm.compare(teacher, teacher_t, student, student_t, volume, pipeline_daily)
    lines += [Line("daily", "requests per day", volume, "requests", 0.0, volume_source),
              Line("daily", "teacher", volume, "requests", c.teacher_daily, "derived", _how(teacher)),
              Line("daily", "student", c.student_replicas or volume, "replicas" if c.student_replicas else "requests",
                   c.student_daily, "derived", _how(student)),
              Line("daily", "nightly pipeline, amortised", p.nights_per_month, "nights/month", pipeline_daily, "derived")]
    lines += run_lines
    break_even = cm.break_even_volume(teacher, teacher_t, student, student_t, pipeline_daily)
    summary = {"currency": p.currency, "requests_per_day": round(volume, 1), "volume_source": volume_source,
               "teacher_per_1k": round(c.teacher_daily / volume * 1000, 4), "student_per_1k": round(c.student_daily / volume * 1000, 4),
               "teacher_daily": round(c.teacher_daily, 2), "student_daily": round(c.student_daily, 2),
               "pipeline_per_night": round(per_night, 2), "pipeline_daily": round(pipeline_daily, 2),
               "saving_daily": round(c.saving_daily, 2), "saving_monthly": round(c.saving_monthly, 2),
               "break_even_requests_per_day": None if break_even is None else round(break_even),
               "payback_days": _round(cm.payback_days(per_night, c.saving_daily)),
               "cpu_demo": train.get("device") != "cuda",
               "student_output_tok_s": getattr(student, "output_tok_s", None),
               "student_tok_s_source": "measured" if p.student.self_hosted and not p.student.self_hosted.output_tok_s else "assumed",
               "growth_per_month": p.growth_per_month,
               "months_to_break_even": _round(months_to_reach(volume, break_even, p.growth_per_month)),
               "volume_by_route": route_volumes(sample, volume),
               "tokens": {"teacher": asdict(teacher_t), "student": asdict(student_t)}}
    if isinstance(student, cm.GpuPrice):
        volumes = sorted({round(volume * f) for f in (0.1, 0.5, 1, 2, 10)} | {10_000, 100_000})
        prices = sorted({p.student.self_hosted.usd_per_gpu_hour * f for f in (0.5, 1, 2)})
        summary["sensitivity"] = cm.sensitivity(teacher, teacher_t, student, student_t, pipeline_daily, volumes, prices)
    return lines, summary


def route_volumes(sample: dict, volume: float) -> dict[str, float]:
    """Requests per day per route: the total split by the window's valid traffic mix."""
    traffic = sample["funnel"].get("traffic") or sample["funnel"].get("sampled", {})
    total = sum(traffic.values()) or 1
    return {route: round(volume * n / total, 1) for route, n in sorted(traffic.items())}


def pipeline_lines(cfg: RunConfig, label: dict, train: dict, rows: list[dict], teacher, student) -> list[Line]:
    """One night's costs by stage: labeling at the teacher's batch price (or its GPU time), training at the
    pipeline GPU's configured throughput, the student's evaluation answers at its GPU's throughput."""
    p = cfg.pricing
    tokens = label.get("tokens", {"prompt": 0, "completion": 0})
    if isinstance(teacher, cm.ApiPrice):
        usd = cm.api_cost_per_request(teacher, cm.Traffic(tokens["prompt"], tokens["completion"]), batch=True)
        labeling = Line("run", "labeling: teacher tokens at the batch price", tokens["prompt"] + tokens["completion"],
                        "tokens", usd, "derived", "measured tokens x assumed API price")
    else:
        seconds = tokens["completion"] / (teacher.output_tok_s * teacher.utilization)
        labeling = Line("run", "labeling: teacher GPU time", seconds, "GPU-seconds",
                        cm.gpu_seconds_cost(teacher.usd_per_gpu_hour * teacher.gpus_per_replica, seconds), "derived",
                        "measured tokens / assumed GPU throughput")
    train_s = train["trained_tokens"] / p.training_tok_s
    training = Line("run", "training: student QLoRA", train_s, "GPU-seconds", cm.gpu_seconds_cost(p.pipeline_usd_per_gpu_hour, train_s),
                    "derived", "measured trained tokens / assumed GPU throughput")
    out_tokens = sum(r.get("student_completion_tokens") or 0 for r in rows) + sum(r.get("base_completion_tokens") or 0 for r in rows)
    eval_s = out_tokens / (student.output_tok_s if isinstance(student, cm.GpuPrice) else p.training_tok_s)
    evaluation = Line("run", "evaluation: student and base answers", eval_s, "GPU-seconds",
                      cm.gpu_seconds_cost(p.pipeline_usd_per_gpu_hour, eval_s), "derived", "measured tokens / assumed throughput")
    return [labeling, training, evaluation]


def judge_lines(cfg: RunConfig, run_dir: Path, teacher) -> list[Line]:
    """The LLM judge's calls, curation's and evaluation's, from their measured tokens (retried requests included)."""
    judge = price_of(cfg.pricing.judge, what="pricing.judge") if cfg.pricing.judge else teacher
    used = {"curation judge": (_optional(run_dir, "stage-curate.json") or {}).get("judge"),
            "evaluation judge": read_record(run_dir, "ab.json", "the quality verdict").get("judge")}
    out = []
    for name, u in used.items():
        if not u or not u.get("calls"):
            continue
        tokens = u.get("prompt_tokens", 0) + u.get("completion_tokens", 0)
        if isinstance(judge, cm.ApiPrice):
            usd = cm.api_cost_per_request(judge, cm.Traffic(u.get("prompt_tokens", 0), u.get("completion_tokens", 0)), batch=True)
            out.append(Line("run", f"{name}: {u['calls']} calls at the batch price", tokens, "tokens", usd, "derived",
                            "measured tokens x assumed API price"))
        else:
            seconds = u.get("completion_tokens", 0) / (judge.output_tok_s * judge.utilization)
            out.append(Line("run", f"{name}: {u['calls']} calls, GPU time", seconds, "GPU-seconds",
                            cm.gpu_seconds_cost(judge.usd_per_gpu_hour * judge.gpus_per_replica, seconds), "derived",
                            "measured tokens / assumed GPU throughput"))
    return out


# The cost line each stage's compute is in, by the line's opening words. Labeling is not here: it is billed per
# token for every label the run committed, whichever attempt made it (a failed request is not billed by an API).
STAGE_LINES = {"train": "training:", "evaluate": "evaluation:"}


def repeat_lines(lines: list[Line], attempts: list[dict], records: dict[str, dict | None]) -> list[Line]:
    """Attempts beyond the one whose outputs the run kept (failed tries, re-runs that redid work), billed at the
    kept attempt's cost per second: a stage that failed once after as long as its successful run costs twice."""
    out = []
    for stage, prefix in STAGE_LINES.items():
        record, line = records.get(stage), next((x for x in lines if x.item.startswith(prefix)), None)
        if not record or line is None or not record.get("wall_s"):
            continue
        tries = [a for a in attempts if a["stage"] == stage]
        extra_s = sum(a["wall_s"] for a in tries) - record["wall_s"]
        if len(tries) < 2 or extra_s <= 1:  # a resumed run that reused the outputs took ~no time
            continue
        failed = sum(a["outcome"] == "failed" for a in tries)
        killed = sum(a["outcome"] == "killed" for a in tries)
        how = f"{failed} failed" + (f", {killed} killed" if killed else "")
        out.append(Line("run", f"{prefix[:-1]}: {len(tries) - 1} more attempt(s) ({how})", extra_s, "seconds",
                        line.usd * extra_s / record["wall_s"], "derived",
                        "measured extra wall time x the kept attempt's cost per second"))
    return out


def _optional(run_dir: Path, name: str) -> dict | None:
    path = run_dir / name
    return json.loads(path.read_text()) if path.is_file() else None


def _how(price) -> str:
    if isinstance(price, cm.ApiPrice):
        return f"API ${price.input_per_mtok:g}/M in, ${price.output_per_mtok:g}/M out (assumed)"
    return f"{price.gpus_per_replica} GPU x ${price.usd_per_gpu_hour:g}/h per replica, {price.output_tok_s:g} tok/s (assumed)"


def _round(x):
    return None if x is None else round(x, 1)
