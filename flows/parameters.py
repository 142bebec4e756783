"""What an engineer sets in the Prefect UI's form: a shipped config file, the run date, the dozen knobs people
tune, and an overrides map for anything else. Everything merges on top of the chosen YAML, never onto code
defaults: a knob left empty keeps the file's value.

Each knob's type, bounds and description come from the run config's own schema (distillery/config.py), so
the form, the CLI's `-o` and the YAML cannot disagree about what a knob means or allows. The server checks the
form against the JSON schema built here before a run exists (the deployments enforce their parameter schema).

No `from __future__ import annotations`: the annotations below are computed and Prefect must see them.
"""

import inspect
import json
import os
import typing
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, WithJsonSchema

from distillery.catalog import BUNDLED, DEMO_PREFIX
from distillery.config import RunConfig, load_config
from distillery.policy import ALLOWED_KEY_PATTERN, check_run_keys
from distillery.prices import set_prices, sets_prices

REPO = Path(__file__).resolve().parents[1]
# The UI form opens on this file; DISTILLERY_CONFIG (set where the worker runs) picks another one.
DEFAULT_FILE = os.environ.get("DISTILLERY_CONFIG", "configs/demo.yaml")
SHIPPED = sorted({p.relative_to(REPO).as_posix() for p in (REPO / "configs").glob("*.yaml")} | {DEFAULT_FILE})

# form field -> dotted config key. The flows' signatures name the same fields; tests/unit/test_form.py checks both.
KNOBS = {
    "budget": "sampling.budget",
    "teacher_model": "teacher.model",
    "student_model": "student.model",
    "epochs": "student.training.epochs",
    "learning_rate": "student.training.learning_rate",
    "lora_rank": "student.lora.r",
    "gate_margins": "evaluation.gates",
    "judge": "evaluation.judge.enabled",
}


def _existing_config(value: str) -> str:
    # In the worker (and the CLI) any YAML file that exists may be run; the server's schema offers the shipped ones.
    if not (REPO / value).is_file() and not Path(value).is_file():
        raise ValueError(f"no config file {value!r}; shipped: {', '.join(SHIPPED)}")
    return value


ConfigFile = Annotated[str, AfterValidator(_existing_config), WithJsonSchema({"type": "string", "enum": SHIPPED}),
                       Field(description="the run's config (configs/); the fields below change it for this run only")]

# Typed as a date for Python; for the server a string of that shape too: its schema check skips `format`.
RunDate = Annotated[date | None, WithJsonSchema({"anyOf": [{"type": "string", "format": "date",
                                                            "pattern": r"^\d{4}-\d{2}-\d{2}$"}, {"type": "null"}]}),
                    Field(description="the night this run distils, YYYY-MM-DD (its requests end at 00:00 UTC that "
                                      "day); empty: the night it was scheduled for, or today when started by hand")]

# The server refuses the keys the operator's policy keeps (distillery/policy.py) before a run exists; the worker
# checks again on what actually changed (the policy it reads may allow some of them).
Overrides = Annotated[dict[str, str] | None, WithJsonSchema({"anyOf": [
    {"type": "object", "additionalProperties": {"type": "string"},
     "propertyNames": {"pattern": ALLOWED_KEY_PATTERN}}, {"type": "null"}]}), Field(
    description='any other config key, dotted, with its value as you would write it in the YAML, e.g. '
                '{"teacher.max_tokens": "128", "sampling.routes": "[ticket-triage]"}. Where the data comes from, '
                'the store, endpoints and their keys stay as the config file says (the operator\'s policy)')]


def _field(path: str):
    """The pydantic field at a dotted path of RunConfig."""
    model: type[BaseModel] = RunConfig
    *sections, name = path.split(".")
    for section in sections:
        model = model.model_fields[section].annotation
    return model.model_fields[name]


def knob(path: str):
    """A form field for one config key: its type and bounds, None meaning "the file's value"."""
    field = _field(path)
    inner, about = field.annotation, (field.description or "").rstrip(".")
    if path.endswith(".model"):  # a dropdown of the bundled models; your own model id goes in overrides
        inner = Literal[tuple(DEMO_PREFIX + name for name in BUNDLED)]
        about = f"a bundled model; for your own (a local HF folder or a hub id) set {path} in overrides"
    elif field.metadata:
        inner = Annotated[inner, *field.metadata]
    return Annotated[inner | None, Field(description=f"{path}: {about}. Empty: the config file's value")]


def described(fn):
    """Append a Google-style `Args:` section built from each parameter's schema description to fn's docstring:
    Prefect's form takes parameter descriptions from there (a description inside `Annotated` does not reach it)."""
    lines = []
    for name, param in inspect.signature(fn).parameters.items():
        about = next((m.description for m in typing.get_args(param.annotation)[1:] if getattr(m, "description", None)), None)
        if about:
            lines.append(f"    {name}: {about}")
    fn.__doc__ = inspect.cleandoc(fn.__doc__ or "") + "\n\nArgs:\n" + "\n".join(lines)
    return fn


def override_args(knobs: dict[str, Any], overrides: dict[str, str] | None) -> list[str]:
    """The form's knobs and overrides as `key=value` overrides, in the CLI's own syntax (values parsed as YAML)."""
    args = [f"{KNOBS[name]}={json.dumps(value, default=str)}" for name, value in knobs.items() if value is not None]
    return args + [f"{key}={value}" for key, value in (overrides or {}).items()]


def form_overrides(knobs: dict[str, Any], overrides: dict[str, str] | None) -> dict[str, str]:
    """The form's knobs and overrides as one overrides map that resolves to the same config (what a stage on
    another pool is started with). A knob whose key the overrides set again is dropped: the override's value won
    anyway, and a dict keeps one entry per key; the others stay before every override, as in override_args."""
    overrides = overrides or {}
    knob_map = {KNOBS[name]: json.dumps(value, default=str) for name, value in knobs.items() if value is not None}
    return {**{k: v for k, v in knob_map.items() if k not in overrides}, **overrides}


def resolve_config(config_file: str, knobs: dict[str, Any], overrides: dict[str, str] | None,
                   from_run: bool = False) -> RunConfig:
    """The chosen YAML with the form on top; every bad key or value is named at once (ConfigError). For a run
    started through the Prefect API (`from_run`), every key the form changed must be one the operator's policy
    lets runs set (PolicyError, before any request)."""
    path = REPO / config_file if (REPO / config_file).is_file() else Path(config_file)
    config = load_config(path, override_args(knobs, overrides))
    if from_run:
        check_run_keys(changed_keys(load_config(path), config))
    return config


def changed_keys(before: RunConfig, after: RunConfig) -> list[str]:
    """Dotted paths whose values differ: what a run really changed, however its overrides were written
    (`{"teacher": "{endpoint: ...}"}` replaces a whole section and is caught here by its leaves)."""
    a, b = _leaves(before.model_dump(mode="json")), _leaves(after.model_dump(mode="json"))
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


def _leaves(data: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in data.items():
        if isinstance(value, dict) and value:
            out.update(_leaves(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def remember_prices(config: RunConfig, overrides: dict[str, str] | None, changed_by: str) -> None:
    """A price set in a run's overrides is finance's new price table: later reports keep using it."""
    if sets_prices(overrides or {}):
        set_prices(config.store.root, config.pricing, changed_by)
