"""The sample stage's summary (its funnel), for the CLI and the Prefect UI alike (distillery/summary.py)."""

from distillery.summary import Summary


def summarize(record: dict) -> Summary:
    """From run_sample's record: where the log's rows went, step by step, and the resulting split."""
    f = record["funnel"]
    split = f["split"]
    return Summary(
        title=f"sample funnel for {record['run_date']} ({record['wall_s']:.1f} s)",
        headline=(f"sampled **{sum(f['sampled'].values())}** prompts from {f['read']} log rows ({f['unique']} unique): "
                  f"train {split['train']}, eval {split['eval']}"),
        rows=[{"step": step, "count": n} for step, n in _funnel_steps(f, record["pii"])],
        key="sample-funnel")


def _funnel_steps(f: dict, pii: dict) -> list[tuple[str, object]]:
    steps = [("read", f["read"]), ("outside the window", f["outside_window"])]
    if f["other_route"]:  # zero unless the log holds routes this config does not sample
        steps.append(("other routes", f["other_route"]))
    steps.append(("quarantined (invalid)", sum(f["quarantined"].values())))
    steps += [(f"quarantined: {reason}", n) for reason, n in f["quarantined"].items()]
    if f.get("language"):  # "unknown": too short or too many names to tell, kept rather than falsely quarantined
        steps.append(("language judged (distinct texts)", ", ".join(f"{k} {n}" for k, n in f["language"].items())))
    steps.append(("valid", f["valid"]))
    cleaned = f.get("control_chars_removed") or {}
    if cleaned.get("rows"):  # terminal escapes, NUL and other controls: removed before anything is stored or sent
        steps.append(("control characters removed", f"{cleaned['chars']} from {cleaned['rows']} rows"))
    hits = ", ".join(f"{kind} {n}" for kind, n in pii["hits"].items()) or "none"
    steps.append(("PII scrubbed", f"{pii['prompts_with_pii']} prompts: {hits}"))
    steps += [(f"duplicate ({kind.replace('_', ' ')})", n) for kind, n in f["duplicates"].items()]
    steps.append(("unique", f["unique"]))
    steps += [(f"sampled: {route}", n) for route, n in f["sampled"].items()]
    steps.append(("eval contamination dropped", f["eval_contamination"]))
    return steps
