"""How short a QLoRA run still teaches the 135M student the triage JSON format (the evaluation test's adapter).

    .venv/bin/python benchmarks/short_run_format.py --steps 20 --batch-size 4 --lr 2e-3 --dropout 0
    .venv/bin/python benchmarks/short_run_format.py --steps 20 --batch-size 8 --lr 1e-3 --dropout 0.05

Trains on the same 56 triage tickets the test uses (tests/integration/test_evaluate.py), then the training
reference (transformers + peft on the NF4 base) answers --items held-out tickets greedily. Prints one JSON
line: training seconds, losses, and how many answers are valid triage JSON. No vLLM server is started.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--items", type=int, default=20)
    a = p.parse_args()

    import torch
    from peft import PeftModel

    from distillery.routes import schema_valid
    from models.prompt_shape import student_messages
    from models.student import load_student
    from tasks.training.stage import run_train
    from tests.integration.test_evaluate import config, train_rows, triage_chats, write_run

    out = Path(tempfile.mkdtemp(prefix="short-run-"))
    subprocess.run([sys.executable, str(REPO / "data/generate_demo_log.py"), "--out", str(out / "log")], check=True,
                   capture_output=True)
    pairs = triage_chats(out / "log")
    held_out, train_pairs = pairs[:40], pairs[40:104]
    cfg = config(out, "demo:smollm2-135m-instruct", "http://127.0.0.1:9", f"student.training.max_steps={a.steps}",
                 f"student.training.batch_size={a.batch_size}", f"student.training.learning_rate={a.lr}",
                 f"student.lora.dropout={a.dropout}")
    write_run(out / "run", cfg, held_out, train_rows(train_pairs))
    started = time.monotonic()
    record = run_train(cfg, out / "run")
    train_s = time.monotonic() - started

    model, tokenizer, _ = load_student(cfg.student)
    model = PeftModel.from_pretrained(model, out / "run" / "adapter")
    schema = json.loads((REPO / "data/routes/ticket-triage.schema.json").read_text())
    valid = 0
    for user, _ in held_out[: a.items]:
        ids = tokenizer.apply_chat_template(student_messages("ticket-triage", user), add_generation_prompt=True,
                                            return_tensors="pt")
        ids = ids if torch.is_tensor(ids) else ids["input_ids"]
        answer = model.generate(ids, max_new_tokens=64, do_sample=False)[0, ids.shape[1]:]
        valid += schema_valid(tokenizer.decode(answer, skip_special_tokens=True), schema)
    print(json.dumps({"steps": a.steps, "batch_size": a.batch_size, "learning_rate": a.lr, "lora_dropout": a.dropout,
                      "train_s": round(train_s, 1), "losses": record["losses"], "valid_json": valid, "items": a.items}))


if __name__ == "__main__":
    main()
