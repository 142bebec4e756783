"""Which depth of the context reader (context_reader.py) separates phones best? Figures on the read sets only.

    PYTHONHASHSEED=0 .venv/bin/python scripts/reader_depth_sweep.py   # ~25 min on 2 cores, 4 GB
    PYTHONHASHSEED=0 .venv/bin/python scripts/reader_depth_sweep.py --model qwen2.5-coder-0.5b-instruct \
        --depths 6 9 12 15 18 21 24   # another bundled model reads (a `distillery models prepare` name): 30 min

The numbers the phone context decides (those numbers.py asks it about, and those the rules call phones by their
shape alone, which it may veto) of every read set (the training script's rows, seed 11), read once by the whole
model; each depth's hidden states, pooled as the reader pools them (the clause's mean, the number's last token),
sit beside the hashed words in the training script's logistic model, fitted on these rows with one set left out
at a time. One JSON line per depth: per threshold, the left-out phones the rules missed that it catches, the clean
numbers and the phone-shaped lookalikes it flags; per veto, the shape-only phones it would lose and the shape-only
clean numbers it would keep. "hashed" is the words alone. The states are the layers' own outputs, before the
model's final norm (the reader, cut at its depth, reads after it): a sweep to rank depths, not the fitted model's
figures, which train_phone_context.py --reader writes (phone_context_reader.json "left_out").
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

import pii_recall  # noqa: E402
import train_phone_context as training  # noqa: E402

from tasks.sampling.pii import Scrubber  # noqa: E402
from tasks.sampling.pii.context_reader import READER, ContextReader  # noqa: E402
from tasks.sampling.pii.phone_context import META, scaled  # noqa: E402

DEPTHS = (6, 10, 15, 20, 25, 30)
THRESHOLDS = (0.5, 0.7, 0.8, 0.9, 0.95)
VETOES = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5)


def decided_rows() -> list[dict]:
    """The read sets' numbers the phone context decides: asked about, or a phone by its shape alone."""
    unread = json.loads(META.read_text())["never_read"]
    pii_recall.freeze_faker()
    rules = Scrubber(phone_context=False)._numbers
    rows = [r for name in pii_recall.SETS if name not in unread
            for r in training.examples(name, 400, 1200, 11, rules) if r["asked"] or r["shape"]]
    return [r for r in rows if r["label"] or r["kind"] in ("clean", "lookalike")]


def read_at_depths(rows: list[dict], depths: tuple[int, ...], model: str = READER) -> dict[int, np.ndarray]:
    """Each row's reading after each of `depths` layers, from one pass of the model's first max(depths) layers."""
    import torch

    from models.prepare import prepare

    reader = ContextReader(prepare(model).path, depth=max(depths))
    texts = [ContextReader.text(*r["ctx"]) for r in rows]
    order = np.argsort([len(t) for t, _ in texts], kind="stable")
    out = {d: np.zeros((len(rows), reader.width), np.float32) for d in depths}
    with torch.inference_mode():
        for b in range(0, len(order), 64):
            idx = order[b:b + 64]
            enc, at = reader.encode([texts[i] for i in idx])
            states = reader.model(**enc, output_hidden_states=True).hidden_states  # [0] is the embeddings
            for d in depths:
                out[d][idx] = reader.pool(states[d], enc["attention_mask"], at).numpy()
    return out


def left_out_probabilities(rows: list[dict], x, y: np.ndarray, weight: np.ndarray) -> np.ndarray:
    names = np.array([r["set"] for r in rows])
    p = np.zeros(len(rows))
    for name in dict.fromkeys(names):
        inside = names == name
        p[inside] = 1 / (1 + np.exp(-(x[inside] @ training.fit(x[~inside], y[~inside], weight[~inside], 4.0))))
    return p


def figures(p: np.ndarray, y: np.ndarray, kind: np.ndarray, asked: np.ndarray, shape: np.ndarray) -> dict:
    phone, clean, lookalike = y == 1, kind == "clean", kind == "lookalike"
    return {"caught_clean_lookalikes": {t: [int((asked & phone & (p >= t)).sum()), int((asked & clean & (p >= t)).sum()),
                                            int((asked & lookalike & (p >= t)).sum())] for t in THRESHOLDS},
            "veto_lost_kept": {v: [int((shape & phone & (p < v)).sum()), int((shape & clean & (p < v)).sum())]
                               for v in VETOES}}


def main() -> None:
    if os.environ.get("PYTHONHASHSEED") != "0":  # Faker draws from sets in hash order (pii_recall.main)
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=READER, help="a bundled model (models/registry.py) to read with")
    parser.add_argument("--depths", type=int, nargs="+", default=DEPTHS, help="layers to compare (at most the model's)")
    args = parser.parse_args()
    started = time.monotonic()
    rows = decided_rows()
    readings = read_at_depths(rows, tuple(args.depths), args.model)
    y = np.array([r["label"] for r in rows], float)
    kind = np.array([r["kind"] for r in rows])
    asked, shape = np.array([r["asked"] for r in rows]), np.array([r["shape"] for r in rows])
    weight = np.where(kind == "lookalike", 0.0, 1.0)  # as the training script's default --lookalike-weight 0
    hashed = training.matrix(rows)
    print(json.dumps({"rows": len(rows), "asked_phones": int((asked & (y == 1)).sum()),
                      "asked_clean": int((asked & (kind == "clean")).sum()),
                      "asked_lookalikes": int((asked & (kind == "lookalike")).sum()),
                      "shape_phones": int((shape & (y == 1)).sum()), "shape_clean": int((shape & (kind == "clean")).sum())}),
          flush=True)
    for depth in (None, *args.depths):
        x = hashed
        if depth:
            reading = readings[depth]
            x = scipy.sparse.hstack([hashed, scipy.sparse.csr_matrix(
                scaled(reading, reading.mean(0), reading.std(0) + 1e-6))]).tocsr()
        p = left_out_probabilities(rows, x, y, weight)
        print(json.dumps({"model": args.model if depth else None, "depth": depth or "hashed",
                          **figures(p, y, kind, asked, shape), "wall_s": round(time.monotonic() - started)}), flush=True)


if __name__ == "__main__":
    main()
