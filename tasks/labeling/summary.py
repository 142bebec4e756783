"""The label stage's summary, for the CLI and the Prefect UI alike (distillery/summary.py)."""

from distillery.summary import Summary


def summarize(record: dict) -> Summary:
    """From run_label's record: how many prompts have an answer, what the teacher was asked and how it went."""
    r = record["requests"]
    failed = sum(r["failures"].values())
    return Summary(
        title=f"teacher labeling ({record['wall_s']:.0f} s)",
        headline=(f"**{record['prompts_labeled']}/{record['prompts']}** prompts labeled by {record['teacher']} "
                  f"({record['already_labeled']} reused): {r['sent']} requests, {r['retries']} retries, {failed} failed; "
                  f"{record['tokens']['completion']} output tokens in {record['wall_s']:.0f} s"),
        rows=[{"measure": name, "value": value} for name, value in _measures(record)],
        key="label-summary")


def _measures(record: dict) -> list[tuple[str, object]]:
    # finish reasons first: "length" is a truncated answer, which curation will drop
    rows = [(f"finish: {reason}", n) for reason, n in record["finish_reasons"].items()]
    rows += [(f"failed: {reason}", n) for reason, n in record["requests"]["failures"].items()]
    replicas = record.get("replicas") or []
    if len(replicas) > 1 or any(r["requeued"] for r in replicas):  # several servers (or restarts): what each one did
        rows += [(f"replica {r['endpoint']}", _replica_line(r)) for r in replicas]
    if record.get("ray"):  # labelled as one Ray Data batch (teacher.batch.engine: ray)
        r = record["ray"]
        rows.append(("teacher engine", f"Ray ({r['address']}): {r['engines']} vLLM engine(s), Ray up in "
                                       f"{r.get('ray_start_s')} s, first answers after {r.get('first_answer_s')} s"))
    if record.get("server_restarts"):  # a managed teacher that died mid-stage and was started again
        rows.append(("teacher server restarts", record["server_restarts"]))
    if "throughput" in record:  # absent when every prompt was already labeled: the teacher was not asked
        t = record["throughput"]
        rows += [("prompts per minute", t["prompts_per_min"]), ("output tokens/s", t["output_tok_s"])]
    return rows


def _replica_line(r: dict) -> str:
    line = f"{r['sent']} sent, {r['answered']} answered, {r['failed']} failed"
    if r["requeued"]:
        line += f", {r['requeued']} handed to the others"
    return line if r["status"] == "ok" else f"{line}; {r['status'][:160]}"
