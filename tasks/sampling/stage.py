"""The sample stage: production log -> prompts.parquet (+ quarantine.parquet, stage-sample.json).

    distillery sample -c configs/demo.yaml                 # or: make data && distillery sample

read (window and routes filtered by the source where it can) -> window/route -> validate (quarantine with
reason) -> candidate pools -> id reuse -> language -> PII scrub -> prompt_id -> exact dedup -> near dedup (also
against earlier runs) -> budget per route -> topic spread -> eval split by prompt_id hash -> eval
decontamination -> write.
Everything that is dropped, except rows the budget did not draw, lands in quarantine.parquet with a
reason; duplicates carry what they duplicate. Same log + config + seed gives the same bytes.

Memory follows the budget, not the log: rows are streamed through the per-row checks (counted in the funnel),
and each route keeps at most `candidate_pool_size` valid rows, those with the lowest hash of (seed,
request_id), for the expensive steps. While a route's window holds fewer valid rows than that (by default
20 x the budget, at least 10,000: the demo and the tests), every valid row is a candidate and nothing differs
from reading the whole window; past it, the funnel says how many rows were seen and how many kept
(funnel.candidates), id reuse, language and duplicates are judged among the candidates, and the route's
traffic is scaled from them. Quarantined rows past 20,000 are spilled to disk and merged on write.
"""

import hashlib
import heapq
import itertools
import json
import logging
import os
import shutil
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np

from distillery.config import RunConfig
from distillery.failpoints import failpoint
from distillery.policy import is_loopback
from distillery.store import StageClock, atomic_path, file_sha256, versions, write_json, write_parquet
from distillery.text import dedup
from distillery.text.language import LanguageCheck
from distillery.text.textnorm import normalize, prompt_id
from tasks.sampling import allocate
from tasks.sampling.pii import Scrubber
from tasks.sampling.sources import Slice, read_source
from tasks.sampling.validate import Invalid, Request, check_row, parse_time

log = logging.getLogger(__name__)
RAW_CHARS = 2000  # how much of a quarantined row is kept (after scrubbing) so it can be inspected
CANDIDATES_PER_PROMPT = 20  # default candidate pool: this many valid rows per prompt a route can be allocated,
MIN_CANDIDATES = 10_000  # and at least this many (sampling.candidate_pool sets it instead)


class SampleError(RuntimeError):
    """The stage cannot produce a sample; the message says why and what to change."""


@dataclass
class Prompt:
    request: Request
    prompt_id: str
    norm: str
    messages: list[dict]
    pii_hits: int
    duplicates: int = 1  # requests this prompt stands for (itself + its exact and near copies)


QUARANTINE_IN_MEMORY = 20_000  # quarantined rows held before they are spilled, sorted, to a part file (~50 MB)
QUARANTINE_SCHEMA = [("row", "int64"), ("request_id", "string"), ("reason", "string"), ("detail", "string"),
                     ("duplicate_of", "string"), ("raw", "string")]


@dataclass
class Quarantine:
    """Every row not carried forward, with its reason. A dirty big log can quarantine more rows than fit: past
    QUARANTINE_IN_MEMORY they go, sorted, to part files under `spill_dir`, merged when quarantine.parquet is written."""

    rows: list[dict] = field(default_factory=list)
    reasons: Counter = field(default_factory=Counter)
    spill_dir: Path | None = None
    parts: list[Path] = field(default_factory=list)

    def add(self, row: int, request_id, reason: str, detail: str, raw: str, duplicate_of: str | None = None):
        self.rows.append({"row": row, "request_id": None if request_id is None else _storable(str(request_id)),
                          "reason": reason, "detail": _storable(detail), "duplicate_of": duplicate_of, "raw": _storable(raw)})
        self.reasons[reason] += 1
        if self.spill_dir is not None and len(self.rows) >= QUARANTINE_IN_MEMORY:
            self._spill()

    def _spill(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.spill_dir.mkdir(parents=True, exist_ok=True)
        part = self.spill_dir / f"part-{len(self.parts):05d}.parquet"
        pq.write_table(pa.Table.from_pylist(sorted(self.rows, key=_quarantine_order), schema=_quarantine_schema()), part)
        self.parts.append(part)
        self.rows = []

    @property
    def total(self) -> int:
        return sum(self.reasons.values())

    def counts(self) -> dict[str, int]:
        return dict(sorted(self.reasons.items()))


def _storable(text: str) -> str:
    """Text Parquet can store: a lone surrogate (broken client escapes) is kept visibly as \\udxxx, not crashed on."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def sample_config_hash(cfg: RunConfig) -> str:
    """What decides this stage's output: the source and sampling sections, and whether prompts leave the machine
    (it turns the learned phone context on: a teacher moved off the machine is scrubbed again, not reused)."""
    canonical = json.dumps({"source": cfg.source.model_dump(mode="json"), "sampling": cfg.sampling.model_dump(mode="json"),
                            **({"prompts_leave": True} if prompts_leave(cfg) else {})}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def prompts_leave(cfg: RunConfig) -> bool:
    """A teacher or judge endpoint off this machine, or labelling on a Ray cluster that may span other machines
    (teacher.batch.address: 'auto' joins whatever cluster is running, so it counts as remote): whatever the scrubber
    misses leaves it."""
    judge, batch = cfg.evaluation.judge, cfg.teacher.batch
    urls = [cfg.teacher.endpoint, *cfg.teacher.endpoints, judge.endpoint if judge.enabled else None]
    cluster = batch.address if batch.engine == "ray" else None
    return any(url and not is_loopback(url) for url in urls) or bool(cluster and (cluster == "auto" or not is_loopback(cluster)))


def run_sample(cfg: RunConfig, run_dir: Path, run_date: date) -> dict:
    """Run the stage into `run_dir`; return the stage record (also written as stage-sample.json)."""
    s = cfg.sampling
    clock = StageClock()
    run_dir.mkdir(parents=True, exist_ok=True)
    start, end = s.window.bounds(run_date)
    source = read_source(cfg.source, Slice(start, end, tuple(s.routes)))

    scrubber = Scrubber.from_config(s.pii, prompts_leave=prompts_leave(cfg))
    learned = "off" if not scrubber.phone_context else f"on, read with {s.pii.context_reader}" \
        if scrubber.context_reader else "on"
    log.info("PII: learned phone context %s (sampling.pii.phone_context: %s, context_reader: %s)",
             learned, s.pii.phone_context, s.pii.context_reader)
    spill = run_dir / ".quarantine-parts"
    shutil.rmtree(spill, ignore_errors=True)  # a killed run's parts
    quarantine = Quarantine(spill_dir=spill)
    funnel: dict = {"read": 0, "outside_window": 0, "other_route": 0}
    pools = Pools(candidate_pool_size(s), s.seed)
    digest = _RowsDigest(cfg.source.url)
    span = _validate(source, start, end, set(s.routes), s.max_prompt_chars, scrubber, quarantine, funnel, pools, digest)
    funnel["fetched"] = source.fetched  # rows the source handed over: the rest it filtered itself (pushed down)
    funnel["read"] = source.fetched + sum(source.skipped.values())
    funnel["outside_window"] += source.skipped["outside_window"]
    funnel["other_route"] += source.skipped["other_route"]
    log.info("read %d rows (%d fetched) from %s and validated them in %.1f s", funnel["read"], source.fetched,
             source.display, clock.lap("read"))

    candidates = pools.candidates()
    requests = _check_reuse(candidates, scrubber, quarantine, funnel)
    if s.languages and requests:
        requests, funnel["language"] = _check_language(requests, s.languages, scrubber, quarantine)
    funnel["quarantined"] = quarantine.counts()
    funnel["valid"] = len(requests) + pools.not_kept  # rows not kept as candidates passed the checks they had
    funnel["candidates"] = pools.record()
    log.info("validated: %d valid, %d quarantined, %d outside the window, %d other routes in %.1f s",
             funnel["valid"], quarantine.total, funnel["outside_window"], funnel["other_route"], clock.lap("validate"))
    if not requests:
        _write_quarantine(quarantine, run_dir)
        if source.skipped["outside_window"]:  # the source skipped rows the message should span too
            span = _widen(span, source.span())
        raise SampleError(_empty_message(source.display, start, end, span, quarantine, s.routes))

    prompts, rows_with_pii = _scrub(requests, scrubber)
    log.info("scrubbed PII: %s in %d prompts, %.1f s", dict(scrubber.hits), rows_with_pii, clock.lap("scrub"))

    history = _earlier_prompts(Path(cfg.store.root), run_dir, run_date) if s.dedup_earlier_runs else []
    prompts, dup_counts = _deduplicate(prompts, history, s.near_duplicate_threshold, quarantine)
    funnel["duplicates"] = dup_counts
    funnel["unique"] = len(prompts)
    log.info("deduplicated: %s, %d unique in %.1f s", dup_counts, len(prompts), clock.lap("dedup"))

    traffic = pools.traffic(Counter(r.route for r in requests), Counter(c.request.route for c in candidates))
    funnel["traffic"] = dict(sorted(traffic.items()))  # valid requests per route in the window: the report's route mix
    chosen = _select(prompts, traffic, cfg)
    train, eval_ = _split(chosen, s.eval_fraction)
    train, contaminated = _decontaminate(train, eval_, s.near_duplicate_threshold, quarantine)
    funnel["eval_contamination"] = contaminated
    funnel["sampled"] = dict(sorted(Counter(p.request.route for p in train + eval_).items()))
    funnel["split"] = {"train": len(train), "eval": len(eval_)}
    funnel["quarantined_total"] = quarantine.total
    log.info("sampled %d prompts (%s), train %d / eval %d in %.1f s", len(train) + len(eval_), funnel["sampled"],
             len(train), len(eval_), clock.lap("select"))

    outputs = {"prompts.parquet": _write_prompts(train, eval_, source.display, run_dir),
               "quarantine.parquet": _write_quarantine(quarantine, run_dir)}
    clock.lap("write")
    record = {
        "stage": "sample", "run_date": run_date.isoformat(), "window": {"start": start, "end": end},
        "inputs": {"source": source.display, "source_digest": digest.hexdigest(), "pushdown": source.pushdown},
        "config_hash": sample_config_hash(cfg), "funnel": funnel,
        "pii": {"enabled": s.pii.enabled, "detectors": list(scrubber.detectors), "hits": dict(sorted(scrubber.hits.items())),
                "prompts_with_pii": rows_with_pii, "phone_context": scrubber.phone_context},
        "earlier_runs_prompts": len(history), "outputs": outputs, "device": "cpu",
        "versions": versions("numpy", "pyarrow", "sqlalchemy", "lingua-language-detector", "phonenumbers", "python-stdnum", "faker"),
        **clock.totals(),
    }
    failpoint("sample.written")  # outputs whole, record not yet written
    write_json(record, run_dir / "stage-sample.json")
    return record


# ---------------------------------------------------------------- validation

def candidate_pool_size(s) -> int:
    """Valid rows kept per route for the expensive steps: sampling.candidate_pool, or by default 20 x what a
    route can be allocated (the budget, or route_cap), at least 10,000."""
    if s.candidate_pool:
        return s.candidate_pool
    return max(CANDIDATES_PER_PROMPT * min(s.budget, s.route_cap or s.budget), MIN_CANDIDATES)


@dataclass
class Candidate:
    seq: int  # position in the stream: source order
    priority: int
    request: Request
    raw: dict | None  # the row as read, kept only when its request_id is already among the candidates


class Pools:
    """Per route, the valid rows with the lowest priority = hash(seed, request_id), at most `cap` of them. Rows
    sharing a request_id share a priority, so they stay or go together (the id-reuse check sees both). Which
    rows stay depends on the seed and the ids, not on the source's row order or the window's size: a uniform,
    deterministic subsample of each route, bounded whatever the log holds."""

    def __init__(self, cap: int, seed: int):
        self.cap, self.seed = cap, seed
        self.heaps: dict[str, list] = {}
        self.limit: dict[str, int] = {}  # a route's evicted priorities start here: later rows at or above it stay out
        self.valid_seen: Counter = Counter()  # rows per route that passed the per-row checks
        self.ids: Counter = Counter()  # request_id -> candidates holding it
        self.not_kept = 0
        self.controls = {"rows": 0, "chars": 0}  # control characters removed from rows that were not kept

    def offer(self, seq: int, request: Request, raw: dict) -> None:
        route = request.route
        self.valid_seen[route] += 1
        priority = allocate.stable_seed("candidate", self.seed, request.request_id)
        if priority >= self.limit.get(route, 1 << 64):
            self._drop(request)
            return
        heap = self.heaps.setdefault(route, [])
        request.extra = {}  # not used after validation; production answers can be long
        request.messages = [_interned(t) for t in request.messages]
        keep_raw = raw if self.ids[request.request_id] else None
        self.ids[request.request_id] += 1
        heapq.heappush(heap, (-priority, seq, Candidate(seq, priority, request, keep_raw)))
        while len(heap) > self.cap:
            worst = -heap[0][0]
            while heap and -heap[0][0] == worst:
                dropped = heapq.heappop(heap)[2].request
                self.ids[dropped.request_id] -= 1
                if not self.ids[dropped.request_id]:
                    del self.ids[dropped.request_id]
                self._drop(dropped)
            self.limit[route] = worst

    def _drop(self, request: Request) -> None:
        self.not_kept += 1
        if request.controls_removed:
            self.controls["rows"] += 1
            self.controls["chars"] += request.controls_removed

    def candidates(self) -> list[Candidate]:
        """Every route's candidates, in source order."""
        return sorted((c for heap in self.heaps.values() for _, _, c in heap), key=lambda c: c.seq)

    def traffic(self, kept: Counter, candidates: Counter) -> Counter:
        """Valid requests per route: counted where the pool held every valid row; where it was full, the route's
        valid rows scaled by the share of its candidates that passed the id-reuse and language checks."""
        out = Counter()
        for route, n in kept.items():
            out[route] = n if route not in self.limit else round(self.valid_seen[route] * n / candidates[route])
        return +out

    def record(self) -> dict:
        return {"per_route": self.cap, "kept": sum(len(h) for h in self.heaps.values()), "not_kept": self.not_kept,
                "routes_full": sorted(self.limit),
                "note": "language, id reuse, PII and duplicates are checked on the candidates only" if self.limit else
                        "every valid row was a candidate"}


_SYSTEM_PROMPTS: dict[str, str] = {}


def _interned(turn: dict) -> dict:
    """A system turn whose text is shared with the other rows carrying the same system prompt (bounded)."""
    if turn.get("role") == "system":
        text = turn["content"]
        shared = _SYSTEM_PROMPTS.get(text)
        if shared is None and len(_SYSTEM_PROMPTS) < 1000:
            shared = _SYSTEM_PROMPTS[text] = text
        if shared is not None and shared is not text:
            return {**turn, "content": shared}
    return turn


def _validate(rows, start, end, routes, max_chars, scrubber, quarantine, funnel, pools, digest) -> tuple[datetime, datetime] | None:
    """Stream the rows through the per-row checks: window, route, fields, length. Invalid rows are quarantined,
    valid ones offered to the candidate pools. Returns the first and last created_at seen."""
    lo = hi = None
    funnel.setdefault("control_chars_removed", {"rows": 0, "chars": 0})
    for seq, raw in enumerate(rows):
        digest.update(raw)
        rid = raw.get("request_id")
        try:
            # Window and route first: a broken row outside the run's slice is not this run's business.
            if raw.get("created_at") is not None and "_bad_json" not in raw:
                try:
                    t = parse_time(raw["created_at"])
                    lo = t if lo is None or t < lo else lo
                    hi = t if hi is None or t > hi else hi
                    if not start <= t < end:
                        funnel["outside_window"] += 1
                        continue
                except (TypeError, ValueError, OverflowError, OSError):
                    pass  # check_row names it
            if routes and isinstance(raw.get("route"), str) and raw["route"].strip() not in routes:
                funnel["other_route"] += 1
                continue
            request = check_row(raw)
            if len(request.user) > max_chars:
                raise Invalid("too_long", f"user content is {len(request.user)} characters; sampling.max_prompt_chars is {max_chars}")
        except Invalid as bad:
            quarantine.add(raw.get("_row", 0), rid, bad.reason, bad.detail, _raw_text(raw, scrubber))
            continue
        pools.offer(seq, request, raw)
    for k in ("rows", "chars"):
        funnel["control_chars_removed"][k] += pools.controls[k]
    return None if lo is None else (lo, hi)


def _check_reuse(candidates: list[Candidate], scrubber, quarantine, funnel) -> list[Request]:
    """The id-reuse check over the candidates in source order (with every valid row a candidate: the window)."""
    content_of: dict[str, str] = {}  # request_id -> digest of its route and turns, to catch an id reused for other content
    requests = []
    for c in candidates:
        request = c.request
        try:
            _check_id_reuse(request, content_of)
        except Invalid as bad:
            raw = c.raw if c.raw is not None else {"request_id": request.request_id, "messages": request.messages}
            quarantine.add(request.row, request.request_id, bad.reason, bad.detail, _raw_text(raw, scrubber))
            continue
        if request.controls_removed:
            funnel["control_chars_removed"]["rows"] += 1
            funnel["control_chars_removed"]["chars"] += request.controls_removed
        requests.append(request)
    return requests


def _widen(span, other):
    if not span or not other:
        return span or other
    return min(span[0], other[0]), max(span[1], other[1])


class _RowsDigest:
    """A content hash of what was read, so a later run can tell whether the source changed: the bytes of a
    local file (fast), else the rows as they were read (with a window pushed down: the window's rows)."""

    def __init__(self, url: str):
        import xxhash

        self.path = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") or "://" not in url else None
        if self.path is not None and not self.path.is_file():
            self.path = None
        self.h = xxhash.xxh3_128()

    def update(self, row: dict) -> None:
        if self.path is None:
            self.h.update(repr(sorted((k, str(v)) for k, v in row.items() if k != "_row")).encode())

    def hexdigest(self) -> str:
        if self.path is None:
            return f"rows:{self.h.hexdigest()}"
        with open(self.path, "rb") as f:
            for block in iter(lambda: f.read(1 << 22), b""):
                self.h.update(block)
        return f"file:{self.h.hexdigest()}"


def _check_id_reuse(request: Request, content_of: dict[str, str]) -> None:
    """The same request_id with the same content is a duplicate (dedup collapses it); with other content, one of
    the two is not what the id says: the later row is quarantined."""
    digest = hashlib.sha256(json.dumps([request.route, request.messages], sort_keys=True).encode()).hexdigest()
    first = content_of.setdefault(request.request_id, digest)
    if first != digest:
        raise Invalid("request_id_reused", f"request_id {request.request_id!r:.60} was seen earlier with other content")


def _check_language(requests, languages, scrubber, quarantine) -> tuple[list[Request], dict[str, int]]:
    """The requests whose language a route serves (or that are too short to tell: kept as "unknown"), and how many
    distinct texts were judged each language, for the funnel."""
    try:
        check = LanguageCheck(languages)
    except ValueError as exc:
        raise SampleError(str(exc)) from None
    # Each distinct (route, text) is detected once: logs repeat requests, and lingua is the slow part.
    distinct = list(dict.fromkeys((r.route, r.user) for r in requests))
    found = dict(zip(distinct, check.reasons([route for route, _ in distinct], [text for _, text in distinct])))
    kept = []
    for request in requests:
        reason = found[(request.route, request.user)]
        if reason:
            quarantine.add(request.row, request.request_id, reason,
                           f"user content is in {reason.split(':')[1]}; route {request.route} serves {sorted(check.served(request.route))}",
                           _raw_text({"messages": request.messages}, scrubber))
        else:
            kept.append(request)
    return kept, dict(sorted(check.counts.items()))


def _raw_text(raw: dict, scrubber: Scrubber) -> str:
    """The row as JSON for inspection, without the production system prompt (the same on every row of a
    route), scrubbed a little beyond the cut so no PII string is cut in half before it is recognised."""
    shown = {k: v for k, v in raw.items() if k not in ("_row", "_raw")}
    if isinstance(shown.get("messages"), list):
        shown["messages"] = [{**t, "content": f"<system prompt, {len(t.get('content') or '')} chars>"}
                             if isinstance(t, dict) and t.get("role") == "system" else t for t in shown["messages"]]
    text = json.dumps(shown, ensure_ascii=False, default=str) if "_raw" not in raw else raw["_raw"]
    return scrubber.scrub(text[: RAW_CHARS + 200])[:RAW_CHARS]


UNKNOWN_TIME = ("missing_field:created_at", "wrong_type:created_at")


def _empty_message(display, start, end, seen, quarantine, routes) -> str:
    where = f"between {start:%Y-%m-%d %H:%M} and {end:%Y-%m-%d %H:%M} UTC in {display}"
    in_window = sum(n for reason, n in quarantine.counts().items() if reason not in UNKNOWN_TIME)
    if in_window:
        return f"no valid requests {where}: all {in_window} were quarantined ({quarantine.counts()}); see quarantine.parquet"
    span = f"; the log's requests span {seen[0]:%Y-%m-%d %H:%M} to {seen[1]:%Y-%m-%d %H:%M}" if seen else "; the log is empty"
    route_note = f" for routes {routes}" if routes else ""
    undated = f" ({quarantine.total} rows without a usable created_at were quarantined)" if quarantine.total else ""
    return f"no requests {where}{route_note}{span}{undated}. Set sampling.window (start/end or last_hours) or --run-date"


# ---------------------------------------------------------------- PII

def _scrub(requests: list[Request], scrubber: Scrubber) -> tuple[list[Prompt], int]:
    system_cache: dict[str, str] = {}  # production system prompts repeat on every row of a route
    prompts, with_pii = [], 0
    for r in requests:
        before = sum(scrubber.hits.values())
        messages = []
        for turn in r.messages:
            content = turn["content"]
            if turn["role"] == "system":
                if content not in system_cache:
                    system_cache[content] = scrubber.scrub(content)
                content = system_cache[content]
            else:
                content = scrubber.scrub(content)
            messages.append({"role": turn["role"], "content": content})
        user = "\n".join(t["content"] for t in messages if t["role"] != "system")
        hits = sum(scrubber.hits.values()) - before
        with_pii += hits > 0
        norm = normalize(user)
        r.user = user
        prompts.append(Prompt(r, prompt_id(r.route, norm), norm, messages, hits))
    return prompts, with_pii


# ---------------------------------------------------------------- dedup

@dataclass
class Earlier:
    prompt_id: str
    route: str
    norm: str


def _earlier_prompts(store_root: Path, current: Path, run_date: date) -> list[Earlier]:
    """Prompts sampled by runs dated before this one (train and eval: neither may come back as train)."""
    import pyarrow.parquet as pq

    out = []
    for record_path in sorted((store_root / "runs").glob("*/stage-sample.json")):
        run = record_path.parent
        if run.resolve() == current.resolve() or not (run / "prompts.parquet").is_file():
            continue
        try:
            if date.fromisoformat(json.loads(record_path.read_text())["run_date"]) >= run_date:
                continue
        except (ValueError, KeyError):
            log.warning("ignoring %s: unreadable stage record", record_path)
            continue
        table = pq.read_table(run / "prompts.parquet", columns=["prompt_id", "route", "user"])
        out += [Earlier(p, r, normalize(u)) for p, r, u in zip(*(table[c].to_pylist() for c in ("prompt_id", "route", "user")))]
    return out


def _deduplicate(prompts, history, threshold, quarantine) -> tuple[list[Prompt], dict]:
    counts = {"exact": 0, "near": 0, "earlier_run": 0}
    prompts = sorted(prompts, key=lambda p: (p.request.created_at, p.request.request_id))  # the first one seen is kept
    earlier_ids = {h.prompt_id for h in history}
    first: dict[str, Prompt] = {}
    unique = []
    for p in prompts:
        if p.prompt_id in earlier_ids:
            _drop(quarantine, p, "duplicate:earlier_run", "sampled by an earlier run", p.prompt_id, counts)
        elif p.prompt_id in first:
            first[p.prompt_id].duplicates += 1
            _drop(quarantine, p, "duplicate:exact", "same normalized content as an earlier request",
                  first[p.prompt_id].request.request_id, counts)
        else:
            first[p.prompt_id] = p
            unique.append(p)

    routes = sorted({p.request.route for p in unique} | {h.route for h in history})
    route_no = {r: i for i, r in enumerate(routes)}
    texts = [h.norm for h in history] + [p.norm for p in unique]
    groups = np.array([route_no[h.route] for h in history] + [route_no[p.request.route] for p in unique], dtype=np.int64)
    pairs = dedup.near_duplicate_pairs(dedup.shingle_docs(texts), groups, threshold)
    rep = dedup.clusters(len(texts), pairs, rank=np.arange(len(texts)))  # history first, then by time
    n_hist = len(history)
    kept = []
    for i, p in enumerate(unique):
        r = rep[n_hist + i]
        if r == n_hist + i:
            kept.append(p)
        elif r < n_hist:
            _drop(quarantine, p, "duplicate:earlier_run", "near-duplicate of a prompt sampled by an earlier run",
                  history[r].prompt_id, counts)
        else:
            unique[r - n_hist].duplicates += p.duplicates
            _drop(quarantine, p, "duplicate:near", f"near-duplicate (word 3-gram Jaccard >= {threshold})",
                  unique[r - n_hist].request.request_id, counts)
    return kept, counts


def _drop(quarantine, p: Prompt, reason, detail, of, counts):
    """Record a valid prompt that is not carried forward; its text is already scrubbed."""
    counts[reason.split(":")[1]] += 1
    quarantine.add(p.request.row, p.request.request_id, reason, detail,
                   json.dumps({"user": p.request.user[:RAW_CHARS]}, ensure_ascii=False), of)


# ---------------------------------------------------------------- selection and split

def _select(prompts: list[Prompt], traffic: Counter, cfg: RunConfig) -> list[Prompt]:
    s = cfg.sampling
    by_route: dict[str, list[Prompt]] = {}
    for p in sorted(prompts, key=lambda p: p.prompt_id):  # pool order independent of the source's row order
        by_route.setdefault(p.request.route, []).append(p)
    if s.allocation == "proportional":
        weights = {r: float(traffic[r]) for r in by_route}
    elif s.allocation == "equal":
        weights = {r: 1.0 for r in by_route}
    else:
        weights = {r: float(s.route_weights.get(r, 0.0)) for r in by_route}
        missing = sorted(set(by_route) - set(s.route_weights))
        if missing:
            log.warning("routes %s have no route_weights entry and get no prompts", missing)
    share = allocate.allocate(s.budget, {r: len(ps) for r, ps in by_route.items()}, weights, s.route_cap)
    chosen = []
    for route, pool in by_route.items():
        texts = [p.norm for p in pool] if s.diversity == "cluster" else None
        picked = allocate.pick(len(pool), share[route], allocate.stable_seed(s.seed, route), texts)
        chosen += [pool[i] for i in picked]
    return chosen


def is_eval(pid: str, eval_fraction: float) -> bool:
    """Stable forever: a prompt's split depends only on its id."""
    return int(pid[:8], 16) / 16**8 < eval_fraction


def _split(chosen, eval_fraction) -> tuple[list[Prompt], list[Prompt]]:
    train = [p for p in chosen if not is_eval(p.prompt_id, eval_fraction)]
    eval_ = [p for p in chosen if is_eval(p.prompt_id, eval_fraction)]
    return train, eval_


def _decontaminate(train, eval_, threshold, quarantine) -> tuple[list[Prompt], int]:
    """Drop train prompts that are near-duplicates of an eval prompt, with denser LSH bands than dedup
    (32 bands of 2 rows) so a pair the dedup bands missed is still found."""
    if not train or not eval_:
        return train, 0
    texts = [p.norm for p in eval_] + [p.norm for p in train]
    groups = np.array([hash_route(p.request.route) for p in eval_ + train], dtype=np.int64)
    bad = {}
    for i, j, _ in dedup.near_duplicate_pairs(dedup.shingle_docs(texts), groups, threshold, bands=32):
        if i < len(eval_) <= j:
            bad.setdefault(j - len(eval_), eval_[i].prompt_id)
    counts = {"eval_contamination": 0}
    for k, of in bad.items():
        _drop(quarantine, train[k], "duplicate:eval_contamination", "near-duplicate of an eval prompt", of, counts)
    return [p for k, p in enumerate(train) if k not in bad], len(bad)


def hash_route(route: str) -> int:
    return allocate.stable_seed(route) & 0x7FFFFFFF


# ---------------------------------------------------------------- outputs

def _write_prompts(train, eval_, display, run_dir: Path) -> str:
    import pyarrow as pa

    items = sorted([("train", p) for p in train] + [("eval", p) for p in eval_], key=lambda sp: (sp[1].request.route, sp[1].prompt_id))
    schema = pa.schema([("prompt_id", pa.string()), ("route", pa.string()), ("split", pa.string()), ("messages", pa.string()),
                        ("user", pa.string()), ("request_id", pa.string()), ("created_at", pa.timestamp("us", tz="UTC")),
                        ("source_ref", pa.string()), ("duplicates", pa.int32()), ("pii_hits", pa.int32())])
    columns = {
        "prompt_id": [p.prompt_id for _, p in items], "route": [p.request.route for _, p in items],
        "split": [s for s, _ in items], "messages": [json.dumps(p.messages, ensure_ascii=False) for _, p in items],
        "user": [p.request.user for _, p in items], "request_id": [p.request.request_id for _, p in items],
        "created_at": [p.request.created_at for _, p in items],
        "source_ref": [f"{display}#row={p.request.row}" for _, p in items],
        "duplicates": [p.duplicates for _, p in items], "pii_hits": [p.pii_hits for _, p in items],
    }
    return write_parquet(pa.table(columns, schema=schema), run_dir / "prompts.parquet")


def _quarantine_schema():
    import pyarrow as pa

    return pa.schema([(name, getattr(pa, kind)()) for name, kind in QUARANTINE_SCHEMA])


def _quarantine_order(r: dict) -> tuple:
    return r["row"], r["reason"]


def _write_quarantine(quarantine: Quarantine, run_dir: Path) -> str:
    import pyarrow as pa

    schema = _quarantine_schema()
    rows = sorted(quarantine.rows, key=_quarantine_order)
    path = run_dir / "quarantine.parquet"
    if not quarantine.parts:
        return write_parquet(pa.Table.from_pylist(rows, schema=schema), path)
    import pyarrow.parquet as pq

    def part_rows(part: Path):
        for batch in pq.ParquetFile(part).iter_batches(batch_size=2000):
            yield from batch.to_pylist()

    merged = heapq.merge(*(part_rows(p) for p in quarantine.parts), rows, key=_quarantine_order)
    tmp = atomic_path(path)
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        while block := list(itertools.islice(merged, QUARANTINE_IN_MEMORY)):
            writer.write_table(pa.Table.from_pylist(block, schema=schema))
    os.replace(tmp, path)
    shutil.rmtree(quarantine.spill_dir, ignore_errors=True)
    return file_sha256(path)
