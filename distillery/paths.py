"""Where distillery keeps things on disk. Environment variables win, so CI and users can relocate them."""

import os
import re
from datetime import date
from pathlib import Path


def model_cache_dir() -> Path:
    """Prepared demo models: outside git, shared by every clone on the machine (~1.5 GB when all are built)."""
    env = os.environ.get("DISTILLERY_MODEL_CACHE")
    if env:
        return Path(env).expanduser()
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "distillery" / "models"


def state_dir() -> Path:
    """Machine-local runtime state (which managed servers are running), not run outputs."""
    env = os.environ.get("DISTILLERY_STATE_DIR")
    return Path(env).expanduser() if env else model_cache_dir().parent / "state"


RUN_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"  # also the flows' parameter schema: the server refuses '../x'
_RUN_ID = re.compile(RUN_ID_PATTERN)


def run_id_for(run_date: date, config_hash: str) -> str:
    """A run is its date and its config: the same night with the same knobs is the same run."""
    return f"{run_date:%Y-%m-%d}-{config_hash[:8]}"


def run_dir(store_root: str | Path, run_id: str) -> Path:
    """`<store>/runs/<run_id>`; an id that could leave the store (`..`, `/`) is refused."""
    if not _RUN_ID.match(run_id) or ".." in run_id:
        raise ValueError(f"run id {run_id!r}: use letters, digits, '.', '_' and '-' only (it names a folder in the store)")
    return Path(store_root) / "runs" / run_id
