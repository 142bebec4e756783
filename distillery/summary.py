"""One summary per stage, rendered two ways from the same data: markdown for the Prefect UI, rich for the CLI.

Each stage's tasks/<stage>/summary.py turns the record its stage function returns into a `Summary`; the
stage's Prefect task publishes `to_markdown` of it and the `distillery` command prints `to_console` of it,
so the UI and the terminal cannot drift apart in what they report.

Text conventions, so one string reads well in both renderers: a headline is one line in which `**x**` marks
a number worth seeing first (bold in both); table cells are shown as written (no markup is interpreted).
"""

from dataclasses import dataclass, field


@dataclass
class Summary:
    title: str  # what this is, the first line (and the Prefect artifact's description)
    headline: str  # one line: what happened, with its numbers
    rows: list[dict] = field(default_factory=list)  # a table; the first row's keys are the columns
    notes: list[str] = field(default_factory=list)  # lines that must not be missed after the table (e.g. why not)
    key: str = ""  # the Prefect artifact key the stage's task publishes it under


def to_markdown(summary: Summary) -> str:
    parts = [f"### {summary.title}", summary.headline]
    if summary.rows:
        parts.append(_markdown_table(summary.rows))
    if summary.notes:
        parts.append("\n".join(f"- {note}" for note in summary.notes))
    return "\n\n".join(parts)


def _markdown_table(rows: list[dict]) -> str:
    columns = list(rows[0])
    lines = [_markdown_row(columns), _markdown_row(["---"] * len(columns))]
    lines += [_markdown_row([row.get(c, "") for c in columns]) for row in rows]
    return "\n".join(lines)


def _markdown_row(cells) -> str:
    # a "|" inside a cell would end it, and a newline the whole table
    return "| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in cells) + " |"


def to_console(summary: Summary, console) -> None:
    """Print on a rich Console: the title, the headline, the table, the notes, as to_markdown lays them out.
    Text is never read as rich markup, so a value such as "[-0.010, +0.030]" is printed as it is."""
    from rich.table import Table
    from rich.text import Text

    console.print(Text(summary.title, style="italic"), soft_wrap=True)
    console.print(_bold_marked(summary.headline), soft_wrap=True)  # one line stays one line, whatever the width
    if summary.rows:
        columns = list(summary.rows[0])
        table = Table(box=None)
        for column in columns:
            table.add_column(Text(column))
        for row in summary.rows:
            table.add_row(*(Text(str(row.get(c, ""))) for c in columns))
        console.print(table)
    for note in summary.notes:
        console.print(Text("  - ") + _bold_marked(note), soft_wrap=True)


def _bold_marked(line: str):
    """rich Text of a line whose `**x**` parts are bold (every other piece between the markers)."""
    from rich.text import Text

    return Text.assemble(*((piece, "bold") if i % 2 else piece for i, piece in enumerate(line.split("**"))))


def ab_rows(ab: dict) -> list[dict]:
    """Student vs teacher per scope and metric (and per field, where agreement is gated field by field), from ab.json:
    the evaluate stage writes that file and the report stage reads it, and stages do not import each other, so the
    table of it lives on the ground floor (as distillery/routes.py does for routes): both stages show the same rows."""
    min_items = ab.get("config", {}).get("min_items", 1)  # ab.json before min_items existed: no minimum
    rows = []
    for scope, s in ab["scopes"].items():
        for metric, m in s["vs_teacher"].items():
            rows.append(_ab_row(scope, metric, m, min_items))
            rows += [_ab_row(scope, f"{metric}: {field}", f, min_items) for field, f in m.get("by_field", {}).items()]
        for name, d in s.get("diagnostics", {}).items():  # never gated: no teacher column, no verdict
            rows.append({"scope": scope, "metric": f"{name} (diagnostic)", "n": d["n"], "student": f"{d['estimate']:.3f}",
                         "teacher": "", "difference [CI]": f"[{d['ci'][0]:.3f}, {d['ci'][1]:.3f}]", "margin": "", "verdict": ""})
    return rows


def _ab_row(scope: str, metric: str, m: dict, min_items: int) -> dict:
    lo, hi = m["diff"]["ci"]
    n = m["diff"]["n"]
    # the evaluate stage's verdict (tasks/evaluation/score.py `verdict`); ungated: none; an older ab.json: non_inferior
    said = m.get("verdict") or ("" if "non_inferior" not in m else "non-inferior" if m["non_inferior"] else "inferior")
    verdict = {"insufficient evidence": f"insufficient (n < {min_items})", "inferior": "INFERIOR"}.get(said, said)
    return {"scope": scope, "metric": metric, "n": n, "student": f"{m['student']['estimate']:.3f}",
            "teacher": f"{m['teacher']['estimate']:.3f}", "difference [CI]": f"{m['diff']['estimate']:+.3f} [{lo:+.3f}, {hi:+.3f}]",
            "margin": m.get("margin", ""), "verdict": verdict}
