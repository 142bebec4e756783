"""Model ids in config -> something vLLM and transformers can load."""

from pathlib import Path

from distillery.catalog import BUNDLED, DEMO_PREFIX
from models.prepare import is_prepared, model_dir


class ModelNotReady(RuntimeError):
    """The config names a model that is not on this machine yet."""


def resolve_model(model_id: str) -> str:
    """`demo:<name>` -> its prepared folder; an existing folder -> itself; anything else is a hub id."""
    if model_id.startswith(DEMO_PREFIX):
        name = model_id[len(DEMO_PREFIX):]
        if name not in BUNDLED:
            raise ModelNotReady(f"unknown bundled model {model_id!r}; bundled: {', '.join(BUNDLED)}")
        if not is_prepared(BUNDLED[name]):
            raise ModelNotReady(f"bundled model {model_id} is not prepared yet: run `distillery models prepare {name}`")
        return str(model_dir(name))
    path = Path(model_id).expanduser()
    if path.exists():
        if not (path / "config.json").is_file():
            raise ModelNotReady(f"{path} is not an HF model folder (no config.json)")
        return str(path.resolve())
    return model_id  # a hub id: loaded by vLLM/transformers on a machine that has a hub
