"""Row validation: every log row is a valid request, outside the run's slice, or quarantined with a reason.

Reasons are `kind:field` strings so the funnel can count them and a test can expect them:
missing_field:<f>, wrong_type:<f>, bad_json:<f>, bad_text:<f>, empty_content, too_long, language:<iso>,
request_id_reused. Checks run in a fixed order and the first failing one names the row's reason.
language:<iso> comes from distillery/text/language.py after these checks: a text mostly in a script the
route's languages do not use, or clearly in another language; one too short to tell is kept as unknown.

Control characters are removed from every turn before anything is stored or sent (counted, not quarantined).
"""

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

REQUIRED = ("request_id", "created_at", "route", "messages")
OPTIONAL_NUMBERS = ("prompt_tokens", "completion_tokens", "latency_ms")
OPTIONAL_TEXT = ("model", "response")
ROLES = {"system", "user", "assistant", "tool", "developer"}
# Terminal escape sequences (CSI, e.g. colours; OSC, e.g. titles and links; two-byte escapes), then the C0
# controls except tab, newline and carriage return, and DEL: pasted from a terminal or a broken client, they
# mean nothing to a model, can hide text from a human reviewer, and NUL breaks C-string consumers downstream.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Invalid(Exception):
    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason, self.detail = reason, detail


@dataclass
class Request:
    """A valid log row, reduced to what sampling needs."""

    request_id: str
    created_at: datetime
    route: str
    messages: list[dict]
    row: int
    user: str = ""  # the non-system turns, the part that identifies the prompt
    extra: dict = field(default_factory=dict)  # model, response, token counts, latency as logged
    controls_removed: int = 0  # control characters and escape sequences taken out of its turns


@dataclass
class Rejected:
    row: int
    request_id: str | None
    reason: str
    detail: str
    raw: dict


def parse_time(value) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value.strip())  # 3.11 accepts "Z" and most ISO 8601 forms
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    raise TypeError(type(value).__name__)


def parse_messages(value) -> list[dict]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise Invalid("bad_json:messages", f"messages is not valid JSON ({exc.msg} at char {exc.pos})") from None
    if not isinstance(value, list) or not value:
        raise Invalid("wrong_type:messages", f"messages must be a non-empty list of turns, got {type(value).__name__}")
    for i, turn in enumerate(value):
        if not isinstance(turn, dict) or turn.get("role") not in ROLES or not isinstance(turn.get("content"), str):
            raise Invalid("wrong_type:messages", f"messages[{i}] must be {{role: {'|'.join(sorted(ROLES))}, content: string}}")
    return value


def strip_controls(text: str) -> tuple[str, int]:
    """The text without terminal escapes and control characters, and how many characters went."""
    cleaned = _CONTROLS.sub("", _ESCAPES.sub("", text))
    return cleaned, len(text) - len(cleaned)


def check_row(raw: dict) -> Request:
    """Validate one row's fields (not its window, route or language); raise Invalid with the reason."""
    if "_bad_json" in raw:
        raise Invalid("bad_json:row", raw["_bad_json"])
    for name in REQUIRED:
        if raw.get(name) is None:
            raise Invalid(f"missing_field:{name}", f"{name} is missing or null")
    if not isinstance(raw["request_id"], (str, int)) or isinstance(raw["request_id"], bool):
        raise Invalid("wrong_type:request_id", f"request_id must be a string, got {type(raw['request_id']).__name__}")
    if not isinstance(raw["route"], str) or not raw["route"].strip():
        raise Invalid("wrong_type:route", f"route must be a non-empty string, got {raw['route']!r:.40}")
    try:
        created_at = parse_time(raw["created_at"])
    except (TypeError, ValueError, OverflowError, OSError):
        raise Invalid("wrong_type:created_at", f"created_at {raw['created_at']!r:.40} is not an ISO 8601 time or epoch seconds") from None
    for name in OPTIONAL_NUMBERS:
        value = raw.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise Invalid(f"wrong_type:{name}", f"{name} must be a number, got {value!r:.40}")
    for name in OPTIONAL_TEXT:
        if raw.get(name) is not None and not isinstance(raw[name], str):
            raise Invalid(f"wrong_type:{name}", f"{name} must be a string, got {type(raw[name]).__name__}")
    messages, removed = [], 0
    for turn in parse_messages(raw["messages"]):
        content, n = strip_controls(turn["content"])
        messages.append({**turn, "content": content})
        removed += n
    turns = [t["content"] for t in messages if t["role"] != "system"]
    if not any(t["role"] == "user" for t in messages):
        raise Invalid("missing_field:user_message", "messages has no user turn")
    user = "\n".join(turns)
    if not user.strip():
        raise Invalid("empty_content", "the user content is empty or whitespace")
    _check_unicode({"request_id": str(raw["request_id"]), "route": raw["route"], "response": raw.get("response") or "",
                    "messages": "".join(str(t["content"]) for t in messages)})
    extra = {k: raw.get(k) for k in (*OPTIONAL_TEXT, *OPTIONAL_NUMBERS)}
    return Request(str(raw["request_id"]), created_at, raw["route"].strip(), messages, raw.get("_row", 0), user, extra,
                   removed)


def _check_unicode(texts: dict[str, str]) -> None:
    """Text that cannot be stored as UTF-8 (a lone surrogate from a client's broken \\ud800 escape) is refused."""
    for name, text in texts.items():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise Invalid(f"bad_text:{name}", f"{name} holds {text[exc.start]!r} at position {exc.start}, which is not "
                          "valid Unicode (a lone surrogate, usually a client's broken escape)") from None
