"""The run config: one pydantic schema for a whole run, loaded from YAML with dotted CLI overrides.

Precedence is schema defaults < YAML file < `-o key=value` overrides (the TRL convention).
Every model forbids unknown keys, so a typo fails loudly instead of being ignored, and
`load_config` turns pydantic's errors into one line per problem naming key, value and what
is allowed.
"""

import difflib
import hashlib
import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from distillery.catalog import BUNDLED, DEMO_PREFIX


class ConfigError(ValueError):
    """A config that cannot be used; the message is one line per problem, ready to print."""


class Section(BaseModel):
    # forbid: a misspelt knob must fail, not silently fall back to its default.
    # coerce_numbers_to_str: YAML reads `cpu_omp_threads_bind: 0` as an int; the knob is a string.
    model_config = ConfigDict(extra="forbid", validate_assignment=True, coerce_numbers_to_str=True)


def _check_model_id(value: str) -> str:
    """A model id is `demo:<name>` (bundled), a local HF folder, or a hub id (`org/name`)."""
    if value.startswith(DEMO_PREFIX):
        name = value[len(DEMO_PREFIX):]
        if name not in BUNDLED:
            raise ValueError(f"unknown bundled model {name!r}; bundled: {', '.join(DEMO_PREFIX + n for n in BUNDLED)}")
    elif not value.strip():
        raise ValueError("empty model id; use demo:<name>, a local folder, or a hub id like org/name")
    return value


# The pattern repeats _check_model_id for JSON-schema readers: a Prefect deployment enforcing its parameter
# schema refuses an unknown bundled model on the server, before a run is even created.
_MODEL_ID_PATTERN = rf"^(?:{DEMO_PREFIX}(?:{'|'.join(BUNDLED)})|(?!{DEMO_PREFIX})\S.*)$"
ModelId = Annotated[str, AfterValidator(_check_model_id), WithJsonSchema({"type": "string", "pattern": _MODEL_ID_PATTERN})]


class SourceConfig(Section):
    """Where production prompts come from (read by the sample stage)."""

    url: str = Field("sqlite:///data/demo/production.db",
                     description="SQLAlchemy URL (sqlite:///, postgresql://...), or a .jsonl/.parquet path or fsspec URL (s3://...)")
    table: str = Field("requests", description="table to read when url is a database")
    query: str | None = Field(None, description="SQL to run instead of reading the whole table (pre-filter big logs)")
    columns: dict[str, str] = Field(
        default_factory=dict,
        description="log column names when they differ from ours, e.g. {created_at: ts, messages: payload}")
    sample_rate: float = Field(
        1.0, gt=0, le=1,
        description="the share of production requests the log holds: 1 when every request is logged, 0.02 when the "
                    "logger keeps one in fifty. The report's volume is the log's requests per day divided by it")

    @field_validator("columns")
    @classmethod
    def _known_columns(cls, v: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(v) - set(LOG_COLUMNS))
        if unknown:
            raise ValueError(f"unknown log column(s) {unknown}; ours are {', '.join(LOG_COLUMNS)}")
        return v


# The columns a production log row carries; only request_id, created_at, route and messages are required.
LOG_COLUMNS = ("request_id", "created_at", "route", "messages", "model", "response",
               "prompt_tokens", "completion_tokens", "latency_ms")


class WindowConfig(Section):
    """Which requests a run samples: [start, end) when either is set, else the `last_hours` before the run date."""

    start: datetime | None = Field(None, description="inclusive, ISO date or datetime (UTC unless a zone is given)")
    end: datetime | None = Field(None, description="exclusive")
    last_hours: float = Field(24.0, gt=0, description="used when start and end are unset: the hours before 00:00 UTC of the run date")

    @model_validator(mode="after")
    def _ordered(self):
        if self.start and self.end and _utc(self.start) >= _utc(self.end):
            raise ValueError(f"start {self.start} is not before end {self.end}")
        return self

    def bounds(self, run_date: date) -> tuple[datetime, datetime]:
        """The [start, end) of this run in UTC."""
        midnight = datetime.combine(run_date, time(), tzinfo=UTC)
        end = _utc(self.end) if self.end else midnight
        start = _utc(self.start) if self.start else end - timedelta(hours=self.last_hours)
        return start, end


def _utc(t: datetime) -> datetime:
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


PiiDetector = Literal["email", "ip", "phone", "card", "iban", "national_id", "secret", "credential", "person"]
# Where the prompts' phone numbers come from; a number in national format is checked against each (README
# "Security"). Numbers written with +country code are recognised from anywhere.
PHONE_REGIONS = ["US", "CA", "GB", "IE", "DE", "AT", "CH", "FR", "BE", "NL", "LU", "ES", "PT", "IT", "PL", "CZ", "SE", "NO",
                 "DK", "FI", "BR", "MX", "AR", "CO", "CL", "IN", "JP", "KR", "CN", "SG", "AU", "NZ", "ZA", "TR", "IL", "AE"]
# python-stdnum modules (gb.nino: HMRC's format, stdnum has none); tasks/sampling/pii/national_ids.py lists them.
NATIONAL_IDS = ["us.ssn", "us.itin", "gb.nino", "gb.nhs", "de.idnr", "fr.nir", "es.dni", "es.nie", "it.codicefiscale",
                "nl.bsn", "be.nn", "br.cpf", "in_.aadhaar", "pl.pesel", "se.personnummer", "dk.cpr", "no.fodselsnummer",
                "fi.hetu", "ch.ssn", "at.vnr", "ca.sin", "mx.curp", "tr.tckimlik", "pt.nif", "ro.cnp", "cn.ric", "ee.ik",
                "lt.asmens", "kr.rrn", "hr.oib", "gr.amka", "il.idnr", "th.pin", "lv.pvn"]


class PiiConfig(Section):
    enabled: bool = Field(True, description="false only if the log is already scrubbed: prompts then reach the teacher as logged")
    detectors: list[PiiDetector] = Field(default_factory=lambda: ["email", "ip", "phone", "card", "iban", "national_id", "secret",
                                                                  "credential", "person"])
    phone_region: str = Field("US", description="region tried first for phone numbers written without a +country code")
    phone_regions: list[str] = Field(default_factory=lambda: list(PHONE_REGIONS),
                                     description="regions whose national-format numbers are recognised (ISO 3166 codes)")
    national_ids: list[str] = Field(default_factory=lambda: list(NATIONAL_IDS),
                                    description="national identifiers to scrub, as python-stdnum modules (us.ssn, nl.bsn, ...)")
    ner: Literal["auto", "off"] = Field("auto", description="auto: the NER models that ship in their wheels add Russian, "
                                        "Ukrainian and Japanese person names, and an installed Presidio or spaCy adds its own "
                                        "(neither is installed by default); off: cue phrases and name lists only")
    phone_context: Literal["auto", "on", "off"] = Field(
        "auto", description="a learned model of the words around a number also scrubs phones no cue word announces: "
        "more phones caught, and some phone-shaped business numbers scrubbed too (README 'Security'). auto: on when "
        "a teacher or judge endpoint is off this machine, or the teacher labels on a Ray cluster that may be "
        "(teacher.batch.address not loopback, or auto): what the scrubber misses leaves it; off when distillery "
        "launches the teacher or it listens on loopback")
    context_reader: Literal["smollm2-135m-instruct", "off"] = Field(
        "smollm2-135m-instruct", description="where the phone context is on, it also reads the words around a number "
        "with this small language model (the demo's student, prepared from its PyPI wheel on first use): more phones "
        "caught on every unread benchmark set, fewer of their business numbers scrubbed, more bare numbers in short "
        "business sentences scrubbed (README 'Security'); off: its hashed words alone, nothing to download")

    @field_validator("phone_context", "context_reader", mode="before")
    @classmethod
    def _yaml_on_off(cls, value):
        return {True: "on", False: "off"}.get(value, value) if isinstance(value, bool) else value  # YAML reads on/off as booleans

    @field_validator("phone_region", "phone_regions")
    @classmethod
    def _known_regions(cls, value):
        import phonenumbers

        codes = [value] if isinstance(value, str) else value
        unknown = [c for c in codes if c.upper() not in phonenumbers.SUPPORTED_REGIONS]
        if unknown:
            raise ValueError(f"{unknown} are not regions libphonenumber knows (ISO 3166 alpha-2, e.g. DE)")
        return value.upper() if isinstance(value, str) else [c.upper() for c in value]


class SamplingConfig(Section):
    window: WindowConfig = Field(default_factory=WindowConfig)
    routes: list[str] = Field(default_factory=list, description="only these routes; empty = every route in the log")
    budget: int = Field(400, ge=1, description="prompts drawn per run, across all routes (train + eval)")
    allocation: Literal["proportional", "equal", "weights"] = Field(
        "proportional", description="how the budget splits across routes: by traffic, evenly, or by route_weights")
    route_weights: dict[str, float] = Field(default_factory=dict, description="allocation=weights: relative share per route")
    route_cap: int | None = Field(None, ge=1, description="at most this many prompts from one route")
    diversity: Literal["random", "cluster"] = Field(
        "cluster", description="cluster: spread picks over topic clusters within a route; random: uniform")
    eval_fraction: float = Field(0.2, gt=0, lt=1, description="share of prompts held out for evaluation, fixed per prompt_id")
    seed: int = Field(0, description="same source + config + seed gives the same sample")
    max_prompt_chars: int = Field(4000, ge=1, description="longer user content is quarantined as too_long")
    candidate_pool: int | None = Field(
        None, ge=1, description="valid rows per route kept for language, PII, dedup and selection; the rest of a "
        "big window is counted, not kept (memory follows this, not the log). None: 20 x the budget (or route_cap), at least 10,000")
    languages: dict[str, list[str]] = Field(
        default_factory=dict,
        description="route -> ISO 639-1 codes it serves, e.g. {support-reply: [en]}; '*' = every other route; unlisted = not checked")
    near_duplicate_threshold: float = Field(0.7, gt=0, le=1, description="word-3-gram Jaccard at or above which prompts are near-duplicates")
    dedup_earlier_runs: bool = Field(True, description="drop prompts (or near-duplicates) already sampled by earlier runs in the store")
    pii: PiiConfig = Field(default_factory=PiiConfig)

    @model_validator(mode="after")
    def _weights_given(self):
        if self.allocation == "weights" and not self.route_weights:
            raise ValueError("allocation is 'weights' but route_weights is empty; give e.g. {ticket-triage: 2, invoice-extract: 1}")
        return self


class LaunchConfig(Section):
    """How distillery starts a local vLLM server when no endpoint is given."""

    host: str = "127.0.0.1"
    port: int | None = Field(None, ge=1, le=65535, description="None picks a free port")
    max_model_len: int = Field(2048, ge=128)
    dtype: Literal["auto", "bfloat16", "float16", "float32"] = Field(
        "auto", description="auto: checkpoint dtype on CUDA, bf16 on AVX512-BF16 CPUs, fp32 on other CPUs (4x faster than bf16 there)")
    enforce_eager: bool = Field(True, description="skip graph capture: starts in ~40 s instead of 2-3 min on CPU")
    tensor_parallel_size: int = Field(1, ge=1, description="GPUs per teacher on CUDA")
    data_parallel_size: int = Field(1, ge=1, description="CUDA: engine replicas inside the one managed server "
                                    "(vLLM --data-parallel-size), each on tensor_parallel_size GPUs, balanced by "
                                    "vLLM itself; a 70B at TP=4 on 8 GPUs: 2")
    gpu_memory_utilization: float = Field(0.9, gt=0, le=1)
    cpu_kvcache_space_gib: int = Field(2, ge=1, description="VLLM_CPU_KVCACHE_SPACE: KV cache RAM on CPU")
    cpu_omp_threads_bind: str = Field("0-1", description="VLLM_CPU_OMP_THREADS_BIND; 'auto' fell back to 1 thread here")
    omp_num_threads: int = Field(2, ge=1)
    cpu_single_process: bool = Field(True, description="CPU only: vLLM's worker runs inside its engine process "
                                     "(uni executor): ready ~15 s sooner, same throughput (docs/facts.md \"vLLM-CPU start\")")
    cpu_fork_engine: bool = Field(True, description="CPU only: vLLM's engine process is forked from its API server "
                                  "instead of spawned, so vLLM is imported once, not twice: ready ~35 s sooner "
                                  "(models/vllm_cpu_launch.py, docs/facts.md \"vLLM-CPU start\")")
    block_size: int | None = Field(32, description="KV block size; CPU rejects 16")
    startup_timeout_s: float = Field(600, gt=0, description="give up if /health is not ready by then")
    max_restarts: int = Field(2, ge=0, description="start the server again this many times if it dies mid-stage")
    extra_args: list[str] = Field(default_factory=list, description="appended verbatim to the vLLM command")


class RouteGeneration(Section):
    """How the teacher answers one route; unset values fall back to the teacher's defaults."""

    max_tokens: int | None = Field(None, ge=1, description="answer budget; truncated answers are dropped by curation")
    temperature: float | None = Field(None, ge=0, le=2)
    stop: list[str] = Field(default_factory=list)
    n: int = Field(1, ge=1, le=16, description="samples per prompt; >1 lets curation measure self-consistency")
    top_logprobs: int | None = Field(None, ge=1, le=20, description="keep the top-k logprobs per token (logit distillation later)")
    json_schema: str | None = Field(None, description="JSON schema file: vLLM guided decoding makes every answer valid JSON")
    system_prompt: str | None = Field(None, description="file whose text replaces the logged system prompt; None keeps the log's")


class ServedModelConfig(Section):
    """Any model distillery talks to over the OpenAI API: the teacher, the judge, or the served student."""

    model: ModelId = Field(description="demo:NAME for a bundled model, a local HF folder, or a hub id (org/name)")
    endpoint: str | None = Field(None, description="existing OpenAI-compatible base URL (…/v1); None launches vLLM")
    api_key_env: str = Field("OPENAI_API_KEY", description="environment variable holding the endpoint's key")
    served_name: str | None = Field(None, description="model name at the endpoint; defaults to the model id")
    max_tokens: int = Field(256, ge=1)
    temperature: float = Field(0.0, ge=0, le=2)
    concurrency: int = Field(32, ge=1, description="requests in flight (per replica with teacher.endpoints); vLLM "
                             "has no admission control")
    request_timeout_s: float = Field(300, gt=0)
    max_retries: int = Field(3, ge=0, description="per request, on connection errors, timeouts and 5xx only (never 4xx)")
    retry_backoff_s: float = Field(2.0, ge=0, description="first retry waits this long, then doubles")
    stall_timeout_s: float = Field(600, gt=0, description="fail when requests are in flight but none completed for this long")
    launch: LaunchConfig = Field(default_factory=LaunchConfig)

    @field_validator("endpoint")
    @classmethod
    def _endpoint_is_http(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("http://", "https://")):
            raise ValueError("endpoint must start with http:// or https://")
        return v


class BatchConfig(Section):
    """How the label stage runs the teacher: over HTTP (one server or replicas), or as a batch on Ray Data."""

    engine: Literal["server", "ray"] = Field(
        "server", description="server: a managed vLLM server (or teacher.endpoint / teacher.endpoints) over HTTP; "
        "ray: Ray Data's vLLM integration runs teacher.model as vLLM engines inside Ray actors, for nights past one "
        "node (needs `pip install distillery[ray]`; labeling only, the judge and checks still use a server; the "
        "server's launch settings apply to the engines, its HTTP ones (concurrency, retries, timeouts) do not)")
    engines: int = Field(1, ge=1, description="ray: vLLM engines (Ray actors), each holding the whole model; one per "
                         "node on CPU (they bind the cores teacher.launch.cpu_omp_threads_bind names)")
    cpus_per_engine: int = Field(2, ge=1, description="ray, CPU nodes: CPUs Ray reserves for each engine actor (on "
                                 "CUDA an engine takes teacher.launch.tensor_parallel_size bundles of one GPU and one CPU)")
    batch_size: int = Field(16, ge=1, description="ray: prompts per batch sent to an engine; a smaller batch loses "
                            "less when a worker dies, a larger one keeps the engine busier")
    address: str | None = Field(None, description="ray: an existing Ray cluster (ray://head:10001, or 'auto' for the "
                                "one this machine belongs to); None starts a local Ray for the stage and stops it after")
    startup_timeout_s: float = Field(900, gt=0, description="ray: give up when no answer has come back this long "
                                     "after Ray started (engine start, model load and the first batch)")


class TeacherConfig(ServedModelConfig):
    model: ModelId = Field("demo:qwen2.5-coder-0.5b-instruct", description="demo:NAME for a bundled model, a local HF folder, or a hub id (org/name)")
    endpoints: list[str] = Field(default_factory=list, description="replicas of the same model, no balancer in front: "
                                 "OpenAI-compatible base URLs (…/v1) that labeling spreads its prompts over, "
                                 "teacher.concurrency in flight on each; a replica that dies has its prompts sent to "
                                 "the others and is not used again that run; the fingerprint names the model, not the "
                                 "replicas; instead of endpoint, not with it")
    routes: dict[str, RouteGeneration] = Field(default_factory=dict, description="per-route generation options")
    batch: BatchConfig = Field(default_factory=BatchConfig, description="how labeling runs the teacher: HTTP server(s) "
                               "or Ray Data's vLLM engines")

    @field_validator("endpoints")
    @classmethod
    def _replicas_are_http_and_distinct(cls, v: list[str], info) -> list[str]:
        if v and info.data.get("endpoint"):
            raise ValueError(f"teacher.endpoint is set too ({info.data['endpoint']}): give endpoint (one server) or "
                             "endpoints (replicas of it), not both")
        bad = [u for u in v if not u.startswith(("http://", "https://"))]
        if bad:
            raise ValueError(f"every replica must start with http:// or https://: {', '.join(map(repr, bad))}")
        urls = [u.rstrip("/") for u in v]
        twice = sorted({u for u in urls if urls.count(u) > 1})
        if twice:
            raise ValueError(f"replica listed twice: {', '.join(twice)} (list each server once)")
        return v

    @field_validator("batch")
    @classmethod
    def _ray_can_run_it(cls, batch: BatchConfig, info) -> BatchConfig:
        """What the Ray batch path (models/ray_batch.py) cannot do, refused when the config is read, not mid-night."""
        if batch.engine != "ray":
            return batch
        reached = next((k for k in ("endpoint", "endpoints") if info.data.get(k)), None)
        if reached:
            raise ValueError(f"teacher.batch.engine is 'ray' and teacher.{reached} is set: Ray runs its own vLLM engines "
                             f"from teacher.model, it calls no server; remove teacher.{reached} or set "
                             "teacher.batch.engine: server")
        for route, g in sorted(info.data.get("routes", {}).items()):
            if g.n > 1:  # Ray Data's vLLM stage keeps only the first of a request's samples
                raise ValueError(f"teacher.routes.{route}.n = {g.n}: the Ray batch path returns one sample per prompt; "
                                 "set it to 1 or teacher.batch.engine: server")
            if g.top_logprobs:  # its logprobs are keyed by token id, not the server's tokens: not stored by this path
                raise ValueError(f"teacher.routes.{route}.top_logprobs = {g.top_logprobs}: the Ray batch path does not "
                                 "record logprobs; remove it or set teacher.batch.engine: server")
        launch = info.data.get("launch")
        if launch and launch.extra_args:
            raise ValueError("teacher.launch.extra_args are vLLM server flags and the Ray batch path starts no server; "
                             "empty them or set teacher.batch.engine: server")
        return batch

    @model_validator(mode="after")
    def _one_way_to_reach_the_teacher(self):
        if self.endpoint and self.endpoints:
            raise ValueError("teacher.endpoint and teacher.endpoints are both set: give endpoint (one server) or "
                             "endpoints (replicas of it), not both")
        return self


CurationFilter = Literal["truncated", "empty", "refusal", "schema", "length", "language", "consistency", "contradiction", "judge"]


class JudgeConfig(Section):
    """An LLM that scores each teacher answer 1-5; answers below min_score are dropped."""

    endpoint: str | None = Field(None, description="OpenAI-compatible base URL; None = the teacher (its endpoint or managed server)")
    model: str | None = Field(None, description="model name at the judge endpoint; None = the teacher's")
    api_key_env: str = "JUDGE_API_KEY"
    min_score: int = Field(3, ge=1, le=5)
    max_tokens: int = Field(8, ge=1)


class CurationConfig(Section):
    min_examples: int = Field(32, ge=1, description="fail before training when fewer survive")
    filters: list[CurationFilter] = Field(
        default_factory=lambda: ["truncated", "empty", "refusal", "schema", "length", "language", "consistency", "contradiction"],
        description="applied in this order; add 'judge' to score answers with an LLM")
    refusal_patterns: list[str] = Field(
        default_factory=lambda: [r"\bI(?:'m| am) sorry\b", r"\bI can(?:not|'t) (?:help|assist|do that)", r"\bas an AI\b",
                                 r"\bI(?:'m| am) (?:unable|not able) to\b"],
        description="regexes (case-insensitive) that mark an answer as a refusal")
    min_answer_chars: int = Field(2, ge=0)
    max_answer_tokens: int | None = Field(None, ge=1, description="longer answers are dropped (truncated ones always are)")
    max_answer_to_prompt_ratio: float = Field(8.0, gt=0, description="answer chars / user chars above this is rambling")
    min_consistency: float = Field(0.6, ge=0, le=1, description="agreement across the teacher's n samples (only when n > 1)")
    contradiction_threshold: float = Field(0.8, gt=0, le=1, description="prompts this similar must not get different labels")
    contradiction_fields: dict[str, list[str]] = Field(
        default_factory=dict, description="route -> JSON fields that must agree between near-duplicate prompts; default: enum fields")
    judge: JudgeConfig = Field(default_factory=JudgeConfig)
    val_fraction: float = Field(0.1, gt=0, lt=0.5, description="share of curated examples kept for validation loss, by prompt_id")
    history_nights: int = Field(0, ge=0, description="training examples of up to this many earlier runs in the same store "
                                "join tonight's (their teacher answers reused, no teacher cost): the student learns from "
                                "every night's labels, not tonight's alone; training time grows with them. Only examples "
                                "labelled by the current teacher and generation settings, under the route's current "
                                "system prompt and the current student prompt shape, count; 0: tonight's only. Needs "
                                "sampling.dedup_earlier_runs, which keeps tonight's held-out prompts apart from them")


class LoraConfig(Section):
    r: int = Field(16, ge=1, description="LoRA rank: the adapter's capacity; 16 is ~20 MB for the 135M student, "
                   "higher learns more and trains slower")
    alpha: int = Field(32, ge=1, description="LoRA scaling (alpha / r multiplies the update); usually 2 x r")
    dropout: float = Field(0.05, ge=0, lt=1, description="dropout on the LoRA inputs while training; 0 is faster "
                           "on CPU (docs/facts.md \"Answer-only logits and LoRA dropout\")")
    target_modules: list[str] | Literal["all-linear"] = Field(
        "all-linear", description="which linear layers get an adapter; all-linear is the QLoRA paper's choice")


class QuantConfig(Section):
    load_in_4bit: bool = Field(True, description="False trains plain LoRA on a bf16/fp32 base")
    quant_type: Literal["nf4", "fp4"] = "nf4"
    double_quant: bool = True
    compute_dtype: Literal["auto", "bfloat16", "float16", "float32"] = Field(
        "auto", description="auto: bf16 on CUDA SM>=8.0 and on AVX512-BF16 CPUs, else fp32 (older GPUs: fp16 QLoRA without loss scaling diverges; CPUs without bf16 kernels)"
    )


class TrainingConfig(Section):
    learning_rate: float = Field(1e-3, gt=0, description="AdamW peak learning rate on the LoRA weights; too high "
                                 "diverges (the run stops, registering nothing)")
    epochs: float = Field(2.0, gt=0, description="passes over the curated examples; more fits the teacher closer "
                          "and costs proportionally more training time")
    max_steps: int | None = Field(None, ge=1, description="overrides epochs when set")
    batch_size: int = Field(8, ge=1, description="examples per step; lower it (raising grad_accum) when out of memory")
    grad_accum: int = Field(1, ge=1, description="batches per optimizer step: the effective batch is batch_size x this")
    max_seq_len: int = Field(512, ge=16, description="tokens per example; longer examples are dropped, not truncated")
    gradient_checkpointing: bool = Field(True, description="recompute activations in the backward pass: much less "
                                         "memory for long sequences, ~30% more compute; off pays for small students")
    warmup_ratio: float = Field(0.05, ge=0, lt=1)
    scheduler: Literal["linear", "cosine"] = "linear"
    seed: int = 0
    processes: int = Field(1, ge=1, description="data-parallel training processes on this machine (torchrun: one per "
                           "GPU, or the CPU cores split between them); each trains on its share of every batch, so the "
                           "global batch stays batch_size x grad_accum and, without LoRA dropout, the losses are one "
                           "process's up to float rounding (docs/facts.md \"Data-parallel training\")")
    routes: list[str] = Field(default_factory=list, description="train on these routes' examples only (empty: every "
                              "route); the others are still sampled, labelled and evaluated, and stay with the teacher "
                              "unless the student passes there anyway: spend the training time where the student can win")


class StudentConfig(Section):
    model: ModelId = Field("demo:smollm2-135m-instruct", description="demo:NAME for a bundled model, a local HF folder, or a hub id (org/name)")
    device: Literal["auto", "cpu", "cuda"] = Field("auto", description="auto: cuda when available")
    quant: QuantConfig = Field(default_factory=QuantConfig)
    lora: LoraConfig = Field(default_factory=LoraConfig)
    training: TrainingConfig = Field(default_factory=TrainingConfig)


GatedMetric = Literal["schema_validity", "field_agreement", "chrf", "judge_win_rate"]


class PairJudgeConfig(Section):
    """An LLM that sees teacher and student answers side by side, in both orders."""

    enabled: bool = Field(True, description="False skips the judge (no win rate, nothing to gate on it)")
    endpoint: str | None = Field(None, description="OpenAI-compatible base URL; None = the teacher (its endpoint or managed server)")
    model: str | None = Field(None, description="model name at the judge endpoint; None = the teacher's")
    api_key_env: str = "JUDGE_API_KEY"
    max_tokens: int = Field(16, ge=1)
    routes: list[str] = Field(default_factory=list, description="judge only these routes' items (empty: every route); "
                              "JSON routes are already compared field by field, so judging the free-text routes alone "
                              "keeps the verdict where it adds evidence, at a fraction of the calls (~2 per item)")
    max_failure_rate: float = Field(0.1, ge=0, le=1, description="items whose verdict failed (an error, a refusal, an "
                                    "answer that is not a verdict) above this share: the win rate is unavailable this "
                                    "run and a gate on it refuses promotion")
    max_position_bias: float = Field(0.3, ge=0, le=1, description="items where the judge picked the same position in "
                                     "both orders (A, then A again with the answers swapped) above this share: it is "
                                     "following position, not judging (a coin flip scores 0.5); its win rate is unavailable")
    calibration_items: int = Field(12, ge=0, description="pairs with a known answer judged every run (a teacher answer "
                                   "against a planted flaw: invalid JSON, a wrong value, a truncation, an invented "
                                   "claim), 2 calls each; 0 skips them and the judge's accuracy is unknown, so its win "
                                   "rate is unavailable")
    min_calibration_accuracy: float = Field(0.75, ge=0, le=1, description="share of calibration pairs where the judge "
                                            "must pick the original in both orders; below it, its win rate is unavailable")


def _student_serving() -> LaunchConfig:
    # The 135M student decoded faster on one thread than on two here (docs/facts.md "vLLM-CPU threads");
    # a GPU ignores these.
    return LaunchConfig(max_model_len=1024, cpu_kvcache_space_gib=1, cpu_omp_threads_bind="0", omp_num_threads=1)


class EvaluationConfig(Section):
    bootstrap_resamples: int = Field(1000, ge=100, description="paired bootstrap resamples per estimate; seeded")
    confidence: float = Field(0.95, gt=0.5, lt=1)
    seed: int = 0
    gates: dict[GatedMetric, float] = Field(
        default_factory=lambda: {"schema_validity": 0.05, "field_agreement": 0.05},
        description="metric -> non-inferiority margin, fixed before the run: promote only when, for every route where the "
                    "metric applies, the CI's lower bound of (student - teacher reference) is >= -margin")
    max_items: int | None = Field(None, ge=1, description="cap on eval-split prompts per route (None: all of them), "
                                  "applied after history_nights pools earlier runs: tonight's items first, then the "
                                  "newest nights'")
    history_nights: int = Field(7, ge=0, description="held-out items of up to this many earlier runs in the same store "
                                "join tonight's eval set; their teacher answers are reused (no teacher cost), the "
                                "student answers them again; 0: tonight's only. Earlier: the sibling run folders dated "
                                "before this run (stage-sample.json run_date, else the name's YYYY-MM-DD), newest "
                                "first; only labels of the current teacher and generation settings count")
    include_base: bool = Field(True, description="also answer with the untrained base, to show what training bought")
    fewshot_examples: int = Field(3, ge=0, description="with include_base, the base also answers with this many of "
                                  "the route's training examples in its prompt (the in-context baseline: what a cheap "
                                  "alternative to training reaches); 0 skips it")
    guided_decoding: bool = Field(True, description="ask the student (and the base) with each JSON route's json_schema, "
                                  "as the teacher was asked and as production would serve it")
    unguided_diagnostic: bool = Field(True, description="with guided_decoding, also ask the student once without the "
                                      "schema: the report shows the validity its weights reach alone (never gated)")
    teacher_sure: float = Field(0.7, gt=0, lt=1, description="on routes whose labels carry logprobs "
                                "(teacher.routes.<route>.top_logprobs), each exact field's agreement is also reported "
                                "where the teacher's probability of its value is at least this, and where it is below "
                                "(never gated; tasks/evaluation/confidence.py)")
    student_sure: float | None = Field(0.7, gt=0, lt=1, description="the student's answers also carry its logprobs: "
                                       "on each JSON route, the share of requests where its probability of every exact "
                                       "field's value is at least this, and its agreement there; what a router that sends "
                                       "only those to the student and defers the rest to the teacher would serve "
                                       "(tasks/evaluation/confidence.py). null: not asked")
    defer_to_teacher: bool = Field(True, description="with student_sure, a JSON route the student fails alone may be "
                                   "promoted with deferral: the student answers where it is that sure, the teacher the "
                                   "rest; that deployment must pass the same gates over every item, and the routing "
                                   "plan says so (defer_below). false: the student alone or nothing")
    min_served_share: float = Field(0.25, gt=0, le=1, description="with defer_to_teacher, the lower bound of the share "
                                    "of requests the student would answer must reach this: a router that sends it "
                                    "almost nothing pays for a student and saves nothing")
    min_items: int = Field(30, ge=1, description="a gated route (or overall) judged on fewer items is 'insufficient "
                           "evidence', never a promotion: at 10-20 items a 95% interval is +/-0.15-0.3 wide "
                           "(benchmarks/ci_coverage.py)")
    concurrency: int = Field(16, ge=1, description="requests in flight to the student server")
    judge: PairJudgeConfig = Field(default_factory=PairJudgeConfig)
    serve: LaunchConfig = Field(default_factory=_student_serving, description="vLLM settings for serving the student")


class ExportConfig(Section):
    """The shipped student: the adapter merged into its dequantized NF4 base, checked before it is servable."""

    parity_prompts: int = Field(16, ge=1, description="held-out prompts the reference answers greedily; the export then "
                                "reads the same tokens (teacher-forced) and is compared position by position")
    min_token_agreement: float = Field(0.97, ge=0, le=1, description="refuse the export when a smaller share of teacher-forced "
                                       "positions picks the reference's next token (docs/facts.md \"Export parity\": a "
                                       "correct merge 0.99-1.0, naive merges ~0.93)")
    max_top_logprob_gap: float = Field(1.0, gt=0, description="refuse the export when, at any position, its log-probability "
                                       "of the reference's next token drifts more than this (correct merge <= 0.21, naive >= 2.1)")
    min_positions: int = Field(100, ge=1, description="refuse when fewer answer tokens were compared: too little evidence "
                               "either way (raise parity_prompts)")
    compare_naive: bool = Field(True, description="also score the naive alternatives (adapter/merge on the original weights)")
    served_name: str = Field("student", description="model name the served student answers to")
    multi_lora: bool = Field(False, description="CUDA only: serve (and evaluate) the adapter with --enable-lora on the "
                             "base quantized to NF4 by vLLM's bitsandbytes, so one base serves many adapters; "
                             "false serves the merged export")


class ApiPricing(Section):
    """A hosted API, billed per token (USD per million)."""

    input_per_mtok: float = Field(ge=0)
    output_per_mtok: float = Field(ge=0)
    cached_input_per_mtok: float | None = Field(None, ge=0, description="price of input served from the provider's "
                                                "prompt cache: the report bills the prefix every request of a route repeats "
                                                "(its system prompt, measured) at it; None: no cache, full price")
    cache_min_tokens: int = Field(0, ge=0, description="the shortest prefix the provider caches (OpenAI, Anthropic "
                                  "Sonnet/Opus: 1024 tokens): a shorter repeated prefix is billed at the full input "
                                  "price; 0: any length")
    batch_discount: float = Field(0.0, ge=0, lt=1, description="fraction off with the provider's batch API, applied only "
                                  "to calls a stage record says went through it (\"batch_api\": true); labeling and "
                                  "judging are online calls today, billed at the online price")


class SelfHostedPricing(Section):
    """Dedicated GPUs, billed per hour whether busy or not."""

    gpu: str = "L4"
    usd_per_gpu_hour: float = Field(ge=0)
    gpus_per_replica: int = Field(1, ge=1)
    utilization: float = Field(0.6, gt=0, le=1, description="share of peak throughput real traffic sustains")
    output_tok_s: float | None = Field(None, gt=0, description="one replica's decode tokens/s on this GPU at production "
                                       "concurrency; None: the student's serving throughput the run measured on CUDA "
                                       "(stage-export.json); a CPU run cannot measure a GPU, so set it there")


class ModelPricing(Section):
    api: ApiPricing | None = None
    self_hosted: SelfHostedPricing | None = None

    @model_validator(mode="after")
    def _exactly_one(self):
        if (self.api is None) == (self.self_hosted is None):
            raise ValueError("give exactly one of api (per-token prices) or self_hosted (GPU per hour)")
        return self


class SharedGpuPricing(Section):
    """A share of GPUs that serve several fine-tuned adapters on one base (multi-LoRA): the self_hosted GPU's
    price and throughput, its bill split between the adapters."""

    adapters: int = Field(ge=1, description="adapters the shared GPUs serve, this student's included; each pays an "
                          "equal share of the GPU bill (4: a quarter)")
    share: float | None = Field(None, gt=0, le=1, description="this student's share of the tokens the shared GPUs serve, "
                                "when the adapters' traffic is uneven; it pays that share of the bill; None: 1/adapters")
    output_tok_s: float | None = Field(None, gt=0, description="one replica's decode tokens/s serving adapters (LoRA "
                                       "layers cost time over a merged model); None: self_hosted's")


class StudentPricing(Section):
    """Up to three ways to pay for the student; the report prices each one given and recommends the cheapest.
    One of api or self_hosted alone is the single-option form of earlier configs."""

    api: ApiPricing | None = Field(None, description="(a) a provider hosts the fine-tuned student, billed per token")
    self_hosted: SelfHostedPricing | None = Field(None, description="(b) GPUs rented for this student alone")
    shared_gpu: SharedGpuPricing | None = Field(None, description="(c) a share of self_hosted's GPUs that serve other "
                                                "adapters too (multi-LoRA)")

    @model_validator(mode="after")
    def _priced(self):
        if self.api is None and self.self_hosted is None:
            raise ValueError("give api (per-token prices), self_hosted (GPU per hour), or both")
        if self.shared_gpu is not None and self.self_hosted is None:
            raise ValueError("shared_gpu splits the self_hosted GPU's bill: give self_hosted too")
        return self


class PricingConfig(Section):
    """What finance pays. Every number here is an assumption the report labels as such; measured tokens,
    seconds and volumes come from the run's records."""

    currency: str = "USD"
    teacher: ModelPricing = Field(default_factory=lambda: ModelPricing(api=ApiPricing(
        input_per_mtok=3.0, output_per_mtok=15.0, cached_input_per_mtok=0.3, batch_discount=0.5)))
    # The student's default: a hosted fine-tuned small model per token (a typical list price) and one rented L4;
    # a multi-LoRA share needs to know how many adapters share the GPU, so it is priced only when configured.
    student: StudentPricing = Field(default_factory=lambda: StudentPricing(
        api=ApiPricing(input_per_mtok=0.3, output_per_mtok=1.2),
        self_hosted=SelfHostedPricing(gpu="L4", usd_per_gpu_hour=0.8, output_tok_s=1500)),
        description="the student, priced each way given (api, self_hosted, shared_gpu); the cheapest is recommended")
    judge: ModelPricing | None = Field(None, description="the LLM judge (curation and evaluation); None: priced as the teacher")
    pipeline_usd_per_gpu_hour: float = Field(2.5, ge=0, description="the GPU the nightly training and evaluation rent")
    training_tok_s: float = Field(4000, gt=0, description="trained tokens/s on that GPU (assumed unless the run was on it)")
    requests_per_day: float | None = Field(None, gt=0, description="None: measured from the production log window")
    growth_per_month: float = Field(0.0, ge=-0.99, le=10, description="expected traffic growth (0.1 = +10%/month): "
                                    "the report says when a volume below break-even reaches it")
    nights_per_month: int = Field(30, ge=0, le=31, description="how often the pipeline runs; its cost is amortised per day")


class StoreConfig(Section):
    root: str = Field(".distillery", description="run folders and registry; relative paths are from the current directory")


class RunConfig(Section):
    """Everything one nightly run needs."""

    source: SourceConfig = Field(default_factory=SourceConfig)
    sampling: SamplingConfig = Field(default_factory=SamplingConfig)
    teacher: TeacherConfig = Field(default_factory=TeacherConfig)
    curation: CurationConfig = Field(default_factory=CurationConfig)
    student: StudentConfig = Field(default_factory=StudentConfig)
    evaluation: EvaluationConfig = Field(default_factory=EvaluationConfig)
    export: ExportConfig = Field(default_factory=ExportConfig)
    pricing: PricingConfig = Field(default_factory=PricingConfig)
    store: StoreConfig = Field(default_factory=StoreConfig)

    @model_validator(mode="after")
    def _carried_examples_stay_apart_from_eval(self):
        # Earlier nights' training prompts are kept out of tonight's sample (and so out of its held-out items) only
        # by the sampler's dedup against earlier runs; without it a near-duplicate could train and be graded.
        if self.curation.history_nights and not self.sampling.dedup_earlier_runs:
            raise ValueError(f"curation.history_nights = {self.curation.history_nights} needs sampling.dedup_earlier_runs "
                             "= true: without it tonight's held-out prompts may repeat earlier nights' training "
                             "examples, and the verdict would grade the student on what it trained on. Set "
                             "sampling.dedup_earlier_runs=true or curation.history_nights=0")
        return self

    def config_hash(self) -> str:
        """Content hash of the effective config: same knobs, same hash, whatever file they came from."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def apply_override(data: dict, override: str) -> None:
    """Apply one `a.b.c=value` override in place; the value is parsed as YAML (so 128 is an int)."""
    key, sep, raw = override.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"override {override!r}: expected key.path=value, e.g. teacher.max_tokens=128")
    parts = key.strip().split(".")
    node = data
    for i, part in enumerate(parts[:-1]):
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(f"override {override!r}: {'.'.join(parts[: i + 1])} is a value, not a section")
        node = child
    node[parts[-1]] = yaml.safe_load(raw) if raw.strip() else None


def _allowed_keys(loc: tuple) -> list[str]:
    """The field names allowed at the section that holds `loc`'s last key."""
    model: type[BaseModel] = RunConfig
    for part in loc[:-1]:
        field = model.model_fields.get(str(part))
        annotation = getattr(field, "annotation", None)
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)


def _describe(error: dict) -> str:
    path = ".".join(str(p) for p in error["loc"])
    if error["type"] == "extra_forbidden":
        allowed = _allowed_keys(error["loc"])
        close = difflib.get_close_matches(str(error["loc"][-1]), allowed, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown key {path!r}{hint}; allowed here: {', '.join(allowed)}"
    message = error["msg"].removeprefix("Value error, ")
    if not error["loc"]:  # a check across sections (RunConfig's own validators): its message names the keys
        return message
    return f"{path} = {error.get('input')!r}: {message}"


def validate_config(data: dict, origin: str = "config") -> RunConfig:
    """Validate a plain dict, raising ConfigError with one line per problem."""
    try:
        return RunConfig.model_validate(data)
    except ValidationError as exc:
        lines = [f"{origin}: {_describe(e)}" for e in exc.errors()]
        raise ConfigError("\n".join(lines)) from None


def _check_keys(data: dict, path: Path, where: str = "") -> None:
    """Every key must be a name: YAML reads unquoted yes/no/on/off/true/false/null and numbers as values."""
    for key, value in data.items():
        if not isinstance(key, str):
            raise ConfigError(f"{path}: {where}{key}: this key is not a name (YAML read it as the {type(key).__name__} "
                              f"{key!r}); quote it or fix the typo")
        if isinstance(value, dict):
            _check_keys(value, path, f"{where}{key}.")


def load_config(path: str | Path | None = None, overrides: list[str] | tuple[str, ...] = ()) -> RunConfig:
    """Load a YAML run config (or the defaults when path is None) and apply dotted overrides."""
    data: dict[str, Any] = {}
    origin = "defaults"
    if path is not None:
        path = Path(path)
        origin = str(path)
        if not path.is_file():
            raise ConfigError(f"{path}: no such config file; shipped configs are in configs/")
        try:
            loaded = yaml.safe_load(path.read_text())
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark else ""
            raise ConfigError(f"{path}: not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(f"{path}: top level must be a mapping of sections, got {type(loaded).__name__}")
        data = loaded or {}
        _check_keys(data, path)
    for override in overrides:
        apply_override(data, override)
    if overrides:
        origin += " + overrides"
    return validate_config(data, origin)


def judge_spec(teacher: TeacherConfig, judge: "JudgeConfig | PairJudgeConfig") -> ServedModelConfig:
    """The judge as a served model: its own endpoint/model when the judge section names one, else the teacher's
    (its endpoint, or the same managed vLLM server, which is then reused rather than started twice)."""
    # With teacher replicas (teacher.endpoints) the judge asks the first one.
    served = teacher.model_dump(exclude={"routes", "endpoint", "endpoints", "served_name", "api_key_env", "batch"})
    return ServedModelConfig(**served,
                             endpoint=judge.endpoint or teacher.endpoint or next(iter(teacher.endpoints), None),
                             served_name=judge.model or teacher.served_name,
                             api_key_env=judge.api_key_env if judge.endpoint else teacher.api_key_env)
