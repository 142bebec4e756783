"""Per-item quality metrics of one answer against the teacher's, on a route's own terms.

JSON routes (a schema in teacher.routes.<route>.json_schema): is the answer valid against the schema, and,
field by field, does it say what the teacher said. How a field is compared depends on its type:
- **exact** (after normalisation): enums, numbers, booleans, and strings with a `pattern` or `format` (dates,
  codes). A category or a total is right or wrong.
- **text** (chrF): any other string (a summary, a vendor's name as written): two good answers word it
  differently, so exact match would score a perfect student below 1.
A schema property can say which with `"x-compare": "exact"` or `"text"` (e.g. an invoice number is a plain
string but an identifier); `served_schema` strips these annotations before a schema reaches a model.
Free-text routes: chrF (sacrebleu) against the teacher's answer. Everything reads as a fraction in [0, 1].
"""

import math

from distillery.routes import parse_json

EXACT_TYPES = {"number", "integer", "boolean"}


def field_kinds(schema: dict) -> dict[str, str]:
    """'exact' or 'text' for every compared field: the schema's required properties (all properties if none)."""
    props = schema.get("properties", {})
    return {f: _kind(props.get(f, {})) for f in (schema.get("required") or props.keys())}


def _kind(prop: dict) -> str:
    if prop.get("x-compare") in ("exact", "text"):
        return prop["x-compare"]
    types = prop.get("type", [])
    types = {types} if isinstance(types, str) else set(types)
    if "enum" in prop or "const" in prop or types & EXACT_TYPES or "pattern" in prop or "format" in prop:
        return "exact"
    return "text" if "string" in types else "exact"  # objects and arrays: structure, compared as a whole


def field_matches(answer: str, reference: str, fields: list[str]) -> dict[str, bool]:
    """Exact match per field after normalisation; an unparseable answer matches nothing."""
    a, r = _object(answer), _object(reference)
    return {f: f in a and f in r and _same(a[f], r[f]) for f in fields}


def field_similarity(answer: str, reference: str, fields: list[str]) -> dict[str, float]:
    """chrF per free-text field; a missing field or an unparseable answer scores 0."""
    a, r = _object(answer), _object(reference)
    return {f: chrf(str(a[f]), str(r.get(f) or "")) if f in a and a[f] is not None else 0.0 for f in fields}


def agreement(matches: dict[str, bool]) -> float:
    return sum(matches.values()) / len(matches) if matches else 0.0


def mean(values) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def chrf(answer: str, reference: str) -> float:
    """Character n-gram F-score, 0-1: robust to the small rewordings free text always has."""
    from sacrebleu.metrics import CHRF

    return CHRF().sentence_score(answer or "", [reference or ""]).score / 100.0


def _object(text: str) -> dict:
    value = parse_json(text)
    return value if isinstance(value, dict) else {}


def _same(a, b) -> bool:
    # 120, 120.0 and "120.00" are the same total; "001" and "1" stay different identifiers (no number on either side).
    if _is_number(a) or _is_number(b):
        fa, fb = _as_float(a), _as_float(b)
        return fa is not None and fb is not None and math.isclose(fa, fb, rel_tol=1e-9, abs_tol=1e-9)
    return _norm(a) == _norm(b)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _as_float(value) -> float | None:
    if _is_number(value):
        return float(value)
    try:
        return float(str(value).strip().replace(",", ""))
    except ValueError:
        return None


def _norm(value):
    # "Billing" and " billing" are the same label
    return " ".join(value.split()).lower() if isinstance(value, str) else value
