"""A vLLM-CPU engine binds only cores this process may use (models/cpu_cores.py): a `taskset` or a cpuset limit,
or a pinned test worker, is not escaped by the configured bind."""

import os
import subprocess
import sys

import pytest

from distillery.config import LaunchConfig
from models.cpu_cores import allowed_bind, parse_cores
from models.vllm_server import engine_env


@pytest.mark.parametrize("bind, threads, allowed, expected", [
    ("0-1", 2, [0, 1], ("0-1", 2)),        # a free machine: as configured
    ("0-1", 2, [1], ("1", 1)),             # taskset -c 1: the allowed half, one thread
    ("0", 1, [1], ("1", 1)),               # nothing configured is allowed: as many allowed cores as configured
    ("0-3", 4, [2, 3, 4, 5], ("2,3", 2)),
    ("0,4", 2, [4, 5], ("4", 1)),
    ("auto", 2, [1], ("auto", 2)),         # vLLM's own forms pass untouched
    ("0-1|2-3", 2, [1], ("0-1|2-3", 2)),
])
def test_the_bind_stays_inside_the_allowed_cores(bind, threads, allowed, expected):
    assert allowed_bind(bind, threads, allowed) == expected


def test_parse_refuses_what_is_not_a_core_list():
    assert parse_cores("0-2,5") == [0, 1, 2, 5]
    assert parse_cores("nobind") is None and parse_cores("0-x") is None and parse_cores("") is None


def test_a_server_started_under_taskset_binds_the_core_it_was_given():
    """A real child process limited to one core, as `taskset -c N distillery ...` would be: the engine's
    environment names that core, whatever the config says. The config names that core and the next one, so the
    bind reaches outside the child's core even when this test runs in a worker pinned to core 0."""
    last = max(os.sched_getaffinity(0))
    code = ("import os; from distillery.config import LaunchConfig; from models.vllm_server import engine_env; "
            f"os.sched_setaffinity(0, {{{last}}}); e = engine_env(LaunchConfig(cpu_omp_threads_bind='{last}-{last + 1}', "
            "omp_num_threads=2), '/m', cuda=False); print(e['VLLM_CPU_OMP_THREADS_BIND'], e['OMP_NUM_THREADS'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == [str(last), "1"]
    free = engine_env(LaunchConfig(cpu_omp_threads_bind="0", omp_num_threads=1), "/m", cuda=False)
    assert free["VLLM_CPU_OMP_THREADS_BIND"] in {str(c) for c in os.sched_getaffinity(0)}
