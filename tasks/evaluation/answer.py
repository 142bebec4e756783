"""Answers of a served arm (the student, its unguided diagnostic, the untrained base, the base with worked
examples in its prompt), in the compressed prompt shape the student was trained on."""

import asyncio
import json
import logging
import time

from distillery.config import RunConfig, ServedModelConfig
from models.prompt_shape import student_messages, student_params
from tasks.evaluation.items import Answer, Item

log = logging.getLogger(__name__)


def in_context(route: str, user: str, shots: list[tuple[str, str]]) -> list[dict]:
    """The request in the student's shape, after worked examples in the same shape (user turn, assistant turn)."""
    examples = [m for request, answer in shots
                for m in (*student_messages(route, request), {"role": "assistant", "content": answer})]
    return examples + student_messages(route, user)


def fewshot_examples(train_rows: list[dict], k: int) -> dict[str, list[tuple[str, str]]]:
    """Per route, the first k training examples by prompt_id (deterministic), as (request, teacher answer): what a
    cheap alternative to training would put in the untrained base's prompt."""
    out: dict[str, list[tuple[str, str]]] = {}
    for row in sorted(train_rows, key=lambda r: r["prompt_id"]):
        shots = out.setdefault(row["route"], [])
        if len(shots) < k and row.get("split", "train") == "train":
            user = next(m["content"] for m in json.loads(row["messages"]) if m["role"] == "user")
            shots.append((user.split("\n", 1)[1] if user.startswith(f"[{row['route']}]\n") else user, row["answer"]))
    return out


def answer_all(cfg: RunConfig, endpoint, items: list[Item], arm: str, guided: bool = True,
               shots: dict[str, list[tuple[str, str]]] | None = None, logprobs: bool = False) -> None:
    """Fill item.arms[arm] for every item; a request that fails for good leaves an empty answer, counted. `shots`
    (route -> [(request, teacher answer)]) puts worked examples before each request: the in-context baseline."""
    from models.client_pool import ClientPool

    # the student's own server: its concurrency, default timeouts and retries (none of the teacher's settings)
    served = ServedModelConfig(model=endpoint.model, concurrency=cfg.evaluation.concurrency)

    async def run() -> list:
        pool = ClientPool(endpoint, served, role="student")
        try:
            return await asyncio.gather(*(pool.complete(in_context(it.route, it.user, (shots or {}).get(it.route, [])),
                                                        student_params(cfg, it.route, guided, logprobs))
                                          for it in items))
        finally:
            await pool.close()

    started = time.monotonic()
    results = asyncio.run(run())
    failed = 0
    for it, r in zip(items, results):
        if isinstance(r, str):  # a 4xx: the request itself was refused
            failed += 1
            it.arms[arm] = Answer("", finish_reason=f"error: {r}")
        else:
            it.arms[arm] = Answer(r.texts[0], r.prompt_tokens, r.completion_tokens, r.latency_s, r.finish_reasons[0],
                                  r.logprobs[0])
    seconds = time.monotonic() - started
    tokens = sum(it.arms[arm].completion_tokens for it in items)
    log.info("%s%s: %d answers in %.0f s (%.1f tok/s)%s", arm, "" if guided or "unguided" in arm else " (unguided)", len(items), seconds, tokens / max(seconds, 1e-9),
             f", {failed} refused" if failed else "")
