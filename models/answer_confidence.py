"""How sure a model was of a JSON answer's values: the probability of the first token of each field's value, read
from the answer's logprobs. The evaluation reads it (where the teacher was sure, where the student is) and so does
the router that serves a route with deferral (models/router.py): one reading, so the router defers exactly where the
gate measured it would.

The first token is the one that carries the choice (a category's first word piece, a total's first digit); the
quote a schema forces before a string value says nothing and is skipped. Hand-written: the logprobs are a token
stream, and no JSON parser says which token opened which value.
"""

import json
import math
import re

_KEY_ENDS = re.compile(r'"([^"\\]+)"\s*:\s*"?$')  # the text so far ends at a key, its colon and a value's opening quote


def field_confidences(logprobs: str | None, fields: list[str]) -> dict[str, float]:
    """The probability of the first token of each listed top-level field's value, from a label's logprobs
    (JSON [[token, logprob, alternatives], ...], models.client_pool.Completion); fields it never reaches are absent."""
    if not logprobs:
        return {}
    wanted, out, pending, text = set(fields), {}, None, ""
    for token, logprob, *_ in json.loads(logprobs):
        if pending is None:
            key = _KEY_ENDS.search(text)
            if key and key.group(1) in wanted and key.group(1) not in out:
                pending = key.group(1)
        if pending is not None and token.strip() not in ("", '"'):
            out[pending] = math.exp(logprob)
            pending = None
        text += token
    return out


def is_sure(confidence: dict[str, float], fields: list[str], threshold: float) -> bool:
    """Sure of the whole answer: every listed field's value at least `threshold`; a field never reached counts as 0."""
    return bool(fields) and all(confidence.get(f, 0.0) >= threshold for f in fields)
