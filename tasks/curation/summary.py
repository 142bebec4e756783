"""The curate stage's summary (its funnel per route), for the CLI and the Prefect UI alike (distillery/summary.py)."""

from distillery.summary import Summary
from tasks.curation.earlier import carried_total


def summarize(record: dict) -> Summary:
    """From run_curate's record: train prompts in, what each filter dropped per route, examples out."""
    f = record["funnel"]
    dropped = ", ".join(f"{name} {sum(by_route.values())}" for name, by_route in f["dropped"].items() if by_route) or "none"
    earlier = f.get("earlier_nights") or {}
    carried = (f" + **{carried_total(earlier)}** from {len(earlier['nights'])} earlier night(s)"
               if earlier.get("nights") else "")
    return Summary(
        title="curation funnel per route",
        headline=(f"curated: {f['total']['in']} train prompts -> **{f['total']['out']}** examples{carried} "
                  f"({record['examples']['train']} train, {record['examples']['val']} val); dropped: {dropped}"),
        rows=_funnel_rows(f),
        key="curation-funnel")


def _funnel_rows(f: dict) -> list[dict]:
    routes = sorted(f["in"])  # every route enters with the train prompts; a filter can only drop from them
    steps = [("in", f["in"]), *((f"dropped: {name}", by_route) for name, by_route in f["dropped"].items()), ("out", f["out"])]
    if (f.get("earlier_nights") or {}).get("nights"):  # curation.history_nights: trained on as well
        routes = sorted(set(routes) | set(f["earlier_nights"]["examples"]))
        steps.append(("from earlier nights", f["earlier_nights"]["examples"]))
    return [{"step": step, **{r: by_route.get(r, 0) for r in routes}, "total": sum(by_route.values())}
            for step, by_route in steps]
