"""Why `make test` runs in one process on 2 cores: two torch processes with 2 OpenMP threads each, at once.

    .venv/bin/python benchmarks/omp_oversubscription.py     # ~2 min on 2 cores; nothing else may run

The same small-matrix loop (a 135M model's layer width, batch 64: the size of the suite's training and
parity steps) is timed solo with 2 threads (the baseline), then as two concurrent processes with 2 threads each
(what pytest-xdist's two workers do when both train), with OMP_WAIT_POLICY=PASSIVE, and with 1 thread each;
and solo with OMP_WAIT_POLICY=PASSIVE (what passive waiting costs a job that runs alone).
Prints one JSON line: each arm's seconds per process and its throughput relative to running the two jobs one
after the other with 2 threads (1.0 = as good as serial; above 1 = parallel pays).
"""

import json
import os
import subprocess
import sys
import time

LOOP = """
import sys, time, torch
torch.set_num_threads(int(sys.argv[1]))
a, w = torch.randn(64, 576), torch.randn(576, 576)
t = time.perf_counter()
for _ in range(int(sys.argv[2])):
    (a @ w).relu_()
print(time.perf_counter() - t)
"""


def run(copies: int, threads: int, iters: int, env: dict | None = None) -> float:
    """Wall seconds of `copies` concurrent processes (the slowest one's own timing)."""
    procs = [subprocess.Popen([sys.executable, "-c", LOOP, str(threads), str(iters)], stdout=subprocess.PIPE,
                              text=True, env={**os.environ, **(env or {})}) for _ in range(copies)]
    return max(float(p.communicate()[0]) for p in procs)


def main() -> None:
    iters = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    start = time.perf_counter()
    solo = run(1, 2, iters)
    solo_passive = run(1, 2, iters, {"OMP_WAIT_POLICY": "PASSIVE"})
    arms = {"two_procs_2_threads": run(2, 2, iters),
            "two_procs_2_threads_passive": run(2, 2, iters, {"OMP_WAIT_POLICY": "PASSIVE"}),
            "two_procs_1_thread": run(2, 1, iters)}
    print(json.dumps({"benchmark": "omp_oversubscription", "iters": iters, "solo_2_threads_s": round(solo, 2),
                      "solo_2_threads_passive_s": round(solo_passive, 2),
                      **{f"{k}_s": round(v, 2) for k, v in arms.items()},
                      **{f"{k}_throughput_vs_serial": round(2 * solo / v, 2) for k, v in arms.items()},
                      "cpus": os.cpu_count(), "wall_s": round(time.perf_counter() - start, 1)}))


if __name__ == "__main__":
    main()
