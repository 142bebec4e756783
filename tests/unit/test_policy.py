"""The operator's policy: a run's parameters cannot send the worker's secrets to a host of their choosing, run SQL,
pass flags to vLLM or move the store; a key leaves only over https or to loopback; a missing key fails early."""

import pytest
from prefect.utilities.callables import parameter_schema
from prefect.utilities.schema_tools.validation import ValidationError, validate

from distillery.config import ServedModelConfig
from distillery.policy import PolicyError, check_key_transport
from flows.nightly import nightly
from flows.parameters import resolve_config
from models.vllm_server import external_endpoint

STEAL = {"teacher.endpoint": "http://127.0.0.2:8000/v1", "teacher.api_key_env": "AWS_SECRET_ACCESS_KEY"}


@pytest.mark.parametrize("overrides, named", [
    (STEAL, "teacher.api_key_env, teacher.endpoint"),
    ({"source.query": "SELECT * FROM users"}, "source.query"),
    ({"teacher.launch.extra_args": "[--trust-remote-code]"}, "teacher.launch.extra_args"),
    ({"store.root": "/etc"}, "store.root"),
    ({"evaluation.judge.endpoint": "https://judge.example/v1"}, "evaluation.judge.endpoint"),
    ({"teacher": "{model: demo:smollm2-135m-instruct, endpoint: 'http://127.0.0.2/v1'}"}, "teacher.endpoint"),
])
def test_a_run_cannot_set_what_the_operator_keeps(overrides, named):
    with pytest.raises(PolicyError, match=f"run parameters may not set {named}:"):
        resolve_config("configs/demo.yaml", {}, overrides, from_run=True)
    resolve_config("configs/demo.yaml", {}, overrides)  # the same from the operator's own CLI: allowed
    schema = parameter_schema(nightly).model_dump()
    if "." in next(iter(overrides)):  # the server refuses the dotted ones before a run exists
        with pytest.raises(ValidationError, match="overrides"):
            validate({"overrides": overrides}, schema, raise_on_error=True)


def test_the_operator_can_allow_a_key_and_ordinary_knobs_stay_free(tmp_path, monkeypatch):
    cfg = resolve_config("configs/demo.yaml", {"budget": 50}, {"teacher.max_tokens": "64", "sampling.routes": "[ticket-triage]"},
                         from_run=True)
    assert cfg.sampling.budget == 50 and cfg.teacher.max_tokens == 64
    policy = tmp_path / "policy.yaml"
    policy.write_text("run_may_set: [teacher.endpoint]\n")
    monkeypatch.setenv("DISTILLERY_POLICY", str(policy))
    assert resolve_config("configs/demo.yaml", {}, {"teacher.endpoint": "https://teacher.example/v1"},
                          from_run=True).teacher.endpoint == "https://teacher.example/v1"
    with pytest.raises(PolicyError, match="teacher.api_key_env"):
        resolve_config("configs/demo.yaml", {}, STEAL, from_run=True)


def test_a_key_leaves_only_over_https_or_to_loopback_and_a_missing_one_fails_first(monkeypatch):
    monkeypatch.setenv("TEACHER_KEY", "sk-planted")
    spec = lambda url: ServedModelConfig(model="m", endpoint=url, api_key_env="TEACHER_KEY")  # noqa: E731
    with pytest.raises(PolicyError, match=r"refusing to send \$TEACHER_KEY to http://teacher.example/v1 over plain http"):
        external_endpoint(spec("http://teacher.example/v1"))
    assert external_endpoint(spec("https://teacher.example/v1")).api_key == "sk-planted"
    assert external_endpoint(spec("http://127.0.0.1:8000/v1")).api_key == "sk-planted"
    monkeypatch.delenv("TEACHER_KEY")
    with pytest.raises(PolicyError, match="TEACHER_KEY is not set in this environment: https://teacher.example/v1"):
        external_endpoint(spec("https://teacher.example/v1"))
    assert external_endpoint(spec("http://localhost:8000/v1")).api_key == "EMPTY"  # a local server needs none
    check_key_transport("http://[::1]:8000/v1", "K", "v")  # IPv6 loopback too


def test_the_schema_pattern_and_the_worker_rule_agree():
    import re

    from distillery.config import RunConfig
    from distillery.policy import ALLOWED_KEY_PATTERN, is_protected
    from flows.parameters import _leaves

    keys = [*_leaves(RunConfig().model_dump(mode="json")), "source", "store", "teacher.launch", "x.launch.hosts"]
    assert any(is_protected(k) for k in keys) and not all(is_protected(k) for k in keys)
    for key in keys:
        assert (re.search(ALLOWED_KEY_PATTERN, key) is None) == is_protected(key), key
