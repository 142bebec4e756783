"""Bad input, thrown by hypothesis: malformed log rows at the sample stage and broken configs at the loader.

Properties: the stage never crashes on a row; every row is accounted for exactly once (outside the window,
another route, quarantined with a reason, or valid); what reaches prompts.parquet is whole. Every bad
config is refused with a ConfigError that names the key.
"""

import json
import re
from datetime import date

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from distillery.config import ConfigError, RunConfig, load_config
from tasks.sampling.stage import SampleError, run_sample
from tests.conftest import REPO

RUN_DATE = date(2026, 11, 23)
REASON = re.compile(r"^(missing_field|wrong_type|bad_json|bad_text):\w+$|^(empty_content|too_long|request_id_reused)$|^language:\w+$")

# Text a production log really holds: control characters, right-to-left marks, emoji, lone surrogates
# (what a broken client's JSON escapes decode to), combining marks, huge and empty strings.
odd_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(blacklist_categories=()), max_size=60),
    st.sampled_from(["", " ", "\u202e\u200bhidden", "\ud800 lone surrogate", "e\u0301\u0301\u0301", "\x00\x1b[31m",
                     "🙂" * 50, "x" * 9000]),
)
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True), odd_text)
json_value = st.recursive(json_scalar, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                          max_leaves=6)


@st.composite
def log_rows(draw):
    """A plausible row, then a few fields replaced by anything: wrong types, odd text, missing keys."""
    content = draw(odd_text)
    row = {"request_id": f"r{draw(st.integers(0, 10**6))}", "created_at": "2026-11-20T10:00:00Z",
           "route": draw(st.sampled_from(["ticket-triage", "support-reply", "invoice-extract", "unknown-route"])),
           "messages": [{"role": "system", "content": "You triage."}, {"role": "user", "content": content}],
           "response": "ok", "prompt_tokens": 12, "completion_tokens": 3, "latency_ms": 40}
    for key in draw(st.lists(st.sampled_from(sorted(row)), max_size=3, unique=True)):
        if draw(st.booleans()):
            del row[key]
        else:
            row[key] = draw(json_value)
    return row


def sample_config(log, store):
    return load_config(REPO / "configs/demo.yaml", [f"source.url={log}", f"store.root={store}", "sampling.budget=1000000",
                                                    "sampling.languages={}"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=st.lists(log_rows(), min_size=1, max_size=12))
def test_every_malformed_row_is_quarantined_with_a_reason_and_none_crashes_the_stage(rows, tmp_path_factory):
    folder = tmp_path_factory.mktemp("log")
    lines = [json.dumps(r) for r in rows]  # json.dumps escapes lone surrogates; the reader must cope
    (folder / "log.jsonl").write_text("\n".join(lines) + "\n")
    cfg = sample_config(folder / "log.jsonl", folder / "store")
    try:
        record = run_sample(cfg, folder / "run", RUN_DATE)
    except SampleError as exc:  # nothing valid at all: a clear message naming the source, and the quarantine kept
        assert "log.jsonl" in str(exc)
        assert (folder / "run" / "quarantine.parquet").is_file()
        return
    f = record["funnel"]
    assert f["read"] == len(rows)
    assert f["outside_window"] + f["other_route"] + sum(f["quarantined"].values()) + f["valid"] == len(rows)
    quarantine = pq.read_table(folder / "run" / "quarantine.parquet").to_pylist()
    for q in quarantine:
        assert q["reason"] and q["detail"], q
    assert all(REASON.match(reason) for reason in f["quarantined"]), f["quarantined"]
    prompts = pq.read_table(folder / "run" / "prompts.parquet").to_pylist()
    assert len(prompts) == f["split"]["train"] + f["split"]["eval"]
    for p in prompts:
        assert p["user"].strip() and len(p["user"]) <= cfg.sampling.max_prompt_chars


# ---------------------------------------------------------------- the config loader

def leaf_fields(model=RunConfig, prefix=""):
    """(dotted key, annotation) of every scalar knob in the schema."""
    out = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
            out += leaf_fields(annotation, f"{prefix}{name}.")
        elif annotation in (int, float, bool):
            out.append((f"{prefix}{name}", annotation))
    return out


NUMERIC = [(k, t) for k, t in leaf_fields() if t in (int, float)]


@settings(max_examples=60, deadline=None)
@given(knob=st.sampled_from(NUMERIC), value=st.one_of(st.text(alphabet="abcxyz!?", min_size=1, max_size=8),
                                                       st.lists(st.integers(), min_size=1, max_size=2)))
def test_a_wrong_type_for_any_knob_is_refused_with_the_key_named(knob, value):
    key, _ = knob
    with pytest.raises(ConfigError) as refused:
        load_config(REPO / "configs/demo.yaml", [f"{key}={json.dumps(value)}"])
    assert key in str(refused.value)


@settings(max_examples=60, deadline=None)
@given(section=st.sampled_from(sorted(RunConfig.model_fields)),
       key=st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=3, max_size=12))
def test_an_unknown_key_anywhere_is_refused_with_the_key_named(section, key, tmp_path_factory):
    known = RunConfig.model_fields[section].annotation
    if key in getattr(known, "model_fields", {}):
        return
    path = tmp_path_factory.mktemp("cfg") / "typo.yaml"
    path.write_text(f"{section}:\n  {key}: 1\n")
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    # a key YAML reads as a value (no, off, null, 12) is named as YAML read it, with the fix
    assert f"{section}.{key}" in str(refused.value) or (f"{section}." in str(refused.value)
                                                         and "quote it" in str(refused.value))


@settings(max_examples=40, deadline=None)
@given(text=st.text(max_size=200))
def test_any_yaml_text_is_loaded_or_refused_with_the_file_named(text, tmp_path_factory):
    path = tmp_path_factory.mktemp("cfg") / "random.yaml"
    path.write_text(text)
    try:
        load_config(path)
    except ConfigError as exc:
        assert str(path) in str(exc)
