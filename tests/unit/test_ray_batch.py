"""The Ray batch path's config and refusals (teacher.batch, models/ray_batch.py), without starting Ray: what it cannot
do is refused naming the field, its engines are launched as a managed server would be, and without Ray installed the
stage says what to install. tests/integration/test_label_ray.py runs it for real."""

import json
import re
import sys
from datetime import date

import pyarrow.parquet as pq
import pytest

from distillery.config import ConfigError, LaunchConfig, load_config
from distillery.policy import PolicyError, check_run_keys
from models.cpu_cores import allowed_bind
from models.ray_batch import (
    INSTALL_HINT,
    RayBatchError,
    check_params,
    engine_kwargs,
    placement,
    sampling_params,
    server_defaults,
)
from models.vllm_server import engine_env, server_command
from tasks.labeling.stage import LabelError, run_label
from tasks.sampling.stage import run_sample
from tests.conftest import REPO

RAY = "teacher.batch.engine=ray"
# the demo config keeps the JSON routes' logprobs (the report's "where the teacher was sure"), which Ray cannot record
NO_LOGPROBS = ["teacher.routes.ticket-triage.top_logprobs=null", "teacher.routes.invoice-extract.top_logprobs=null"]


def test_the_demo_config_labels_over_a_server_as_before():
    batch = load_config(REPO / "configs/demo.yaml").teacher.batch
    assert batch.engine == "server" and batch.address is None


@pytest.mark.parametrize("overrides, message", [
    (["teacher.endpoint=http://127.0.0.1:8000/v1"], "teacher.batch.engine is 'ray' and teacher.endpoint is set: Ray runs "
     "its own vLLM engines from teacher.model"),
    (["teacher.endpoints=[http://127.0.0.1:8000/v1]"], "teacher.batch.engine is 'ray' and teacher.endpoints is set"),
    (["teacher.routes.support-reply.n=4", "teacher.routes.support-reply.temperature=0.7"],
     "teacher.routes.support-reply.n = 4: the Ray batch path returns one sample per prompt"),
    (["teacher.routes.ticket-triage.top_logprobs=5"], "teacher.routes.ticket-triage.top_logprobs = 5: the Ray batch path "
     "does not record logprobs"),
    (["teacher.launch.extra_args=[--max-num-seqs, '8']"], "teacher.launch.extra_args are vLLM server flags"),
])
def test_what_ray_cannot_do_is_refused_when_the_config_is_read(overrides, message):
    with pytest.raises(ConfigError, match="teacher.batch = .*" + message.replace("(", r"\(").replace(")", r"\)")):
        load_config(REPO / "configs/demo.yaml", [RAY, *NO_LOGPROBS, *overrides])
    load_config(REPO / "configs/demo.yaml", overrides)  # the server path takes every one of them


def test_a_run_may_not_point_labeling_at_its_own_ray_cluster():
    with pytest.raises(PolicyError, match="run parameters may not set teacher.batch.address"):
        check_run_keys(["teacher.batch.address", "teacher.batch.engine"])
    check_run_keys(["teacher.batch.engine", "teacher.batch.engines", "teacher.batch.batch_size"])


@pytest.mark.parametrize("params, field", [
    ({"max_tokens": 8, "temperature": 0.7, "n": 3}, r"teacher.routes.r.n = 3"),
    ({"max_tokens": 8, "temperature": 0.0, "n": 1, "logprobs": True, "top_logprobs": 5}, r"teacher.routes.r.top_logprobs = 5"),
    ({"max_tokens": 8, "temperature": 0.0, "n": 1, "seed": 3}, r"teacher.routes.r: request parameters \['seed'\]"),
])
def test_the_batch_path_refuses_request_parameters_it_would_answer_differently(params, field):
    with pytest.raises(RayBatchError, match=field):
        check_params(params, "r")


def test_sampling_params_carry_the_request_over_the_model_defaults_with_the_schema_as_a_string():
    schema = {"type": "object", "properties": {"a": {"enum": ["x", "y"]}}, "required": ["a"]}
    json_route = {"max_tokens": 16, "temperature": 0.0, "n": 1,
                  "response_format": {"type": "json_schema", "json_schema": {"name": "r", "schema": schema}}}
    free_text = {"max_tokens": 32, "temperature": 0.5, "n": 1, "stop": ["\n\n"]}
    defaults = {"top_p": 0.8, "temperature": 0.7, "repetition_penalty": 1.05}
    a, b = sampling_params(json_route, defaults), sampling_params(free_text, defaults)
    assert a["temperature"] == 0.0 and a["top_p"] == 0.8 and a["repetition_penalty"] == 1.05  # the request wins
    assert json.loads(a["structured_outputs"]["json"]) == schema and b["stop"] == ["\n\n"] and b["max_tokens"] == 32
    # an unused option is absent, never None: Ray Data cannot join a struct typed null in one block with one that is not
    assert "stop" not in a and "structured_outputs" not in b and None not in [*a.values(), *b.values()]


def test_the_model_defaults_are_those_vllm_serves(tmp_path):
    (tmp_path / "generation_config.json").write_text(json.dumps(
        {"temperature": 0.7, "top_p": 0.8, "top_k": 20, "repetition_penalty": 1.05, "max_new_tokens": 99, "eos_token_id": 2}))
    assert server_defaults(str(tmp_path)) == {"temperature": 0.7, "top_p": 0.8, "top_k": 20, "repetition_penalty": 1.05,
                                              "max_tokens": 99}
    assert server_defaults(str(tmp_path / "missing")) == {}


@pytest.mark.parametrize("cuda", [False, True])
def test_engines_are_launched_as_the_managed_server_is(cuda, monkeypatch):
    monkeypatch.setattr("models.vllm_server._cuda_available", lambda: cuda)
    launch = LaunchConfig(max_model_len=1024, tensor_parallel_size=2 if cuda else 1)
    cmd = server_command("/m", "m", launch, 8000)
    flag = {cmd[i]: cmd[i + 1] for i in range(len(cmd) - 1) if cmd[i].startswith("--")}
    kwargs = engine_kwargs(launch, flag["--dtype"], cuda)
    assert str(kwargs["max_model_len"]) == flag["--max-model-len"] and str(kwargs["block_size"]) == flag["--block-size"]
    assert kwargs["enforce_eager"] == ("--enforce-eager" in cmd)
    if cuda:
        assert str(kwargs["tensor_parallel_size"]) == flag["--tensor-parallel-size"]
        assert placement(load_config().teacher.batch, launch, cuda)["bundle_per_worker"] == {"CPU": 1, "GPU": 1}
    else:  # a CPU engine asks CPUs, never the one GPU Ray Data asks by default; the server's CPU environment with it
        assert placement(load_config(overrides=["teacher.batch.cpus_per_engine=3"]).teacher.batch, launch, cuda) == {
            "bundle_per_worker": {"CPU": 3}, "strategy": "PACK"}
        env = engine_env(launch, "/m", cuda)
        assert (env["VLLM_CPU_OMP_THREADS_BIND"], env["OMP_NUM_THREADS"]) == tuple(
            map(str, allowed_bind(launch.cpu_omp_threads_bind, launch.omp_num_threads)))
        assert env["VLLM_CPU_KVCACHE_SPACE"] == str(launch.cpu_kvcache_space_gib)


def test_without_ray_the_stage_says_what_to_install_and_labels_nothing(demo_log, tmp_path, monkeypatch):
    cfg = load_config(REPO / "configs/demo.yaml", [f"source.url=sqlite:///{demo_log / 'production.db'}", "sampling.budget=4",
                                                   f"store.root={tmp_path}", "teacher.model=some-org/teacher", RAY,
                                                   *NO_LOGPROBS])
    run_sample(cfg, tmp_path / "run", date(2026, 11, 23))
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    with pytest.raises(LabelError, match=f"teacher.batch.engine is .ray. but Ray Data cannot be imported .*{re.escape(INSTALL_HINT)}"):
        run_label(cfg, tmp_path / "run")
    record = json.loads((tmp_path / "run" / "stage-label.json").read_text())
    assert record["engine"] == "ray" and record["prompts_labeled"] == 0 and record["status"].startswith("failed")
    assert pq.read_table(tmp_path / "run" / "labels.parquet").num_rows == 0


def test_an_auto_dtype_the_engines_would_resolve_otherwise_is_refused(monkeypatch):
    """The fingerprint's dtype is decided on the driver; a GPU cluster under a CPU driver would serve another one."""
    from models.ray_batch import RayBatch

    monkeypatch.setattr("models.ray_batch._cuda_available", lambda: False)
    batch = RayBatch.__new__(RayBatch)  # no Ray: only the dtype decision
    batch.teacher, batch.cuda = load_config(overrides=[RAY]).teacher, True
    with pytest.raises(RayBatchError, match="teacher.launch.dtype is 'auto': this driver resolves it to .* \\(without CUDA\\)"):
        batch._dtype()
    batch.teacher = load_config(overrides=[RAY, "teacher.launch.dtype=bfloat16"]).teacher
    assert batch._dtype() == "bfloat16"
