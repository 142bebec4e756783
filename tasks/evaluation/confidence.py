"""Where the teacher was sure: its probability of each field's value, and the student's agreement on either side.

Agreement with the teacher is capped by the teacher's own mistakes, and those sit where it was unsure
(docs/facts.md "The teacher knows where it is unsure": on the demo's tickets the probability of the first token of
the teacher's category tells the student's agreements from its disagreements with AUC 0.82-0.88). The label stage
records the teacher's logprobs when a route sets teacher.routes.<route>.top_logprobs; this reads, per exact field,
the probability of the first token of its value, and splits each field's agreement at evaluation.teacher_sure.

The teacher's side is reported beside the gate, never gated: a gate on the sure items only would need its own margin
and coverage figures. The same reading of the student's own answers (`deferral`, `cascade_rows`) shows what a router
could do with no teacher at hand: send the student only the requests it is sure of, and the rest to the teacher; that
deployment is gated like the student alone, over every item (score.py `decide_routes`). The reading itself is
models/answer_confidence.py, shared with the router that serves such a route (models/router.py).
"""

import json

from models.answer_confidence import is_sure
from tasks.evaluation.stats import mean_ci


def agreement_by_confidence(rows: list[dict], threshold: float, stats: dict) -> dict | None:
    """Per exact field: the student's agreement where the teacher's confidence is at least `threshold` ("sure") and
    where it is below ("unsure"), with intervals; None when no row carries a confidence (no logprobs recorded)."""
    split: dict[str, tuple[list[float], list[float]]] = {}
    for r in rows:
        if not r.get("confidence_teacher") or not r.get("fields_student"):
            continue
        confidence, matches = json.loads(r["confidence_teacher"]), json.loads(r["fields_student"])
        for field, p in confidence.items():
            if field in matches:
                sure, unsure = split.setdefault(field, ([], []))
                (sure if p >= threshold else unsure).append(float(matches[field]))
    if not split:
        return None
    return {"threshold": threshold,
            "fields": {f: {"sure": mean_ci(sure, **stats), "unsure": mean_ci(unsure, **stats),
                           "share_sure": round(len(sure) / (len(sure) + len(unsure)), 3)}
                       for f, (sure, unsure) in sorted(split.items())}}


def sure_flags(rows: list[dict], threshold: float) -> list[bool] | None:
    """Per row, whether the student's own probability of every exact field's value is at least `threshold`; None when
    no row carries the student's confidence (its logprobs were not asked for). A row without it (a request that
    failed, an answer with no logprobs) is not sure: a router that cannot read a confidence defers."""
    if not any(r.get("confidence_student") for r in rows):
        return None
    return [is_sure(own, list(own), threshold) for own in (json.loads(r.get("confidence_student") or "{}") for r in rows)]


CASCADE = "cascade"  # the arm a router serves: the student where it is sure, the teacher elsewhere
_ARM_COLUMNS = ("schema_valid", "fields", "agreement", "text_fields", "chrf")


def cascade_rows(rows: list[dict], threshold: float) -> list[dict] | None:
    """`rows` with the cascade arm's columns: the student's where it is sure, the teacher's elsewhere. The teacher's
    are those of a fresh teacher answer against its first (its second sample; a greedy teacher agrees with itself),
    so a deferred item scores what production would get from the teacher, not a free 1.0 beyond that."""
    flags = sure_flags(rows, threshold)
    if flags is None:
        return None
    out = []
    for r, sure in zip(rows, flags):
        arm = "student" if sure else "teacher"
        out.append({**r, "sure_student": sure,
                    **{f"{c}_{CASCADE}": r[f"{c}_{arm}"] for c in _ARM_COLUMNS if f"{c}_{arm}" in r}})
    return out


def deferral(rows: list[dict], threshold: float, stats: dict) -> dict | None:
    """What the student would serve if a router sent it only the requests where its own probability of every exact
    field's value is at least `threshold` and deferred the rest to the teacher: the share it would answer
    (coverage), each field's agreement on those ("served"), and the route's agreement with the rest answered by the
    teacher ("with_deferral": the cascade arm, `cascade_rows`). Clopper-Pearson intervals, every item counted once.
    None without the student's logprobs, or on a route without exact fields.

    A router needs nothing the teacher knows: the student's own logprobs, at serving time. The threshold is fixed
    before the run (evaluation.student_sure); whether the route may be promoted this way is the gate's call
    (tasks/evaluation/score.py `decide_routes`, evaluation.defer_to_teacher)."""
    cascade = cascade_rows([r for r in rows if r.get("fields_student")], threshold)
    if not cascade:
        return None
    own = [json.loads(r["fields_student"]) for r in cascade]
    routed = [json.loads(r[f"fields_{CASCADE}"]) for r in cascade]
    fields = {}
    for f in sorted({f for matches in own for f in matches}):
        served = [float(m[f]) for m, r in zip(own, cascade) if r["sure_student"]]
        fields[f] = {"served": mean_ci(served, **stats), "with_deferral": mean_ci([float(m[f]) for m in routed], **stats)}
    return {"threshold": threshold, "coverage": mean_ci([float(r["sure_student"]) for r in cascade], **stats),
            "fields": fields}


def sure_notes(scopes: dict) -> list[str]:
    """One line per route and field where the teacher's confidence was recorded: agreement on either side of it."""
    out = []
    for scope, s in scopes.items():
        block = s.get("teacher_sure")
        if not block:
            continue
        for field, f in block["fields"].items():
            out.append(f"{scope}: {field} agreement where the teacher is sure (p >= {block['threshold']}) "
                       f"{_said(f['sure'])}, where it is unsure {_said(f['unsure'])} (not gated)")
    for scope, s in scopes.items():
        block = s.get("student_sure")
        if not block or not block["coverage"]["n"]:
            continue
        fields = "; ".join(f"{field} {_said(f['served'])} there, {f['with_deferral']['estimate']:.2f} with the rest "
                           f"deferred" for field, f in block["fields"].items())
        gated = "gated as the student with deferral" if block.get("vs_teacher") else "not gated"
        out.append(f"{scope}: where the student is sure (p >= {block['threshold']} on every field) it would answer "
                   f"{_said(block['coverage'])} of requests: {fields} ({gated})")
    return out


def _said(m: dict) -> str:
    if not m["n"]:
        return "no item"
    lo, hi = m["ci"]
    return f"{m['estimate']:.2f} [{lo:.2f}, {hi:.2f}] (n={m['n']})"
