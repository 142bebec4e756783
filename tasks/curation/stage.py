"""The curate stage: prompts.parquet + labels.parquet -> train.parquet, rejections.parquet, funnel.json.

    distillery curate -c configs/demo.yaml --run-dir .distillery/runs/<run>

Only train-split prompts become training examples (eval prompts stay for the A/B). Each example goes
through the configured filters in order; what survives is written in the student's prompt shape
(models/prompt_shape.py: route tag + user content, no production system prompt), with a validation
share split off by prompt_id hash. With curation.history_nights, earlier nights' examples join them
(tasks/curation/earlier.py), each naming the `night` it came from. Fewer examples than curation.min_examples
stops the run here, before any training time is spent.
"""

import asyncio
import hashlib
import json
import logging
from collections import Counter, defaultdict
from pathlib import Path

from distillery.config import RunConfig, judge_spec
from distillery.failpoints import failpoint
from distillery.store import StageClock, file_sha256, reusable_record, reuse_key, versions, write_json, write_parquet
from models.prompt_shape import SHAPE_VERSION, student_messages, template_hash
from tasks.curation import filters as F
from tasks.curation.earlier import carried_total, earlier_examples

log = logging.getLogger(__name__)
JUDGE_SYSTEM = ("You grade answers written by an assistant for a customer-support platform. Given the instructions the "
                "assistant had, the request and the answer, rate the answer from 1 (wrong or useless) to 5 (correct, "
                "complete, follows the instructions). Reply with JSON {\"score\": <1-5>}.")


class CurateError(RuntimeError):
    """Curation cannot produce a usable training set; the message says why and where to look."""


def run_curate(cfg: RunConfig, run_dir: Path) -> dict:
    import pyarrow.parquet as pq

    clock = StageClock()
    for name in ("prompts.parquet", "labels.parquet"):
        if not (run_dir / name).is_file():
            stage = "sample" if name == "prompts.parquet" else "label"
            raise CurateError(f"{run_dir / name} does not exist: run the {stage} stage first (distillery {stage} --run-dir {run_dir})")
    sampled = pq.read_table(run_dir / "prompts.parquet").to_pylist()
    labels = pq.read_table(run_dir / "labels.parquet").to_pylist()
    carried, earlier = earlier_examples(cfg, run_dir, sampled, labels)
    key = reuse_key(run_dir, ("prompts.parquet", "labels.parquet"),
                    {"curation": cfg.curation.model_dump(mode="json"), "teacher": cfg.teacher.model_dump(mode="json"),
                     "student": cfg.student.model, "shape": SHAPE_VERSION, "earlier": earlier["digest"]})
    done = reusable_record(run_dir, "curate", key)
    if done:  # the judge filter calls the teacher: a repeated run must not pay for it again
        log.info("curate: same labels and knobs as the committed train.parquet; reusing it (%d examples)",
                 done["funnel"]["total"]["out"])
        return _enough(cfg, done, run_dir)
    prompts = [p for p in sampled if p["split"] == "train"]
    samples: dict[str, list[dict]] = defaultdict(list)
    for label in sorted(labels, key=lambda x: (x["prompt_id"], x["sample_index"])):
        samples[label["prompt_id"]].append(label)

    rejections: list[dict] = []
    funnel: dict = {"in": dict(Counter(p["route"] for p in prompts)), "dropped": {}, "out": {}}
    examples = []
    for p in prompts:
        if p["prompt_id"] in samples:
            examples.append(F.Example(p, samples[p["prompt_id"]], _schema(cfg, p["route"]), _languages(cfg, p["route"])))
        else:
            rejections.append(_rejection(p, None, "unlabeled", "the teacher gave no answer (see stage-label.json failures)"))
    _charge(funnel, "unlabeled", [r["route"] for r in rejections])

    detector = _language_detector(cfg) if "language" in cfg.curation.filters else None
    judge_usage = {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0}
    for name in cfg.curation.filters:
        if name == "contradiction":
            bad = F.contradictions(examples, cfg.curation.contradiction_fields, cfg.curation.contradiction_threshold)
        elif name == "judge":
            bad = _judge(cfg, examples, judge_usage)
        else:
            check = F.PER_EXAMPLE[name]
            bad = {}
            for i, ex in enumerate(examples):
                reason = check(ex, cfg.curation, detector) if name == "language" else check(ex, cfg.curation)
                if reason:
                    bad[i] = reason
        dropped = [examples[i] for i in sorted(bad)]
        rejections += [_rejection(ex.prompt, ex.answer, name, bad[i]) for i, ex in zip(sorted(bad), dropped)]
        _charge(funnel, name, [ex.prompt["route"] for ex in dropped])
        examples = [ex for i, ex in enumerate(examples) if i not in bad]
        log.info("curate: %-13s dropped %4d, %d left", name, len(dropped), len(examples))
    funnel["out"] = dict(Counter(ex.prompt["route"] for ex in examples))
    funnel["total"] = {"in": len(prompts), "dropped": len(prompts) - len(examples), "out": len(examples)}

    rows, templates, saving = _training_rows(cfg, examples)
    rows += [{**r, "split": "val" if _is_val(r["prompt_id"], cfg.curation.val_fraction) else "train"} for r in carried]
    funnel["earlier_nights"] = {k: earlier[k] for k in ("nights", "examples", "skipped")}
    if cfg.curation.history_nights:
        _log_earlier(cfg, len(examples), earlier)
    outputs = {"train.parquet": _write_train(rows, templates, run_dir), "rejections.parquet": _write_rejections(rejections, run_dir)}
    failpoint("curate.written")  # train.parquet whole, its record not yet written
    write_json(funnel, run_dir / "funnel.json")
    record = {"stage": "curate", "inputs": {n: file_sha256(run_dir / n) for n in ("prompts.parquet", "labels.parquet")},
              "filters": cfg.curation.filters, "funnel": funnel, "removed_templates": templates, "prompt_shape": SHAPE_VERSION,
              "prompt_tokens_per_request": saving, "examples": {"train": sum(r["split"] == "train" for r in rows),
                                                                "val": sum(r["split"] == "val" for r in rows)},
              "outputs": outputs, "device": "cpu", "versions": versions("jsonschema", "sacrebleu", "transformers"),
              "earlier_nights": earlier, "judge": judge_usage, "reuse_key": key, **clock.totals()}
    write_json(record, run_dir / "stage-curate.json")
    return _enough(cfg, record, run_dir)


def _enough(cfg: RunConfig, record: dict, run_dir: Path) -> dict:
    """The record, or CurateError when too few examples survived (the record and rejections stay for reading)."""
    funnel = record["funnel"]
    survived = funnel["total"]["out"] + carried_total(funnel.get("earlier_nights"))
    if survived < cfg.curation.min_examples:
        worst = sorted(funnel["dropped"].items(), key=lambda kv: -sum(kv[1].values()))[:3]
        raise CurateError(f"only {survived} examples survived curation (curation.min_examples = {cfg.curation.min_examples}); "
                          f"biggest drops: {', '.join(f'{k} {sum(v.values())}' for k, v in worst)}. See {run_dir / 'rejections.parquet'}; "
                          "sample more prompts (sampling.budget) or loosen the filters")
    return record


def _log_earlier(cfg: RunConfig, tonight: int, earlier: dict) -> None:
    skipped = "; not carried: " + ", ".join(f"{k} {v}" for k, v in earlier["skipped"].items()) if earlier["skipped"] else ""
    log.info("curate: %d examples tonight + %d from %d earlier night(s) (%s; curation.history_nights=%d)%s", tonight,
             carried_total(earlier), len(earlier["nights"]), ", ".join(earlier["nights"]) or "none in the store",
             cfg.curation.history_nights, skipped)


def _charge(funnel: dict, name: str, routes: list[str]) -> None:
    funnel["dropped"][name] = dict(sorted(Counter(routes).items()))


def _rejection(prompt: dict, answer: str | None, name: str, reason: str) -> dict:
    return {"prompt_id": prompt["prompt_id"], "route": prompt["route"], "filter": name, "reason": reason,
            "answer": None if answer is None else answer[:1000]}


def _schema(cfg: RunConfig, route: str) -> dict | None:
    g = cfg.teacher.routes.get(route)
    if not g or not g.json_schema:
        return None
    try:
        return json.loads(Path(g.json_schema).read_text())
    except (OSError, ValueError) as exc:
        raise CurateError(f"teacher.routes.{route}.json_schema = {g.json_schema!r}: cannot read it as JSON ({exc})") from None


def _languages(cfg: RunConfig, route: str) -> set[str] | None:
    langs = cfg.sampling.languages.get(route, cfg.sampling.languages.get("*"))
    return set(langs) if langs else None


def _language_detector(cfg: RunConfig):
    from distillery.text.language import LanguageCheck

    return LanguageCheck(cfg.sampling.languages) if cfg.sampling.languages else None


def _is_val(prompt_id: str, fraction: float) -> bool:
    """Validation membership by a salted hash, independent of the eval split (which uses the bare id)."""
    return int(hashlib.sha256(f"val:{prompt_id}".encode()).hexdigest()[:8], 16) / 16**8 < fraction


def _training_rows(cfg: RunConfig, examples: list[F.Example]) -> tuple[list[dict], dict, dict]:
    """The examples in the student's shape, the system prompts that were removed, and the tokens that saves."""
    tokenizer = _student_tokenizer(cfg)
    templates: dict[str, dict] = {}
    per_route: dict[str, list[tuple[int, int]]] = defaultdict(list)
    rows = []
    for ex in sorted(examples, key=lambda e: e.prompt["prompt_id"]):
        route, user = ex.prompt["route"], ex.prompt["user"]
        system = next((m["content"] for m in json.loads(ex.prompt["messages"]) if m["role"] == "system"), "")
        templates.setdefault(route, {"hash": template_hash(system), "chars": len(system)})
        messages = student_messages(route, user)
        # Render, then tokenize: apply_chat_template(tokenize=True) returns a dict in transformers 5, a list before.
        rendered = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        student_tokens = len(tokenizer(rendered, add_special_tokens=False)["input_ids"])
        teacher_tokens = ex.samples[0]["prompt_tokens"]
        per_route[route].append((teacher_tokens, student_tokens))
        rows.append({"prompt_id": ex.prompt["prompt_id"], "route": route,
                     "split": "val" if _is_val(ex.prompt["prompt_id"], cfg.curation.val_fraction) else "train",
                     "messages": json.dumps(messages + [{"role": "assistant", "content": ex.answer}], ensure_ascii=False),
                     "answer": ex.answer, "teacher_prompt_tokens": teacher_tokens, "student_prompt_tokens": student_tokens,
                     "template_hash": templates[route]["hash"], "consistency": ex.notes.get("consistency"),
                     "judge_score": ex.notes.get("judge_score")})
    saving = {route: {"teacher_mean": round(sum(t for t, _ in v) / len(v), 1), "student_mean": round(sum(s for _, s in v) / len(v), 1),
                      "saved_mean": round(sum(t - s for t, s in v) / len(v), 1)} for route, v in sorted(per_route.items())}
    return rows, templates, saving


def _student_tokenizer(cfg: RunConfig):
    from transformers import AutoTokenizer

    from models.resolve import resolve_model

    return AutoTokenizer.from_pretrained(resolve_model(cfg.student.model))


def _write_train(rows: list[dict], templates: dict, run_dir: Path) -> str:
    import pyarrow as pa

    schema = pa.schema([("prompt_id", pa.string()), ("route", pa.string()), ("split", pa.string()), ("messages", pa.string()),
                        ("answer", pa.string()), ("teacher_prompt_tokens", pa.int64()), ("student_prompt_tokens", pa.int64()),
                        ("template_hash", pa.string()), ("consistency", pa.float64()), ("judge_score", pa.int64()),
                        ("night", pa.string())],  # an earlier run's folder: a carried example (curation.history_nights)
                       metadata={"distillery.prompt_shape": SHAPE_VERSION, "distillery.removed_templates": json.dumps(templates)})
    return write_parquet(pa.Table.from_pylist(rows, schema=schema), run_dir / "train.parquet")


def _write_rejections(rejections: list[dict], run_dir: Path) -> str:
    import pyarrow as pa

    schema = pa.schema([(c, pa.string()) for c in ("prompt_id", "route", "filter", "reason", "answer")])
    return write_parquet(pa.Table.from_pylist(rejections, schema=schema), run_dir / "rejections.parquet")


# ---------------------------------------------------------------- optional LLM judge

def _judge(cfg: RunConfig, examples: list[F.Example], usage: dict) -> dict[int, str]:
    """Score each answer with the judge (the teacher unless configured); drop those below min_score.
    `usage` gets the judge's requests and tokens, for the cost report."""
    from models.client_pool import ClientPool
    from models.vllm_server import served_endpoint

    j = cfg.curation.judge
    judge = judge_spec(cfg.teacher, j)
    params = {"max_tokens": j.max_tokens, "temperature": 0.0, "response_format": {"type": "json_schema", "json_schema": {
        "name": "score", "schema": {"type": "object", "properties": {"score": {"type": "integer", "minimum": 1, "maximum": 5}},
                                    "required": ["score"]}}}}

    async def score_all(pool: ClientPool) -> list:
        try:
            return await asyncio.gather(*(pool.complete(_judge_messages(ex), params) for ex in examples))
        finally:
            await pool.close()

    with served_endpoint(judge, Path(cfg.store.root) / "logs") as endpoint:
        pool = ClientPool(endpoint, judge, role="judge")
        results = asyncio.run(score_all(pool))
    usage.update(calls=pool.stats.sent, prompt_tokens=pool.stats.prompt_tokens, completion_tokens=pool.stats.completion_tokens)
    bad = {}
    for i, (ex, result) in enumerate(zip(examples, results)):
        score = _score(result)
        ex.notes["judge_score"] = score
        if score is None:
            bad[i] = "judge gave no score"
        elif score < j.min_score:
            bad[i] = f"judge score {score} < {j.min_score}"
    return bad


def _judge_messages(ex: F.Example) -> list[dict]:
    system = next((m["content"] for m in json.loads(ex.prompt["messages"]) if m["role"] == "system"), "")
    return [{"role": "system", "content": JUDGE_SYSTEM},
            {"role": "user", "content": f"Instructions:\n{system}\n\nRequest:\n{ex.prompt['user']}\n\nAnswer:\n{ex.answer}"}]


def _score(result) -> int | None:
    if isinstance(result, str):  # a 4xx from the judge
        return None
    try:
        score = json.loads(result.texts[0])["score"]
        return score if isinstance(score, int) and 1 <= score <= 5 else None
    except (ValueError, KeyError, TypeError):
        return None
