"""Per-item metrics, their paired-bootstrap estimates per route and overall, and the promotion decision.

Every comparison is student minus a reference on the same items:
- schema_validity: the teacher's own validity;
- field_agreement / chrf: the teacher's self-agreement (its second sample against its first; 1.0 when the
  labels hold one greedy sample: the teacher always agrees with itself then);
- judge_win_rate: 0.5, a coin flip between two equally good answers (a win 1, a tie 0.5, a loss 0).
"""

import json

from distillery.routes import schema_valid
from tasks.evaluation.items import Item
from tasks.evaluation.judge import outcome
from tasks.evaluation.metrics import agreement, chrf, compared_fields, field_matches
from tasks.evaluation.stats import mean_ci, non_inferior, paired_diff_ci, win_scores


def item_metrics(item: Item, schema: dict | None) -> dict:
    """The per-item metric columns of eval.parquet, for the teacher and every answered arm."""
    m: dict = {}
    if schema:
        fields = compared_fields(schema)
        m["schema_valid_teacher"] = float(schema_valid(item.teacher.text, schema))
        m["agreement_teacher"] = agreement(field_matches(item.teacher_second, item.teacher.text, fields)) \
            if item.teacher_second is not None else 1.0
        for arm, a in item.arms.items():
            matches = field_matches(a.text, item.teacher.text, fields)
            m[f"schema_valid_{arm}"] = float(schema_valid(a.text, schema))
            m[f"agreement_{arm}"] = agreement(matches)
            m[f"fields_{arm}"] = json.dumps(matches, sort_keys=True)
    else:
        m["chrf_teacher"] = chrf(item.teacher_second, item.teacher.text) if item.teacher_second is not None else 1.0
        for arm, a in item.arms.items():
            m[f"chrf_{arm}"] = chrf(a.text, item.teacher.text)
    return m


COLUMN = {"schema_validity": "schema_valid", "field_agreement": "agreement", "chrf": "chrf"}


def metric_values(rows: list[dict], metric: str, arm: str) -> list[float] | None:
    """Per-item values of `metric` for `arm`, or None where the metric does not apply to these rows."""
    if metric == "judge_win_rate":
        if any(r.get("judge_outcome") is None for r in rows):
            return None  # the judge did not run
        judged = [r["judge_outcome"] for r in rows if r["judge_outcome"] != "failed"]  # no verdict: no evidence
        if not judged:
            return None
        return [0.5] * len(judged) if arm == "teacher" else win_scores(judged, arm)
    key = f"{COLUMN[metric]}_{arm}"
    if not rows or any(key not in r for r in rows):
        return None
    return [r[key] for r in rows]


def compare(rows: list[dict], first: str, second: str, metrics, gates: dict, stats: dict) -> dict:
    """Each applicable metric: both arms' estimates and the paired difference first - second, gated or not."""
    out = {}
    for metric in metrics:
        a, b = metric_values(rows, metric, first), metric_values(rows, metric, second)
        if a is None or b is None:
            continue
        diff = paired_diff_ci(a, b, **stats)
        entry = {first: mean_ci(a, **stats), second: mean_ci(b, **stats), "diff": diff}
        if metric in gates:
            entry.update(margin=gates[metric], non_inferior=non_inferior(diff, gates[metric]))
        out[metric] = entry
    return out


METRICS = ("schema_validity", "field_agreement", "chrf", "judge_win_rate")


def summarize(rows: list[dict], gates: dict, stats: dict, has_base: bool) -> dict:
    """Per route and overall: student vs teacher (gated), and student vs the untrained base (what training bought)."""
    scopes = {route: [r for r in rows if r["route"] == route] for route in sorted({r["route"] for r in rows})}
    scopes["overall"] = rows
    out = {}
    for scope, scoped in scopes.items():
        entry = {"n": len(scoped), "vs_teacher": compare(scoped, "student", "teacher", METRICS, gates, stats)}
        if scope != "overall" and all(r.get("fields_student") for r in scoped):
            entry["field_agreement_by_field"] = field_rates(scoped, "student", stats)
        if has_base:
            entry["vs_base"] = compare(scoped, "student", "base", METRICS[:3], {}, stats)
        out[scope] = entry
    return out


def field_rates(rows: list[dict], arm: str, stats: dict) -> dict:
    """Exact-match rate with the teacher per JSON field (which fields the student gets wrong, e.g. urgency)."""
    per_item = [json.loads(r[f"fields_{arm}"]) for r in rows]
    return {f: mean_ci([float(m[f]) for m in per_item], **stats) for f in sorted(per_item[0])}


def decide(summary: dict, gates: dict, judge: dict | None = None) -> tuple[bool, list[str]]:
    """Promote only when every gated metric is non-inferior wherever it applies; the reasons say what failed.
    A gated judge_win_rate from a judge that is unreliable this run (tasks/evaluation/judge.py `reliability`)
    refuses promotion: its verdicts are no evidence either way."""
    reasons = []
    for metric, margin in gates.items():
        if metric == "judge_win_rate" and judge is not None and not judge["available"]:
            reasons.append(f"judge_win_rate is unavailable: the judge is not reliable this run ({'; '.join(judge['reasons'])})")
            continue
        measured = [(scope, s["vs_teacher"][metric]) for scope, s in summary.items() if metric in s["vs_teacher"]]
        if not measured:
            if metric == "judge_win_rate":
                reasons.append("judge_win_rate is gated but no judge verdicts exist (evaluation.judge.enabled is false)")
            continue  # e.g. chrf gated, but every route is a JSON route
        for scope, m in measured:
            if not m["non_inferior"]:
                lo, hi = m["diff"]["ci"]
                reasons.append(f"{scope}: {metric} student {m['student']['estimate']} vs teacher {m['teacher']['estimate']}, "
                               f"difference CI [{lo:+.3f}, {hi:+.3f}] reaches below -{margin} (n={m['diff']['n']})")
    return not reasons, reasons


def judge_outcomes(verdicts: list[tuple[str | None, str | None]]) -> list[str]:
    """'student' / 'teacher' / 'tie' per item, from (verdict with the student as A, verdict with the student as B)."""
    names = {"first": "student", "second": "teacher", "tie": "tie", "failed": "failed"}
    return [names[outcome(ab, ba)] for ab, ba in verdicts]


def sanity_checks(rows: list[dict], verdicts: list, aa_verdicts: list, stats: dict) -> dict:
    """A/A: the student judged against itself wins ~50% with a CI containing 0.5. Swap: naming the teacher as
    the first arm, from the same verdicts, mirrors the student's win rate and its CI."""
    out = {}
    aa_verdicts = [(x, y) for x, y in aa_verdicts if x is not None and y is not None]  # failed: no evidence
    verdicts = [(x, y) for x, y in verdicts if x is not None and y is not None]
    if aa_verdicts:
        aa = mean_ci(win_scores([outcome(x, y) for x, y in aa_verdicts], "first"), **stats)
        out["aa"] = {**aa, "passes": aa["ci"][0] <= 0.5 <= aa["ci"][1]}
    if verdicts:
        student = mean_ci(win_scores([outcome(ab, ba) for ab, ba in verdicts], "first"), **stats)
        teacher = mean_ci(win_scores([outcome(ba, ab) for ab, ba in verdicts], "first"), **stats)
        mirrored = abs(student["estimate"] + teacher["estimate"] - 1) < 1e-9 and \
            abs(student["ci"][0] + teacher["ci"][1] - 1) < 1e-3 and abs(student["ci"][1] + teacher["ci"][0] - 1) < 1e-3
        out["swap"] = {"student_win_rate": student, "teacher_win_rate_swapped": teacher, "passes": mirrored}
    return out
