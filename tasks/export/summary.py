"""The export stage's summary (its parity gate), for the CLI and the Prefect UI alike (distillery/summary.py)."""

from distillery.summary import Summary
from tasks.export.stage import refusal


def summarize(record: dict) -> Summary:
    """From an export record (export.json): servable or refused, and how closely each merge tracks the NF4
    reference; serving throughput only where the export was served, which a refused one never is."""
    p = record["parity"]
    return Summary(
        title=f"export {record['version']}: parity with the NF4 reference over {p['prompts']} prompts",
        headline=_verdict(record),
        # the export first, then the naive merges it is measured against (when export.compare_naive)
        rows=[_parity_row("export (dequantized NF4 base)", p["export"])]
        + [_parity_row(name.replace("_", " "), measured) for name, measured in p.get("naive", {}).items()],
        key="export-parity")


def _verdict(record: dict) -> str:
    p, version = record["parity"], record["version"]
    if not record["servable"]:
        return f"export {version} **refused**: {refusal(p['export'], record['bounds'])}; not served"
    s = p["serving"]
    return (f"export {version} servable: served **{s['output_tok_s']}** tok/s, p50 {s['latency_p50_s']} s, "
            f"p95 {s['latency_p95_s']} s; greedy texts identical to the reference {p['identical_greedy']}/{p['prompts']}")


def _parity_row(model: str, measured: dict) -> dict:
    return {"model": model, "next-token agreement": measured["next_token_agreement"], "positions": measured["positions"],
            "max top-logprob gap": measured["max_top_logprob_gap"]}
