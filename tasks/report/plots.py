"""The pictures finance would rather look at than read, as inline SVG (no files, no network).

Deterministic: a fixed SVG hash salt and no date metadata, so a rebuilt report has the same bytes.
"""

import io

from tasks.report import cost_model as cm


def _svg(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]  # drop the XML prolog and doctype: the SVG is embedded in HTML


def _figure(width: float = 6.0, height: float = 2.8):
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "distillery-report"
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(width, height))


def cost_per_day(summary: dict) -> str:
    """Bars: what a day costs with the teacher, with the student (+ the nightly pipeline)."""
    fig, ax = _figure(6.0, 1.9)
    deferred = (summary.get("deferred") or {}).get("daily", 0.0)  # the teacher on the requests the student defers
    label = "student + deferred + pipeline" if deferred else "student + pipeline"
    ax.barh([label, "teacher"], [summary["student_daily"], summary["teacher_daily"]], color=["#2b6cb0", "#999"])
    if deferred:
        ax.barh([label], [deferred], left=[summary["student_daily"]], color="#bbb")
    ax.barh([label], [summary["pipeline_daily"]], left=[summary["student_daily"] + deferred], color="#90cdf4")
    ax.set_xlabel(f"{summary['currency']} per day at {summary['requests_per_day']:,.0f} requests/day")
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def saving_vs_volume(teacher, teacher_t: cm.Traffic, student, student_t: cm.Traffic, pipeline_daily: float,
                     volume: float, break_even: float | None, deferred: cm.Deferred | None = None) -> str:
    """Monthly saving against daily volume (log scale), with today's volume and the break-even point marked."""
    import numpy as np

    top = max(volume, break_even or 0) * 20
    volumes = np.unique(np.geomspace(max(1.0, min(volume, break_even or volume) / 20), top, 200).round())
    savings = [cm.compare(teacher, teacher_t, student, student_t, v, pipeline_daily, deferred).saving_monthly
               for v in volumes]
    fig, ax = _figure()
    ax.plot(volumes, savings, color="#2b6cb0")
    ax.axhline(0, color="#555", linewidth=0.8)
    ax.axvline(volume, color="#999", linestyle="--", linewidth=0.8)
    ax.annotate("today", (volume, 0), textcoords="offset points", xytext=(4, 6), fontsize=8, color="#555")
    if break_even:
        ax.plot([break_even], [0], "o", color="#a4161a")
        ax.annotate(f"break-even {break_even:,.0f}/day", (break_even, 0), textcoords="offset points", xytext=(6, -14),
                    fontsize=8, color="#a4161a")
    ax.set_xscale("log")
    ax.set_xlabel("requests per day")
    ax.set_ylabel("saving per month")
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def trend(runs: list[dict]) -> str:
    """Three small panels over past runs: cost per 1k requests, the student's quality, the training set's size."""
    import matplotlib.pyplot as plt

    fig, _ = _figure()  # sets the backend and the fixed hash salt
    plt.close(fig)
    fig, axes = plt.subplots(1, 3, figsize=(7.5, 2.3))
    x = list(range(len(runs)))
    labels = [r["run"][5:10] for r in runs]  # MM-DD of the run id's date
    series = [("cost per 1k requests", [("teacher", "teacher_per_1k", "#999"), ("student", "student_per_1k", "#2b6cb0")]),
              ("student quality", [("schema validity", "schema_validity", "#2b6cb0"), ("judge win rate", "judge_win_rate", "#a4161a")]),
              ("training examples", [("examples", "training_examples", "#2b6cb0")])]
    for ax, (title, lines) in zip(axes, series):
        for name, key, color in lines:
            points = [(i, r[key]) for i, r in zip(x, runs) if r.get(key) is not None]
            if points:
                ax.plot(*zip(*points), marker="o", markersize=3, color=color, label=name)
        ax.set_title(title, fontsize=9)
        ax.set_xticks(x, labels, fontsize=7, rotation=45)
        ax.tick_params(axis="y", labelsize=7)
        ax.spines[["top", "right"]].set_visible(False)
        if len(lines) > 1:
            ax.legend(fontsize=6, frameon=False)
    fig.tight_layout()
    return _svg(fig)
