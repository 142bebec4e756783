"""The evaluate stage's summary (the A/B table and the decision), for the CLI and the Prefect UI alike
(distillery/summary.py)."""

from distillery.summary import Summary, ab_rows
from tasks.evaluation.confidence import sure_notes


def summarize(ab: dict) -> Summary:
    """From run_evaluate's result (ab.json): each metric per route and overall with its CI and verdict, then
    the promotion decision; when the champion is kept, the reasons say which gated metric failed where."""
    d = ab["decision"]
    return Summary(
        title=f"{ab['candidate']} vs teacher {ab['teacher']}",
        headline=f"decision: **{d['action']}** (champion {d['champion_before']} -> {d['champion_after']})" + routed(d),
        rows=ab_rows(ab),
        notes=plan_notes(d) + list(d["reasons"]) + judge_notes(ab) + sure_notes(ab["scopes"]),
        key="evaluation-verdict")


def judge_notes(ab: dict) -> list[str]:
    """A judge that was not reliable this run is said even when its win rate was not gated."""
    rel = (ab.get("judge") or {}).get("reliability")
    if not rel or rel["available"] or "judge_win_rate" in ab["config"]["gates"]:
        return []  # reliable, not run, or already among the decision's reasons
    if rel.get("asked") is False:  # too few items on its routes: nothing was wrong with it
        return [f"judge {'; '.join(rel['reasons'])}"]
    return [f"judge win rate not usable this run: {'; '.join(rel['reasons'])}"]


def routed(d: dict) -> str:
    """Which routes this candidate takes over (decisions from before per-route promotion have no routes)."""
    if "routes" not in d:
        return ""
    promoted = [r + (" (with deferral)" if x.get("defer_below") else "") for r, x in sorted(d["routes"].items()) if x["promote"]]
    return f"; to the student: **{', '.join(promoted) or 'no route'}**"


def plan_notes(d: dict) -> list[str]:
    """The routing plan after this decision, one line per route: where production sends it now."""
    out = []
    for route, p in sorted(d.get("plan", {}).items()):
        where = f"student {p['version']}" if p["to"] == "student" else "teacher"
        if p.get("defer_below"):  # promoted with deferral: the router's rule, as serve student prints it
            where += (f" where its probability of every field's value is at least {p['defer_below']} "
                      f"({p['served_share']:.0%} of requests at evaluation), else the teacher")
        out.append(f"routing plan: {route} -> {where} (since {p.get('since') or 'manual'})")
    return out
