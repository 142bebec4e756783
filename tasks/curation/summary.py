"""The curate stage's summary (its funnel per route), for the CLI and the Prefect UI alike (distillery/summary.py)."""

from distillery.summary import Summary


def summarize(record: dict) -> Summary:
    """From run_curate's record: train prompts in, what each filter dropped per route, examples out."""
    f = record["funnel"]
    dropped = ", ".join(f"{name} {sum(by_route.values())}" for name, by_route in f["dropped"].items() if by_route) or "none"
    return Summary(
        title="curation funnel per route",
        headline=(f"curated: {f['total']['in']} train prompts -> **{f['total']['out']}** examples "
                  f"({record['examples']['train']} train, {record['examples']['val']} val); dropped: {dropped}"),
        rows=_funnel_rows(f),
        key="curation-funnel")


def _funnel_rows(f: dict) -> list[dict]:
    routes = sorted(f["in"])  # every route enters with the train prompts; a filter can only drop from them
    steps = [("in", f["in"]), *((f"dropped: {name}", by_route) for name, by_route in f["dropped"].items()), ("out", f["out"])]
    return [{"step": step, **{r: by_route.get(r, 0) for r in routes}, "total": sum(by_route.values())}
            for step, by_route in steps]
