"""Writing a stage's outputs: whole files only (temp name, then rename) and the `stage-<name>.json` record."""

import hashlib
import json
import os
import platform
import threading
import time
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path


def atomic_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


def write_parquet(table, path: Path) -> str:
    """Write a pyarrow table whole or not at all; return its sha256."""
    import pyarrow.parquet as pq

    tmp = atomic_path(path)
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)
    return file_sha256(path)


def write_json(obj, path: Path) -> None:
    write_text(json.dumps(obj, indent=1, sort_keys=True, default=str) + "\n", path)


def write_text(text: str, path: Path) -> None:
    tmp = atomic_path(path)
    tmp.write_text(text)
    os.replace(tmp, path)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def versions(*packages: str) -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("distillery", *packages):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


class StageClock:
    """Wall and CPU seconds of a stage, with named phases for the record."""

    def __init__(self):
        self.wall0, self.cpu0 = time.monotonic(), time.process_time()
        self.phases: dict[str, float] = {}
        self._last = self.wall0

    def lap(self, phase: str) -> float:
        now = time.monotonic()
        self.phases[phase] = round(now - self._last, 3)
        self._last = now
        return self.phases[phase]

    def totals(self) -> dict:
        return {"wall_s": round(time.monotonic() - self.wall0, 3), "cpu_s": round(time.process_time() - self.cpu0, 3),
                "phases_s": self.phases}


def reuse_key(run_dir: Path, inputs: tuple[str, ...], config: dict) -> dict:
    """What a stage's output depends on: the bytes of its input files and the config knobs it reads."""
    knobs = json.dumps(config, sort_keys=True, default=str).encode()
    return {"inputs": {n: file_sha256(run_dir / n) for n in inputs if (run_dir / n).is_file()},
            "config": hashlib.sha256(knobs).hexdigest()[:16]}


def reusable_record(run_dir: Path, stage: str, key: dict) -> dict | None:
    """The committed `stage-<stage>.json` when it was made from exactly `key` and every output it names
    still has the recorded bytes; else None (the stage must run). Keyed on content, never on run ids
    or summaries, so a resumed or repeated run reuses work and a changed input or knob redoes it."""
    path = run_dir / f"stage-{stage}.json"
    if not path.is_file():
        return None
    record = json.loads(path.read_text())
    if record.get("reuse_key") != key:
        return None
    outputs = record.get("outputs", {})
    intact = all((run_dir / name).is_file() and file_sha256(run_dir / name) == sha for name, sha in outputs.items())
    return record if intact else None


ATTEMPTS = "attempts.jsonl"
HEARTBEAT_S = 5.0


@contextmanager
def stage_attempt(run_dir: Path, stage: str):
    """Record this attempt of `stage` in `<run_dir>/attempts.jsonl`: a `started` line now, an `ok` or `failed`
    line when it ends. The cost report bills every attempt (a stage that failed once and then succeeded costs
    twice), not only the one whose outputs survived. A SIGKILLed attempt never writes its end line; a heartbeat
    file touched every few seconds tells how long it ran before it died, so it is billed too (`killed`).
    One short line per write, appended with O_APPEND, so concurrent writers never interleave."""
    run_dir.mkdir(parents=True, exist_ok=True)
    started, wall0, cpu0 = time.time(), time.monotonic(), time.process_time()
    attempt = f"{stage}-{os.getpid()}-{int(started * 1000)}"
    _append(run_dir, {"stage": stage, "attempt": attempt, "outcome": "started", "started_at": round(started, 3)})
    beat = run_dir / f".attempt-{attempt}"
    beat.touch()
    stop = threading.Event()
    threading.Thread(target=_heartbeat, args=(beat, stop), daemon=True, name=f"heartbeat-{stage}").start()
    outcome = "failed"
    try:
        yield
        outcome = "ok"
    finally:
        stop.set()
        _append(run_dir, {"stage": stage, "attempt": attempt, "outcome": outcome, "started_at": round(started, 3),
                          "wall_s": round(time.monotonic() - wall0, 3), "cpu_s": round(time.process_time() - cpu0, 3)})
        beat.unlink(missing_ok=True)


def _append(run_dir: Path, entry: dict) -> None:
    with open(run_dir / ATTEMPTS, "a") as f:
        f.write(json.dumps(entry) + "\n")


def _heartbeat(path: Path, stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_S):
        try:
            os.utime(path)
        except OSError:  # the run folder was removed under us: nothing left to bill
            return


def read_attempts(run_dir: Path) -> list[dict]:
    """Every finished attempt, plus each killed one (a `started` line with no end, not this process's own
    attempt in progress) with the seconds it ran until its last heartbeat."""
    path = run_dir / ATTEMPTS
    if not path.is_file():
        return []
    ended, started = [], {}
    for line in path.read_text().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:  # a line cut by a kill mid-write: that attempt is not billed, the rest are
            continue
        if entry.get("outcome") == "started":
            started[entry["attempt"]] = entry
        else:
            ended.append(entry)
            started.pop(entry.get("attempt"), None)
    mine = f"-{os.getpid()}-"
    return ended + [_killed(run_dir, entry) for entry in started.values() if mine not in entry["attempt"]]


def _killed(run_dir: Path, entry: dict) -> dict:
    beat = run_dir / f".attempt-{entry['attempt']}"
    last = beat.stat().st_mtime if beat.is_file() else entry["started_at"]
    return {**entry, "outcome": "killed", "wall_s": round(max(last - entry["started_at"], 0.0), 3), "cpu_s": None}
