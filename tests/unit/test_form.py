"""The deployments' parameters as the Prefect UI's form sees them: a few described knobs on top of a shipped
YAML, checked by the same JSON-schema validation the server runs before it creates a run."""

import inspect

import pytest
from prefect.utilities.callables import parameter_schema
from prefect.utilities.schema_tools.validation import ValidationError, validate

from distillery.config import ConfigError, load_config
from flows.nightly import nightly
from flows.parameters import KNOBS, SHIPPED, resolve_config
from flows.stages import re_evaluate, rebuild_report
from tests.conftest import REPO


def schema_of(flow) -> dict:
    return parameter_schema(flow).model_dump()


def ui_errors(flow, parameters: dict) -> list[str]:
    """What the UI shows beside the fields (every error, formats checked), as the server's /ui/schemas/validate."""
    return [e.message for e in validate(parameters, schema_of(flow), raise_on_error=False)]


def test_the_form_is_the_knobs_not_the_whole_config():
    props = schema_of(nightly)["properties"]
    assert list(props) == ["config_file", "run_date", *KNOBS, "overrides"]
    assert set(KNOBS) <= set(inspect.signature(nightly.fn).parameters)
    assert props["config_file"]["enum"] == SHIPPED and "configs/demo.yaml" in SHIPPED


@pytest.mark.parametrize("flow", [nightly, re_evaluate, rebuild_report])
def test_every_field_is_described_and_the_defaults_submit_as_they_open(flow):
    schema = schema_of(flow)
    for name, prop in schema["properties"].items():
        assert len(prop.get("description") or "") > 20, (flow.name, name, prop)
        assert "<" not in prop["description"], f"the UI renders markdown: {prop['description']!r} loses its <...>"
    defaults = {name: prop["default"] for name, prop in schema["properties"].items() if "default" in prop}
    required = {name: "2026-11-23-1a2b3c4d" for name in schema.get("required", [])}  # run_id: a plain run folder
    assert ui_errors(flow, {**defaults, **required}) == []


def test_knob_descriptions_come_from_the_config_schema():
    props = schema_of(nightly)["properties"]
    from distillery.config import TrainingConfig

    assert TrainingConfig.model_fields["learning_rate"].description in props["learning_rate"]["description"]
    assert props["budget"]["anyOf"][0]["minimum"] == 1  # the bound travels too


def test_a_bad_date_and_an_unknown_model_are_both_named_and_the_server_refuses_them():
    errors = ui_errors(nightly, {"run_date": "yesterday", "teacher_model": "demo:no-such-model"})
    assert any("yesterday" in e for e in errors) and any("demo:no-such-model" in e for e in errors), errors
    for bad in ({"run_date": "yesterday"}, {"run_date": "2026-13-45T00:00:00Z"}, {"teacher_model": "demo:nope"},
                {"budget": -5}, {"config_file": "/etc/passwd"}):
        with pytest.raises(ValidationError):  # the server's own check (raise_on_error=True) before any run exists
            validate(bad, schema_of(nightly), raise_on_error=True)
    validate({"run_date": "2026-11-23", "budget": 150, "learning_rate": 0.002}, schema_of(nightly), raise_on_error=True)


def test_a_partial_form_merges_onto_the_chosen_yaml_not_onto_code_defaults():
    demo = load_config(REPO / "configs/demo.yaml")
    cfg = resolve_config("configs/demo.yaml", {"budget": 150, "learning_rate": 0.002, "judge": None}, None)
    assert cfg.sampling.budget == 150 and cfg.student.training.learning_rate == 0.002
    assert cfg.sampling.window == demo.sampling.window, "the demo's window, not the code's last 24 hours"
    assert cfg.evaluation.judge.enabled == demo.evaluation.judge.enabled  # empty keeps the file's value
    same = resolve_config("configs/demo.yaml", {name: None for name in KNOBS}, {})
    assert same.config_hash() == demo.config_hash(), "an untouched form is the file: same run, same reused outputs"
    gates = resolve_config("configs/demo.yaml", {"gate_margins": {"schema_validity": 0.1}}, {"teacher.max_tokens": "128"})
    assert gates.evaluation.gates == {"schema_validity": 0.1} and gates.teacher.max_tokens == 128


def test_bad_overrides_are_all_named_at_once():
    with pytest.raises(ConfigError) as exc:
        resolve_config("configs/demo.yaml", {}, {"sampling.budgett": "5", "teacher.temperature": "9"})
    message = str(exc.value)
    assert "sampling.budgett" in message and "did you mean 'budget'" in message and "teacher.temperature" in message


def test_the_flow_resolves_its_form_before_any_stage(prefect_server, tmp_path):
    """In-process (as `distillery demo` runs it): a bad override ends the run at once, naming it; no stage ran."""
    with pytest.raises(ConfigError, match="sampling.budgett"):
        nightly(overrides={"store.root": str(tmp_path), "sampling.budgett": "5"})
    assert not (tmp_path / "runs").exists()
