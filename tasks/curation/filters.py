"""Curation filters: each looks at one teacher answer (or a group of them) and names why it must go.

A filter returns None to keep the example, or a short reason. The order is the config's, and an
example is charged to the first filter that drops it, so the funnel adds up.
"""

import json
import re
from dataclasses import dataclass, field


@dataclass
class Example:
    prompt: dict            # a row of prompts.parquet
    samples: list[dict]     # its labels, sample_index ascending; samples[0] is the answer trained on
    schema: dict | None     # the route's JSON schema, when it has one
    languages: set[str] | None  # what the route serves (sampling.languages), None = unchecked
    notes: dict = field(default_factory=dict)  # scores worth keeping (consistency, judge)

    @property
    def answer(self) -> str:
        return self.samples[0]["text"]


def truncated(ex: Example, cfg) -> str | None:
    return "finish_reason=length: the answer was cut at max_tokens" if ex.samples[0]["finish_reason"] == "length" else None


def empty(ex: Example, cfg) -> str | None:
    return f"answer has {len(ex.answer.strip())} characters" if len(ex.answer.strip()) < max(cfg.min_answer_chars, 1) else None


def refusal(ex: Example, cfg) -> str | None:
    for pattern in cfg.refusal_patterns:
        m = re.search(pattern, ex.answer, re.IGNORECASE)
        if m:
            return f"refusal: {m.group(0)!r}"
    return None


def schema(ex: Example, cfg) -> str | None:
    if ex.schema is None:
        return None
    import jsonschema

    try:
        jsonschema.validate(json.loads(ex.answer), ex.schema)
    except json.JSONDecodeError as exc:
        return f"not JSON: {exc.msg}"
    except jsonschema.ValidationError as exc:
        where = "/".join(map(str, exc.absolute_path)) or "answer"
        return f"schema: {where}: {exc.message[:120]}"
    return None


def length(ex: Example, cfg) -> str | None:
    tokens = ex.samples[0]["completion_tokens"]
    if cfg.max_answer_tokens and tokens > cfg.max_answer_tokens:
        return f"{tokens} answer tokens > max_answer_tokens {cfg.max_answer_tokens}"
    ratio = len(ex.answer) / max(len(ex.prompt["user"]), 1)
    if ratio > cfg.max_answer_to_prompt_ratio:
        return f"answer is {ratio:.1f}x the prompt's length > {cfg.max_answer_to_prompt_ratio:g}"
    return None


def language(ex: Example, cfg, detector=None) -> str | None:
    """A free-text answer must be in a language its route serves (JSON answers carry values, not prose)."""
    if ex.schema is not None or not ex.languages or detector is None:
        return None
    reason = detector.reasons([ex.prompt["route"]], [ex.answer])[0]
    return f"answer {reason.replace(':', ' is ')}, route serves {sorted(ex.languages)}" if reason else None


def consistency(ex: Example, cfg) -> str | None:
    """With n > 1 samples: field-wise agreement (JSON) or chrF similarity (text) of each sample to the first."""
    if len(ex.samples) < 2:
        return None
    first = ex.samples[0]["text"]
    others = [s["text"] for s in ex.samples[1:]]
    score = json_agreement(first, others) if ex.schema is not None else text_agreement(first, others)
    ex.notes["consistency"] = round(score, 3)
    return f"self-consistency {score:.2f} < {cfg.min_consistency:g}" if score < cfg.min_consistency else None


def json_agreement(first: str, others: list[str]) -> float:
    try:
        a = json.loads(first)
    except json.JSONDecodeError:
        return 0.0
    if not isinstance(a, dict) or not a:
        return 0.0
    scores = []
    for text in others:
        try:
            b = json.loads(text)
        except json.JSONDecodeError:
            scores.append(0.0)
            continue
        b = b if isinstance(b, dict) else {}
        scores.append(sum(a[k] == b.get(k) for k in a) / len(a))
    return sum(scores) / len(scores)


def text_agreement(first: str, others: list[str]) -> float:
    from sacrebleu.metrics import CHRF

    chrf = CHRF()
    return sum(chrf.sentence_score(o, [first]).score for o in others) / len(others) / 100


PER_EXAMPLE = {"truncated": truncated, "empty": empty, "refusal": refusal, "schema": schema, "length": length,
               "language": language, "consistency": consistency}


def contradictions(examples: list[Example], fields: dict[str, list[str]], threshold: float) -> dict[int, str]:
    """Near-duplicate prompts (same route) whose JSON answers disagree on a compared field: all of them go,
    since the student cannot learn two answers to one question. Returns index -> reason."""
    import numpy as np

    from distillery.text import dedup
    from distillery.text.textnorm import normalize

    candidates = [i for i, ex in enumerate(examples) if ex.schema is not None]
    if len(candidates) < 2:
        return {}
    routes = sorted({examples[i].prompt["route"] for i in candidates})
    groups = np.array([routes.index(examples[i].prompt["route"]) for i in candidates], dtype=np.int64)
    docs = dedup.shingle_docs([normalize(examples[i].prompt["user"]) for i in candidates])
    out: dict[int, str] = {}
    for a, b, similarity in dedup.near_duplicate_pairs(docs, groups, threshold, bands=32):
        ea, eb = examples[candidates[a]], examples[candidates[b]]
        compared = fields.get(ea.prompt["route"]) or enum_fields(ea.schema)
        try:
            ja, jb = json.loads(ea.answer), json.loads(eb.answer)
        except json.JSONDecodeError:
            continue
        differing = [f for f in compared if isinstance(ja, dict) and isinstance(jb, dict) and ja.get(f) != jb.get(f)]
        if differing:
            for mine, other in ((candidates[a], eb), (candidates[b], ea)):
                out.setdefault(mine, f"contradicts {other.prompt['prompt_id']} (prompt similarity {similarity:.2f}) on {', '.join(differing)}")
    return out


def enum_fields(schema: dict) -> list[str]:
    return [name for name, spec in schema.get("properties", {}).items() if "enum" in spec]
