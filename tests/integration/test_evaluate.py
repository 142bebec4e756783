"""Teacher vs student on held-out tickets: the real student served by vLLM with LoRA, the gate, the registry.

The teacher arm is the demo log's production answers written as labels (what a label run records); the
judge is tests/fake_teacher.py, which prefers the answer that parses as JSON and otherwise always says
"A" (a position-biased judge). Two adapters: a good one trained on the triage answers, and a bad one
trained on labels shuffled across routes (support-reply prose for triage tickets).
"""

import json
import random
from pathlib import Path

import httpx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from distillery.config import load_config
from distillery.routes import plan_route
from models.client_pool import teacher_fingerprint
from models.parity import compare_logits, passes
from models.prompt_shape import student_messages
from models.registry import Registry, RegistryError
from tasks.evaluation.stage import run_evaluate
from tasks.export.stage import run_export
from tasks.training.stage import run_train
from tests.conftest import REPO

EVAL_ITEMS = 40
CALIBRATION_ITEMS = 8
PARITY_PROMPTS = 8  # the demo's figure: short triage answers still give the gate its 100 positions
# The module fixture trains two adapters and serves each in vLLM (minutes on 2 cores), all charged to the first test.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]


def triage_chats(demo_log: Path) -> list[tuple[str, str]]:
    """(ticket, production answer) pairs whose answer is valid triage JSON, as curation would keep them."""
    from distillery.routes import schema_valid

    schema = json.loads((REPO / "data/routes/ticket-triage.schema.json").read_text())
    pairs = []
    for line in (demo_log / "production.jsonl").read_text().splitlines():
        r = json.loads(line)
        if r.get("route") == "ticket-triage" and isinstance(r.get("messages"), list) and isinstance(r.get("response"), str):
            user = r["messages"][-1]["content"]
            if isinstance(user, str) and 40 < len(user) < 300 and schema_valid(r["response"], schema):
                pairs.append((user, r["response"]))
    return pairs


def config(store: Path, small_model: str, judge_url: str, *overrides):
    return load_config(REPO / "configs/demo.yaml", [
        f"store.root={store}", f"student.model={small_model}", "student.training.max_steps=20",
        # batch 4, lr 2e-3, no LoRA dropout: 90 s instead of 225 s, 19/20 valid JSON (docs/facts.md "A short run ...")
        "student.training.batch_size=4", "student.training.learning_rate=2e-3", "student.lora.dropout=0", f"teacher.endpoint={judge_url}/v1", "teacher.model=fake-teacher",
        "teacher.routes.ticket-triage.max_tokens=64",
        # a 20-step adapter writes 90-97% valid JSON; with 4 misses in 40, Tango's lower bound is -0.23
        "evaluation.gates={schema_validity: 0.3}",
        f"evaluation.judge.calibration_items={CALIBRATION_ITEMS}", "evaluation.judge.routes=[]",  # judged: triage
        f"export.parity_prompts={PARITY_PROMPTS}", "student.training.routes=[]",
        "evaluation.include_base=true",  # the demo skips the base arm for time; here it shows what training bought
        # unguided: this module tests what each adapter's weights learned (guided decoding would give the prose-trained
        # one valid JSON too); the guided arm and its unguided diagnostic run in the nightly and kill-anywhere tests
        "evaluation.guided_decoding=false",
        *overrides])


def write_run(run: Path, cfg, eval_pairs, train_rows) -> None:
    """prompts.parquet (eval split), labels.parquet (the teacher's answers) and train.parquet, as the stages write them."""
    run.mkdir(parents=True, exist_ok=True)
    prompts = [{"prompt_id": f"e{i:03d}", "route": "ticket-triage", "user": user, "split": "eval",
                "messages": json.dumps([{"role": "user", "content": user}])} for i, (user, _) in enumerate(eval_pairs)]
    pq.write_table(pa.Table.from_pylist(prompts), run / "prompts.parquet")
    plan = plan_route(cfg, "ticket-triage")
    labels = [{"prompt_id": p["prompt_id"], "teacher_fingerprint": teacher_fingerprint(cfg.teacher), "gen_hash": plan.gen_hash,
               "sample_index": 0, "route": "ticket-triage", "teacher": "production", "text": answer, "finish_reason": "stop",
               "prompt_tokens": 650, "completion_tokens": 30, "latency_s": 1.5}
              for p, (_, answer) in zip(prompts, eval_pairs)]
    pq.write_table(pa.Table.from_pylist(labels), run / "labels.parquet")
    table = pa.Table.from_pylist(train_rows)
    pq.write_table(table.replace_schema_metadata({"distillery.prompt_shape": "route-tag-v1",
                                                   "distillery.removed_templates": "{}"}), run / "train.parquet")


def train_rows(pairs) -> list[dict]:
    return [{"prompt_id": f"t{i}", "route": "ticket-triage", "split": "val" if i % 8 == 0 else "train", "answer": answer,
             "messages": json.dumps(student_messages("ticket-triage", user) + [{"role": "assistant", "content": answer}])}
            for i, (user, answer) in enumerate(pairs)]


def prose_answers(demo_log: Path) -> list[str]:
    replies = [json.loads(line) for line in (demo_log / "production.jsonl").read_text().splitlines()]
    return [r["response"] for r in replies if r.get("route") == "support-reply" and isinstance(r.get("response"), str)
            and 40 < len(r["response"]) < 300]


def local_base(model_id: str, folder: Path) -> Path:
    """The student base as a local folder (weights linked, config copied), as a user's own model folder would be."""
    from models.resolve import resolve_model

    folder.mkdir()
    for f in Path(resolve_model(model_id)).iterdir():
        if f.name == "config.json":
            (folder / f.name).write_text(f.read_text())
        else:
            (folder / f.name).symlink_to(f)
    return folder


def bad_adapter_config(cfg):
    """The bad adapter needs no long run: a few steps on prose keep it from learning JSON. Its export skips the
    naive merges and its evaluation the base arm: the good adapter's run shows both, and each costs minutes."""
    return cfg.model_copy(update={
        "student": cfg.student.model_copy(update={"training": cfg.student.training.model_copy(update={"max_steps": 4})}),
        "export": cfg.export.model_copy(update={"compare_naive": False}),
        "evaluation": cfg.evaluation.model_copy(update={"include_base": False})})


@pytest.fixture(scope="module")
def evaluated(small_model, demo_log, fake_teacher, tmp_path_factory):
    """Train and evaluate the good adapter, then the bad one, in one store; count the judge's calls for each."""
    store = tmp_path_factory.mktemp("eval-store")
    base = local_base(small_model, store / "base")
    pairs = triage_chats(demo_log)
    eval_pairs, train_pairs = pairs[:EVAL_ITEMS], pairs[EVAL_ITEMS : EVAL_ITEMS + 64]
    cfg = config(store, str(base), fake_teacher)
    out = {"store": store, "cfg": cfg, "base": base, "teacher_url": fake_teacher}
    for name, rows in (("good", train_rows(train_pairs)),
                       ("bad", [{**r, "messages": json.dumps(json.loads(r["messages"])[:1] + [{"role": "assistant", "content": a}]),
                                 "answer": a} for r, a in zip(train_rows(train_pairs), random.Random(0).sample(prose_answers(demo_log), 64))])):
        run = store / "runs" / name
        write_run(run, cfg, eval_pairs, rows)
        run_cfg = cfg if name == "good" else bad_adapter_config(cfg)
        run_train(run_cfg, run)
        out[f"{name}_export"] = run_export(run_cfg, run)
        httpx.post(f"{fake_teacher}/control", json={"reset": True})
        out[name] = run_evaluate(run_cfg, run)
        out[f"{name}_judge_calls"] = httpx.get(f"{fake_teacher}/stats").json()["pairwise"]
        out[f"{name}_run"] = run
    return out


def test_a_short_run_teaches_the_triage_format_the_base_does_not_produce(evaluated):
    """Issue 5's format test and issue 6's "beats the base": 20 QLoRA steps on 56 tickets; on 40 held-out tickets
    the untrained base writes almost no valid triage JSON, the trained student almost always does, CI above zero.
    (docs/facts.md "A short run teaches the format": 0/10 -> 10/10 in the hand run.)"""
    triage = evaluated["good"]["scopes"]["ticket-triage"]
    vs_base = triage["vs_base"]["schema_validity"]
    assert vs_base["base"]["estimate"] <= 0.2 and vs_base["student"]["estimate"] >= 0.8, vs_base
    assert vs_base["diff"]["ci"][0] > 0, vs_base
    fewshot = triage["vs_fewshot"]["schema_validity"]  # the in-context baseline: the base with 3 examples in its prompt
    assert fewshot["diff"]["n"] == EVAL_ITEMS, fewshot
    rows = pq.read_table(evaluated["good_run"] / "eval.parquet").to_pylist()
    assert all(r["base_fewshot_prompt_tokens"] > r["base_prompt_tokens"] for r in rows), "the examples were in the prompt"
    # the student's own logprobs came back with its guided answers: each field's probability, and the deferral view
    own = [json.loads(r["confidence_student"]) for r in rows]
    assert all(set(c) == {"category", "urgency"} and all(0 <= p <= 1 for p in c.values()) for c in own), own[:3]
    assert any(p > 0.5 for c in own for p in c.values()), own[:3]
    assert triage["student_sure"]["coverage"]["n"] == EVAL_ITEMS, triage["student_sure"]
    losses = json.loads((evaluated["good_run"] / "stage-train.json").read_text())["losses"]["eval"]
    assert losses[-1] < losses[0], f"validation loss should fall over the epochs: {losses}"


def test_the_gate_promotes_the_good_adapter_and_refuses_the_bad_one(evaluated):
    good, bad = evaluated["good"]["decision"], evaluated["bad"]["decision"]
    assert good["promote"] and good["champion_after"] == evaluated["good"]["candidate"] == "v0001"
    assert not bad["promote"] and bad["champion_after"] == "v0001" and bad["action"] == "kept champion"
    assert any("schema_validity" in r for r in bad["reasons"]), bad["reasons"]
    status = Registry(evaluated["store"], evaluated["cfg"].student.model).status()
    assert status["champion"] == "v0001"
    assert [h["action"] for h in status["history"] if h["action"] != "export"] == ["promote", "keep"]
    assert sorted(status["exports"]) == ["v0001", "v0002"], "each candidate was exported before it was evaluated"
    # per route: triage went to v0001; the bad candidate failed there, so triage stays with v0001 and says why
    assert good["plan"]["ticket-triage"]["version"] == "v0001" and good["routes"]["ticket-triage"]["promote"]
    held = bad["plan"]["ticket-triage"]
    assert held["to"] == "student" and held["version"] == "v0001" and "v0002 not promoted here" in held["last_candidate"]
    routing = json.loads((Registry(evaluated["store"], evaluated["cfg"].student.model).dir / "routing.json").read_text())
    assert routing["routes"] == bad["plan"]


def test_the_judge_sees_both_orders_and_its_calibration_catches_it(evaluated):
    for name in ("good", "bad"):
        ab = evaluated[name]
        assert evaluated[f"{name}_judge_calls"] == 2 * (EVAL_ITEMS + CALIBRATION_ITEMS) == ab["judge"]["calls"]
        calibration = ab["judge"]["reliability"]["calibration"]
        # This fake judge only tells JSON from non-JSON: it catches the invalid JSON and nothing else
        assert calibration["pairs"] == CALIBRATION_ITEMS and set(calibration["by_kind"]) == {"invalid_json", "wrong_value", "invented"}
        kinds = calibration["by_kind"]
        assert kinds["invalid_json"]["correct"] == kinds["invalid_json"]["judged"] > 0 and kinds["invented"]["correct"] == 0
    # Both arms of the good adapter answer JSON, where this fake judge always says "A": caught as position bias.
    good_judge, bad_judge = evaluated["good"]["judge"]["reliability"], evaluated["bad"]["judge"]["reliability"]
    assert not good_judge["available"] and "same position in both orders" in good_judge["reasons"][0], good_judge
    # Prose against JSON it judges on content (no position bias), but its calibration shows it cannot tell a wrong
    # value or an invented claim: its win rate is not used either.
    assert not bad_judge["available"] and bad_judge["position_bias"] == 0.0, bad_judge
    assert "planted flaw" in bad_judge["reasons"][0], bad_judge
    # The bad adapter answers prose, the teacher JSON: this judge prefers the teacher in both orders.
    assert evaluated["bad"]["scopes"]["overall"]["vs_teacher"]["judge_win_rate"]["student"]["ci"][1] < 0.5
    rows = pq.read_table(evaluated["bad_run"] / "eval.parquet").to_pylist()
    assert len(rows) == EVAL_ITEMS and all(r["judge_outcome"] in ("teacher", "tie") for r in rows)
    good_rows = pq.read_table(evaluated["good_run"] / "eval.parquet").to_pylist()
    assert {"judge_student_as_a", "judge_student_as_b", "teacher_answer", "student_answer", "base_answer",
            "student_prompt_tokens", "teacher_prompt_tokens", "student_latency_s"} <= set(good_rows[0])
    assert all(r["student_prompt_tokens"] < r["teacher_prompt_tokens"] for r in rows), "no system prompt for the student"


def test_the_student_arm_is_the_export_that_would_ship(evaluated):
    """The A/B scores what `distillery serve student` would serve: the merged export, parity-checked against
    transformers + peft on the NF4 base, token by token on the reference's own answers (teacher-forced)."""
    parity = evaluated["good"]["parity"]
    assert parity["served"] == "merged export" and parity["prompts"] == PARITY_PROMPTS, parity
    assert parity["positions"] >= 100 and parity["next_token_agreement"] >= 0.97, parity
    assert len(parity["examples"]) == PARITY_PROMPTS - parity["identical_greedy"], "greedy texts that part are shown"
    for ex in parity["examples"]:
        assert ex["reference"] != ex["export"]
    registry = Registry(evaluated["store"], evaluated["cfg"].student.model)
    assert Path(registry.servable("v0001")) == Path(parity["model_dir"]) and Path(parity["model_dir"]).is_dir()


def test_an_adapter_without_a_servable_export_is_not_evaluated(evaluated, tmp_path):
    """Evaluation scores only what would ship: no export (never made, or refused), no A/B, nothing promoted."""
    import shutil

    store, run = tmp_path / "store", tmp_path / "store" / "runs" / "good"
    shutil.copytree(evaluated["store"] / "registry", store / "registry")
    (status_file,) = (store / "registry").glob("*/status.json")
    status_file.write_text(json.dumps({**json.loads(status_file.read_text()), "exports": {}}))  # adapters, no exports
    run.mkdir(parents=True)
    for name in ("prompts.parquet", "labels.parquet", "stage-train.json"):
        shutil.copy(evaluated["good_run"] / name, run / name)
    cfg = evaluated["cfg"].model_copy(update={"store": evaluated["cfg"].store.model_copy(update={"root": str(store)})})
    with pytest.raises(RegistryError, match="adapter v0001 has no servable export: run distillery export v0001"):
        run_evaluate(cfg, run, "v0001")
    assert not (run / "ab.json").exists()


def test_a_changed_base_under_the_adapter_is_refused(evaluated):
    """The base folder's weights or config changed since training (a re-download, an upgrade): refuse, start nothing."""
    config_json = Path(evaluated["base"]) / "config.json"
    original = config_json.read_text()
    config_json.write_text(json.dumps({**json.loads(original), "rope_theta": 1.0}))
    try:
        with pytest.raises(RegistryError, match=r"adapter v0001 was trained on a base with hash \w+, but .*base has \w+"):
            run_evaluate(evaluated["cfg"], evaluated["good_run"], "v0001")
    finally:
        config_json.write_text(original)


# ---------------------------------------------------------------- shipping the student (tasks/export/stage.py)

def export_cfg(evaluated, **export):
    cfg = evaluated["cfg"]
    return cfg.model_copy(update={"export": cfg.export.model_copy(update=export)})


@pytest.fixture(scope="module")
def exported(evaluated):
    """The good adapter's export as the export stage made it (12 parity prompts, naive merges compared)."""
    return evaluated["good_export"]


def test_the_dequantized_merge_reproduces_the_nf4_reference_far_better_than_naive_merges(exported):
    """Teacher-forced on the reference's answers, the export picks the reference's next token almost everywhere;
    the naive merges (into the original weights) fall below the gate's bounds."""
    p = exported["parity"]
    assert exported["servable"] and p["prompts"] == PARITY_PROMPTS and p["export"]["positions"] >= 100
    assert p["export"]["next_token_agreement"] >= 0.97 and p["export"]["max_top_logprob_gap"] <= 1.0, p["export"]
    for name, naive in p["naive"].items():
        assert not passes(naive, **exported["bounds"]), (name, naive)
        assert naive["next_token_agreement"] < p["export"]["next_token_agreement"] - 0.03, (name, naive, p["export"])
    assert exported["merge"]["merged_modules"] == 7 * 30 and exported["prompt_shape"] == "route-tag-v1"
    assert p["serving"]["output_tok_s"] > 0 and p["serving"]["latency_p95_s"] >= p["serving"]["latency_p50_s"]
    triage = p["routes"]["ticket-triage"]
    assert triage["n"] == PARITY_PROMPTS and triage["schema_valid_export"] >= triage["schema_valid_reference"] - 0.2, triage


def test_the_parity_gate_passes_a_correct_merge_and_refuses_a_broken_one_in_the_other_compute_dtype(evaluated, tmp_path):
    """The fixture's export ran in the dtype this machine picks (bf16 on AVX512-BF16 CPUs and modern GPUs, fp32
    elsewhere) and the wrong-merge test refuses a broken merge in it; here the other dtype is forced, so both paths
    run on every machine: the correct merge passes and a merge with the adapter's sign flipped is refused, on the
    same teacher-forced tokens. Six prompts keep it short and still give more than min_positions tokens."""
    from models.device import choose_device
    from models.merge import merge_adapter
    from models.served_student import dequantized_base
    from tasks.export.stage import export_logits, forced_parity, gate_bounds, parity_items

    base = evaluated["cfg"]
    native = choose_device(base.student.device, base.student.quant.compute_dtype).dtype_name
    dtype = "float32" if native == "bfloat16" else "bfloat16"
    student = base.student.model_copy(update={"quant": base.student.quant.model_copy(update={"compute_dtype": dtype})})
    cfg = base.model_copy(update={"student": student, "export": base.export.model_copy(update={"compare_naive": False})})
    registry = Registry(evaluated["store"], cfg.student.model)
    items = parity_items(evaluated["good_run"], 6)
    merge_adapter(dequantized_base(student), registry.dir / "v0001", tmp_path / "merged")
    merge_adapter(dequantized_base(student), registry.dir / "v0001", tmp_path / "broken", scale=-1.0)
    reference, reference_logits, out = forced_parity(cfg, registry, "v0001", tmp_path / "merged", items)
    broken = compare_logits(reference_logits, export_logits(cfg, tmp_path / "broken", items, reference))
    assert out["export"]["positions"] >= cfg.export.min_positions
    assert passes(out["export"], **gate_bounds(cfg)), (dtype, out["export"])
    assert not passes(broken, **gate_bounds(cfg)) and broken["next_token_agreement"] < 0.5, (dtype, broken)


def test_two_adapters_are_served_side_by_side_on_one_base_each_as_peft_answers(evaluated):
    """Multi-adapter serving run for real: one vLLM server with --enable-lora (on the CPU: LoRA over the dequantized
    NF4 base the adapters were trained against) holds the good and the bad adapter; a request's model name picks
    one. Teacher-forced on each served answer, transformers + peft with the same adapter on the same base picks the
    same next token almost everywhere (greedy texts part at bf16 near-ties: models/parity.py says why), and the
    other adapter does not: the check can tell which adapter answered."""
    import httpx
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from models.parity import forced_logits
    from models.served_student import adapters_config, dequantized_base
    from models.vllm_server import ManagedServer

    cfg = evaluated["cfg"]
    registry = Registry(evaluated["store"], cfg.student.model)
    adapters = {"good": registry.dir / "v0001", "bad": registry.dir / "v0002"}
    items = [("ticket-triage", p["user"]) for p in pq.read_table(evaluated["good_run"] / "prompts.parquet").to_pylist()[:6]]
    server = ManagedServer(adapters_config(cfg, adapters), evaluated["store"] / "logs")
    endpoint = server.start()
    try:
        served = {name: [httpx.post(f"{endpoint.base_url}/chat/completions", timeout=120, json={
            "model": name, "messages": student_messages(route, user), "max_tokens": 48, "temperature": 0.0,
        }).json()["choices"][0]["message"]["content"].strip() for route, user in items] for name in adapters}
    finally:
        server.stop()
    assert all(g != b for g, b in zip(served["good"], served["bad"])), "each request was answered by its own adapter"
    assert sum(a.startswith("{") for a in served["good"]) > sum(a.startswith("{") for a in served["bad"])
    base_dir = dequantized_base(cfg.student)
    tokenizer = AutoTokenizer.from_pretrained(base_dir)

    def agreement(adapter: Path, answers: list[str]) -> tuple[float, float]:
        """Share of the served tokens peft would pick itself, and its largest log-prob shortfall on one of them."""
        model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base_dir, torch_dtype="auto"), adapter)
        agree = total = 0
        worst = 0.0
        for answer, logits in zip(answers, forced_logits(model, tokenizer, items, answers)):
            ids = torch.tensor(tokenizer(answer, add_special_tokens=False)["input_ids"])
            logprobs = torch.log_softmax(logits, -1)
            agree, total = agree + int((logits.argmax(-1) == ids).sum()), total + len(ids)
            worst = max(worst, float((logprobs.max(-1).values - logprobs[torch.arange(len(ids)), ids]).max()))
        return agree / total, worst

    for name, adapter in adapters.items():
        share, gap = agreement(adapter, served[name])
        assert share >= 0.97 and gap <= 0.5, (name, share, gap)  # measured: 0.988 / 0.125 nats (good), 0.993 / 0 (bad)
    share, _ = agreement(adapters["bad"], served["good"])
    assert share < 0.8, f"the bad adapter would not have written the good one's answers ({share})"


def test_the_champion_export_is_served_under_a_stable_name_in_the_compressed_shape(exported, evaluated):
    """`distillery serve student`, as a user starts it, answered through the OpenAI client, then Ctrl-C."""
    import os
    import re
    import signal
    import subprocess
    import sys
    import time

    from openai import OpenAI

    cfg_file = evaluated["store"] / "serve.yaml"
    cfg_file.write_text((REPO / "configs/demo.yaml").read_text())
    exe = Path(sys.executable).with_name("distillery")
    proc = subprocess.Popen([str(exe), "serve", "student", "-c", str(cfg_file), "-o", f"store.root={evaluated['store']}",
                             "-o", f"student.model={evaluated['base']}"], cwd=REPO, stderr=subprocess.PIPE, text=True)
    try:
        url, deadline, seen = None, time.monotonic() + 300, []
        while url is None and time.monotonic() < deadline:
            line = proc.stderr.readline()
            seen.append(line)
            if m := re.search(r"student v0001 ready\s+at (http://\S+/v1)", " ".join(seen[-3:]).replace("\n", " ")):
                url = m.group(1)
        assert url, "".join(seen[-20:])
        client = OpenAI(base_url=url, api_key="EMPTY")
        ticket = "I was charged twice for my subscription this month, please refund one of the payments."
        answer = client.chat.completions.create(model="student", messages=student_messages("ticket-triage", ticket),
                                                max_tokens=64, temperature=0).choices[0].message.content
        assert json.loads(answer)["category"], answer
        routed_by_the_plan(evaluated, url, ticket)
        routed_over_http(evaluated, [str(exe), "serve", "router", "-c", str(cfg_file), "-o", f"store.root={evaluated['store']}",
                                     "-o", f"student.model={evaluated['base']}", "--student-url", url], ticket)
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0
    assert not os.path.exists(f"/proc/{proc.pid}")


def routed_by_the_plan(evaluated: dict, student_url: str, ticket: str) -> None:
    """models/router.py against the served student and a live teacher: a route served with deferral goes to the
    student where its own confidence reaches the plan's threshold and to the teacher below it; the teacher's routes
    never reach the student."""
    from models.router import Router
    from models.vllm_server import Endpoint

    cfg, teacher_url = evaluated["cfg"], evaluated["teacher_url"]
    student, teacher = Endpoint(student_url, "student", "EMPTY"), Endpoint(f"{teacher_url}/v1", "fake-teacher", "EMPTY")
    messages = [{"role": "system", "content": "production's own system prompt"}, {"role": "user", "content": ticket}]
    fields = ["category", "urgency"]

    def routed(plan: dict):
        before = httpx.get(f"{teacher_url}/stats").json()["requests"]
        out = Router(cfg, {"ticket-triage": plan}, student, teacher).answer("ticket-triage", messages)
        return out, httpx.get(f"{teacher_url}/stats").json()["requests"] - before

    student_plan = {"to": "student", "version": "v0001", "defer_below": 1e-6, "fields": fields}
    sure, asked = routed(student_plan)
    assert sure.by == "student" and asked == 0 and set(sure.confidence) == set(fields), sure
    lowest = min(sure.confidence.values())
    assert 0 < lowest < 1, sure.confidence
    unsure, asked = routed({**student_plan, "defer_below": (lowest + 1) / 2})  # above the student's own confidence
    assert unsure.by == "teacher" and asked == 1 and unsure.confidence == sure.confidence
    assert json.loads(unsure.text)["category"] in ("billing", "account_access", "technical_bug", "feature_request",
                                                   "shipping", "outage", "security", "general_question")
    kept, asked = routed({"to": "teacher", "version": None})
    assert kept.by == "teacher" and asked == 1 and not kept.confidence


def routed_over_http(evaluated: dict, command: list[str], ticket: str) -> None:
    """`distillery serve router`, as a user starts it: production's OpenAI client names the route as the model; the
    answer says who wrote it, as routing.json decides, and GET /stats counts it."""
    import subprocess

    from openai import OpenAI

    from models.vllm_server import free_port
    from tests.conftest import wait_for_http

    port = free_port()
    proc = subprocess.Popen(command + ["--teacher-url", f"{evaluated['teacher_url']}/v1", "--port", str(port)], cwd=REPO)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/v1/models", timeout_s=120)  # the CLI imports torch on a loaded machine
        client = OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="unused")
        plan = Registry(evaluated["store"], evaluated["cfg"].student.model).plan()["ticket-triage"]
        raw = client.chat.completions.with_raw_response.create(
            model="ticket-triage", messages=[{"role": "user", "content": ticket}])
        by, answer = raw.headers["x-distillery-answered-by"], raw.parse()
        assert json.loads(answer.choices[0].message.content)["category"] and answer.usage.completion_tokens > 0
        why = answer.model_extra["distillery"]["why"]
        # the student is up: it answers, or, on a route served with deferral, the teacher does because it was unsure
        assert (by, why) == ("student", "plan") or (plan.get("defer_below") and (by, why) == ("teacher", "deferred")), (plan, by, why)
        kept = client.chat.completions.with_raw_response.create(model="support-reply",
                                                               messages=[{"role": "user", "content": "Where is my order?"}])
        assert kept.headers["x-distillery-answered-by"] == "teacher"
        stats = httpx.get(f"http://127.0.0.1:{port}/stats").json()["routes"]
        assert stats["ticket-triage"]["requests"] == 1 and stats["ticket-triage"]["student" if by == "student" else "deferred"] == 1
        assert stats["support-reply"] == {"requests": 1, "student": 0, "deferred": 0, "student_failed": 0, "plan": 1,
                                          "served_share": 0.0}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_the_parity_gate_blocks_a_wrong_merge(exported, evaluated):
    from tasks.export.stage import ExportError, export_student

    with pytest.raises(ExportError, match=r"export v0001 refused: next-token agreement with the NF4 reference 0\.\d+ over "
                                          r"\d+ teacher-forced positions \(export.min_token_agreement 0.97\)"):
        export_student(export_cfg(evaluated, compare_naive=False), "v0001", evaluated["good_run"], merge_scale=-1.0)
    assert json.loads((evaluated["good_run"] / "stage-export.json").read_text())["servable"] is False
    root = next((evaluated["store"] / "exports").iterdir())
    assert json.loads((root / "v0001.refused/export.json").read_text())["servable"] is False
    assert json.loads((root / "v0001/export.json").read_text())["servable"], "the export that passed is untouched"


def test_an_adapter_whose_export_is_gone_or_never_made_is_not_served(evaluated):
    import shutil

    registry = Registry(evaluated["store"], str(evaluated["base"]))
    shutil.rmtree(Path(registry.servable("v0002")).parent)  # someone cleaned the exports folder
    with pytest.raises(RegistryError, match="adapter v0002 has no servable export: run distillery export v0002"):
        registry.servable("v0002")
    with pytest.raises(RegistryError, match="adapter v0007 has no servable export"):
        registry.servable("v0007")
