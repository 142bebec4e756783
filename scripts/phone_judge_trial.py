"""Trial: does a bundled instruct model, asked outright whether a number is a phone, separate phones better than the
phone context's fitted readers? Figures on the read sets only.

    PYTHONHASHSEED=0 .venv/bin/python scripts/phone_judge_trial.py --model qwen2.5-coder-1.5b-instruct

The fitted context (phone_context.py, with or without the reader) learns from the read sets' templates, and on the
sets nobody read it catches fewer phones and keeps fewer business numbers than left-out figures promise
(docs/pii-benchmark-history.md). A model asked zero-shot ("is 0612345678 in this text a telephone number?") is
fitted on nothing here, so its figures on the read sets are what it would do on any set. The rows are
reader_depth_sweep.py's (the numbers the phone context decides, seed 11), lookalikes left out. Its score is the
log-odds of "yes" against "no" as the answer's first token. Printed, one JSON line each: the score alone ranked (at
each count of asked clean numbers flagged, the asked phones caught; at each count of shape-only phones lost, the
shape-only clean numbers kept), and the hashed words with the score as one more column, fitted with one set left
out at a time as the sweep fits the reader (its threshold and veto tables, comparable line by line with the sweep's).
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse

ROOT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT.parent), str(ROOT.parent / "benchmarks"), str(ROOT)]

import reader_depth_sweep as sweep  # noqa: E402
import train_phone_context as training  # noqa: E402

QUESTION = ("Text: \"{text}\"\n\nIn this text, is {value} a telephone number (a phone, mobile, fax or messaging "
            "number someone can be called or texted on)? Answer with one word: yes or no.")


class Judge:
    """An instruct model's log-odds of answering yes, batched, left-padded so every row's next token is last."""

    def __init__(self, name: str):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from models.prepare import prepare

        path = prepare(name).path
        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(path, padding_side="left")
        self.tokenizer.pad_token = self.tokenizer.pad_token or self.tokenizer.eos_token
        self.model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.bfloat16).eval()
        vocab = self.tokenizer.get_vocab()
        self.yes = [vocab[t] for t in ("yes", "Yes", "YES", "Ġyes", "ĠYes") if t in vocab]
        self.no = [vocab[t] for t in ("no", "No", "NO", "Ġno", "ĠNo") if t in vocab]

    def prompt(self, value: str, head: str, tail: str, cues: str) -> str:
        text = ((cues + " | ") if cues else "") + head[-240:] + value + tail[:160]
        messages = [{"role": "user", "content": QUESTION.format(text=text, value=value)}]
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def scores(self, contexts: list[tuple], batch: int = 16) -> np.ndarray:
        torch = self.torch
        prompts = [self.prompt(*c) for c in contexts]
        order = np.argsort([len(p) for p in prompts], kind="stable")
        out = np.zeros(len(prompts), np.float32)
        started = time.monotonic()
        with torch.inference_mode():
            for b in range(0, len(order), batch):
                idx = order[b:b + batch]
                enc = self.tokenizer([prompts[i] for i in idx], return_tensors="pt", padding=True)
                logits = self.model(**enc).logits[:, -1].float()
                out[idx] = (torch.logsumexp(logits[:, self.yes], 1) - torch.logsumexp(logits[:, self.no], 1)).numpy()
                if b // batch % 50 == 0:
                    print(f"judge: {b + len(idx)}/{len(order)}, {time.monotonic() - started:.0f} s", file=sys.stderr,
                          flush=True)
        return out


def ranked(score: np.ndarray, y: np.ndarray, kind: np.ndarray, asked: np.ndarray, shape: np.ndarray) -> dict:
    """The score alone: phones caught at k clean numbers flagged; clean kept at k shape-only phones lost."""
    phone, clean = y == 1, kind == "clean"
    caught, kept = {}, {}
    asked_clean = np.sort(score[asked & clean])[::-1]
    for k in (0, 5, 10, 24, 50):
        cut = asked_clean[k] if k < len(asked_clean) else -np.inf  # flag strictly above the (k+1)-th clean score
        caught[k] = int((asked & phone & (score > cut)).sum())
    shape_phones = np.sort(score[shape & phone])
    for k in (0, 1, 3, 5):
        cut = shape_phones[k] if k < len(shape_phones) else np.inf  # keep strictly below the (k+1)-th phone's score
        kept[k] = int((shape & clean & (score < cut)).sum())
    return {"asked_phones_caught_at_clean_flagged": caught, "shape_clean_kept_at_phones_lost": kept}


def main() -> None:
    if os.environ.get("PYTHONHASHSEED") != "0":  # Faker draws from sets in hash order (pii_recall.main)
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="qwen2.5-coder-1.5b-instruct", help="a bundled instruct model")
    parser.add_argument("--limit", type=int, default=0, help="read only the first N rows (a speed check)")
    parser.add_argument("--clean", type=int, default=0,
                        help="keep only N of the asked clean numbers, drawn at random (every phone and shape-only row stays)")
    parser.add_argument("--save", type=Path, help="write the scores here (.npy) too")
    args = parser.parse_args()
    started = time.monotonic()
    rows = [r for r in sweep.decided_rows() if r["kind"] != "lookalike"]
    rows = rows[:args.limit] if args.limit else rows
    if args.clean:
        asked_clean = [i for i, r in enumerate(rows) if r["asked"] and not r["label"] and not r["shape"]]
        dropped = set(np.random.default_rng(0).permutation(asked_clean)[args.clean:].tolist())
        rows = [r for i, r in enumerate(rows) if i not in dropped]
    y = np.array([r["label"] for r in rows], float)
    kind = np.array([r["kind"] for r in rows])
    asked, shape = np.array([r["asked"] for r in rows]), np.array([r["shape"] for r in rows])
    print(json.dumps({"rows": len(rows), "asked_phones": int((asked & (y == 1)).sum()),
                      "asked_clean": int((asked & (kind == "clean")).sum()),
                      "shape_phones": int((shape & (y == 1)).sum()), "shape_clean": int((shape & (kind == "clean")).sum())}),
          flush=True)
    score = Judge(args.model).scores([r["ctx"] for r in rows])
    if args.save:
        np.save(args.save, score)
    print(json.dumps({"model": args.model, "alone": ranked(score, y, kind, asked, shape),
                      "wall_s": round(time.monotonic() - started)}), flush=True)
    weight = np.ones(len(rows))
    hashed = training.matrix(rows)
    for name, x in (("hashed", hashed),
                    ("hashed+judge", scipy.sparse.hstack([hashed, scipy.sparse.csr_matrix(
                        ((score - score.mean()) / (score.std() + 1e-6))[:, None])]).tocsr())):
        p = sweep.left_out_probabilities(rows, x, y, weight)
        print(json.dumps({"fit": name, **sweep.figures(p, y, kind, asked, shape),
                          "alone_ranked": ranked(p, y, kind, asked, shape)}), flush=True)


if __name__ == "__main__":
    main()
