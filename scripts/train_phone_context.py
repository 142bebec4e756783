"""Train the phone context model (tasks/sampling/pii/phone_context.py) on the PII benchmark's read sets.

    PYTHONHASHSEED=0 .venv/bin/python scripts/train_phone_context.py --unread blind31 --unread blind32 \
        --unread blind33 --unread blind34 --unread blind35   # 4-6 min on 2 cores
    ... --reader   # the model that also reads with a small language model (context_reader.py): ~30 min, 8 GB

Without --unread, the sets phone_context.json lists as never read stay unread.

Examples: every digit run the scrubber's candidate scan finds in each set's texts (filled with Faker, seed 11; the
benchmark scores with seed 7), labelled 1 where it is the planted phone number and 0 where it is any other number
of a phone text or a clean text; the planted values of the other kinds (ids, cards) are left out (scrubbing them
as a phone is no harm). The unread sets (--unread) are never read: their figures must stay an honest measure.

Then, for each read set in turn, a model trained on all the others scores that set: how many of its phones the
rules missed does it catch, how many of the clean numbers no rule claims does it flag, and how many of their
phone-shaped lookalikes, per threshold (phones and lookalikes counted where numbers.py would ask it). The threshold
kept is the lowest that flags at most --max-clean-rate of those clean numbers and --max-lookalike-rate of the
lookalikes it is asked about. The same left-out models also score the numbers the rules call phones by their
shape alone (numbers.Numbers.shape_only): the veto kept is the highest probability, up to --max-veto, below which
at most --max-veto-loss of those shape-only phones would be lost. Last, the model is fitted
on every read set and written beside phone_context.py with that threshold and the left-out table.

A hashed logistic regression fitted with scipy's L-BFGS: scipy is a dependency already and the fit is ten lines.
"""

import argparse
import json
import os
import random
import re
import sys
import time
from pathlib import Path

import numpy as np
import scipy.optimize
import scipy.sparse

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import pii_recall  # noqa: E402
from faker import Faker  # noqa: E402

from tasks.sampling.pii import Scrubber, context  # noqa: E402
from tasks.sampling.pii import numbers as numbers_module  # noqa: E402
from tasks.sampling.pii.context_reader import DEPTH, READER, ContextReader  # noqa: E402
from tasks.sampling.pii.phone_context import META, READER_META, READER_WEIGHTS, WEIGHTS, features, hashed, scaled  # noqa: E402

DIM = 1 << 16
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
VETOES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5)
KINDS = {"phone": 1.0, "card": 0.25, "national_id": 0.25, "national_id_unlabelled": 0.25, "iban": 0.25, "person": 0.25}


def examples(name: str, per_kind: int, clean: int, seed: int, rules) -> list[dict]:
    """One set's digit runs with their context, label and what the rules alone made of them."""
    templates, labels, clean_templates, clean_fill = pii_recall.SETS[name]
    random.seed(seed)  # Faker's es_MX CURP draws from the global one
    rng = random.Random(seed)
    Faker.seed(seed)
    fakes = {loc: Faker(loc) for loc in pii_recall.LOCALES}
    out: list[dict] = []
    for kind, share in KINDS.items():
        for i in range(int(per_kind * share)):
            locale = pii_recall.LOCALES[i % len(pii_recall.LOCALES)]
            fake = fakes[locale]
            template = rng.choice(templates[kind])
            value, _ = pii_recall.planted(kind, fakes, locale, rng, heldout=name != "original")
            text = pii_recall.filled(template, kind, value, fake, labels[locale], rng)
            at = text.find(value) if kind != "person" else -1
            out += _runs(name, kind, text, (at, at + len(value)) if at >= 0 else None, rules)
    fakes_cycle = [fakes[loc] for loc in pii_recall.LOCALES]
    for i in range(clean):
        fake = fakes_cycle[i % len(fakes_cycle)]
        text = (clean_fill or pii_recall.fill_clean)(rng.choice(clean_templates), fake, rng)
        out += _runs(name, "clean", text, None, rules)
        # The same business text with its numbers replaced by a phone number's digits: the hardest lookalike. Kept
        # out of the fit by default (--lookalike-weight 0: weighted in, it took the gain with it, docs/facts.md
        # "PII: a learned phone context"), always scored in the left-out table: what the model costs.
        lookalike = numbers_module._CANDIDATE.sub(lambda m, f=fake: _phone_shaped(m.group(0), f, rng), text)
        out += _runs(name, "lookalike", lookalike, None, rules)
    return out


def _phone_shaped(value: str, fake: Faker, rng: random.Random) -> str:
    if value[0].isalpha() or len(re.sub(r"\D", "", value)) < 5:
        return value
    return re.sub(r"\D", "", fake.phone_number().split("x")[0])


def _runs(name: str, kind: str, text: str, planted: tuple[int, int] | None, rules) -> list[dict]:
    out = []
    for m in numbers_module._CANDIDATE.finditer(text):
        value, start, end = m.group(0), m.start(), m.end()
        if value[0].isalpha():
            continue  # an IBAN's shape: not a phone candidate
        is_planted = planted is not None and start < planted[1] and end > planted[0]
        if is_planted and kind != "phone":
            continue
        head, tail = context.clause(text, start, end)
        reference, quantity = context.reference_before(head), context.amount(head, tail)
        cues = context.cues_around(text, start, end)
        x = features(value, head, tail, cues, reference, quantity)
        # what numbers.py would ask the model about: a run no rule claimed, not a reference's, an amount or a record's
        verdict = rules._kind(value, text, start, [])
        unclaimed = verdict is None
        asked = unclaimed and not (reference or quantity) and rules.may_ask(value, text, head, tail)
        # ... and what it may veto: a phone by its shape alone
        shape = verdict == "phone" and rules.shape_only(value, text, start, end, [])
        out.append({"set": name, "kind": kind, "label": int(is_planted), "x": x, "asked": asked, "unclaimed": unclaimed,
                    "shape": shape, "ctx": (value, head, tail, cues)})  # ctx: what --reader reads
    return out


def matrix(rows: list[dict]) -> scipy.sparse.csr_matrix:
    data, indices, indptr = [], [], [0]
    for r in rows:
        for k, v in hashed(r["x"], DIM).items():
            indices.append(k)
            data.append(v)
        indptr.append(len(indices))
    return scipy.sparse.csr_matrix((data, indices, indptr), shape=(len(rows), DIM))


def fit(x, y: np.ndarray, weight: np.ndarray, c: float) -> np.ndarray:
    """L2-regularised logistic regression (inverse strength c), each example counted `weight` times."""
    def loss(w):
        z = x @ w
        return (np.sum(weight * (np.logaddexp(0, z) - y * z)) + 0.5 / c * w @ w,
                x.T @ (weight * (1 / (1 + np.exp(-z)) - y)) + w / c)
    return scipy.optimize.minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 300}).x


def left_out(rows: list[dict], x, y: np.ndarray, weight: np.ndarray, c: float) -> dict:
    """Per threshold: the phones the rules missed that a model trained without their set catches (of those it is
    asked about), the clean numbers the rules left alone that it flags (of all of them: the business numbers at
    risk), and the phone-shaped lookalikes it flags (of those it is asked about), summed over the sets."""
    table = {t: {"missed_phones": 0, "caught": 0, "clean_numbers": 0, "flagged": 0, "lookalikes": 0,
                 "lookalikes_flagged": 0} for t in THRESHOLDS}
    vetoes = {v: {"phones": 0, "shape_phones": 0, "lost": 0, "shape_clean": 0, "kept": 0, "shape_lookalikes": 0,
                  "lookalikes_kept": 0} for v in VETOES}
    names = np.array([r["set"] for r in rows])
    for name in dict.fromkeys(names):
        inside = names == name
        p = 1 / (1 + np.exp(-(x[inside] @ fit(x[~inside], y[~inside], weight[~inside], c))))
        for r, pi in zip((r for r, i in zip(rows, inside) if i), p):
            for v, row in vetoes.items():  # the phones its veto would lose, the business numbers it would keep
                row["phones"] += r["label"]
                if r["shape"]:
                    key = "phones" if r["label"] else "clean" if r["kind"] == "clean" else "lookalikes" \
                        if r["kind"] == "lookalike" else None
                    if key:
                        row[f"shape_{key}"] += 1
                        row[{"phones": "lost", "clean": "kept", "lookalikes": "lookalikes_kept"}[key]] += int(pi < v)
            for t, row in table.items():
                if r["kind"] == "clean" and r["unclaimed"]:
                    row["clean_numbers"] += 1
                    row["flagged"] += int(r["asked"] and pi >= t)
                if not r["asked"]:
                    continue
                if r["label"]:
                    row["missed_phones"] += 1
                    row["caught"] += int(pi >= t)
                elif r["kind"] == "lookalike":
                    row["lookalikes"] += 1
                    row["lookalikes_flagged"] += int(pi >= t)
        print(f"left out {name}", file=sys.stderr, flush=True)
    return {str(t): row for t, row in table.items()}, {str(v): row for v, row in vetoes.items()}


def choose_veto(vetoes: dict, max_loss: float, cap: float) -> float | None:
    """The highest veto up to `cap` (the most business numbers kept) whose left-out figures lose at most `max_loss`
    of the shape-only phones (the only ones it can touch); None (no veto) when even the lowest loses more."""
    fine = [float(v) for v, row in vetoes.items() if row["lost"] <= max_loss * row["shape_phones"] and float(v) <= cap]
    return max(fine) if fine else None


def choose_threshold(table: dict, max_clean_rate: float, max_lookalike_rate: float) -> float:
    """The lowest threshold (the most phones caught) whose left-out figures stay inside both bounds: at most
    `max_clean_rate` of the clean numbers no rule claims flagged, and `max_lookalike_rate` of the lookalikes asked.
    None inside them: no model is written, and the message says the best each threshold reached."""
    fine = [float(t) for t, row in table.items() if row["flagged"] <= max_clean_rate * row["clean_numbers"]
            and row["lookalikes_flagged"] <= max_lookalike_rate * row["lookalikes"]]
    if not fine:
        rates = "; ".join(f"{t}: clean {row['flagged']}/{row['clean_numbers']}, lookalikes "
                          f"{row['lookalikes_flagged']}/{row['lookalikes']}" for t, row in table.items())
        raise SystemExit(f"no threshold keeps the left-out clean numbers within {max_clean_rate} and the lookalikes "
                         f"within {max_lookalike_rate} ({rates}): the model is not written; loosen a bound with "
                         "--max-clean-rate / --max-lookalike-rate, or add training text")
    return min(fine)


def main() -> None:
    if os.environ.get("PYTHONHASHSEED") != "0":  # Faker draws from sets in hash order (pii_recall.main)
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--unread", action="append", default=None,
                        help="a set never to train on (repeatable; default: phone_context.json's never_read)")
    parser.add_argument("--per-kind", type=int, default=400, help="phone texts per set (other kinds: a quarter)")
    parser.add_argument("--clean", type=int, default=1200, help="clean texts per set")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--c", type=float, default=4.0, help="inverse L2 strength")
    parser.add_argument("--max-clean-rate", type=float, default=0.002,
                        help="at most this share of the clean numbers no rule claims may be flagged (left out)")
    # 0.025, not 0.02 (2026-12-05, blind 20 read): with blind 20 in the fit, 0.8 flagged 2.15% of the lookalikes and
    # 12 of 27,461 clean numbers left out, 0.9 0.96% and 9, while catching 40 of the rules' 99 missed phones
    # against 63; the lookalikes are the synthetic worst case (a business text's numbers swapped for phone digits),
    # the clean numbers the real one, and a missed phone leaks: docs/facts.md "PII: blind 20 read, blind 21 unread"
    # 0.03, not 0.025 (2026-12-05, blind 23 read): with it in the fit, 0.8 flagged 2.79% of the lookalikes and 12 of
    # 28,989 clean numbers left out, 0.9 1.31% and 9, while catching 85 of the rules' 140 missed phones against 64.
    # Chosen after blind 24's and 25's figures with 0.9 were seen: docs/facts.md "PII: blind 23 read, blind 25 unread"
    parser.add_argument("--max-lookalike-rate", type=float, default=0.03,
                        help="at most this share of the phone-shaped lookalikes it is asked about may be flagged")
    parser.add_argument("--max-veto-loss", type=float, default=0.0,
                        help="at most this share of the shape-only planted phones (left out) may be lost to the veto")
    # The planted phones nearly all come with a phone word; a review's notes without one ("Plumber: 415-555-0132,
    # cheap and quick.", "Gardener 0171 2345678 does hedges too.") score 0.19-0.30, the records the veto is for
    # ("tracked in 65 12 39 75 56", "lease 299-425-8564") 0.04-0.15: the cap keeps the veto below the first.
    parser.add_argument("--max-veto", type=float, default=0.1, help="the veto never exceeds this probability")
    parser.add_argument("--lookalike-weight", type=float, default=0.0,
                        help="how much a business text with phone-shaped numbers counts against a phone text")
    parser.add_argument("--reader", action="store_true",
                        help=f"fit the model that also reads with {READER} (context_reader.py; ~30 min on 2 cores), "
                             "written to phone_context_reader.npz/.json")
    args = parser.parse_args()
    unread = args.unread or json.loads(META.read_text())["never_read"]  # an unread set never slips into the fit
    started = time.monotonic()
    pii_recall.freeze_faker()
    rules = Scrubber(phone_context=False)._numbers
    rows = [r for name in pii_recall.SETS if name not in unread
            for r in examples(name, args.per_kind, args.clean, args.seed, rules)]
    x, y = matrix(rows), np.array([r["label"] for r in rows], float)
    if args.reader:  # the reader's vector beside the hashed words, standardised over these rows
        reading = ContextReader.bundled().read_many([r["ctx"] for r in rows], progress=True)
        mean, std = reading.mean(0), reading.std(0) + 1e-6
        x = scipy.sparse.hstack([x, scipy.sparse.csr_matrix(scaled(reading, mean, std))]).tocsr()
    weight = np.array([args.lookalike_weight if r["kind"] == "lookalike" else 1.0 for r in rows])
    print(f"{len(rows)} numbers, {int(y.sum())} phones, from {len(pii_recall.SETS) - len(unread)} sets", file=sys.stderr)
    table, vetoes = left_out(rows, x, y, weight, args.c)
    threshold = choose_threshold(table, args.max_clean_rate, args.max_lookalike_rate)
    veto = choose_veto(vetoes, args.max_veto_loss, args.max_veto)
    w = fit(x, y, weight, args.c)
    if args.reader:
        np.savez(READER_WEIGHTS, hashed=w[:DIM].astype(np.float16), dense=w[DIM:].astype(np.float32),
                 mean=mean.astype(np.float32), std=std.astype(np.float32))
    else:
        np.save(WEIGHTS, w.astype(np.float16))
    (READER_META if args.reader else META).write_text(json.dumps({
        "dim": DIM, "threshold": threshold, "c": args.c, "seed": args.seed, "per_kind": args.per_kind,
        "clean": args.clean, "trained_on": [n for n in pii_recall.SETS if n not in unread], "never_read": unread,
        "numbers": len(rows), "phones": int(y.sum()), "max_clean_rate": args.max_clean_rate,
        "max_lookalike_rate": args.max_lookalike_rate,
        "lookalike_weight": args.lookalike_weight, "left_out": table,
        "veto": veto, "max_veto_loss": args.max_veto_loss, "max_veto": args.max_veto, "veto_left_out": vetoes,
        **({"reader": READER, "reader_depth": DEPTH} if args.reader else {}),
        "command": "PYTHONHASHSEED=0 .venv/bin/python scripts/train_phone_context.py"
                   + "".join(f" --unread {u}" for u in unread) + (" --reader" if args.reader else "")}, indent=1) + "\n")
    print(json.dumps({"threshold": threshold, "left_out": table[str(threshold)], "veto": veto, "veto_left_out": vetoes,
                      "wall_s": round(time.monotonic() - started)}))


if __name__ == "__main__":
    main()
