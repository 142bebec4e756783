"""The CPU launch forks vLLM's engine process instead of spawning it (models/vllm_cpu_launch.py): vLLM is then
imported once per server start, not twice. Every integration test that starts a vLLM server runs through it."""

import os
import sys

import pytest

from distillery.config import LaunchConfig
from models import vllm_cpu_launch
from models.vllm_server import server_command


@pytest.mark.parametrize(("cuda", "fork", "module"), [(False, True, "models.vllm_cpu_launch"),
                                                      (False, False, "vllm.entrypoints.openai.api_server"),
                                                      (True, True, "vllm.entrypoints.openai.api_server")])
def test_the_fork_launcher_is_used_on_cpu_only_and_can_be_switched_off(cuda, fork, module, monkeypatch):
    monkeypatch.setattr("models.vllm_server._cuda_available", lambda: cuda)
    cmd = server_command("/m", "m", LaunchConfig(cpu_fork_engine=fork), 8000)
    assert cmd[:3] == [sys.executable, "-m", module]
    assert cmd[cmd.index("--model") + 1] == "/m"  # the same vLLM arguments either way


def test_the_start_method_the_cpu_platform_forces_is_set_back_to_fork(monkeypatch):
    from vllm.platforms.cpu import CpuPlatform

    seen = []

    def platform_check(cls, vllm_config):  # stands for vLLM's own: it forces spawn, as vllm/platforms/cpu.py does
        seen.append(vllm_config)
        os.environ["VLLM_WORKER_MULTIPROC_METHOD"] = "spawn"

    monkeypatch.setattr(CpuPlatform, "check_and_update_config", classmethod(platform_check))
    monkeypatch.setenv("VLLM_WORKER_MULTIPROC_METHOD", "fork")
    assert vllm_cpu_launch.fork_the_engine()
    CpuPlatform.check_and_update_config("the config")
    assert seen == ["the config"]  # vLLM's own check still ran, with its argument
    assert os.environ["VLLM_WORKER_MULTIPROC_METHOD"] == "fork"


def test_the_real_platform_hook_still_exists_in_the_installed_vllm():
    """A vLLM upgrade that drops the hook would make every start spawn again (slower, still correct): this says so."""
    from vllm.platforms.cpu import CpuPlatform

    assert isinstance(CpuPlatform.__dict__["check_and_update_config"], classmethod)


def test_without_the_hook_the_server_starts_the_default_way_and_says_so(monkeypatch, capsys):
    from vllm.platforms.cpu import CpuPlatform

    monkeypatch.delattr(CpuPlatform, "check_and_update_config")
    monkeypatch.delattr("vllm.platforms.interface.Platform.check_and_update_config")
    assert not vllm_cpu_launch.fork_the_engine()
    assert "engine process will be spawned" in capsys.readouterr().err
