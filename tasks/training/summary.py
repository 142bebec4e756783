"""The train stage's summary, for the CLI and the Prefect UI alike (distillery/summary.py)."""

from distillery.summary import Summary


def summarize(record: dict) -> Summary:
    """From run_train's record: the adapter registered, how far its loss fell, how fast it trained."""
    losses, examples = record["losses"], record["examples"]
    return Summary(
        title=f"training on {record['device']}{_processes(record)} ({record['wall_s']:.0f} s)",
        headline=(f"registered adapter **{record['adapter_version']}**: {record['steps']} steps on {examples['train']} "
                  f"examples, loss {losses['train_first']:.3f} -> {losses['train_last']:.3f}, "
                  f"{record['tokens_per_s']:.0f} trained tok/s"),
        # one validation loss per epoch: the curve says more than its last point
        rows=[{"epoch": i, "validation loss": f"{loss:.4f}"} for i, loss in enumerate(losses["eval"], start=1)],
        notes=_skipped(examples),
        key="train-summary")


def _skipped(examples: dict) -> list[str]:
    n = examples.get("skipped_too_long", 0)
    return [f"{n} examples longer than student.training.max_seq_len were not trained on"] if n else []


def _processes(record: dict) -> str:
    n = record.get("processes", 1)  # data-parallel (student.training.processes); records before it had one
    return f" in {n} processes" if n > 1 else ""
