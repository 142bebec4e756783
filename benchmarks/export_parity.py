"""The export parity gate's margins, measured: a correct merge vs the naive and a wrong one, in each compute dtype.

    .venv/bin/python benchmarks/export_parity.py --run-dir .distillery/runs/<run>        # after `make demo`
    .venv/bin/python benchmarks/export_parity.py --run-dir RUN --dtypes float32,bfloat16 --prompts 12

For the adapter the run trained, and for each compute dtype: the training reference (transformers + peft on
the NF4 base) answers the run's first held-out prompts greedily, then each candidate reads the same tokens
(teacher-forced, models/parity.py): the export (merged into dequant(NF4) in that dtype), the adapter on and
merged into the original weights (naive), and a merge with the adapter's sign flipped (a broken merge).
Prints one JSON line: per dtype and candidate, next-token agreement and the largest drift of the reference
token's log-probability, next to the gate's bounds (export.min_token_agreement, max_top_logprob_gap, min_positions).
No vLLM server is started: this measures the merge, not serving.
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from distillery.config import load_config  # noqa: E402


def measure(cfg, run_dir: Path, version: str | None, prompts: int, dtype: str) -> dict:
    from models.merge import merge_adapter
    from models.parity import compare_logits, passes
    from models.registry import Registry
    from models.served_student import dequantized_base
    from tasks.export.stage import export_logits, forced_parity, gate_bounds, parity_items

    student = cfg.student.model_copy(update={"quant": cfg.student.quant.model_copy(update={"compute_dtype": dtype})})
    cfg = cfg.model_copy(update={"student": student, "export": cfg.export.model_copy(update={"compare_naive": True})})
    registry = Registry(Path(cfg.store.root), cfg.student.model)
    version = version or registry.run_candidate(run_dir)
    items = parity_items(run_dir, prompts)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        merged, broken = Path(tmp) / "merged", Path(tmp) / "broken"
        merge_adapter(dequantized_base(student), registry.dir / version, merged)
        merge_adapter(dequantized_base(student), registry.dir / version, broken, scale=-1.0)
        reference, reference_logits, out = forced_parity(cfg, registry, version, merged, items)
        out["broken_merge"] = compare_logits(reference_logits, export_logits(cfg, broken, items, reference))
    bounds = gate_bounds(cfg)
    return {"version": version, "seconds": round(time.monotonic() - started, 1),
            "export": {**out["export"], "passes": passes(out["export"], **bounds)},
            **{name: {**m, "passes": passes(m, **bounds)} for name, m in out["naive"].items()},
            "broken_merge": {**out["broken_merge"], "passes": passes(out["broken_merge"], **bounds)}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run-dir", type=Path, required=True, help="a run folder with prompts.parquet and a trained adapter")
    ap.add_argument("--version", help="adapter version (default: the one the run trained)")
    ap.add_argument("--prompts", type=int, default=12)
    ap.add_argument("--dtypes", default="float32,bfloat16")
    ap.add_argument("-c", "--config", type=Path, default=Path("configs/demo.yaml"))
    ap.add_argument("-o", "--override", action="append", default=[])
    args = ap.parse_args()
    cfg = load_config(args.config, args.override)
    result = {dtype: measure(cfg, args.run_dir, args.version, args.prompts, dtype) for dtype in args.dtypes.split(",")}
    from tasks.export.stage import gate_bounds  # lazy like measure's imports: --help stays fast

    print(json.dumps({"benchmark": "export_parity", "prompts": args.prompts, "bounds": gate_bounds(cfg), "dtypes": result}))


if __name__ == "__main__":
    main()
