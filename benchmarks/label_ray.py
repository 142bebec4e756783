"""The label stage on Ray (teacher.batch.engine: ray) against the managed vLLM server, on the same prompts, same model.

    .venv/bin/python benchmarks/label_ray.py                       # ~4 min on 2 cores: SmolLM2-135M, 48 prompts
    .venv/bin/python benchmarks/label_ray.py --prompts 48 --max-tokens 32 --batch-size 16 --model demo:smollm2-135m-instruct

Both runs are the whole stage, run_label (tasks/labeling/stage.py), each into a fresh label store, on one
prompts.parquet sampled from a freshly generated demo log; every route answers within --max-tokens. The server run
starts a managed vLLM-CPU server (its start is not in labeling_s); the Ray run starts a local Ray and one vLLM engine
in a Ray actor (Ray's start is ray_start_s; the engine's start is inside first_answer_s: Ray Data has no separate
"ready" moment). Both label under the same fingerprint, so the figures that matter besides time are how often the
two paths give the same answer: identical text, and identical prompt / completion token counts.

The last stdout line is one JSON document.
"""

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pyarrow.parquet as pq  # noqa: E402

from benchmarks.label_throughput import sampled_prompts  # noqa: E402
from distillery.config import load_config  # noqa: E402
from tasks.labeling.stage import run_label  # noqa: E402

ROUTES = ("ticket-triage", "invoice-extract", "support-reply")


def run(prompts: Path, work: Path, name: str, overrides: list[str]) -> tuple[dict, dict, float]:
    """run_label into a fresh store; returns its record, its labels by prompt_id and its wall time."""
    run_dir = work / name
    run_dir.mkdir()
    (run_dir / "prompts.parquet").write_bytes(prompts.read_bytes())
    cfg = load_config(ROOT / "configs/demo.yaml", [*overrides, f"store.root={work / (name + '-store')}"])
    started = time.monotonic()
    record = run_label(cfg, run_dir)
    wall = time.monotonic() - started
    assert record["status"] == "ok" and record["prompts_unlabeled"] == 0, record
    labels = {x["prompt_id"]: x for x in pq.read_table(run_dir / "labels.parquet").to_pylist()}
    return record, labels, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=48)
    parser.add_argument("--max-tokens", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--model", default="demo:smollm2-135m-instruct")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    common = [f"teacher.model={args.model}", "teacher.launch.cpu_kvcache_space_gib=1", "teacher.launch.max_model_len=1024",
              *(f"teacher.routes.{r}.max_tokens={args.max_tokens}" for r in ROUTES),
              *(f"teacher.routes.{r}.top_logprobs=null" for r in ROUTES)]  # Ray records none; the demo config keeps them
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        prompts = sampled_prompts(work, args.prompts)
        server, by_server, server_wall = run(prompts, work, "server", common)
        ray, by_ray, ray_wall = run(prompts, work, "ray", [*common, "teacher.batch.engine=ray",
                                                             f"teacher.batch.batch_size={args.batch_size}"])
    assert server["teacher_fingerprint"] == ray["teacher_fingerprint"]
    n = len(by_server)

    def same(column: str) -> float:
        return round(sum(by_server[k][column] == by_ray[k][column] for k in by_server) / n, 3)

    print(json.dumps({
        "model": args.model, "prompts": n, "max_tokens": args.max_tokens, "batch_size": args.batch_size,
        "server": {"wall_s": round(server_wall, 1), "labeling_s": server["throughput"]["labeling_s"],
                   "prompts_per_s": round(n / server["throughput"]["labeling_s"], 2)},
        "ray": {"wall_s": round(ray_wall, 1), "ray_start_s": ray["ray"]["ray_start_s"],
                "first_answer_s": ray["ray"]["first_answer_s"], "last_answer_s": ray["ray"]["last_answer_s"],
                "labeling_s": ray["throughput"]["labeling_s"], "prompts_per_s_with_engine_start": round(n / ray_wall, 2)},
        "same_text": same("text"), "same_prompt_tokens": same("prompt_tokens"),
        "same_completion_tokens": same("completion_tokens"), "same_finish_reason": same("finish_reason")}))


if __name__ == "__main__":
    main()
