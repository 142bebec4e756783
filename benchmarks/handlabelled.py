"""Accuracy on hand-labelled tickets: the teacher as the label stage asks it, the student as it ships.

    .venv/bin/python benchmarks/handlabelled.py --config configs/demo.yaml                  # both arms
    .venv/bin/python benchmarks/handlabelled.py --config configs/demo.yaml --only teacher   # ~2 min on 2 cores
    .venv/bin/python benchmarks/handlabelled.py -c configs/demo.yaml --version v0003 -o teacher.model=demo:qwen2.5-coder-1.5b-instruct

The set is data/handlabelled/ticket-triage.jsonl (80 tickets, ten per category, labelled by hand from the route's
system prompt, written apart from the demo log's generator: data/handlabelled/README.md). Agreement with the teacher
on the demo log says how well the student copies the teacher; this says how often each is right.

(a) teacher: each ticket as a logged request of the route (its production system prompt,
    data/routes/ticket-triage.system.md, then the ticket), asked exactly as the label stage asks a sampled prompt
    (distillery.routes.plan_route + messages_for: a configured teacher.routes.ticket-triage.system_prompt replaces the
    logged one; the route's JSON schema as guided decoding, its max_tokens and temperature), sent through
    models.client_pool.ClientPool with teacher.concurrency to the teacher's managed vLLM server (or teacher.endpoint).
(b) student: the version's merged, parity-gated export served by vLLM (models.served_student.served_candidate, what
    the evaluate stage serves), asked by tasks.evaluation.answer.answer_all: the student's prompt shape
    ("[ticket-triage]\\n<ticket>", no system prompt), greedy, the route's schema as guided decoding when
    evaluation.guided_decoding (the default). --version defaults to the registry's champion; a registry without a
    champion falls back to the newest version with a servable export, and says so (student.version_source).
One vLLM server at a time: the teacher's is stopped before the student's starts (a server someone else started, e.g.
`distillery teacher serve`, is reused and left running).

(c) cascade, when the student is asked for its logprobs (evaluation.student_sure set): the deployment a route
    promoted with deferral gets, the student's answer where its probability of every field's value reaches the
    routing plan's defer_below (else evaluation.student_sure), the teacher's elsewhere; scored and paired like (b).

Scoring: an answer is read as the program downstream reads it: JSON, an object, each field one of the schema's enum
values exactly. Anything else (a refused request, truncated or invalid JSON, "Billing") is counted wrong for that
field, never dropped, so n is always the set's size. Per arm: category and urgency accuracy with Clopper-Pearson
intervals, schema validity, confusion counts, the wrong ids; both arms: the paired difference student - teacher with
Tango's interval (tasks/evaluation/stats.py, as the evaluation's yes/no metrics), and the target (student's category
accuracy within 5 points of the teacher's) checked on the point estimate and on the interval's lower bound.

Run time on 2 cores: teacher (demo 0.5B) ~2 min (vLLM start ~1 min + ~1 s per ticket; an estimate from the demo
config's labeling speed, not yet measured on this set); student (the 135M export): not yet measured.
Progress goes to stderr; the last stdout line is one JSON document. Exit 1 when an arm failed (its entry says why).
"""

import argparse
import asyncio
import hashlib
import json
import logging
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ROUTE = "ticket-triage"
DATA = ROOT / "data/handlabelled/ticket-triage.jsonl"
# The system prompt production sends with this route: every logged ticket-triage request carries this text (the demo
# log's generator writes it from here), and the label stage sends the logged one unless the config replaces it.
LOGGED_SYSTEM = ROOT / "data/routes/ticket-triage.system.md"
FIELDS = ("category", "urgency")
INVALID = "<invalid>"  # what a field counts as when the answer does not give one of the schema's values
TARGET_MARGIN = 0.05   # the student's category accuracy within 5 points of its teacher's
PROGRESS_EVERY_S = 15.0

log = logging.getLogger("handlabelled")


# ------------------------------------------------------------------ the set

def load_set(path: Path) -> list[dict]:
    """The hand-labelled rows: {"id", "text", "category", "urgency", "note"?} per line."""
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]


def schema_enums(schema: dict) -> dict[str, list[str]]:
    """The allowed values of each scored field, from the route's JSON schema."""
    return {f: list(schema["properties"][f]["enum"]) for f in FIELDS}


def set_problems(rows: list[dict], enums: dict[str, list[str]]) -> list[str]:
    """What makes the set unusable against this schema: labels outside its enums, duplicate ids, empty texts."""
    problems = [f"{r.get('id')}: {f}={r.get(f)!r} is not in the schema's enum"
                for r in rows for f in FIELDS if r.get(f) not in enums[f]]
    problems += [f"{r.get('id')}: empty text" for r in rows if not str(r.get("text", "")).strip()]
    problems += [f"id {i} appears {n} times" for i, n in Counter(r.get("id") for r in rows).items() if n > 1]
    return problems


# ------------------------------------------------------------------ scoring (pure)

def parse_answer(text: str | None, enums: dict[str, list[str]]) -> dict[str, str]:
    """Each scored field as the answer gives it, or INVALID: not JSON, not an object, a missing field, a value outside
    the enum (case included: "Billing" is what a program downstream would reject too)."""
    from distillery.routes import parse_json

    value = parse_json(text) if text else None
    if not isinstance(value, dict):
        return {f: INVALID for f in enums}
    return {f: value[f] if isinstance(value.get(f), str) and value[f] in allowed else INVALID
            for f, allowed in enums.items()}


def correct(predicted: list[str], truth: list[str]) -> list[int]:
    """1 where the prediction is the true label; INVALID is never a true label, so it scores 0 and stays counted."""
    if len(predicted) != len(truth):
        raise ValueError(f"{len(predicted)} predictions for {len(truth)} labels: every item must be scored")
    return [int(p == t and p != INVALID) for p, t in zip(predicted, truth)]


def accuracy(predicted: list[str], truth: list[str], confidence: float = 0.95) -> dict:
    """Share right with its Clopper-Pearson interval (the project's one-arm yes/no interval), n, how many right."""
    from tasks.evaluation.stats import mean_ci

    hits = correct(predicted, truth)
    out = mean_ci(hits, resamples=0, confidence=confidence, seed=0)  # binary values: Clopper-Pearson, no resampling
    return {**out, "correct": sum(hits)}


def confusion(predicted: list[str], truth: list[str], labels: list[str]) -> dict[str, dict[str, int]]:
    """true label -> {predicted label: count} (non-zero cells; INVALID is a column of its own), every label a row."""
    correct(predicted, truth)  # same length, or raise
    cells = Counter(zip(truth, predicted))
    return {t: {p: cells[(t, p)] for p in [*labels, INVALID] if cells[(t, p)]} for t in labels}


def paired_difference(student: list[str], teacher: list[str], truth: list[str], confidence: float = 0.95) -> dict:
    """Student - teacher accuracy on the same items, with Tango's interval for paired proportions (stats.py, as the
    evaluation's yes/no metrics); `discordant` = [right only for the student, right only for the teacher]."""
    from tasks.evaluation.stats import paired_diff_ci

    return paired_diff_ci(correct(student, truth), correct(teacher, truth), resamples=0, confidence=confidence, seed=0)


def target(diff: dict, margin: float = TARGET_MARGIN) -> dict:
    """The student's category accuracy within `margin` of the teacher's: on the point estimate, and with 95%
    confidence (the interval's lower bound above -margin, the evaluation's non-inferiority rule)."""
    from tasks.evaluation.stats import non_inferior

    return {"margin": margin, "point_estimate_within": diff["estimate"] is not None and diff["estimate"] >= -margin,
            "non_inferior": non_inferior(diff, margin)}


def score_arm(texts: list[str], rows: list[dict], enums: dict[str, list[str]], schema: dict | None,
              confidence: float = 0.95) -> dict:
    """Everything one arm's answers say: per field accuracy, confusion and wrong ids; validity; parsed predictions."""
    from distillery.routes import parse_json, schema_valid

    if len(texts) != len(rows):
        raise ValueError(f"{len(texts)} answers for {len(rows)} tickets: every ticket must be scored")
    parsed = [parse_answer(t, enums) for t in texts]
    out: dict = {"n": len(rows), "empty": sum(not t for t in texts),
                 "not_json_object": sum(not isinstance(parse_json(t) if t else None, dict) for t in texts)}
    if schema is not None:
        from tasks.evaluation.stats import mean_ci

        out["schema_valid"] = mean_ci([int(schema_valid(t, schema)) for t in texts], 0, confidence, 0)
    out["predictions"] = {f: [p[f] for p in parsed] for f in FIELDS}
    for f in FIELDS:
        pred, truth = out["predictions"][f], [r[f] for r in rows]
        out[f] = accuracy(pred, truth, confidence)
        out[f]["confusion"] = confusion(pred, truth, enums[f])
        out[f]["wrong"] = {r["id"]: p for r, p, t in zip(rows, pred, truth) if p != t}
    return out


def compare(student: dict, teacher: dict, rows: list[dict], confidence: float = 0.95) -> dict:
    """Paired student - teacher per field, from two score_arm results on the same rows; the target on category."""
    out = {}
    for f in FIELDS:
        truth = [r[f] for r in rows]
        out[f] = paired_difference(student["predictions"][f], teacher["predictions"][f], truth, confidence)
    out["target"] = {"category": target(out["category"])}
    return out


def deferral_rule(cfg, student_info: dict) -> tuple[list[str], float] | None:
    """The fields and threshold a router defers on: the routing plan's for the route when it serves it with deferral,
    else evaluation.student_sure over the scored fields; None without the student's confidences."""
    if "confidences" not in student_info:
        return None
    plan = student_info.get("routing_plan") or {}
    if plan.get("defer_below"):
        return list(plan["fields"]), plan["defer_below"]
    return list(FIELDS), cfg.evaluation.student_sure


def cascade(student: list[str], teacher: list[str], confidences: list[dict], fields: list[str],
            threshold: float) -> tuple[list[str], list[bool]]:
    """Per ticket, the student's answer where it is sure of every field (models/answer_confidence.py, the router's
    rule), the teacher's elsewhere; and where the student answered."""
    from models.answer_confidence import is_sure

    sure = [is_sure(c, fields, threshold) for c in confidences]
    return [s if ok else t for s, t, ok in zip(student, teacher, sure)], sure


# ------------------------------------------------------------------ the arms (need a served model)

def teacher_requests(cfg, rows: list[dict]) -> tuple[list[list[dict]], dict, object]:
    """Messages and request parameters exactly as the label stage builds them for this route, and the plan. Each
    ticket is a logged request (the route's production system prompt, then the ticket), and messages_for treats it
    as it treats a sampled prompt: teacher.routes.ticket-triage.system_prompt, when set, replaces the logged one."""
    from distillery.routes import messages_for, plan_route

    plan = plan_route(cfg, ROUTE)
    system = LOGGED_SYSTEM.read_text()
    prompts = [{"prompt_id": r["id"], "route": ROUTE,
                "messages": json.dumps([{"role": "system", "content": system}, {"role": "user", "content": r["text"]}])}
               for r in rows]
    return [messages_for(p, plan) for p in prompts], plan.params, plan


def ask_teacher(cfg, rows: list[dict]) -> tuple[list[str], dict]:
    """The teacher's answer text per ticket ("" for a refused request) and what describes the arm."""
    from models.client_pool import ClientPool, teacher_fingerprint
    from models.vllm_server import served_endpoint

    messages, params, plan = teacher_requests(cfg, rows)
    info = {"model": cfg.teacher.model, "asked_as": "label stage: route system prompt + json_schema guided decoding",
            "system_prompt": getattr(cfg.teacher.routes.get(ROUTE), "system_prompt", None) or str(LOGGED_SYSTEM.relative_to(ROOT)),
            "gen_hash": plan.gen_hash, "fingerprint": teacher_fingerprint(cfg.teacher)}
    with served_endpoint(cfg.teacher, Path(cfg.store.root) / "logs") as endpoint:
        info.update(endpoint=endpoint.base_url, served_as=endpoint.model)
        started = time.monotonic()
        texts, requests = asyncio.run(_ask_all(ClientPool(endpoint, cfg.teacher), messages, params))
        info["answer_s"] = round(time.monotonic() - started, 1)
    info["requests"] = requests
    info["refused"] = sum(requests["failures"].values())  # 4xx and exhausted 408/429: an empty answer each, counted wrong
    return texts, info


async def _ask_all(pool, messages: list[list[dict]], params: dict) -> tuple[list[str], dict]:
    """Every request through the pool, with its stall watchdog beside them (as the label stage runs it)."""
    done = {"n": 0}

    async def one(m: list[dict]) -> str:
        result = await pool.complete(m, params)
        done["n"] += 1
        return "" if isinstance(result, str) else result.texts[0]  # a refused request answers nothing: counted wrong

    async def report() -> None:
        while True:
            await asyncio.sleep(PROGRESS_EVERY_S)
            log.info("teacher: %d/%d answered, %d in flight, %d retries", done["n"], len(messages),
                     pool.stats.in_flight, pool.stats.retries)

    from models.client_pool import EndpointStalled

    try:
        async with asyncio.TaskGroup() as group:
            dog, reporter = group.create_task(pool.watchdog()), group.create_task(report())
            texts = await asyncio.gather(*(group.create_task(one(m)) for m in messages))
            dog.cancel()
            reporter.cancel()
    except* EndpointStalled as eg:
        raise eg.exceptions[0] from None
    finally:
        await pool.close()
    s = pool.stats
    return list(texts), {"sent": s.sent, "retries": s.retries, "failures": dict(s.failures), "last_error": s.last_error,
                         "prompt_tokens": s.prompt_tokens, "completion_tokens": s.completion_tokens}


def pick_version(registry, requested: str | None) -> tuple[str, str]:
    """The version to measure and why that one: --version, else the champion, else the newest servable export."""
    if requested:
        return requested, "--version"
    status = registry.status()
    if status.get("champion"):
        return status["champion"], "champion"
    exports = [v for v, d in sorted(status.get("exports", {}).items()) if Path(d).is_dir()]
    if not exports:
        raise RuntimeError(f"no champion and no servable export in {registry.dir}: run distillery export <version>, "
                           "or pass --version")
    log.warning("the registry at %s has no champion; measuring the newest servable export, %s", registry.dir, exports[-1])
    return exports[-1], "newest servable export (the registry has no champion)"


def ask_student(cfg, rows: list[dict], version: str | None) -> tuple[list[str], dict]:
    """The student's answer text per ticket, asked as the evaluate stage asks it, and what describes the arm."""
    from models.registry import Registry
    from models.resolve import resolve_model
    from models.served_student import served_candidate
    from tasks.evaluation.answer import answer_all
    from tasks.evaluation.items import Answer, Item

    registry = Registry(Path(cfg.store.root), cfg.student.model)
    version, source = pick_version(registry, version)
    registry.check_base(version, resolve_model(cfg.student.model))
    export = registry.export_record(version)
    route_plan = registry.plan().get(ROUTE)
    if route_plan and (route_plan.get("to") != "student" or route_plan.get("version") != version):
        log.warning("the routing plan sends %s to %s, not to %s", ROUTE,
                    route_plan.get("version") or route_plan.get("to"), version)
    guided = cfg.evaluation.guided_decoding
    info = {"model": cfg.student.model, "version": version, "version_source": source, "model_dir": export["model_dir"],
            "served": "multi-LoRA on NF4" if cfg.export.multi_lora else "merged export", "guided": guided,
            "asked_as": "evaluate stage: student prompt shape" + (" + json_schema guided decoding" if guided else ""),
            "routing_plan": route_plan}
    items = [Item(prompt_id=r["id"], route=ROUTE, user=r["text"], instructions="", teacher=Answer("")) for r in rows]
    with served_candidate(cfg, version, registry.dir / version, Path(export["model_dir"]),
                          Path(cfg.store.root) / "logs") as endpoint:
        info.update(endpoint=endpoint.base_url, served_as=endpoint.model)
        started = time.monotonic()
        answer_all(cfg, endpoint, items, "student", guided, logprobs=cfg.evaluation.student_sure is not None)
        info["answer_s"] = round(time.monotonic() - started, 1)
    answers = [it.arms["student"] for it in items]
    if cfg.evaluation.student_sure is not None:  # its own confidence per ticket: where a router would defer (cascade)
        from models.answer_confidence import field_confidences

        info["confidences"] = [{f: round(p, 4) for f, p in field_confidences(a.logprobs, list(FIELDS)).items()}
                               for a in answers]
    info["refused"] = sum(a.finish_reason.startswith("error") for a in answers)
    info["finish_reasons"] = dict(Counter(a.finish_reason.split(":")[0] for a in answers))
    return [a.text for a in answers], info


# ------------------------------------------------------------------ the command

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-c", "--config", type=Path, default=Path("configs/demo.yaml"))
    ap.add_argument("-o", "--override", action="append", default=[], help="dotted override, e.g. -o teacher.max_tokens=128")
    ap.add_argument("--version", help="student adapter version, e.g. v0003 (default: the registry's champion)")
    ap.add_argument("--only", choices=("teacher", "student"), help="measure one arm only")
    ap.add_argument("--data", type=Path, default=DATA, help="hand-labelled JSONL (default: %(default)s)")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    from distillery.config import ConfigError, load_config
    from distillery.routes import route_schema

    args = parse_args(argv)
    try:
        cfg = load_config(args.config, args.override)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    schema = route_schema(cfg, ROUTE)
    if not schema:
        print(f"error: teacher.routes.{ROUTE}.json_schema is not set: the category and urgency enums come from it",
              file=sys.stderr)
        return 2
    enums = schema_enums(schema)
    rows = load_set(args.data)
    problems = set_problems(rows, enums)
    if problems:
        print(f"error: {args.data}: " + "; ".join(problems[:10]), file=sys.stderr)
        return 2
    confidence = cfg.evaluation.confidence
    started = time.monotonic()
    result: dict = {"benchmark": "handlabelled", "route": ROUTE, "data": str(args.data),
                    "data_sha256": hashlib.sha256(Path(args.data).read_bytes()).hexdigest()[:16], "n": len(rows),
                    "config": str(args.config), "overrides": args.override, "confidence": confidence, "arms": {}}
    scored: dict[str, dict] = {}
    answered: dict[str, list[str]] = {}
    failed = False
    arms = [a for a in ("teacher", "student") if args.only in (None, a)]
    for arm in arms:  # in turn: the teacher's server is stopped before the student's starts
        log.info("%s: %d hand-labelled %s tickets", arm, len(rows), ROUTE)
        arm_started = time.monotonic()
        try:
            texts, info = ask_teacher(cfg, rows) if arm == "teacher" else ask_student(cfg, rows, args.version)
        except Exception as exc:  # one arm failing still reports the other
            log.error("%s arm failed: %s", arm, exc)
            result["arms"][arm] = {"error": f"{type(exc).__name__}: {exc}", "wall_s": round(time.monotonic() - arm_started, 1)}
            failed = True
            continue
        answered[arm] = texts
        scored[arm] = score_arm(texts, rows, enums, schema, confidence)
        result["arms"][arm] = {**info, "wall_s": round(time.monotonic() - arm_started, 1),
                               **{k: v for k, v in scored[arm].items() if k != "predictions"}}
        log.info("%s: category %.3f %s, urgency %.3f %s (%.0f s)", arm, scored[arm]["category"]["estimate"],
                 scored[arm]["category"]["ci"], scored[arm]["urgency"]["estimate"], scored[arm]["urgency"]["ci"],
                 result["arms"][arm]["wall_s"])
    if len(scored) == 2:
        result["paired_student_minus_teacher"] = compare(scored["student"], scored["teacher"], rows, confidence)
        rule = deferral_rule(cfg, result["arms"]["student"])
        if rule:  # the deployment a route served with deferral gets: the student where it is sure, the teacher elsewhere
            texts_cascade, sure = cascade(answered["student"], answered["teacher"], result["arms"]["student"]["confidences"], *rule)
            scored["cascade"] = score_arm(texts_cascade, rows, enums, schema, confidence)
            result["arms"]["cascade"] = {"defer_below": rule[1], "fields": rule[0], "student_answers": sum(sure),
                                         **{k: v for k, v in scored["cascade"].items() if k != "predictions"}}
            result["paired_cascade_minus_teacher"] = compare(scored["cascade"], scored["teacher"], rows, confidence)
    result["wall_s"] = round(time.monotonic() - started, 1)
    print(json.dumps(result))
    return 1 if failed else 0


def setup_logging() -> None:
    """Progress on stderr; only when run as a script (a handler bound to a caller's stream would outlive it)."""
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s: %(message)s", force=True)
    for noisy in ("httpx", "openai", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


if __name__ == "__main__":
    setup_logging()
    sys.exit(main())
