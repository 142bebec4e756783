"""The prefix every request of a route repeats (its system prompt), billed at the teacher API's cached-input
price when it has one and the prefix reaches the provider's cache minimum.

Measured from the run's prompts (their lengths only: repeated_prefix returns no prompt text) and the teacher's
token counts, so the teacher's tokenizer is not needed.
"""

import os
from dataclasses import dataclass
from pathlib import Path

from distillery.config import ApiPricing, RunConfig
from distillery.routes import Plan, messages_for
from tasks.report.records import ReportError


@dataclass(frozen=True)
class Prefix:
    """The start every labeled prompt of a route repeats, as the teacher was sent it (its system prompt)."""

    chars: int
    tokens_per_char: float   # the teacher's measured prompt tokens per character of prompt text on this route
    prompts: int

    @property
    def tokens(self) -> float:
        return self.chars * self.tokens_per_char


def repeated_prefix(cfg: RunConfig, run_dir: Path) -> tuple[dict[str, Prefix], str]:
    """Per route, the characters every labeled prompt starts with as the teacher was sent it (its system prompt,
    when the requests share one), and the teacher's measured prompt tokens per character there: the prefix in
    the teacher's tokens, without its tokenizer. Only lengths leave this function, never text."""
    import pyarrow.parquet as pq

    missing = [n for n in ("prompts.parquet", "labels.parquet") if not (run_dir / n).is_file()]
    if missing:
        return {}, f"not measured ({' and '.join(missing)} missing)"
    prompts = {p["prompt_id"]: p for p in
               pq.read_table(run_dir / "prompts.parquet", columns=["prompt_id", "route", "messages"]).to_pylist()}
    tokens: dict[str, int] = {}
    for row in pq.read_table(run_dir / "labels.parquet", columns=["prompt_id", "prompt_tokens"]).to_pylist():
        tokens[row["prompt_id"]] = tokens.get(row["prompt_id"], 0) + (row["prompt_tokens"] or 0)  # sample 0 holds the request's
    systems: dict[str, str | None] = {}
    texts: dict[str, list[tuple[str, int]]] = {}
    for pid, n in sorted(tokens.items()):
        p = prompts.get(pid)
        if p is None or not n:
            continue
        if p["route"] not in systems:
            systems[p["route"]] = _system_prompt(cfg, p["route"])
        texts.setdefault(p["route"], []).append((prompt_text(p, systems[p["route"]]), n))
    out = {route: Prefix(len(os.path.commonprefix([t for t, _ in items])), sum(n for _, n in items) / sum(len(t) for t, _ in items),
                         len(items))
           for route, items in sorted(texts.items()) if len(items) >= 2}  # one prompt cannot show what repeats
    return out, ("measured: the characters every labeled prompt of the route starts with (prompts.parquet) x the "
                 "teacher's prompt tokens per character (labels.parquet)")


def prompt_text(prompt: dict, system: str | None) -> str:
    """The message texts in order, as the label stage sent them (its configured system prompt replaces the log's)."""
    messages = messages_for(prompt, Plan(params={}, system=system, n=1, gen_hash=""))
    return "".join(str(m.get("content") or "") for m in messages)


def _system_prompt(cfg: RunConfig, route: str) -> str | None:
    g = cfg.teacher.routes.get(route)
    if g is None or not g.system_prompt:
        return None
    try:
        return Path(g.system_prompt).read_text()
    except OSError as exc:
        raise ReportError(f"teacher.routes.{route}.system_prompt = {g.system_prompt!r}: cannot read it ({exc.strerror}); "
                          f"the report measures the prefix the teacher was sent") from None


def cached_by_route(api: ApiPricing | None, prefixes: dict[str, Prefix]) -> dict[str, float]:
    """Tokens per request billed at the cached price on each route: the measured prefix, when the API has a cached
    price and the prefix is long enough for its cache; none otherwise."""
    if api is None or api.cached_input_per_mtok is None:
        return {}
    return {r: p.tokens for r, p in prefixes.items() if p.tokens >= api.cache_min_tokens}


def cache_note(api: ApiPricing | None, prefixes: dict[str, Prefix], cached: dict[str, float], source: str) -> str:
    """Why this many tokens per request were billed at the cached price, and where the figure came from."""
    if api is None:
        return "the teacher is self-hosted: no per-token cache price"
    if api.cached_input_per_mtok is None:
        return "no cached input price configured (pricing.teacher.api.cached_input_per_mtok): the whole prompt at full price"
    if not prefixes:
        return f"repeated prefix {source}: the whole prompt at full price"
    per_route = ", ".join(f"{r} {p.tokens:.0f}" + ("" if r in cached else " (too short)") for r, p in prefixes.items())
    return (f"repeated prefix per request: {per_route} tokens; {source}; billed at ${api.cached_input_per_mtok:g}/M "
            f"(assumed), every request a cache hit; the provider caches prefixes from {api.cache_min_tokens} tokens (assumed)")
