"""What compiled bytecode saves at every process start: the imports a vLLM server, a `distillery` stage and the
trainer make, timed with the venv's .pyc files (scripts/install.sh compiles them) and without any.

    .venv/bin/python benchmarks/bytecode_imports.py      # ~3 min, alone on the machine

"Without" points PYTHONPYCACHEPREFIX at an empty folder, so Python finds no .pyc and compiles every module from
source, as it did before the install compiled them on a machine that sets PYTHONDONTWRITEBYTECODE (nothing is
written there either). Each import runs in a fresh interpreter, twice per arm; prints one JSON line with the
better of the two and the ratio without/with.
"""

import json
import os
import subprocess
import sys
import tempfile
import time

IMPORTS = {"vllm_server": "import vllm.entrypoints.openai.api_server",
           "distillery_flow": "import flows.nightly",
           "trainer": "import torch, transformers, peft, bitsandbytes"}


def seconds(statement: str, env: dict) -> float:
    start = time.monotonic()
    subprocess.run([sys.executable, "-c", statement], env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.monotonic() - start


def main() -> None:
    with_pyc = {**os.environ}
    with_pyc.pop("PYTHONPYCACHEPREFIX", None)
    results = {}
    with tempfile.TemporaryDirectory() as empty:
        without_pyc = {**with_pyc, "PYTHONPYCACHEPREFIX": empty, "PYTHONDONTWRITEBYTECODE": "1"}
        for name, statement in IMPORTS.items():
            cached = min(seconds(statement, with_pyc) for _ in range(2))
            source = min(seconds(statement, without_pyc) for _ in range(2))
            results[name] = {"with_bytecode_s": round(cached, 1), "from_source_s": round(source, 1),
                             "ratio": round(source / cached, 2)}
    print(json.dumps({"benchmark": "bytecode_imports", "imports": results}))


if __name__ == "__main__":
    main()
