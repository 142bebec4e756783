"""How long a vLLM-CPU server takes to answer /health: default, its worker in the engine process, and that
engine process forked instead of spawned.

    .venv/bin/python benchmarks/vllm_start.py            # SmolLM2-135M, one start of each launch (~4 min)

Starts `python -m vllm.entrypoints.openai.api_server` the way models/vllm_server.py does (fp32, eager, block 32,
1 GiB KV cache, both cores), once per launch variant, then times 3 requests of 64 greedy tokens. Prints one
JSON line: per variant the seconds to ready and for the requests, and each as a ratio to the default launch
measured in the same process. Run it alone: one vLLM server at a time on 2 cores.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PLAIN, FORKED = "vllm.entrypoints.openai.api_server", "models.vllm_cpu_launch"
UNI = ["--distributed-executor-backend", "uni"]
VARIANTS = {"default": (PLAIN, [], {}),
            "uni_executor": (PLAIN, UNI, {}),
            "single_process": (PLAIN, UNI, {"VLLM_ENABLE_V1_MULTIPROCESSING": "0"}),
            # what models/vllm_server.py runs on CPU: single_process, its engine process forked, not spawned
            "single_process_forked": (FORKED, UNI, {"VLLM_ENABLE_V1_MULTIPROCESSING": "0"})}


def start_and_time(model: str, module: str, extra: list[str], env_extra: dict) -> dict:
    from models.vllm_server import free_port

    port = free_port()
    cmd = [sys.executable, "-m", module, "--model", model, "--port", str(port),
           "--host", "127.0.0.1", "--max-model-len", "1024", "--dtype", "float32", "--enforce-eager",
           "--block-size", "32", "--disable-uvicorn-access-log", *extra]
    env = {**os.environ, "VLLM_CPU_KVCACHE_SPACE": "1", "VLLM_CPU_OMP_THREADS_BIND": "0-1", "OMP_NUM_THREADS": "2",
           "HF_HUB_OFFLINE": "1", **env_extra}
    started = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                raise RuntimeError(f"vLLM exited with code {proc.returncode} while starting ({module} {' '.join(extra)})")
            time.sleep(0.2)
        ready = time.monotonic() - started
        body = {"model": model, "prompt": "Hello, my name is", "max_tokens": 64, "temperature": 0, "ignore_eos": True}
        httpx.post(f"http://127.0.0.1:{port}/v1/completions", json=body, timeout=120)  # warm-up
        t = time.monotonic()
        for _ in range(3):
            httpx.post(f"http://127.0.0.1:{port}/v1/completions", json=body, timeout=120)
        return {"ready_s": round(ready, 1), "requests_s": round(time.monotonic() - t, 2)}
    finally:
        os.killpg(proc.pid, 15)
        proc.wait()


def main() -> None:
    from models.prepare import prepare
    from models.resolve import resolve_model

    prepare("smollm2-135m-instruct")
    model = resolve_model("demo:smollm2-135m-instruct")
    results = {name: start_and_time(model, *variant) for name, variant in VARIANTS.items()}
    base = results["default"]
    for r in results.values():
        r["ready_ratio"] = round(r["ready_s"] / base["ready_s"], 3)
        r["requests_ratio"] = round(r["requests_s"] / base["requests_s"], 3)
    print(json.dumps({"benchmark": "vllm_start", "model": "demo:smollm2-135m-instruct", "variants": results}))


if __name__ == "__main__":
    main()
