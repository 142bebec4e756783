"""One recipe trial: `distillery demo` on the demo config with overrides, timed, its verdict recorded in the trial table.

    .venv/bin/python benchmarks/recipe_trial.py --name lr5e-4 -o student.training.learning_rate=5e-4
    .venv/bin/python benchmarks/recipe_trial.py --table        # rewrite docs/recipe-trials.md from the records

Each trial runs the whole nightly flow (sample, label, curate, train, export, evaluate, report) as a user runs the
demo, in a store of its own under --store (default /tmp/distillery-trials; labels are reused between trials that
sample the same prompts with the same teacher, so a trial that changes only training pays no labeling). One record
per trial is appended to docs/recipe-trials.jsonl: the overrides, the machine, the minutes per stage, and per route
the student's agreement with the teacher on each exact field, its valid JSON and the baselines', each with its 95%
interval, and the per-route decision. The last stdout line is the record as one JSON document.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RECORDS = REPO / "docs" / "recipe-trials.jsonl"


def trial_config(overrides: list[str], store: Path) -> Path:
    """The demo config with the overrides applied, as a file of its own (a store path is not a run parameter)."""
    sys.path.insert(0, str(REPO))
    import yaml

    from distillery.config import load_config

    cfg = load_config(REPO / "configs/demo.yaml", [*overrides, f"store.root={store}"])
    path = store / "trial.yaml"
    store.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(cfg.model_dump(mode="json")))
    return path


def run_demo(config: Path, run_date: str | None) -> tuple[float, int, str]:
    # `python -m cli.main` from the repo root: the code of this checkout, whichever checkout the venv was installed from
    cmd = [sys.executable, "-m", "cli.main", "demo", "-c", str(config), *(["--run-date", run_date] if run_date else [])]
    started = time.monotonic()
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    sys.stderr.write(done.stderr[-4000:])
    return time.monotonic() - started, done.returncode, done.stdout


def newest_run(store: Path) -> Path:
    return max((store / "runs").iterdir(), key=lambda p: p.stat().st_mtime)


def interval(m: dict) -> list:
    return [m["estimate"], *m["ci"]]


def route_metrics(scope: dict) -> dict:
    """Per exact field: the student's agreement with the teacher and each baseline's, with intervals; valid JSON."""
    out: dict = {"n": scope["n"]}
    vt = scope["vs_teacher"]
    if "schema_validity" in vt:
        out["valid_json"] = interval(vt["schema_validity"]["student"])
    if "chrf" in vt:
        out["chrf"] = interval(vt["chrf"]["student"])
    fields = vt.get("field_agreement", {}).get("by_field", {})
    for f, m in fields.items():
        out[f] = {"student": interval(m["student"]), "diff_vs_teacher": interval(m["diff"])}
        for arm, key in (("base", "vs_base"), ("fewshot", "vs_fewshot")):
            other = scope.get(key, {}).get("field_agreement", {}).get("by_field", {}).get(f)
            if other:
                out[f][arm] = interval(other[next(k for k in other if k not in ("student", "diff"))])
    diag = scope.get("diagnostics", {}).get("unguided_schema_validity")
    if diag:
        out["unguided_valid_json"] = interval(diag)
    return out


def record(name: str, overrides: list[str], run: Path, wall: float, rc: int) -> dict:
    ab = json.loads((run / "ab.json").read_text()) if (run / "ab.json").is_file() else {}
    flow = run / "flow-nightly.json"  # the flow's own clock per stage
    stages = {s: round(x / 60, 2) for s, x in json.loads(flow.read_text())["stages"].items()} if flow.is_file() else {}
    train = json.loads((run / "stage-train.json").read_text()) if (run / "stage-train.json").is_file() else {}
    decision = ab.get("decision", {})
    return {"name": name, "overrides": overrides, "rc": rc, "minutes": round(wall / 60, 1), "stages_min": stages,
            "machine": f"{platform.machine()} {os.cpu_count()} cores, {cpu_name()}", "run": run.name,
            "train": {"examples": train.get("examples"), "steps": train.get("steps")},
            "routes": {r: route_metrics(s) for r, s in ab.get("scopes", {}).items() if r != "overall"},
            "promoted": sorted(r for r, d in decision.get("routes", {}).items() if d["promote"]),
            "reasons": decision.get("reasons", [])}


def cpu_name() -> str:
    try:
        line = next(x for x in Path("/proc/cpuinfo").read_text().splitlines() if x.startswith("model name"))
        flags = Path("/proc/cpuinfo").read_text()
        return line.split(":", 1)[1].strip() + (" (AVX512-BF16)" if "avx512_bf16" in flags else " (no AVX512-BF16)")
    except (OSError, StopIteration):
        return "unknown CPU"


def fmt(x) -> str:
    return "-" if not x else f"{x[0]:.2f} [{x[1]:.2f}, {x[2]:.2f}]"


def table(records: list[dict]) -> str:
    lines = ["# Recipe trials", "",
             "Written by `benchmarks/recipe_trial.py --table` from `docs/recipe-trials.jsonl` (one `distillery demo` per "
             "trial; 95% intervals: Clopper-Pearson for one arm's rate, Tango for the paired difference). Agreement is "
             "with the teacher's labels on the held-out items of that run.", "",
             "| trial | overrides | min | train ex / steps | triage category | urgency | vs base / few-shot (category) "
             "| invoice fields (student) | valid JSON (triage / invoice) | promoted |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in records:
        t, i = r["routes"].get("ticket-triage", {}), r["routes"].get("invoice-extract", {})
        cat = t.get("category", {})
        inv = ", ".join(f"{f} {v['student'][0]:.2f}" for f, v in i.items() if isinstance(v, dict) and "student" in v)
        ex = r["train"]["examples"] or {}
        lines.append(f"| {r['name']} | `{' '.join(r['overrides'])}` | {r['minutes']} | {ex.get('train', '-')} / "
                     f"{r['train']['steps']} | {fmt(cat.get('student'))} (n={t.get('n', 0)}) | "
                     f"{fmt(t.get('urgency', {}).get('student'))} | "
                     f"{cat.get('base', [0])[0]:.2f} / {cat.get('fewshot', [0])[0]:.2f} | {inv or '-'} (n={i.get('n', 0)}) | "
                     f"{fmt(t.get('valid_json'))} / {fmt(i.get('valid_json'))} | {', '.join(r['promoted']) or 'none'} |")
        if r.get("note"):  # what a reader must know to read the row (added by hand to the jsonl)
            lines.append(f"| | *{r['note']}* | | | | | | | | |")
    machines = sorted({r["machine"] for r in records})
    lines += ["", "Machines: " + "; ".join(machines) + ". Stage minutes per trial are in the jsonl records."]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--name", help="the trial's name in the table")
    ap.add_argument("-o", "--override", action="append", default=[], help="a config override, key=value")
    ap.add_argument("--store", type=Path, default=Path("/tmp/distillery-trials"))
    ap.add_argument("--run-date", default=None)
    ap.add_argument("--table", action="store_true", help="only rewrite docs/recipe-trials.md from the records")
    ap.add_argument("--records", type=Path, default=RECORDS, help="the jsonl the record is appended to")
    args = ap.parse_args()
    if not args.table:
        if not args.name:
            ap.error("--name is required for a trial")
        config = trial_config(args.override, args.store)
        wall, rc, _ = run_demo(config, args.run_date)
        rec = record(args.name, args.override, newest_run(args.store), wall, rc)
        with args.records.open("a") as fh:
            fh.write(json.dumps(rec, sort_keys=True) + "\n")
    records = [json.loads(x) for x in args.records.read_text().splitlines() if x.strip()] if args.records.is_file() else []
    args.records.with_suffix(".md").write_text(table(records))
    if not args.table:
        print(json.dumps(rec, sort_keys=True))


if __name__ == "__main__":
    main()
