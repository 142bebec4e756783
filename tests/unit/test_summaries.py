"""Each stage's summary carries its record's numbers, and the Prefect markdown and the CLI's rich rendering
of it show the same ones; a refused export and a kept champion say so, and why."""

import pytest
from rich.console import Console

from distillery.summary import Summary, to_console, to_markdown
from tasks.curation.summary import summarize as curation
from tasks.evaluation.summary import summarize as evaluation
from tasks.export.summary import summarize as export
from tasks.labeling.summary import summarize as labeling
from tasks.report.summary import summarize as report
from tasks.sampling.summary import summarize as sampling
from tasks.training.summary import summarize as training


def rendered(summary: Summary) -> tuple[str, str]:
    """The summary as the Prefect artifact shows it, and as `distillery <stage>` prints it."""
    console = Console(record=True, width=200)
    to_console(summary, console)
    return to_markdown(summary), console.export_text()


def assert_both_show(summary: Summary, *expected: str) -> tuple[str, str]:
    markdown, text = rendered(summary)
    for value in expected:
        assert value in markdown, (value, markdown)
        assert value in text, (value, text)
    return markdown, text


SAMPLE = {"stage": "sample", "run_date": "2026-11-23", "wall_s": 3.42,
          "funnel": {"read": 1200, "outside_window": 150, "other_route": 0, "quarantined": {"bad_json": 7, "too_long": 3},
                     "valid": 1040, "duplicates": {"exact": 90, "near": 12, "earlier_run": 0}, "unique": 938,
                     "traffic": {"support-reply": 500, "ticket-triage": 540}, "eval_contamination": 2,
                     "sampled": {"support-reply": 24, "ticket-triage": 26}, "split": {"train": 40, "eval": 10},
                     "quarantined_total": 112},
          "pii": {"enabled": True, "detectors": ["email", "phone"], "hits": {"email": 14, "phone": 5}, "prompts_with_pii": 17}}

LABEL = {"stage": "label", "teacher": "demo:qwen2.5-coder-0.5b", "prompts": 60, "already_labeled": 12, "prompts_labeled": 60,
         "prompts_unlabeled": 0, "labels": 60, "tokens": {"prompt": 41_000, "completion": 5321},
         "finish_reasons": {"length": 4, "stop": 56},
         "requests": {"sent": 49, "retries": 2, "max_in_flight": 8, "failures": {"timeout": 1}, "last_error": "timeout"},
         "throughput": {"labeling_s": 31.5, "prompts_per_min": 91.4, "output_tok_s": 168.9}, "status": "ok", "wall_s": 33.2}

CURATE = {"stage": "curate", "examples": {"train": 41, "val": 4},
          "funnel": {"in": {"support-reply": 20, "ticket-triage": 28},
                     "dropped": {"truncated": {"support-reply": 2}, "empty": {}, "schema": {"ticket-triage": 1}},
                     "out": {"support-reply": 18, "ticket-triage": 27}, "total": {"in": 48, "dropped": 3, "out": 45}}}

TRAIN = {"stage": "train", "adapter_version": "v0003", "steps": 12, "examples": {"train": 41, "val": 4, "skipped_too_long": 2},
         "losses": {"train_first": 2.71828, "train_last": 0.91234, "eval": [1.234567, 1.012345]}, "tokens_per_s": 812.6,
         "trained_tokens": 24_000, "device": "cpu", "compute_dtype": "bfloat16", "wall_s": 29.5}


def export_record(servable: bool) -> dict:
    """export.json as tasks/export/stage.py writes it; a refused export was never served."""
    parity = {"prompts": 4, "max_tokens": 96,
              "export": {"positions": 312, "next_token_agreement": 0.9968 if servable else 0.7121,
                         "max_top_logprob_gap": 0.0412 if servable else 3.5, "max_logit_gap": 0.2},
              "naive": {"adapter_on_original_weights": {"positions": 312, "next_token_agreement": 0.8814,
                                                        "max_top_logprob_gap": 2.1, "max_logit_gap": 4.0}}}
    if servable:
        parity.update(serving={"requests": 4, "concurrency": 4, "wall_s": 1.2, "output_tok_s": 245.7,
                               "latency_p50_s": 0.61, "latency_p95_s": 0.93},
                      routes={}, examples=[], identical_greedy=3)
    return {"version": "v0003", "parity": parity, "servable": servable, "model_dir": "/store/exports/s/v0003/model",
            "bounds": {"min_agreement": 0.98, "max_top_logprob_gap": 1.0, "min_positions": 50}}


def metric(student: float, teacher: float, lo: float, hi: float, margin: float | None = None) -> dict:
    m = {"student": {"estimate": student, "ci": [0, 1], "n": 40}, "teacher": {"estimate": teacher, "ci": [0, 1], "n": 40},
         "diff": {"estimate": round(student - teacher, 4), "ci": [lo, hi], "n": 40}}
    if margin is not None:
        m.update(margin=margin, non_inferior=lo >= -margin)
    return m


def ab_record(promoted: bool) -> dict:
    """run_evaluate's result (ab.json): one route and overall, a gated and an ungated metric."""
    validity = metric(0.975, 1.0, -0.05, 0.0, 0.05) if promoted else metric(0.85, 1.0, -0.275, -0.05, 0.05)
    reasons = [] if promoted else ["overall: schema_validity student 0.85 vs teacher 1.0, difference CI [-0.275, -0.050] "
                                   "reaches below -0.05 (n=40)"]
    return {"candidate": "v0003", "teacher": "demo:qwen2.5-coder-0.5b", "student_base": "demo:smollm2-135m",
            "scopes": {"ticket-triage": {"n": 40, "vs_teacher": {"schema_validity": validity,
                                                                 "field_agreement": metric(0.812, 1.0, -0.25, -0.125)}},
                       "overall": {"n": 40, "vs_teacher": {"schema_validity": validity}}},
            "decision": {"promote": promoted, "action": "promoted" if promoted else "kept champion", "reasons": reasons,
                         "champion_before": "v0002", "champion_after": "v0003" if promoted else "v0002"}}


REPORT = {"stage": "report", "outputs": ["report.html", "cost.csv"],
          "summary": {"currency": "USD", "requests_per_day": 10_000.0, "volume_source": "measured", "teacher_per_1k": 0.4512,
                      "student_per_1k": 0.0873, "teacher_daily": 4.51, "student_daily": 0.87, "pipeline_per_night": 1.23,
                      "pipeline_daily": 1.23, "saving_daily": 2.41, "saving_monthly": 72.3, "break_even_requests_per_day": 3400,
                      "payback_days": 0.5}}


def test_sample_summary_is_the_funnel():
    s = sampling(SAMPLE)
    assert s.key == "sample-funnel"
    assert {"step": "quarantined: too_long", "count": 3} in s.rows and {"step": "duplicate (near)", "count": 12} in s.rows
    # what tests/integration/test_prefect_tasks.py and tests/unit/test_sample_stage.py read
    assert_both_show(s, "quarantined: too_long", "quarantined (invalid)", "train 40", "eval 10", "duplicate (near)",
                     "17 prompts: email 14, phone 5", "sampled: ticket-triage", "1200", "938", "3.4 s")
    assert "other routes" not in to_markdown(s)  # zero: not a step of this log


def test_label_summary_counts_prompts_requests_and_failures():
    s = labeling(LABEL)
    assert s.key == "label-summary"
    markdown, _ = assert_both_show(s, "60/60", "12 reused", "49 requests", "2 retries", "1 failed", "5321 output tokens",
                                   "failed: timeout", "finish: length", "168.9")
    assert "**60/60** prompts labeled" in markdown  # tests/integration/test_prefect_tasks.py


def test_label_summary_without_a_teacher_call_has_no_throughput():
    reused = {**LABEL, "already_labeled": 60, "requests": {**LABEL["requests"], "sent": 0, "retries": 0, "failures": {}}}
    del reused["throughput"]
    markdown, text = assert_both_show(labeling(reused), "60 reused", "0 requests", "0 failed")
    assert "tokens/s" not in markdown and "tokens/s" not in text


def test_curation_summary_is_the_funnel_per_route():
    s = curation(CURATE)
    assert s.key == "curation-funnel"
    assert s.rows[0] == {"step": "in", "support-reply": 20, "ticket-triage": 28, "total": 48}
    assert s.rows[-1] == {"step": "out", "support-reply": 18, "ticket-triage": 27, "total": 45}
    assert_both_show(s, "48 train prompts", "45", "41 train, 4 val", "truncated 2, schema 1", "dropped: schema")
    assert "earlier night" not in s.headline


def test_curation_summary_counts_the_examples_earlier_nights_gave():
    earlier = {"nights": ["2026-11-30", "2026-11-29"], "examples": {"support-reply": 7, "ticket-triage": 5},
               "skipped": {}, "digest": "x"}
    s = curation({**CURATE, "funnel": {**CURATE["funnel"], "earlier_nights": earlier}})
    assert_both_show(s, "2 earlier night(s)")
    assert "**45** examples + **12** from 2 earlier night(s)" in s.headline
    assert s.rows[-1]["step"] == "from earlier nights" and s.rows[-1]["total"] == 12


def test_training_summary_shows_the_adapter_and_its_losses():
    s = training(TRAIN)
    assert s.key == "train-summary"
    assert_both_show(s, "v0003", "12 steps", "2.718 -> 0.912", "813 trained tok/s", "1.2346", "1.0123",
                     "2 examples longer than student.training.max_seq_len")


def test_export_summary_of_a_servable_export():
    s = export(export_record(servable=True))
    assert s.key == "export-parity"
    assert_both_show(s, "servable", "245.7", "0.93 s", "3/4", "0.9968", "312", "0.0412", "adapter on original weights",
                     "0.8814")


def test_a_refused_export_says_refused_and_why_and_shows_no_throughput():
    markdown, text = assert_both_show(export(export_record(servable=False)), "refused", "0.7121", "312",
                                      "export.min_token_agreement 0.98", "0.8814")
    assert "servable" not in markdown and "tok/s" not in markdown and "tok/s" not in text


def test_evaluation_summary_of_a_promotion():
    s = evaluation(ab_record(promoted=True))
    assert s.key == "evaluation-verdict" and s.notes == []
    assert_both_show(s, "promoted", "v0002 -> v0003", "schema_validity", "0.975", "1.000", "-0.025 [-0.050, +0.000]",
                     "non-inferior", "field_agreement", "0.812")
    ungated = next(r for r in s.rows if r["metric"] == "field_agreement")
    assert ungated["verdict"] == "" and ungated["margin"] == ""  # no margin: information, not a gate


def test_evaluation_that_kept_the_champion_shows_its_reasons():
    markdown, text = assert_both_show(evaluation(ab_record(promoted=False)), "kept champion", "v0002 -> v0002", "INFERIOR",
                                      "-0.150 [-0.275, -0.050]",
                                      "overall: schema_validity student 0.85 vs teacher 1.0, difference CI [-0.275, -0.050]")
    assert "- overall: schema_validity" in markdown and "  - overall: schema_validity" in text


@pytest.mark.parametrize("promoted, verdict", [(True, "Switch to the student"), (False, "Keep the teacher")])
def test_report_summary_leads_with_the_recommendation(promoted, verdict):
    s = report(REPORT, ab_record(promoted))
    assert s.key == "report-summary"
    markdown, _ = assert_both_show(s, verdict, "$0.4512", "$0.0873", "$4.51", "$0.87", "$72.30", "10,000 requests/day",
                                   "$1.23/night", "break-even 3,400")
    assert "**$72.30**" in markdown  # tests/integration/test_prefect_tasks.py reads the saving from the artifact


def test_report_summary_when_the_student_never_pays():
    never = {"summary": {**REPORT["summary"], "break_even_requests_per_day": None, "saving_daily": -1.0, "saving_monthly": -30.0}}
    assert_both_show(report(never, ab_record(True)), "Keep the teacher for now", "break-even never")


def test_cells_and_markers_are_shown_as_written():
    s = Summary(title="t", headline="a **bold** [red]x[/red] line", rows=[{"a|b": "[bold]1[/bold]"}])
    markdown, text = rendered(s)
    assert "a **bold** [red]x[/red] line" in markdown and "a bold [red]x[/red] line" in text
    assert "| a\\|b |" in markdown and "[bold]1[/bold]" in text  # a pipe cannot split a markdown cell
