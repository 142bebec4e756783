"""A learned second opinion on phone numbers: a logistic model over the words around a number.

The cue words in phones.py are lists: each new kind of text brings its own way of saying "call me", and a list
holds only the ways already read. On three blind sets in a row that nobody had read, the lists left 4-5% of phone
numbers (docs/facts.md "PII: a learned phone context"). This model reads what the lists cannot enumerate: the
words and word pieces (character 3- to 5-grams, so "telefonszám" shares "telef" with "Telefon") before and after
the number, the words of its question or column header (context.cues_around), and the number's own shape (digit
count, groups, separators, a leading 0 or +).

It is asked last, only about a 7- to 15-digit run that every rule left alone and that no reference label, currency
or unit claims (numbers.py), and it scrubs it as a phone when its probability reaches the threshold stored with
the weights. It is asked once more about a number the rules call a phone by its shape alone (415-555-0132, 06 12
34 56 78, with no word that says phone, no owner, not written with +): below the veto stored with the weights, the
words around it say a record's ("Arıza kaydı 863-637-4327", "tracked in 65 12 39 75 56"), and it stays. The veto is
the highest that lost none of the shape-only phones of a set left out, capped at 0.1: a review's tradesmen's notes
without a phone word ("Plumber: 415-555-0132, cheap and quick.") score 0.19-0.30 (phone_context.json
"veto_left_out" has the table). The threshold was chosen by leaving one benchmark set out at a time too (the model
trained on the others caught half of that set's remaining phone misses, at 0.1% of its clean numbers), before any
figure of the unread set was taken. scripts/train_phone_context.py trains it on the benchmark's read sets, never on
the unread one.

With `sampling.pii.context_reader` set, the same logistic model also weighs a small language model's reading of the
number's clause (context_reader.py), fitted with it (`train_phone_context.py --reader`, phone_context_reader.npz): the
hashed words know the words they were trained on, the reader places words they never saw ("Falla figure", "Wrist
swollen again"). It has its own threshold and veto, chosen the same way.

Hand-written features and a hashed linear model, not scikit-learn: the model is 65,536 weights and a dot product,
and the training script fits it with scipy's L-BFGS (scipy is already a dependency; scikit-learn is not).
"""

import json
import re
import unicodedata
import zlib
from functools import lru_cache
from pathlib import Path

import numpy as np

WEIGHTS = Path(__file__).with_name("phone_context.npy")  # float16, one per hashed feature
META = Path(__file__).with_name("phone_context.json")    # dim, threshold, what it was trained on, how it was chosen
# The same model with a language model's reading of the context beside the hashed words (context_reader.py):
# "hashed" and "dense" weights and the reader's per-column mean and std over the training rows; its own threshold/veto.
READER_WEIGHTS = Path(__file__).with_name("phone_context_reader.npz")
READER_META = Path(__file__).with_name("phone_context_reader.json")
_TOKEN = re.compile(r"[^\W\d_]+|[^\w\s]")  # words and punctuation; digits say nothing the shape does not


def features(value: str, head: str, tail: str, cues: str, reference: bool, quantity: bool) -> list[str]:
    """The number's shape and the words around it (head: its clause before it, tail: after it; context.clause)."""
    groups = re.findall(r"\d+", value)
    digits = sum(map(len, groups))
    lead = next((p for p in ("+", "00", "0", "(") if value.startswith(p)), "d")
    out = [f"len:{digits}", f"ng:{min(len(groups), 6)}", "grp:" + "-".join(str(len(g)) for g in groups[:6]),
           "sep:" + "".join(sorted(set(re.sub(r"\d", "", value)))), f"lead:{lead}", f"lead_len:{lead}{digits}",
           f"first:{len(groups[0]) if groups else 0}", f"ref:{reference}", f"qty:{quantity}", "bias"]
    before, after, around = _words(head)[-8:], _words(tail)[:5], _words(cues)[-10:]
    out += ["hw:" + w for w in before] + ["tw:" + w for w in after] + ["cw:" + w for w in around]
    out += [f"h{i}:{w}" for i, w in enumerate(reversed(before[-3:]))] + [f"t{i}:{w}" for i, w in enumerate(after[:2])]
    out += [] if before else ["h:empty"]
    out += [] if after else ["t:empty"]
    near_before, near_after = _fold(head)[-24:], _fold(tail)[:16]
    for n in (3, 4, 5):
        out += ["hc:" + near_before[i:i + n] for i in range(len(near_before) - n + 1)]
        out += ["tc:" + near_after[i:i + n] for i in range(len(near_after) - n + 1)]
    return out


def hashed(names: list[str], dim: int) -> dict[int, float]:
    """Feature names -> {index: value}, L2-normalised; crc32, not hash(): the same index in every process."""
    counts: dict[int, float] = {}
    for name in names:
        index = zlib.crc32(name.encode("utf-8", "surrogatepass")) & (dim - 1)  # a lone surrogate is text too
        counts[index] = counts.get(index, 0.0) + 1.0
    norm = sum(v * v for v in counts.values()) ** -0.5
    return {k: v * norm for k, v in counts.items()}


def scaled(reading: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """A reader's vector (or rows of them) standardised per column, to about the hashed features' norm of 1."""
    return (reading - mean) / std / np.sqrt(reading.shape[-1])


class PhoneContext:
    def __init__(self, weights: np.ndarray, threshold: float, veto: float | None = None, reader=None,
                 reader_weights: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None):
        """`reader` (a ContextReader) and `reader_weights` (its weights, mean and std) come together or not at all."""
        self.weights, self.threshold, self.veto = weights.astype(np.float32), threshold, veto
        self.dim = len(weights)
        self.reader, self.reader_weights = reader, reader_weights

    @classmethod
    @lru_cache(maxsize=1)
    def bundled(cls) -> "PhoneContext":
        """The weights shipped beside this file (loaded once per process)."""
        meta = json.loads(META.read_text())
        return cls(np.load(WEIGHTS), meta["threshold"], meta.get("veto"))

    @classmethod
    @lru_cache(maxsize=1)
    def bundled_with_reader(cls) -> "PhoneContext":
        """The weights fitted with the bundled context reader, and that reader (prepared on first use)."""
        from tasks.sampling.pii.context_reader import DEPTH, ContextReader

        meta, arrays = json.loads(READER_META.read_text()), np.load(READER_WEIGHTS)
        if meta.get("reader_depth") != DEPTH:  # weights for another depth's numbers would score noise, silently
            raise ValueError(f"{READER_META.name} was fitted on the reader's first {meta.get('reader_depth')} layers, "
                             f"the reader reads {DEPTH}: refit it with `scripts/train_phone_context.py --reader`")
        return cls(arrays["hashed"], meta["threshold"], meta.get("veto"), ContextReader.bundled(),
                   (arrays["dense"].astype(np.float32), arrays["mean"], arrays["std"]))

    def probability(self, value: str, head: str, tail: str, cues: str, reference: bool = False,
                    quantity: bool = False) -> float:
        x = hashed(features(value, head, tail, cues, reference, quantity), self.dim)
        z = sum(float(self.weights[k]) * v for k, v in x.items())
        if self.reader is not None:
            dense, mean, std = self.reader_weights
            z += float(dense @ scaled(self.reader.read(value, head, tail, cues), mean, std))
        return 1.0 / (1.0 + np.exp(-z))

    def is_phone(self, value: str, head: str, tail: str, cues: str) -> bool:
        return self.probability(value, head, tail, cues) >= self.threshold

    def rules_out(self, value: str, head: str, tail: str, cues: str) -> bool:
        """A number only its shape calls a phone, whose words make a phone this unlikely (below the veto stored
        with the weights), is a record's: "Arıza kaydı 863-637-4327", "lease 299-425-8564"."""
        return self.veto is not None and self.probability(value, head, tail, cues) < self.veto


def _fold(text: str) -> str:
    """Lower case without accents: "Téléphone" and "telephone" are one feature."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def _words(text: str) -> list[str]:
    return _TOKEN.findall(_fold(text))
