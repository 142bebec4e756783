"""The `distillery` command line. Each stage runs alone from here on the previous stage's files.

    distillery doctor                      # is this machine ready?
    distillery models prepare              # bundled demo models -> HF folders in the model cache
    distillery teacher serve -c configs/demo.yaml
    distillery sample -c configs/demo.yaml # production log -> prompts.parquet in the run folder
    distillery label | curate | train | evaluate | report -c configs/demo.yaml --run-dir .distillery/runs/<run>
    distillery registry status             # champion, candidates, history
    distillery demo -c configs/demo.yaml   # the main job on the embedded demo
"""

import json
import logging
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from distillery.config import ConfigError, RunConfig, load_config

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Distil a teacher LLM into a 4-bit student you own.")
models_app = typer.Typer(no_args_is_help=True, help="Bundled demo models.")
teacher_app = typer.Typer(no_args_is_help=True, help="The teacher: a managed vLLM server or an endpoint.")
app.add_typer(models_app, name="models")
app.add_typer(teacher_app, name="teacher")
registry_app = typer.Typer(no_args_is_help=True, help="Trained adapters: status, promote, rollback.")
app.add_typer(registry_app, name="registry")
serve_app = typer.Typer(no_args_is_help=True, help="Serve a model with vLLM in the foreground (Ctrl-C stops it).")
app.add_typer(serve_app, name="serve")

console = Console(stderr=True)
# Stage summaries are a command's result: stdout (logs and errors go to stderr), wide enough for the A/B
# table's CI column, which does not fit 80 columns.
out = Console(width=max(Console().width, 130))

ConfigOpt = Annotated[Optional[Path], typer.Option("--config", "-c", help="run config YAML (default: configs/demo.yaml)")]
OverrideOpt = Annotated[Optional[list[str]], typer.Option("--override", "-o", help="dotted override, e.g. -o teacher.max_tokens=128")]
RunDateOpt = Annotated[Optional[str], typer.Option("--run-date", help="YYYY-MM-DD the run is for (default: today, UTC)")]
RunDirOpt = Annotated[Optional[Path], typer.Option("--run-dir", help="write here instead of <store>/runs/<date>-<config hash>")]

DEFAULT_CONFIG = Path("configs/demo.yaml")

# A ticket like the demo's production traffic, for the demo's first look at the teacher.
SAMPLE_PROMPT = ("Classify this support ticket as JSON with keys category, urgency (low|medium|high) and summary.\n"
                 "Ticket: Since this morning every invoice PDF I download is blank. Our accountant needs them today.")


def setup_logging(verbose: bool = False) -> None:
    from rich.logging import RichHandler

    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, format="%(message)s",
                        handlers=[RichHandler(console=console, show_path=False)], force=True)
    for noisy in ("httpx", "httpx2", "openai", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def fail(message: str, code: int = 1) -> None:
    console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)  # one problem, one line
    raise typer.Exit(code)


def get_config(config: Optional[Path], overrides: Optional[list[str]]) -> RunConfig:
    path = config if config is not None else (DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None)
    try:
        return load_config(path, overrides or [])
    except ConfigError as exc:
        fail(str(exc), code=2)


def run_dir_for_logs(cfg: RunConfig) -> Path:
    return Path(cfg.store.root) / "logs"


@app.command()
def doctor(config: ConfigOpt = None, override: OverrideOpt = None) -> None:
    """Check device, libraries, vLLM build, model cache and Prefect; exit 1 with a fix when something is missing."""
    from cli.doctor import print_report, run_checks

    setup_logging()
    cfg = get_config(config, override)
    checks = run_checks(cfg)
    print_report(checks, Console())
    if any(c.required and not c.ok for c in checks):
        raise typer.Exit(1)


@models_app.command("prepare")
def models_prepare(
    names: Annotated[Optional[list[str]], typer.Argument(help="bundled model names (default: all)")] = None,
) -> None:
    """Download, verify and convert bundled demo models into the model cache (a no-op when cached)."""
    from distillery.catalog import BUNDLED
    from models.prepare import PrepareError, prepare

    setup_logging()
    for name in names or list(BUNDLED):
        console.print(f"preparing {name} …", highlight=False)
        try:
            result = prepare(name)
        except PrepareError as exc:
            fail(str(exc))
        what = "already prepared" if result.action == "cached" else f"built in {result.seconds:.0f} s"
        console.print(f"  {name}: {what} -> {result.path}", highlight=False)


@models_app.command("list")
def models_list() -> None:
    """Show the bundled demo models and whether each is prepared."""
    from distillery.catalog import BUNDLED, DEMO_PREFIX
    from models.prepare import is_prepared, model_dir

    for name, spec in BUNDLED.items():
        state = f"prepared at {model_dir(name)}" if is_prepared(spec) else "not prepared"
        print(f"{DEMO_PREFIX}{name:32s} {spec.params:>5s}  {state}\n    {spec.description}")


@teacher_app.command("serve")
def teacher_serve(config: ConfigOpt = None, override: OverrideOpt = None) -> None:
    """Run the configured teacher's vLLM server in the foreground until Ctrl-C."""
    from models.resolve import ModelNotReady
    from models.vllm_server import ManagedServer, ServerError

    setup_logging()
    cfg = get_config(config, override)
    if cfg.teacher.endpoint:
        fail(f"teacher.endpoint is set ({cfg.teacher.endpoint}): nothing to serve locally")
    try:
        server = ManagedServer(cfg.teacher, run_dir_for_logs(cfg))
        server.start()
    except (ModelNotReady, ServerError) as exc:
        fail(str(exc))
    serve_foreground(server, "teacher ready")


def serve_foreground(server, ready: str, note: str = "") -> None:
    """Report the started server, then block until Ctrl-C/SIGTERM (or the server dies) and stop it."""
    endpoint = server.endpoint
    if not endpoint.owned:
        console.print(f"a server for this model is already running (pid {endpoint.pid}) at {endpoint.base_url}")
        return
    console.print(f"[green]{ready}[/] at {endpoint.base_url} as model {endpoint.model!r}; "
                  f"log {endpoint.log_path}; Ctrl-C stops it{note}", highlight=False)
    _stop_on_interrupt_and_term()
    try:
        code = server.wait()
        fail(f"vLLM server exited on its own with code {code}; see {endpoint.log_path}")
    except KeyboardInterrupt:
        console.print("stopping …")
    finally:
        server.stop()


def _stop_on_interrupt_and_term() -> None:
    """Ctrl-C and SIGTERM both end a command cleanly (its finally blocks stop managed servers). SIGINT is set
    explicitly because a shell starts background jobs with SIGINT ignored, and children inherit that: Ctrl-C
    (or a supervisor's SIGINT) would then do nothing at all."""
    import signal

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)


@teacher_app.command("ask")
def teacher_ask(
    prompt: Annotated[str, typer.Argument(help="user message")] = SAMPLE_PROMPT,
    config: ConfigOpt = None, override: OverrideOpt = None,
) -> None:
    """Send one chat message to the teacher (starting it if needed) and print the answer with usage."""
    setup_logging()
    cfg = get_config(config, override)
    _ask_teacher(cfg, prompt)


def _ask_teacher(cfg: RunConfig, prompt: str, system: str | None = None) -> None:
    from models.chat_client import ask
    from models.resolve import ModelNotReady
    from models.vllm_server import ServerError, served_endpoint

    try:
        with served_endpoint(cfg.teacher, run_dir_for_logs(cfg)) as endpoint:
            answer = ask(endpoint, prompt, cfg.teacher, system=system)
    except (ModelNotReady, ServerError) as exc:
        fail(str(exc))
    shown = f"[{len(system)}-character production system prompt]\n{prompt}" if system else prompt
    print(f"prompt: {shown}\n\nteacher ({cfg.teacher.model}) answered in {answer.latency_s:.1f} s "
          f"[{answer.prompt_tokens} prompt + {answer.completion_tokens} completion tokens, "
          f"finish_reason={answer.finish_reason}]:\n{answer.text}")


@app.command()
def demo(config: ConfigOpt = None, override: OverrideOpt = None, run_date: RunDateOpt = None) -> None:
    """The main job on the embedded demo: prepare the models, then run the nightly Prefect flow once (sample,
    label, curate, train, evaluate, report); the last line printed is the report's path. Re-running resumes:
    labels, the trained adapter, verdicts and models are reused."""
    from distillery.catalog import DEMO_PREFIX
    from models.prepare import PrepareError, prepare

    setup_logging()
    _stop_on_interrupt_and_term()  # Ctrl-C or SIGTERM stops the stage's vLLM server; committed work stays
    cfg = get_config(config, override)
    started = time.monotonic()
    for model_id in (cfg.teacher.model, cfg.student.model):
        if model_id.startswith(DEMO_PREFIX):
            try:
                prepare(model_id[len(DEMO_PREFIX):])
            except PrepareError as exc:
                fail(str(exc))
    day, folder = resolve_run(cfg, run_date, None)
    import os

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # offline: no telemetry errors in the output
    from cli.prefect_server import start_temporary_server, use_local_prefect_server

    local = use_local_prefect_server()
    if local:
        console.print(f"flow run on the local Prefect server: {local.removesuffix('/api')}", highlight=False)
    elif not os.environ.get("PREFECT_API_URL"):
        start_temporary_server()
    from flows.known_errors import stage_errors
    from flows.nightly import nightly  # imports Prefect: only once the models are ready

    try:
        result = nightly(config_file=str((config or DEFAULT_CONFIG).resolve()), run_date=day,
                         overrides=dict(o.split("=", 1) for o in override or []))  # the form's fields, as the UI sends them
    except stage_errors() as exc:
        fail(f"{type(exc).__name__}: {exc}")
    ab = json.loads((folder / "ab.json").read_text())
    show_evaluation(ab)
    show_report(json.loads((folder / "stage-report.json").read_text()), ab)
    t = result["timing"]
    console.print(f"demo finished in {time.monotonic() - started:.0f} s (flow {t['wall_s']:.0f} s, of which Prefect "
                  f"{100 * t['overhead_ratio']:.1f}%); run folder: {folder.resolve()}", highlight=False, soft_wrap=True)
    logging.getLogger("prefect").setLevel(logging.WARNING)  # its temporary server says goodbye at exit: not after the path
    print(result["report"])  # the last line: the page to open


def resolve_run(cfg: RunConfig, run_date: Optional[str], run_dir: Optional[Path]):
    """The run's date and folder, refusing a malformed date or an id that would leave the store."""
    from datetime import UTC, date, datetime

    from distillery.paths import run_dir as store_run_dir
    from distillery.paths import run_id_for

    try:
        day = date.fromisoformat(run_date) if run_date else datetime.now(UTC).date()
    except ValueError:
        fail(f"--run-date {run_date!r}: expected YYYY-MM-DD, e.g. 2026-11-23")
    if run_dir is not None:
        return day, run_dir
    return day, store_run_dir(cfg.store.root, run_id_for(day, cfg.config_hash()))


@app.command()
def sample(config: ConfigOpt = None, override: OverrideOpt = None, run_date: RunDateOpt = None, run_dir: RunDirOpt = None) -> None:
    """Sample prompts from the production log: validate, scrub PII, dedup, stratify, split train/eval."""
    setup_logging()
    cfg = get_config(config, override)
    day, folder = resolve_run(cfg, run_date, run_dir)
    sample_stage(cfg, day, folder)


def run_stage(stage: str, config, override, run_date, run_dir, runner, errors: tuple) -> tuple[dict, Path]:
    """Load the config, find the run folder, run one stage; its known errors end the command with one line."""
    from distillery.policy import PolicyError
    from models.resolve import ModelNotReady

    setup_logging()
    _stop_on_interrupt_and_term()  # so a managed vLLM server is stopped on the way out, not orphaned
    cfg = get_config(config, override)
    _, folder = resolve_run(cfg, run_date, run_dir)
    from distillery.store import stage_attempt

    try:
        with stage_attempt(folder, stage):  # billed by the report, failed or not
            return runner(cfg, folder), folder
    except (*errors, ModelNotReady, PolicyError) as exc:
        fail(str(exc))


@app.command()
def label(config: ConfigOpt = None, override: OverrideOpt = None, run_date: RunDateOpt = None, run_dir: RunDirOpt = None) -> None:
    """Have the teacher answer the run's prompts (only those without a committed label); write labels.parquet."""
    from tasks.labeling.stage import LabelError, run_label
    from tasks.labeling.summary import summarize

    record, folder = run_stage("label", config, override, run_date, run_dir, run_label, (LabelError,))
    show(summarize(record), folder / "labels.parquet")


@app.command()
def curate(config: ConfigOpt = None, override: OverrideOpt = None, run_date: RunDateOpt = None, run_dir: RunDirOpt = None) -> None:
    """Filter the teacher's answers into the training set (train.parquet) and print the funnel."""
    from tasks.curation.stage import CurateError, run_curate
    from tasks.curation.summary import summarize

    record, folder = run_stage("curate", config, override, run_date, run_dir, run_curate, (CurateError,))
    show(summarize(record), folder / "train.parquet")


@app.command()
def train(config: ConfigOpt = None, override: OverrideOpt = None, run_date: RunDateOpt = None, run_dir: RunDirOpt = None,
          resume: Annotated[bool, typer.Option("--resume", help="continue from the run's last checkpoint")] = False,
          checkpoint_every: Annotated[int, typer.Option(help="save a checkpoint every N optimizer steps")] = 20) -> None:
    """QLoRA-train the 4-bit student on train.parquet and register the adapter with its lineage."""
    from tasks.training.loop import TrainError
    from tasks.training.stage import run_train
    from tasks.training.summary import summarize

    def runner(cfg, folder):
        return run_train(cfg, folder, resume=resume, checkpoint_every=checkpoint_every)

    record, _ = run_stage("train", config, override, run_date, run_dir, runner, (TrainError,))
    show(summarize(record))


@app.command()
def evaluate(config: ConfigOpt = None, override: OverrideOpt = None, run_date: RunDateOpt = None, run_dir: RunDirOpt = None,
             adapter: Annotated[Optional[str], typer.Option(help="adapter version (default: the one this run trained)")] = None) -> None:
    """Teacher vs student on the held-out prompts: metrics with CIs, a non-inferiority decision, promotion."""
    from models.merge import MergeError
    from models.registry import RegistryError
    from models.vllm_server import ServerError
    from tasks.evaluation.items import EvalError
    from tasks.evaluation.stage import run_evaluate
    from tasks.export.stage import ExportError, run_export

    def export_then_evaluate(cfg: RunConfig, folder: Path) -> dict:
        run_export(cfg, folder, adapter)  # the A/B scores what would ship; an export that passed already is reused
        return run_evaluate(cfg, folder, adapter)

    ab, folder = run_stage("evaluate", config, override, run_date, run_dir, export_then_evaluate,
                           (EvalError, RegistryError, ServerError, ExportError, MergeError))
    show_evaluation(ab)
    console.print(f"wrote {folder / 'ab.json'} and {folder / 'eval.parquet'}", highlight=False, soft_wrap=True)


def show_evaluation(ab: dict) -> None:
    from tasks.evaluation.summary import summarize

    show(summarize(ab))


@app.command()
def report(config: ConfigOpt = None, override: OverrideOpt = None, run_date: RunDateOpt = None, run_dir: RunDirOpt = None) -> None:
    """Rebuild report.html and cost.csv from the run folder's records and the store's prices (same bytes each time).
    -o pricing.<key>=<value> sets a price for this and every later report (docs: distillery/prices.py)."""
    from distillery.prices import set_prices, sets_prices
    from tasks.report.stage import ReportError, run_report

    if sets_prices(override):  # finance's new prices: every later report, nightly or rebuilt, keeps them
        cfg = get_config(config, override)
        given = " ".join(f"-o {o}" for o in override if o.startswith("pricing."))
        set_prices(run_dir.parent.parent if run_dir else cfg.store.root, cfg.pricing, f"distillery report {given}")
    record, folder = run_stage("report", config, override, run_date, run_dir, run_report, (ReportError,))
    show_report(record, json.loads((folder / "ab.json").read_text()))
    print((folder / "report.html").resolve())  # the last line: the page to open


def show_report(record: dict, ab: dict) -> None:
    from tasks.report.summary import summarize

    show(summarize(record, ab))  # the recommendation turns on the verdict in ab.json, as on the report page


def open_registry(config, override):
    from models.registry import Registry

    setup_logging()
    cfg = get_config(config, override)
    return Registry(Path(cfg.store.root), cfg.student.model)


@registry_app.command("status")
def registry_status(config: ConfigOpt = None, override: OverrideOpt = None) -> None:
    """The champion, the candidates and the promotion history of the configured student."""
    import json

    registry = open_registry(config, override)
    print(json.dumps({"registry": str(registry.dir), "versions": registry.versions(), **registry.status()}, indent=1))


@registry_app.command("promote")
def registry_promote(version: str, config: ConfigOpt = None, override: OverrideOpt = None,
                     reason: Annotated[str, typer.Option(help="why, for the history")] = "manual promotion") -> None:
    """Make VERSION the champion (a no-op when it already is)."""
    from models.registry import RegistryError

    registry = open_registry(config, override)
    try:
        changed = registry.promote(version, reason)
    except RegistryError as exc:
        fail(str(exc))
    console.print(f"{version} {'is now' if changed else 'already was'} the champion", highlight=False)


@registry_app.command("rollback")
def registry_rollback(config: ConfigOpt = None, override: OverrideOpt = None,
                      reason: Annotated[str, typer.Option(help="why, for the history")] = "manual rollback") -> None:
    """Restore the champion that the current one replaced."""
    from models.registry import RegistryError

    registry = open_registry(config, override)
    try:
        champion = registry.rollback(reason)
    except RegistryError as exc:
        fail(str(exc))
    console.print(f"champion is now {champion or 'none'}", highlight=False)


@app.command("export")
def export_cmd(version: Annotated[str, typer.Argument(help="adapter version, e.g. v0003")],
               config: ConfigOpt = None, override: OverrideOpt = None,
               run_dir: Annotated[Optional[Path], typer.Option(help="run whose eval prompts the parity check uses "
                                                                   "(default: the run that trained the adapter)")] = None) -> None:
    """Merge the adapter into its dequantized NF4 base and register it as servable if it passes the parity check."""
    from models.merge import MergeError
    from models.registry import RegistryError
    from models.resolve import ModelNotReady
    from models.vllm_server import ServerError
    from tasks.export.stage import ExportError, export_student
    from tasks.export.summary import summarize

    setup_logging()
    cfg = get_config(config, override)
    try:
        record = export_student(cfg, version, run_dir)
    except (ExportError, MergeError, RegistryError, ServerError, ModelNotReady) as exc:
        fail(str(exc))
    show(summarize(record), Path(record["model_dir"]))


@serve_app.command("student")
def serve_student(config: ConfigOpt = None, override: OverrideOpt = None,
                  version: Annotated[Optional[str], typer.Option(help="export to serve (default: the routing plan's)")] = None) -> None:
    """Serve what the routing plan sends to the student (or --version's export) with vLLM until Ctrl-C. One version:
    its merged export under `export.served_name`; several (routes promoted on different nights): each adapter on one
    base under its version name. Routes the plan keeps with the teacher are listed, not served."""
    from models.registry import Registry, RegistryError
    from models.served_student import ServeError, adapters_config, export_config, multi_lora_config
    from models.vllm_server import ManagedServer, ServerError

    setup_logging()
    cfg = get_config(config, override)
    registry = Registry(Path(cfg.store.root), cfg.student.model)
    plan = {} if version else registry.plan()
    versions = [version] if version else (registry.plan_versions() or [v for v in [registry.status()["champion"]] if v])
    if not versions:
        fail(f"no route goes to the student in {registry.dir / 'routing.json'}: evaluate a candidate first, or pass --version")
    try:
        if len(versions) > 1:  # each route's version answers under its own name, on one base
            served = adapters_config(cfg, {v: registry.dir / v for v in versions})
        elif cfg.export.multi_lora:  # the adapter on vLLM's NF4 base (CUDA); more adapters can be added to the same base
            served = multi_lora_config(cfg, versions[0], registry.dir / versions[0])
        else:
            served = export_config(cfg, Path(registry.servable(versions[0])))
        server = ManagedServer(served, Path(cfg.store.root) / "logs")
        server.start()
    except (RegistryError, ServerError, ServeError) as exc:
        fail(str(exc))
    schemas = {r: g.json_schema for r, g in cfg.teacher.routes.items() if g.json_schema}
    guided = "".join(f"; {r}: response_format json_schema from {path}" for r, path in sorted(schemas.items()))
    # evaluation asked the student this way (evaluation.guided_decoding): serve it the way it was judged
    serve_foreground(server, f"student {', '.join(versions)} ready",
                     "; requests in the student's shape: one user message '[route]\\n<content>', no system prompt" + guided
                     + routing_lines(plan, len(versions) > 1, cfg.export.served_name))


@serve_app.command("router")
def serve_router(student_url: Annotated[str, typer.Option(help="the student server `distillery serve student` started, "
                                                               "e.g. http://127.0.0.1:8000/v1")],
                 config: ConfigOpt = None, override: OverrideOpt = None,
                 teacher_url: Annotated[Optional[str], typer.Option(help="the teacher's OpenAI URL (default: "
                                                                          "teacher.endpoint)")] = None,
                 host: Annotated[str, typer.Option(help="127.0.0.1: this machine only")] = "127.0.0.1",
                 port: Annotated[int, typer.Option()] = 8400) -> None:
    """Answer every route at one OpenAI URL the way routing.json says (the route is the model name): the student,
    the student unless it is unsure, or the teacher; count who answered per day (GET /stats). Ctrl-C stops it."""
    import uvicorn

    from distillery.policy import PolicyError
    from distillery.routes import RouteError
    from models.registry import Registry
    from models.router import Router
    from models.router_http import create_app
    from models.served_counts import ServedCounts
    from models.vllm_server import Endpoint, external_endpoint

    setup_logging()
    cfg = get_config(config, override)
    registry = Registry(Path(cfg.store.root), cfg.student.model)
    plan = registry.plan()
    url = teacher_url or cfg.teacher.endpoint or next(iter(cfg.teacher.endpoints or []), None)
    if not url:
        fail("the router needs a running teacher for the routes it keeps and the requests the student defers: pass "
             "--teacher-url (`distillery teacher serve` prints one) or set teacher.endpoint")
    try:
        teacher = external_endpoint(cfg.teacher, url)
    except PolicyError as exc:
        fail(str(exc))
    student = Endpoint(student_url.rstrip("/"), cfg.export.served_name, "EMPTY")
    router = Router(cfg, plan, student, teacher, by_version=len(registry.plan_versions()) > 1)
    routes = sorted(set(cfg.teacher.routes) | set(plan))
    try:
        router.check_routes(routes)
    except (RouteError, OSError) as exc:  # a route's schema or system prompt: fail now, not on every request
        fail(str(exc) if isinstance(exc, RouteError) else f"{exc}: route paths are relative to {Path.cwd()}")
    counts = ServedCounts.for_store(Path(cfg.store.root))
    if not any(p.get("to") == "student" for p in plan.values()):
        console.print("[yellow]no route goes to the student in routing.json: the teacher answers everything[/]")
    console.print(f"[green]router ready[/] at http://{host}:{port}/v1 (route = model name: {', '.join(routes)}); "
                  f"counts in {counts.folder}, GET /stats; Ctrl-C stops it" + routing_lines(plan, router.by_version,
                                                                                             cfg.export.served_name),
                  highlight=False)
    uvicorn.run(create_app(router, counts, routes, registry.dir / "routing.json"), host=host, port=port,
                log_level="warning")


def routing_lines(plan: dict, by_version: bool, served_name: str) -> str:
    """The plan as the client must follow it: the model name to ask per student route, the rule on a route served
    with deferral (models/router.py applies it), and the teacher's routes."""
    lines = ["\nrouting plan (routing.json; `distillery serve router` follows it):"] if plan else []
    for route, p in sorted(plan.items()):
        model = (p["version"] if by_version else served_name) if p["to"] == "student" else None
        defer = (f", asked with logprobs=true; the teacher answers instead when the student's probability of the first "
                 f"token of any of {', '.join(p['fields'])}'s values is below {p['defer_below']} "
                 f"({p['served_share']:.0%} of requests stayed with the student at evaluation)") if p.get("defer_below") else ""
        lines.append(f"\n  {route}: " + (f"student, model={model}{defer}" if model else f"teacher ({p.get('why', '')})"))
    return "".join(lines)


def sample_stage(cfg: RunConfig, day, folder: Path) -> dict:
    """Run the sample stage, print its funnel; a source or sampling problem ends the command with one line."""
    from tasks.sampling.sources import SourceError
    from tasks.sampling.stage import SampleError, run_sample
    from tasks.sampling.summary import summarize

    try:
        record = run_sample(cfg, folder, day)
    except (SourceError, SampleError) as exc:
        fail(str(exc))
    show(summarize(record), folder / "prompts.parquet")
    return record


def show(summary, output: Path | None = None) -> None:
    """A stage's summary (the same one its Prefect task publishes) on stdout, then the file it wrote on stderr."""
    from distillery.summary import to_console

    to_console(summary, out)
    if output is not None:
        console.print(f"wrote {output.resolve()}", highlight=False, soft_wrap=True)


def main() -> None:  # pragma: no cover - `python -m cli.main`
    app(prog_name="distillery")


if __name__ == "__main__":
    sys.exit(main())
