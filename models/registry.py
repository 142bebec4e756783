"""The adapter registry: numbered versions of trained adapters with their lineage and status.

    <store>/registry/<student name>/v0001/adapter_model.safetensors, adapter_config.json, lineage.json
    <store>/registry/<student name>/status.json   {"champion": "v0001", "candidates": ["v0002"], "routes": {...}}
    <store>/registry/<student name>/routing.json  the routing plan: which routes production sends to which student
                                                  version, and which stay with the teacher (and why)

Promotion is per route: the evaluation decides each route on its own, and the plan sends a route to the newest
version that passed there. A route the newest candidate failed keeps the version that passed it before (still
served beside the newer one), or the teacher.

A version is written whole (temp folder, then rename) and only after training succeeded, so a failed
run registers nothing. Loading checks the base model's content hash against the lineage and reads
safetensors only.
"""

import hashlib
import json
import os
import re
import shutil
from pathlib import Path


class RegistryError(RuntimeError):
    """A registry operation that cannot be done; the message says why."""


def base_hash(model_path: str) -> str:
    """Content hash of a base model folder's weights and config (or of a hub id, where there is no folder)."""
    path = Path(model_path)
    if not path.is_dir():
        return hashlib.sha256(model_path.encode()).hexdigest()[:16]
    h = hashlib.sha256()
    for f in sorted(path.glob("*.safetensors")) + [path / "config.json"]:
        h.update(f.name.encode())
        with open(f, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 22), b""):
                h.update(block)
    return h.hexdigest()[:16]


def tokenizer_hash(model_path: str) -> str:
    path = Path(model_path)
    h = hashlib.sha256()
    for name in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja"):
        if (path / name).is_file():
            h.update((path / name).read_bytes())
    return h.hexdigest()[:16]


class Registry:
    def __init__(self, root: Path, student_id: str):
        self.dir = Path(root) / "registry" / re.sub(r"[^A-Za-z0-9._-]+", "_", student_id)
        self.dir.mkdir(parents=True, exist_ok=True)

    def versions(self) -> list[str]:
        return sorted(p.name for p in self.dir.glob("v[0-9][0-9][0-9][0-9]") if (p / "lineage.json").is_file())

    def register(self, adapter_dir: Path, lineage: dict) -> str:
        """Copy a trained adapter in as the next version, status candidate."""
        from distillery.store import file_sha256

        lineage = {**lineage, "adapter_sha256": file_sha256(adapter_dir / "adapter_model.safetensors")}
        existing = self.versions()
        version = f"v{int(existing[-1][1:]) + 1 if existing else 1:04d}"
        tmp = self.dir / f".{version}.tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for name in ("adapter_model.safetensors", "adapter_config.json"):
            shutil.copy2(adapter_dir / name, tmp / name)
        (tmp / "lineage.json").write_text(json.dumps({**lineage, "version": version}, indent=1, sort_keys=True, default=str))
        tmp.rename(self.dir / version)
        status = self.status()
        status["candidates"] = sorted(set(status["candidates"]) | {version})
        self._write_status(status)
        return version

    def find(self, **match) -> str | None:
        """The newest version whose lineage has all of `match`'s values, or None."""
        for version in reversed(self.versions()):
            lineage = self.lineage(version)
            if all(lineage.get(k) == v for k, v in match.items()):
                return version
        return None

    def run_candidate(self, run_dir: Path) -> str:
        """The adapter a run trained (its stage-train.json), else the newest candidate: what export and evaluate take."""
        record = Path(run_dir) / "stage-train.json"
        if record.is_file():
            return json.loads(record.read_text())["adapter_version"]
        candidates = self.status()["candidates"]
        if not candidates:
            raise RegistryError(f"no adapter to export or evaluate: {run_dir} has no stage-train.json and the registry at "
                                f"{self.dir} has no candidate; run distillery train first or pass the version")
        return candidates[-1]

    def status(self) -> dict:
        path = self.dir / "status.json"
        return json.loads(path.read_text()) if path.is_file() else {"champion": None, "candidates": [], "history": []}

    def _write_status(self, status: dict) -> None:
        tmp = self.dir / f".status.json.tmp-{os.getpid()}"
        tmp.write_text(json.dumps(status, indent=1, sort_keys=True))
        os.replace(tmp, self.dir / "status.json")
        # the file the serving side reads: the plan alone, so a router needs no registry knowledge
        plan = {"champion": status["champion"], "routes": status.get("routes", {}),
                "note": "route -> 'student' (the version to ask) or 'teacher'; written by the evaluation's per-route decisions"}
        tmp = self.dir / f".routing.json.tmp-{os.getpid()}"
        tmp.write_text(json.dumps(plan, indent=1, sort_keys=True))
        os.replace(tmp, self.dir / "routing.json")

    def lineage(self, version: str) -> dict:
        path = self.dir / version / "lineage.json"
        if not path.is_file():
            raise RegistryError(f"no adapter version {version!r} in {self.dir}; versions: {', '.join(self.versions()) or 'none'}")
        return json.loads(path.read_text())

    def check_base(self, version: str, base_path: str) -> None:
        """Refuse a base whose content differs from the one the adapter was trained on."""
        expected = self.lineage(version)["base_hash"]
        actual = base_hash(base_path)
        if expected != actual:
            raise RegistryError(f"adapter {version} was trained on a base with hash {expected}, but {base_path} has {actual}: "
                                "load it onto the same base model it was trained on")

    def check_intact(self, version: str) -> None:
        """Refuse an adapter whose bytes are not the ones registered (a damaged disk, a hand edit)."""
        from distillery.store import file_sha256

        weights = self.dir / version / "adapter_model.safetensors"
        if not weights.is_file():
            raise RegistryError(f"adapter {version} has no adapter_model.safetensors; only safetensors are loaded")
        expected = self.lineage(version).get("adapter_sha256")  # versions registered before it was recorded: None
        if expected and file_sha256(weights) != expected:
            raise RegistryError(f"adapter {version} in {self.dir / version} does not match the sha256 registered with it: "
                                "it is damaged; train again (distillery train) to register a new version")

    def load(self, version: str, base_model, base_path: str):
        """Attach a registered adapter to `base_model`, refusing a base whose content differs from the lineage."""
        from peft import PeftModel

        self.check_base(version, base_path)
        self.check_intact(version)
        return PeftModel.from_pretrained(base_model, self.dir / version, use_safetensors=True)

    # ------------------------------------------------------------ promotion: every change is a history entry

    def promote(self, version: str, reason: str, routes: list[str] | None = None, run: str | None = None,
                terms: dict[str, dict] | None = None) -> bool:
        """Make `version` the champion and send `routes` to it in the plan (None: every route the plan has), each on
        its `terms` if any ({"defer_below", "fields", "served_share"}: the student answers only where it is sure);
        False (and nothing written) when it already is the champion for all of them, on the same terms."""
        self.lineage(version)  # refuses unknown versions
        status = self.status()
        plan = dict(status.get("routes", {}))
        routes = sorted(plan) if routes is None else sorted(routes)
        terms = terms or {}
        entries = {r: {"to": "student", "version": version, "since": run, "why": reason, **terms.get(r, {})} for r in routes}
        if status["champion"] == version and all(_same_terms(plan.get(r, {}), entries[r]) for r in routes):
            return False
        status["history"].append({"action": "promote", "version": version, "previous": status["champion"],
                                  "reason": reason, "routes": routes, "plan_before": dict(plan), "at": _now()})
        plan.update(entries)
        status.update(champion=version, routes=plan)
        status["candidates"] = [v for v in status["candidates"] if v != version]
        self._write_status(status)
        return True

    def decide_routes(self, version: str, decisions: dict[str, dict], run: str) -> dict:
        """Apply an evaluation's per-route decisions ({route: {"promote", "reasons", and "defer_below",
        "served_share" when it passed only with deferral}}) to the routing plan: promoted routes go to `version`; a
        failed route keeps the student version that passed it before, else the teacher. A route a student serves
        alone is not handed to a candidate that passes only with deferral: that would serve it less. Returns the new
        plan."""
        before = self.plan()
        decisions = {r: _kept_alone(d, before.get(r, {})) for r, d in decisions.items()}
        promoted = sorted(r for r, d in decisions.items() if d["promote"])
        if promoted:
            terms = {r: {"why": f"non-inferior on every gated metric with deferral to the teacher below p "
                                f"{decisions[r]['defer_below']} ({run}); alone it was not",
                         **{k: decisions[r][k] for k in DEFERRAL_TERMS}}
                     for r in promoted if decisions[r].get("defer_below")}
            self.promote(version, f"non-inferior on every gated metric ({run})", promoted, run, terms)
        status = self.status()
        plan = dict(status.get("routes", {}))
        for route, d in sorted(decisions.items()):
            if d["promote"]:
                continue
            why = d["reasons"][0] if d["reasons"] else "not promoted"
            held = plan.get(route, {})
            if held.get("to") == "student":  # it passed before: one failed candidate does not take the route back
                plan[route] = {**held, "last_candidate": f"{version} not promoted here ({run}): {why}"}
            else:
                plan[route] = {"to": "teacher", "version": None, "since": run, "why": why}
        status["routes"] = plan
        if not promoted:
            status["history"].append({"action": "keep", "version": status["champion"], "candidate": version,
                                      "reason": "; ".join(r for d in decisions.values() for r in d["reasons"]),
                                      "at": _now()})
        self._write_status(status)
        return plan

    def plan(self) -> dict:
        """The routing plan: route -> {"to": "student" | "teacher", "version", "since", "why"}, and on a route the
        student serves only where it is sure, "defer_below" and "fields" (the request goes to the teacher when the
        student's probability of any of these fields' values is below that) and "served_share" (the share of requests
        it answered at evaluation)."""
        return self.status().get("routes", {})

    def plan_versions(self) -> list[str]:
        """The student versions the plan sends traffic to (what `distillery serve student` serves)."""
        return sorted({p["version"] for p in self.plan().values() if p.get("to") == "student"})

    def mark_servable(self, version: str, model_dir: str) -> None:
        """Record the export that passed its parity check; `distillery serve student` serves the champion's."""
        status = self.status()
        status.setdefault("exports", {})[version] = model_dir
        status["history"].append({"action": "export", "version": version, "model_dir": model_dir, "at": _now()})
        self._write_status(status)

    def servable(self, version: str) -> str:
        exports = self.status().get("exports", {})
        if version not in exports or not Path(exports[version]).is_dir():
            raise RegistryError(f"adapter {version} has no servable export: run distillery export {version}")
        return exports[version]

    def export_record(self, version: str) -> dict:
        """The export.json beside the version's servable export (merge, parity, serving measured by the export stage)."""
        return json.loads((Path(self.servable(version)).parent / "export.json").read_text())

    def keep_champion(self, candidate: str, reason: str) -> None:
        """Record that `candidate` was evaluated and not promoted, and why; the champion stays."""
        status = self.status()
        status["history"].append({"action": "keep", "version": status["champion"], "candidate": candidate,
                                  "reason": reason, "at": _now()})
        self._write_status(status)

    def rollback(self, reason: str = "manual rollback") -> str | None:
        """Restore the champion that the current one replaced; returns the new champion (None: no champion)."""
        status = self.status()
        current = status["champion"]
        if current is None:
            raise RegistryError(f"no champion in {self.dir} to roll back")
        promoted = next((h for h in reversed(status["history"]) if h["action"] == "promote" and h["version"] == current), None)
        if promoted is None:
            raise RegistryError(f"champion {current} has no promotion in the history to undo")
        status["champion"] = promoted["previous"]
        if "plan_before" in promoted:  # the routes go back where they were before that promotion
            status["routes"] = promoted["plan_before"]
        status["candidates"] = sorted(set(status["candidates"]) | {current})
        status["history"].append({"action": "rollback", "version": promoted["previous"], "previous": current,
                                  "reason": reason, "at": _now()})
        self._write_status(status)
        return status["champion"]


# a route the student serves only where it is sure: below which probability of which fields' values it defers to the
# teacher (models/router.py reads them), and the share of requests it answered at evaluation
DEFERRAL_TERMS = ("defer_below", "fields", "served_share")


def _kept_alone(decision: dict, held: dict) -> dict:
    """A candidate that passed only with deferral does not take a route a student already serves alone."""
    if not (decision["promote"] and decision.get("defer_below")) or held.get("to") != "student" or held.get("defer_below"):
        return decision
    return {"promote": False, "reasons": [f"passed only with deferral below p {decision['defer_below']}; "
                                          f"{held['version']} serves this route alone"]}


def _same_terms(held: dict, new: dict) -> bool:
    """The same version on the same terms (a change of deferral is a new promotion)."""
    return held.get("version") == new["version"] and all(held.get(k) == new.get(k) for k in DEFERRAL_TERMS)


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="seconds")
