"""Per-item quality metrics of one answer against the teacher's, on a route's own terms.

JSON routes (a schema in teacher.routes.<route>.json_schema): is the answer valid against the schema,
and which top-level fields equal the teacher's. Free-text routes: chrF (sacrebleu) against the
teacher's answer, on a 0-1 scale so every metric reads as a fraction.
"""

from distillery.routes import parse_json


def field_matches(answer: str, reference: str, fields: list[str]) -> dict[str, bool]:
    """Exact match per field; an unparseable answer matches nothing."""
    a, r = parse_json(answer), parse_json(reference)
    a = a if isinstance(a, dict) else {}
    r = r if isinstance(r, dict) else {}
    return {f: f in a and f in r and _norm(a[f]) == _norm(r[f]) for f in fields}


def agreement(matches: dict[str, bool]) -> float:
    return sum(matches.values()) / len(matches) if matches else 0.0


def chrf(answer: str, reference: str) -> float:
    """Character n-gram F-score, 0-1: robust to the small rewordings free text always has."""
    from sacrebleu.metrics import CHRF

    return CHRF().sentence_score(answer or "", [reference or ""]).score / 100.0


def _norm(value):
    # "Billing" and "billing " are the same label; numbers and lists compare as they are.
    return value.strip().lower() if isinstance(value, str) else value


def compared_fields(schema: dict) -> list[str]:
    """The fields agreement is measured on: the schema's required properties (all properties if none)."""
    return list(schema.get("required") or schema.get("properties", {}).keys())
