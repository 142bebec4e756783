"""What keeping the teacher's logprobs costs the label stage: the same kind of prompts answered with and without them.

    .venv/bin/python benchmarks/logprobs_cost.py                       # ~6 min on 2 cores with the demo's 1.5B teacher
    .venv/bin/python benchmarks/logprobs_cost.py --prompts 32 -o teacher.model=demo:smollm2-135m-instruct

The demo config keeps one logprob per answer token on its JSON routes (teacher.routes.<route>.top_logprobs: 1), so
the evaluate stage can say where the teacher was sure (tasks/evaluation/confidence.py). This asks the teacher's vLLM
server (started as the label stage starts it, or teacher.endpoint) for the route's prompts from the demo log, as the
label stage asks them (system prompt, JSON schema, greedy), in four timed rounds of distinct prompts: without,
with, with, without (ABBA, so drift over the run cancels), after one untimed round that warms the server. Each
round sends its prompts at teacher.concurrency. The figure is the ratio of prompts per second with logprobs to
without; the last stdout line is one JSON document.
"""

import argparse
import asyncio
import json
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def log_prompts(db: Path, route: str, n: int, max_chars: int) -> list[dict]:
    """The first `n` distinct requests of `route` in the demo log, as prompts.parquet rows carry them; those the
    sample stage would quarantine as too long (sampling.max_prompt_chars) are left out, as it leaves them out."""
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT messages FROM requests WHERE route = ? ORDER BY created_at", (route,)).fetchall()
    finally:
        con.close()
    out, seen = [], set()
    for (messages,) in rows:
        try:
            chars = sum(len(m.get("content") or "") for m in json.loads(messages))
        except (TypeError, ValueError, AttributeError):
            continue  # the log's planted dirt
        if chars > max_chars:
            continue
        if messages not in seen:
            seen.add(messages)
            out.append({"messages": messages})
        if len(out) == n:
            break
    return out


async def one_round(pool, prompts: list[dict], plan, params: dict) -> tuple[float, int]:
    """Seconds to answer every prompt, and how many answers carried logprobs."""
    from distillery.routes import messages_for

    started = time.monotonic()
    answers = await asyncio.gather(*(pool.complete(messages_for(p, plan), params) for p in prompts))
    seconds = time.monotonic() - started
    failed = [a for a in answers if isinstance(a, str)]
    if failed:
        raise SystemExit(f"{len(failed)} of {len(prompts)} requests failed: {failed[0]}")  # the reason, as the pool gives it
    return seconds, sum(bool(a.logprobs[0]) for a in answers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", default=str(ROOT / "configs/demo.yaml"))
    parser.add_argument("-o", "--override", action="append", default=[], help="dotted config overrides")
    parser.add_argument("--route", default="ticket-triage")
    parser.add_argument("--prompts", type=int, default=64, help="prompts per timed round")
    parser.add_argument("--db", type=Path, default=ROOT / "data/demo/production.db")
    args = parser.parse_args(argv)
    from distillery.config import load_config
    from distillery.routes import plan_route
    from models.client_pool import ClientPool
    from models.vllm_server import served_endpoint

    cfg = load_config(args.config, args.override)
    plan = plan_route(cfg, args.route)
    plain = {k: v for k, v in plan.params.items() if k not in ("logprobs", "top_logprobs")}
    with_lp = {**plain, "logprobs": True, "top_logprobs": 1}
    prompts = log_prompts(args.db, args.route, 5 * args.prompts, cfg.sampling.max_prompt_chars)
    if len(prompts) < 5 * args.prompts:
        raise SystemExit(f"{args.db} has {len(prompts)} usable {args.route} prompts; lower --prompts")
    rounds = [prompts[i * args.prompts:(i + 1) * args.prompts] for i in range(5)]
    order = [("warm-up", plain), ("plain", plain), ("logprobs", with_lp), ("logprobs", with_lp), ("plain", plain)]

    async def all_rounds(endpoint):
        pool = ClientPool(endpoint, cfg.teacher)
        try:
            out = []
            for (arm, params), batch in zip(order, rounds):
                seconds, carried = await one_round(pool, batch, plan, params)
                print(json.dumps({"round": arm, "prompts": len(batch), "s": round(seconds, 1), "with_logprobs": carried}),
                      file=sys.stderr, flush=True)
                out.append((arm, seconds, carried))
            return out
        finally:
            await pool.close()

    with served_endpoint(cfg.teacher, Path(cfg.store.root) / "logs") as endpoint:
        timed = asyncio.run(all_rounds(endpoint))[1:]
    seconds = {arm: sum(s for a, s, _ in timed if a == arm) for arm in ("plain", "logprobs")}
    n = 2 * args.prompts
    assert all(c == args.prompts for a, _, c in timed if a == "logprobs"), "an answer asked with logprobs came without"
    print(json.dumps({"benchmark": "logprobs_cost", "teacher": cfg.teacher.model, "route": args.route,
                      "prompts_per_arm": n, "plain_prompts_s": round(n / seconds["plain"], 3),
                      "logprobs_prompts_s": round(n / seconds["logprobs"], 3),
                      "ratio": round(seconds["plain"] / seconds["logprobs"], 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
