"""Where distillery keeps things on disk. Environment variables win, so CI and users can relocate them."""

import os
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
