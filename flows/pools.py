"""Stages on other work pools (a cluster): the label stage on a GPU pool, the rest of the night elsewhere.

In Prefect 3 a flow's tasks run in the flow's own process, so a stage runs on another pool by being its own
deployment: `label-stage` (flows/stages.py, deployed by prefect.yaml on the pool that has the GPUs). The nightly
flow starts it there as a subflow (`run_deployment`), waits for it and fails if it fails; the stage re-resolves
the run's config from the same config file and form (under the same operator policy), checks it is the same run,
holds that machine's slot and writes the run folder in the shared store, as it would in-process.

Which stages go where is the operator's, never a run's: DISTILLERY_STAGE_POOLS in the environment of the flow's
process (the worker's environment, or a deployment's `job_variables.env` in prefect.yaml), e.g.

    DISTILLERY_STAGE_POOLS=label=distillery-gpu

A run's parameters cannot name a pool (no parameter or config key does), and the pool must hold a deployment of
the stage's flow that the operator deployed. Unset or empty: every stage in the flow's process, as before.
The store root must be the same shared folder on both pools (docs/cluster.md).
"""

import contextlib
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowFilter, FlowFilterName
from prefect.deployments import run_deployment
from prefect.states import Cancelling, Completed, Failed

from distillery.config import RunConfig
from distillery.paths import run_dir as store_run_dir
from distillery.store import read_attempts

log = logging.getLogger(__name__)

STAGE_POOLS_ENV = "DISTILLERY_STAGE_POOLS"
STAGES = ("sample", "label", "curate", "train", "export", "evaluate", "report")  # the night's, in order
# The stages that have a flow of their own, deployable on another pool (prefect.yaml), and that flow's name.
STAGE_FLOWS = {"label": "label-stage"}
POLL_S = 2.0  # how often the nightly flow asks how its stage elsewhere is doing
WAIT_NOTE_S = 60.0  # how often it says, while waiting, that no worker has taken the stage yet


class StagePoolError(ValueError):
    """The operator's stage-pool setting is wrong, or the pool cannot run the stage; nothing was started."""


class StageElsewhereFailed(RuntimeError):
    """The stage ran on its pool and did not complete; what it committed (labels) is kept."""


def stage_pools(environ=None) -> dict[str, str]:
    """{stage: work pool} from DISTILLERY_STAGE_POOLS (`stage=pool`, comma-separated); {} when unset or empty.
    Every mistake is named at once: an unknown stage, one that cannot run alone yet, a stage given twice."""
    raw = (os.environ if environ is None else environ).get(STAGE_POOLS_ENV, "").strip()
    if not raw:
        return {}
    pools: dict[str, str] = {}
    problems: list[str] = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        stage, sep, pool = (s.strip() for s in item.partition("="))
        if not sep or not stage or not pool:
            problems.append(f"{item!r} is not stage=pool (e.g. label=distillery-gpu)")
        elif any(c.isspace() or c in "/%&<>,=" for c in pool):
            problems.append(f"{pool!r} is not a work pool name")
        elif stage not in STAGES:
            problems.append(f"unknown stage {stage!r} (the night's stages: {', '.join(STAGES)})")
        elif stage not in STAGE_FLOWS:
            problems.append(f"the {stage} stage cannot run on another pool: only {', '.join(STAGE_FLOWS)} has a flow "
                            f"of its own to deploy there")
        elif stage in pools:
            problems.append(f"{stage} is given twice ({pools[stage]}, {pool})")
        else:
            pools[stage] = pool
    if problems:
        raise StagePoolError(f"{STAGE_POOLS_ENV}={raw!r}: {'; '.join(problems)}. It is the operator's setting, read "
                             f"where the nightly flow runs (docs/cluster.md)")
    return pools


def stage_deployments(pools: dict[str, str]) -> dict[str, tuple[str, str]]:
    """{stage: ("flow/deployment", pool)} for each stage sent elsewhere: the deployment of its flow there. Fails
    before the night starts when there is none (a pool with no such deployment runs nothing of ours)."""
    if not pools:
        return {}
    out = {}
    with get_client(sync_client=True) as client:
        for stage, pool in pools.items():
            flow = STAGE_FLOWS[stage]
            found = client.read_deployments(flow_filter=FlowFilter(name=FlowFilterName(any_=[flow])))
            here = sorted(d.name for d in found if d.work_pool_name == pool)
            if not here:
                elsewhere = ", ".join(f"{flow}/{d.name} on {d.work_pool_name}" for d in found) or "none"
                raise StagePoolError(f"{STAGE_POOLS_ENV} sends the {stage} stage to work pool {pool!r}, but no "
                                     f"deployment of flow {flow!r} is on that pool (deployments of {flow}: "
                                     f"{elsewhere}); deploy it there (prefect.yaml) or change {STAGE_POOLS_ENV}")
            if len(here) > 1:
                log.info("%s: %d deployments of %s on pool %s; using %s", stage, len(here), flow, pool, here[0])
            out[stage] = (f"{flow}/{here[0]}", pool)
    return out


def check_run_here(config: RunConfig, run_id: str) -> Path:
    """The run folder a stage started on another pool works in, after checking that this pool resolved the same
    config as the nightly run (its id ends with the config's hash) and sees the same store (the folder exists)."""
    here = config.config_hash()[:8]
    if not run_id.endswith(f"-{here}"):
        raise StagePoolError(f"run {run_id} is not this config's: the config file and form resolve to hash {here} on "
                             f"this pool, the nightly run's ends in {run_id.rsplit('-', 1)[-1]}. The pools' checkouts "
                             f"or images differ (code or config files): deploy the same on every pool")
    folder = store_run_dir(config.store.root, run_id)
    if not folder.is_dir():
        raise StagePoolError(f"no run folder {folder} on this pool's machine: store.root ({config.store.root}) must be "
                             f"the same shared folder, at the same path, on every pool (docs/cluster.md)")
    return folder


def run_stage_elsewhere(stage: str, deployment_name: str, pool: str, parameters: dict[str, Any], run_dir: Path) -> dict:
    """Run `stage` as `deployment_name` on `pool` (a subflow of the calling flow run), wait for it, and return its stage
    record (`stage-<stage>.json` in the shared run folder) with `work_s` from the attempts ledger, as the
    in-process task returns it. Fails, naming the flow run, when it ends in anything but Completed."""
    before = {a.get("attempt") for a in read_attempts(run_dir)}
    child = run_deployment(deployment_name, parameters=parameters, timeout=0)  # as a subflow: linked to this run
    log.info("%s: runs on work pool %s as flow run %s (%s)", stage, pool, child.name, child.id)
    started = time.monotonic()
    next_note = started + WAIT_NOTE_S
    with get_client(sync_client=True) as client:
        try:
            while not (child := client.read_flow_run(child.id)).state.is_final():
                if child.state.is_scheduled() and time.monotonic() >= next_note:  # Scheduled, Late, awaiting a slot
                    log.info("%s: %s on pool %s for %.0f s: no worker of that pool has taken it yet (pool status: "
                             "%s)", stage, child.state.name, pool, time.monotonic() - started, _pool_status(client, pool))
                    next_note += WAIT_NOTE_S
                time.sleep(POLL_S)
        except BaseException:  # this run was cancelled or killed while waiting: do not leave the stage running alone
            with contextlib.suppress(Exception):
                client.set_flow_run_state(child.id, Cancelling(message="its nightly run stopped waiting"), force=True)
            raise
        state = child.state
        if child.parent_task_run_id:  # run_deployment leaves the subflow's task in the parent Pending: close it
            client.set_task_run_state(child.parent_task_run_id, Completed() if state.is_completed()
                                      else Failed(message=state.message), force=True)
    if not state.is_completed():
        raise StageElsewhereFailed(f"the {stage} stage on work pool {pool} ended {state.name}"
                                   f"{': ' + state.message if state.message else ''} (flow run {child.name}, {child.id}; "
                                   f"its log is in the Prefect UI). What it committed is kept: run the night again to "
                                   f"resume")
    record = json.loads((run_dir / f"stage-{stage}.json").read_text())
    ok = [a for a in read_attempts(run_dir) if a.get("stage") == stage and a.get("outcome") == "ok"
          and a.get("attempt") not in before]
    work_s = ok[-1]["wall_s"] if ok else child.total_run_time.total_seconds()
    log.info("%s: done on pool %s in %.1f s (flow run %s)", stage, pool, work_s, child.name)
    return {**record, "work_s": work_s, "flow_run_id": str(child.id), "work_pool": pool}


def _pool_status(client, pool: str) -> str:
    try:
        p = client.read_work_pool(pool)
        return "paused" if p.is_paused else str(getattr(p.status, "value", p.status) or "unknown").lower()
    except Exception as exc:  # noqa: BLE001 - a note in a log line, never the reason to fail
        return f"unreadable ({exc.__class__.__name__})"
