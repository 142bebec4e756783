"""Does fine-tuning the context reader (LoRA) separate phones from business numbers better than reading frozen?
Figures on the read sets only; a trial, not the product's reader.

    PYTHONHASHSEED=0 .venv/bin/python scripts/reader_tune_trial.py   # ~28 min on 2 cores

The numbers the phone context decides (reader_depth_sweep.decided_rows: asked about, or a phone by its shape alone)
are split by set: every third read set is held out whole, so no held-out set's templates are seen in training. The
reader's first DEPTH layers get LoRA adapters (peft) and a linear head on its pooled reading (the clause's mean, the
number's last token), trained with binary cross-entropy on the other sets' phones and clean numbers (the lookalikes
weigh 0, as in train_phone_context.py). Then every row is read frozen and tuned, and four models score the held-out
sets: the training script's logistic model on the hashed words alone, beside the frozen reading, beside the tuned
reading, and the tuned head alone. One JSON line per model, in reader_depth_sweep.figures' form: per threshold, the
held-out phones asked about that it catches, clean numbers and lookalikes it flags; per veto, the shape-only phones
it would lose and shape-only clean numbers it would keep. Findings: docs/facts.md "PII: a fine-tuned reader (trial)".
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

from tasks.sampling.pii.context_reader import READER, ContextReader  # noqa: E402
from tasks.sampling.pii.phone_context import scaled  # noqa: E402

LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


class Tunable:
    """The bundled reader with LoRA adapters and a linear head on its pooled reading."""

    def __init__(self, rank: int):
        import torch
        from peft import LoraConfig, get_peft_model

        from models.prepare import prepare

        self.torch = torch
        torch.manual_seed(0)  # the adapters' and the head's first weights, then the dropout while training
        self.reader = ContextReader(prepare(READER).path)
        self.model = get_peft_model(self.reader.model, LoraConfig(r=rank, lora_alpha=2 * rank, lora_dropout=0.05,
                                                                  target_modules=LORA_TARGETS))
        self.head = torch.nn.Linear(self.reader.width, 1)

    def pooled(self, texts: list[tuple[str, int]]):
        """The reader's reading of a batch (ContextReader.encode and .pool) through the adapters, as a tensor."""
        enc, at = self.reader.encode(texts)
        return self.reader.pool(self.model(**enc).last_hidden_state, enc["attention_mask"], at)

    def read_all(self, contexts: list[tuple[str, str, str, str]]) -> np.ndarray:
        """The product's read_many: peft put the adapters inside the reader's own layers, so it reads through them
        (or not, under self.model.disable_adapter())."""
        self.model.eval()  # no adapter dropout while reading
        return self.reader.read_many(contexts)

    def train(self, texts: list[tuple[str, int]], y: np.ndarray, mean: np.ndarray, std: np.ndarray, epochs: int,
              lr: float, batch: int, started: float) -> None:
        """AdamW, linear warm-up over 30 steps and decay to 0; the head's input standardised by the frozen reading's
        mean and std (as the logistic model's is)."""
        torch = self.torch
        mu, sd = torch.tensor(mean), torch.tensor(std)
        adapters = [p for p in self.model.parameters() if p.requires_grad]
        opt = torch.optim.AdamW([{"params": adapters, "lr": lr}, {"params": self.head.parameters(), "lr": 1e-3}],
                                weight_decay=0.01)
        steps = epochs * (len(texts) // batch)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 30) * max(0.0, 1 - s / steps))
        rng, step, total = np.random.default_rng(0), 0, 0.0
        for _ in range(epochs):
            self.model.train()
            perm = rng.permutation(len(texts))
            for b in range(0, len(perm) - batch + 1, batch):
                idx = perm[b:b + batch]
                logit = self.head((self.pooled([texts[i] for i in idx]) - mu) / sd).squeeze(1)
                loss = torch.nn.functional.binary_cross_entropy_with_logits(logit, torch.tensor(y[idx], dtype=torch.float32))
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
                step, total = step + 1, total + loss.item()
                if step % 50 == 0:
                    print(f"tune: step {step}/{steps}, loss {total / 50:.4f}, {time.monotonic() - started:.0f} s",
                          file=sys.stderr, flush=True)
                    total = 0.0

    def head_probability(self, reading: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
        torch = self.torch
        with torch.no_grad():
            return torch.sigmoid(self.head(torch.tensor((reading - mean) / std)).squeeze(1)).numpy()


def main() -> None:
    if os.environ.get("PYTHONHASHSEED") != "0":  # Faker draws from sets in hash order (pii_recall.main)
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--batch", type=int, default=16)
    args = parser.parse_args()
    started = time.monotonic()
    rows = sweep.decided_rows()
    sets = list(dict.fromkeys(r["set"] for r in rows))
    held = set(sets[1::3])
    y = np.array([r["label"] for r in rows], float)
    kind, asked, shape = (np.array([r[k] for r in rows]) for k in ("kind", "asked", "shape"))
    held_out = np.array([r["set"] in held for r in rows])
    weight = np.where(kind == "lookalike", 0.0, 1.0)
    print(json.dumps({"held_out": sorted(held), "rows": len(rows), "held_out_rows": int(held_out.sum()),
                      **{f"held_out_{k}": int((held_out & m).sum()) for k, m in (
                          ("asked_phones", asked & (y == 1)), ("asked_clean", asked & (kind == "clean")),
                          ("asked_lookalikes", asked & (kind == "lookalike")), ("shape_phones", shape & (y == 1)),
                          ("shape_clean", shape & (kind == "clean")))}}), flush=True)
    tunable = Tunable(args.rank)
    texts = [ContextReader.text(*r["ctx"]) for r in rows]
    contexts = [r["ctx"] for r in rows]
    with tunable.model.disable_adapter():
        frozen = tunable.read_all(contexts)
    mean, std = frozen[~held_out].mean(0), frozen[~held_out].std(0) + 1e-6
    train = np.where(~held_out & (weight > 0))[0]
    tunable.train([texts[i] for i in train], y[train], mean, std, args.epochs, args.lr, args.batch, started)
    tuned = tunable.read_all(contexts)
    hashed = training.matrix(rows)

    def logistic(reading: np.ndarray | None) -> np.ndarray:
        """The training script's model fitted on the other sets, its probability on the held-out ones."""
        x = hashed
        if reading is not None:
            x = scipy.sparse.hstack([hashed, scipy.sparse.csr_matrix(scaled(
                reading, reading[~held_out].mean(0), reading[~held_out].std(0) + 1e-6))]).tocsr()
        w = training.fit(x[~held_out], y[~held_out], weight[~held_out], 4.0)
        return 1 / (1 + np.exp(-(x[held_out] @ w)))

    models = {"hashed": logistic(None), "frozen": logistic(frozen), "tuned": logistic(tuned),
              "tuned_head": tunable.head_probability(tuned, mean, std)[held_out]}
    for name, p in models.items():
        print(json.dumps({"model": name, **sweep.figures(p, y[held_out], kind[held_out], asked[held_out], shape[held_out]),
                          "wall_s": round(time.monotonic() - started)}), flush=True)


if __name__ == "__main__":
    main()
