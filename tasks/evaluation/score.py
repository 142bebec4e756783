"""Per-item metrics, their estimates and intervals per route and overall, and the promotion decision.

Every comparison is student minus a reference on the same items (tasks/evaluation/stats.py says which
interval each metric gets):
- schema_validity: the teacher's own validity;
- field_agreement: per exact field (tasks/evaluation/metrics.py), the teacher's self-agreement (its second
  sample against its first; 1 when the labels hold one greedy sample). Gated field by field: a student that
  gets every category right and every urgency wrong does not average its way through;
- chrf: free-text answers and free-text fields, against the teacher's self-similarity the same way;
- judge_win_rate: 0.5, a coin flip between two equally good answers (a win 1, a tie 0.5, a loss 0).
A gated scope with fewer than `evaluation.min_items` items is insufficient evidence, never a promotion (or
inferior, when its whole interval lies below the margin: `verdict`).
"""

import json

from distillery.routes import schema_valid
from models.answer_confidence import field_confidences
from tasks.evaluation.confidence import CASCADE, agreement_by_confidence, cascade_rows, deferral
from tasks.evaluation.items import Item
from tasks.evaluation.judge import outcome
from tasks.evaluation.metrics import agreement, chrf, field_kinds, field_matches, field_similarity, mean
from tasks.evaluation.stats import items_needed, mean_ci, non_inferior, paired_diff_ci, win_scores


def item_metrics(item: Item, schema: dict | None) -> dict:
    """The per-item metric columns of eval.parquet, for the teacher and every answered arm."""
    m: dict = {}
    if not schema:
        m["chrf_teacher"] = chrf(item.teacher_second, item.teacher.text) if item.teacher_second is not None else 1.0
        for arm, a in item.arms.items():
            m[f"chrf_{arm}"] = chrf(a.text, item.teacher.text)
        return m
    kinds = field_kinds(schema)
    exact = [f for f, k in kinds.items() if k == "exact"]
    text = [f for f, k in kinds.items() if k == "text"]
    second = item.teacher_second
    confidence = field_confidences(item.teacher_logprobs, exact)
    if confidence:  # the teacher's probability of each exact field's value: where it was sure (never gated)
        m["confidence_teacher"] = json.dumps({f: round(p, 4) for f, p in confidence.items()}, sort_keys=True)
    student = item.arms.get("student")
    if exact and student and student.logprobs:  # the student's own: where a router could trust it (never gated)
        own = field_confidences(student.logprobs, exact)
        m["confidence_student"] = json.dumps({f: round(own.get(f, 0.0), 4) for f in exact}, sort_keys=True)
    m["schema_valid_teacher"] = float(schema_valid(item.teacher.text, schema))
    answers = {"teacher": second, **{arm: a.text for arm, a in item.arms.items()}}
    for arm, answer in answers.items():
        if arm != "teacher":
            m[f"schema_valid_{arm}"] = float(schema_valid(answer, schema))
        if exact:  # the teacher's reference is its second sample; with none, it agrees with itself
            matches = field_matches(answer, item.teacher.text, exact) if answer is not None else dict.fromkeys(exact, True)
            m[f"fields_{arm}"], m[f"agreement_{arm}"] = json.dumps(matches, sort_keys=True), agreement(matches)
        if text:
            sims = field_similarity(answer, item.teacher.text, text) if answer is not None else dict.fromkeys(text, 1.0)
            m[f"text_fields_{arm}"], m[f"chrf_{arm}"] = json.dumps(sims, sort_keys=True), mean(sims.values())
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
    if not rows or any(r.get(key) is None for r in rows):
        return None
    return [r[key] for r in rows]


def compare(rows: list[dict], first: str, second: str, metrics, gates: dict, stats: dict, min_items: int = 1) -> dict:
    """Each applicable metric: both arms' estimates and the paired difference first - second, gated or not."""
    out = {}
    for metric in metrics:
        a, b = metric_values(rows, metric, first), metric_values(rows, metric, second)
        if a is None or b is None:
            continue
        entry = compared(a, b, first, second, stats)
        if metric == "field_agreement" and all(r.get(f"fields_{first}") and r.get(f"fields_{second}") for r in rows):
            entry["by_field"] = {f: compared(x, y, first, second, stats) for f, (x, y) in field_values(rows, first, second).items()}
        if metric in gates:
            gate(entry, gates[metric], stats["confidence"], min_items)
        out[metric] = entry
    return out


def compared(a: list[float], b: list[float], first: str, second: str, stats: dict) -> dict:
    diff = paired_diff_ci(a, b, **stats)
    return {first: mean_ci(a, **stats), second: mean_ci(b, **stats), "diff": diff}


def field_values(rows: list[dict], first: str, second: str) -> dict[str, tuple[list[float], list[float]]]:
    """Per exact field, each arm's 0/1 match with the teacher's answer over the rows that have the field."""
    out: dict[str, tuple[list[float], list[float]]] = {}
    for r in rows:
        a, b = json.loads(r[f"fields_{first}"]), json.loads(r[f"fields_{second}"])
        for f in a:
            x, y = out.setdefault(f, ([], []))
            x.append(float(a[f]))
            y.append(float(b[f]))
    return dict(sorted(out.items()))


def gate(entry: dict, margin: float, confidence: float, min_items: int) -> None:
    """Mark the entry (and each field, where gated field by field) with its verdict at `margin`, and how many items
    would settle it: the smallest difference this n resolves, and the n the margin needs."""
    parts = list(entry["by_field"].values()) if "by_field" in entry else [entry]
    for part in parts:
        lo, hi = part["diff"]["ci"]
        part.update(margin=margin, non_inferior=non_inferior(part["diff"], margin),
                    resolution=round((hi - lo) / 2, 4), items_needed=items_needed(part["diff"], margin, confidence))
        part["verdict"] = verdict(part, margin, min_items)
    if "by_field" in entry:
        needed = [p["items_needed"] for p in parts]
        entry.update(margin=margin, non_inferior=all(p["non_inferior"] for p in parts),
                     items_needed=None if None in needed else max(needed))
        entry["verdict"] = verdict(entry, margin, min_items)


def verdict(m: dict, margin: float, min_items: int) -> str:
    """'non-inferior', 'inferior' or 'insufficient evidence' for a gated metric (or one field of it). Worse beyond the
    margin across the whole interval is inferior at any n: more items would not change that. Otherwise fewer than
    `min_items` items decide nothing either way."""
    parts = list(m["by_field"].values()) if "by_field" in m else [m]
    if any(p["diff"]["ci"][1] is not None and p["diff"]["ci"][1] < -margin for p in parts):
        return "inferior"
    if m["diff"]["n"] < min_items:
        return "insufficient evidence"
    return "non-inferior" if m["non_inferior"] else "inferior"


METRICS = ("schema_validity", "field_agreement", "chrf", "judge_win_rate")
UNGUIDED = "student_unguided"  # the student asked without the schema: what its weights produce alone
FEWSHOT = "base_fewshot"  # the untrained base with teacher-labelled examples in its prompt: the in-context baseline


def summarize(rows: list[dict], gates: dict, stats: dict, has_base: bool, min_items: int = 1,
              teacher_sure: float | None = None, student_sure: float | None = None) -> dict:
    """Per route and overall: student vs teacher (gated), and student vs the untrained base (what training bought);
    per route, with `teacher_sure`, agreement where the teacher was sure and where it was not, and with
    `student_sure`, what the student would serve if it answered only where it is sure (the teacher's view never
    gated; the student's compared with the teacher like the student alone, for `decide_routes`)."""
    scopes = {route: [r for r in rows if r["route"] == route] for route in sorted({r["route"] for r in rows})}
    scopes["overall"] = rows
    out = {}
    for scope, scoped in scopes.items():
        entry = {"n": len(scoped), "vs_teacher": compare(scoped, "student", "teacher", METRICS, gates, stats, min_items)}
        if has_base:
            entry["vs_base"] = compare(scoped, "student", "base", METRICS[:3], {}, stats)
            if all(f"{FEWSHOT}_answer" in r for r in scoped):
                entry["vs_fewshot"] = compare(scoped, "student", FEWSHOT, METRICS[:3], {}, stats)
        unguided = [r[f"schema_valid_{UNGUIDED}"] for r in scoped if r.get(f"schema_valid_{UNGUIDED}") is not None]
        if unguided:  # a diagnostic, never gated: production serves the student guided
            entry["diagnostics"] = {"unguided_schema_validity": mean_ci(unguided, **stats)}
        sure = agreement_by_confidence(scoped, teacher_sure, stats) if teacher_sure and scope != "overall" else None
        if sure:  # 'overall' mixes routes whose fields differ: said per route only
            entry["teacher_sure"] = sure
        deferred = deferral(scoped, student_sure, stats) if student_sure and scope != "overall" else None
        if deferred:  # the cascade arm against the teacher, compared and gated like the student alone
            deferred["vs_teacher"] = compare(cascade_rows(scoped, student_sure), CASCADE, "teacher", METRICS[:3], gates,
                                             stats, min_items)
            entry["student_sure"] = deferred
        out[scope] = entry
    return out


def decide(summary: dict, gates: dict, judge: dict | None = None, min_items: int = 1) -> tuple[bool, list[str]]:
    """Promote only when every gated metric is non-inferior, on at least `min_items` items, wherever it applies; the
    reasons say what failed. A gated judge_win_rate from a judge that is unreliable this run (tasks/evaluation/judge.py
    `reliability`) refuses promotion: its verdicts are no evidence either way. All-or-nothing over every scope; the
    evaluate stage decides route by route (`decide_routes`)."""
    reasons = [r for scope, s in summary.items() for r in scope_reasons(scope, s, gates, judge, min_items)]
    return not reasons, judge_first(reasons)


def decide_routes(summary: dict, gates: dict, judge: dict | None = None, min_items: int = 1,
                  min_served: float | None = None) -> dict[str, dict]:
    """Each route on its own: promoted when every gated metric that applies to it is non-inferior on at least
    `min_items` of its items. 'overall' decides nothing: it mixes routes, and production routes by route.

    With `min_served` (evaluation.defer_to_teacher), a route the student fails alone may still be promoted with
    deferral: the student answers where its own confidence reaches evaluation.student_sure, the teacher the rest,
    and that cascade passes the same gates on every item (`with_deferral`) while the share of requests the student
    would answer has a lower bound of at least `min_served` (a router that sends it almost nothing saves nothing).
    Two deployments are tested on the same items, each at the gate's level: the chance that an inferior one is
    promoted is at most the sum of the two tests' (Bonferroni), twice the single test's."""
    out = {}
    for route, s in summary.items():
        if route == "overall":
            continue
        reasons = judge_first(scope_reasons(route, s, gates, judge, min_items))
        out[route] = {"promote": not reasons, "reasons": reasons}
        if reasons and min_served is not None and s.get("student_sure", {}).get("vs_teacher"):
            out[route] = with_deferral(route, s["student_sure"], reasons, gates, judge, min_items, min_served)
    return out


def with_deferral(route: str, block: dict, alone: list[str], gates: dict, judge: dict | None, min_items: int,
                  min_served: float) -> dict:
    """The decision for a route the student fails alone: promoted with deferral when the cascade passes every gate
    and the student would answer enough of the requests; otherwise not, with the cascade's reasons after its own."""
    said = f"with deferral below p {block['threshold']}"
    reasons = [f"{said}: {r}" for r in judge_first(scope_reasons(route, block, gates, judge, min_items))]
    served = block["coverage"]
    if served["ci"][0] is None or served["ci"][0] < min_served:
        reasons.append(f"{said}: {route}: the student would answer {_share(served)} of requests; the lower bound is "
                       f"below evaluation.min_served_share {min_served}")
    if reasons:
        return {"promote": False, "reasons": alone + reasons}
    # the fields whose confidence decides, for the router (models/router.py): the ones the gate measured it on
    return {"promote": True, "reasons": [], "defer_below": block["threshold"], "fields": sorted(block["fields"]),
            "served_share": served["estimate"], "served_ci": served["ci"], "alone": alone}


def _share(m: dict) -> str:
    lo, hi = m["ci"]
    return f"{m['estimate']:.2f} [{lo:.2f}, {hi:.2f}] (n={m['n']})" if m["n"] else "none (no item)"


def judge_first(reasons: list[str]) -> list[str]:
    """The unreliable judge is one reason for the whole run, said once and first (scope_reasons repeats it per scope)."""
    judge = [r for r in reasons if r.startswith(JUDGE_UNAVAILABLE)]
    return judge[:1] + [r for r in reasons if not r.startswith(JUDGE_UNAVAILABLE)]


JUDGE_UNAVAILABLE = "judge_win_rate is unavailable"


def scope_reasons(scope: str, s: dict, gates: dict, judge: dict | None, min_items: int) -> list[str]:
    """Why one scope (a route, or overall) cannot be promoted; empty when every gated metric that applies passes."""
    reasons, measured = [], 0
    for metric, margin in gates.items():
        if metric == "judge_win_rate" and judge is not None and judge.get("routes") and scope not in judge["routes"]:
            continue  # evaluation.judge.routes leaves this route out on purpose: the judge's gate is not its gate
        measured += metric in s["vs_teacher"]
        if metric == "judge_win_rate" and judge is not None and scope in judge.get("too_few", {}):
            reasons.append(f"{scope}: {metric} has insufficient evidence: {judge['too_few'][scope]} items < "
                           f"evaluation.min_items {min_items}, so the judge was not asked")
            continue
        if metric == "judge_win_rate" and judge is not None and not judge["available"]:
            reasons.append(f"{JUDGE_UNAVAILABLE}: the judge is not reliable this run ({'; '.join(judge['reasons'])})")
            continue
        m = s["vs_teacher"].get(metric)
        if m is None:
            if metric == "judge_win_rate":  # a judge applies to every route: no verdicts is missing evidence, not a pass
                why = "evaluation.judge.enabled is false" if judge is None else "the judge was not asked here"
                reasons.append(f"{scope}: judge_win_rate is gated but has no judge verdicts ({why})")
            continue  # e.g. chrf gated on a JSON route: the metric does not apply
        said = verdict(m, margin, min_items)
        if said == "insufficient evidence":
            needed = f"; at equal quality the {margin} margin needs about {m['items_needed']}" if m.get("items_needed") else ""
            reasons.append(f"{scope}: {metric} has insufficient evidence: {m['diff']['n']} items < evaluation.min_items "
                           f"{min_items}{needed}")
        elif said == "inferior":
            reasons.extend(inferior(scope, metric, m, margin, min_items))
    if not measured and not reasons:  # e.g. a free-text route under JSON-only gates: nothing was checked, so no pass
        reasons.append(f"{scope}: no gated metric applies here ({', '.join(gates) or 'evaluation.gates is empty'}); "
                       "gate chrf or judge_win_rate to decide a free-text route")
    return reasons


def inferior(scope: str, metric: str, m: dict, margin: float, min_items: int) -> list[str]:
    """One reason per inferior part: the metric, or each field of it that is inferior on its own (a field that is
    merely undecided at this n is not named: the metric fails on the others already)."""
    parts = [(f"{metric} on {f}", p) for f, p in m["by_field"].items() if verdict(p, margin, min_items) == "inferior"] \
        if "by_field" in m else [(metric, m)]
    out = []
    for name, p in parts:
        lo, hi = p["diff"]["ci"]
        # more items only help a student that might be as good: one worse across the whole interval is just worse
        more = "" if hi < -margin else (f"; this n resolves +/-{p['resolution']}; at equal quality the margin needs about "
                                        f"{p['items_needed'] or 'more than 100000'} items")
        arm = "student" if "student" in p else CASCADE  # the student alone, or the student with deferral
        out.append(f"{scope}: {name} {arm} {p[arm]['estimate']} vs teacher {p['teacher']['estimate']}, "
                   f"difference CI [{lo:+.3f}, {hi:+.3f}] reaches below -{margin} (n={p['diff']['n']}{more})")
    return out


def judge_outcomes(verdicts: list[tuple[str | None, str | None]]) -> list[str]:
    """'student' / 'teacher' / 'tie' per item, from (verdict with the student as A, verdict with the student as B)."""
    names = {"first": "student", "second": "teacher", "tie": "tie", "failed": "failed"}
    return [names[outcome(ab, ba)] for ab, ba in verdicts]
