"""Stages on other work pools (flows/pools.py, docs/cluster.md): the operator's DISTILLERY_STAGE_POOLS names them,
never a run; a wrong setting is refused before the night starts, naming every mistake; the stage elsewhere is the
same run (same config hash, same store) and its failure fails the night. The two-pool run itself is in
tests/integration/test_nightly_deployment.py."""

import json
import uuid
from types import SimpleNamespace

import pytest
import yaml
from prefect.client.schemas.objects import FlowRun
from prefect.states import Completed, Failed, Pending, Running
from prefect.utilities.callables import parameter_schema
from prefect.utilities.schema_tools.validation import ValidationError, validate

import flows.pools as pools
from distillery.config import ConfigError, load_config
from distillery.paths import run_id_for
from distillery.policy import PolicyError
from flows.nightly import flow_timing, nightly
from flows.parameters import form_overrides, override_args, resolve_config
from flows.pools import STAGE_FLOWS, StageElsewhereFailed, StagePoolError, check_run_here, stage_pools
from flows.stages import label_stage
from tests.conftest import REPO


def test_unset_or_empty_means_every_stage_in_process():
    assert stage_pools({}) == {} and stage_pools({"DISTILLERY_STAGE_POOLS": "  "}) == {}
    assert stage_pools({"DISTILLERY_STAGE_POOLS": " label = distillery-gpu , "}) == {"label": "distillery-gpu"}


@pytest.mark.parametrize("value, named", [
    ("labl=gpu", "unknown stage 'labl' (the night's stages: sample, label, curate, train, export, evaluate, report)"),
    ("train=gpu", "the train stage cannot run on another pool: only label has a flow of its own"),
    ("label", "'label' is not stage=pool"),
    ("label=", "'label=' is not stage=pool"),
    ("label=gpu,label=gpu2", "label is given twice (gpu, gpu2)"),
    ("label=gpu pool", "'gpu pool' is not a work pool name"),
])
def test_a_wrong_setting_is_refused_naming_the_mistake(value, named):
    with pytest.raises(StagePoolError) as refused:
        stage_pools({"DISTILLERY_STAGE_POOLS": value})
    assert named in str(refused.value) and "DISTILLERY_STAGE_POOLS=" in str(refused.value)


def test_every_mistake_is_named_at_once():
    with pytest.raises(StagePoolError) as refused:
        stage_pools({"DISTILLERY_STAGE_POOLS": "labl=gpu,evaluate=gpu"})
    assert "'labl'" in str(refused.value) and "evaluate stage cannot" in str(refused.value)


def test_a_run_parameter_cannot_choose_the_pool():
    """No field of the nightly form names a pool, no config key does (so no override can), and the label stage's
    own deployment takes only a run id, a shipped config file and policy-checked overrides."""
    form = parameter_schema(nightly).model_dump()["properties"]
    assert not [name for name in form if "pool" in name or "stage" in name], list(form)
    for key in ("stage_pools", "orchestration.stage_pools", "DISTILLERY_STAGE_POOLS", "label.work_pool"):
        with pytest.raises(ConfigError):
            resolve_config("configs/demo.yaml", {}, {key: "label=attacker"}, from_run=True)
    alone = parameter_schema(label_stage).model_dump()
    assert list(alone["properties"]) == ["run_id", "config_file", "overrides"]
    with pytest.raises(ValidationError):  # the server refuses these before a run exists
        validate({"run_id": "../../etc"}, alone, raise_on_error=True)
    with pytest.raises(ValidationError):
        validate({"run_id": "2026-11-23-1a2b3c4d", "overrides": {"teacher.endpoint": "http://127.0.0.2/v1"}}, alone,
                 raise_on_error=True)
    with pytest.raises(PolicyError):  # and the stage's worker checks again, as the nightly's does
        resolve_config("configs/demo.yaml", {}, {"teacher": "{endpoint: 'http://127.0.0.2/v1'}"}, from_run=True)


def test_the_label_stage_form_is_described_and_opens_valid():
    schema = parameter_schema(label_stage).model_dump()
    for name, prop in schema["properties"].items():
        assert len(prop.get("description") or "") > 20, (name, prop)
    defaults = {name: prop["default"] for name, prop in schema["properties"].items() if "default" in prop}
    validate({**defaults, "run_id": "2026-11-23-1a2b3c4d"}, schema, raise_on_error=True)


def test_prefect_yaml_deploys_the_label_stage_once_at_a_time_on_the_operators_pool(monkeypatch):
    deployments = {d["name"]: d for d in yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"]}
    label = deployments["label-stage"]
    path, function = label["entrypoint"].split(":")
    module = path.removesuffix(".py").replace("/", ".")
    assert getattr(__import__(module, fromlist=[function]), function).name == STAGE_FLOWS["label"]
    assert label["concurrency_limit"] == {"limit": 1, "collision_strategy": "ENQUEUE"} and label["enforce_parameter_schema"]
    assert label["work_pool"]["name"] == "{{ $DISTILLERY_LABEL_POOL }}"  # scripts/prefect_serve.sh sets it
    assert label["work_pool"]["job_variables"] == deployments["nightly"]["work_pool"]["job_variables"]
    assert "DISTILLERY_STAGE_POOLS" not in json.dumps(deployments["nightly"])  # in-process unless the operator says


@pytest.mark.parametrize("knobs, overrides", [
    ({"budget": 150, "learning_rate": 0.002, "judge": None, "gate_margins": {"schema_validity": 0.1}},
     {"teacher.max_tokens": "128"}),
    ({"lora_rank": 16}, {"student.lora": "{r: 4, alpha: 8}", "student.lora.r": "8"}),  # the override wins, as before
    ({"lora_rank": 16, "epochs": 1.5}, {"student": "{model: demo:smollm2-135m-instruct}"}),  # a section replaced
    ({}, None),
])
def test_the_stage_elsewhere_resolves_the_same_config_from_one_overrides_map(knobs, overrides):
    nightly_cfg = load_config(REPO / "configs/demo.yaml", override_args(knobs, overrides))
    alone_cfg = load_config(REPO / "configs/demo.yaml", override_args({}, form_overrides(knobs, overrides)))
    assert alone_cfg.config_hash() == nightly_cfg.config_hash()


def test_the_stage_elsewhere_checks_it_is_the_same_run_in_the_same_store(tmp_path):
    from datetime import date

    cfg = load_config(REPO / "configs/demo.yaml", [f"store.root={tmp_path}"])
    run_id = run_id_for(date(2026, 11, 23), cfg.config_hash())
    with pytest.raises(StagePoolError, match="store.root .* must be the same shared folder"):
        check_run_here(cfg, run_id)  # the nightly's run folder is not in this pool's store
    (tmp_path / "runs" / run_id).mkdir(parents=True)
    assert check_run_here(cfg, run_id) == tmp_path / "runs" / run_id
    other = load_config(REPO / "configs/demo.yaml", [f"store.root={tmp_path}", "teacher.max_tokens=7"])
    with pytest.raises(StagePoolError, match="checkouts or images differ"):
        check_run_here(other, run_id)


class FakeClient:
    """The few Prefect client calls flows/pools.py makes, against canned deployments and flow-run states."""

    def __init__(self, deployments=(), states=(), while_running=lambda: None):
        self.deployments, self.states, self.set, self.while_running = list(deployments), list(states), [], while_running
        self.child = FlowRun(id=uuid.uuid4(), flow_id=uuid.uuid4(), name="calm-heron", work_pool_name="gpu",
                             parent_task_run_id=uuid.uuid4(), state=Pending())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def read_deployments(self, **_):
        return self.deployments

    def read_flow_run(self, _id):
        self.while_running()
        self.child = self.child.model_copy(update={"state": self.states.pop(0)})
        return self.child

    def set_task_run_state(self, task_run_id, state, force=False):
        self.set.append(("task", task_run_id, state.name))

    def set_flow_run_state(self, flow_run_id, state, force=False):
        self.set.append(("flow", flow_run_id, state.name))

    def read_work_pool(self, name):
        return SimpleNamespace(is_paused=False, status="NOT_READY")


def test_a_pool_without_the_stages_deployment_is_refused_before_the_night(monkeypatch):
    client = FakeClient([SimpleNamespace(name="label-stage", work_pool_name="distillery")])
    monkeypatch.setattr(pools, "get_client", lambda **_: client)
    assert pools.stage_deployments({"label": "distillery"}) == {"label": ("label-stage/label-stage", "distillery")}
    with pytest.raises(StagePoolError, match="no deployment of flow 'label-stage' is on that pool .*label-stage/"
                                             "label-stage on distillery"):
        pools.stage_deployments({"label": "gpu"})


def _run_elsewhere(monkeypatch, tmp_path, states, while_running=lambda: None):
    client = FakeClient(states=states, while_running=while_running)
    created = []
    monkeypatch.setattr(pools, "get_client", lambda **_: client)
    monkeypatch.setattr(pools, "run_deployment", lambda name, parameters, timeout: created.append(
        (name, parameters, timeout)) or client.child)
    monkeypatch.setattr(pools, "POLL_S", 0)
    (tmp_path / "attempts.jsonl").write_text("".join(json.dumps(a) + "\n" for a in (  # an earlier night's attempt
        {"stage": "label", "attempt": "label-1-1", "outcome": "ok", "started_at": 1.0, "wall_s": 99.0},)))
    (tmp_path / "stage-label.json").write_text(json.dumps({"stage": "label", "prompts": 4}))
    return client, created


def test_the_stage_elsewhere_returns_its_record_and_closes_its_task(monkeypatch, tmp_path):
    def stage_runs():  # what the stage's own process appends on its pool, once
        if "label-2-2" not in (tmp_path / "attempts.jsonl").read_text():
            with open(tmp_path / "attempts.jsonl", "a") as f:
                f.write(json.dumps({"stage": "label", "attempt": "label-2-2", "outcome": "ok", "started_at": 2.0,
                                    "wall_s": 3.5}) + "\n")

    client, created = _run_elsewhere(monkeypatch, tmp_path, [Pending(), Running(), Completed()], stage_runs)
    record = pools.run_stage_elsewhere("label", "label-stage/label-stage", "gpu", {"run_id": "r"}, tmp_path)
    assert created == [("label-stage/label-stage", {"run_id": "r"}, 0)]
    assert record["prompts"] == 4 and record["work_pool"] == "gpu" and record["flow_run_id"] == str(client.child.id)
    assert record["work_s"] == 3.5  # this attempt's, not the earlier one in the same ledger
    assert client.set == [("task", client.child.parent_task_run_id, "Completed")]
    timing = flow_timing({"sample": {"work_s": 1.0}, "label": record}, wall_s=10.0)
    assert timing["elsewhere"] == {"label": {"work_pool": "gpu", "flow_run_id": str(client.child.id)}}
    assert "elsewhere" not in flow_timing({"sample": {"work_s": 1.0}}, wall_s=2.0)


def test_a_failed_stage_elsewhere_fails_the_night_naming_its_flow_run(monkeypatch, tmp_path):
    client, _ = _run_elsewhere(monkeypatch, tmp_path, [Running(), Failed(message="LabelError: the teacher is down")])
    with pytest.raises(StageElsewhereFailed) as failed:
        pools.run_stage_elsewhere("label", "label-stage/label-stage", "gpu", {"run_id": "r"}, tmp_path)
    message = str(failed.value)
    assert "label stage on work pool gpu ended Failed: LabelError: the teacher is down" in message
    assert "calm-heron" in message and "run the night again to resume" in message
    assert client.set == [("task", client.child.parent_task_run_id, "Failed")]


def test_a_night_stopped_while_waiting_cancels_its_stage_elsewhere(monkeypatch, tmp_path):
    client, _ = _run_elsewhere(monkeypatch, tmp_path, [Running()])
    monkeypatch.setattr(pools.time, "sleep", lambda _: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        pools.run_stage_elsewhere("label", "label-stage/label-stage", "gpu", {"run_id": "r"}, tmp_path)
    assert client.set == [("flow", client.child.id, "Cancelling")]
