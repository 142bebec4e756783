"""The report in a real headless Chromium (installed by scripts/install.sh): what a reader sees, and its PDF."""

import json

from distillery.config import load_config
from tasks.report.browser import find_chromium, rendered_dom, screenshot
from tasks.report.stage import run_report
from tests.conftest import REPO
from tests.unit.test_report import SECRET, finished_run


def test_the_page_renders_its_headline_numbers_and_prints_to_pdf(tmp_path):
    assert find_chromium(), "scripts/install.sh installs Debian's chromium; run `make install` as root"
    run = finished_run(tmp_path)
    record = run_report(load_config(REPO / "configs/demo.yaml", ["source.sample_rate=1",
                                                                   "pricing.student.self_hosted.output_tok_s=500"]), run)
    s = record["summary"]
    dom = rendered_dom(run / "report.html")
    assert "Switch to the student" in dom and f"${s['saving_monthly']:,.2f}" in dom
    assert f"{s['break_even_requests_per_day']:,} req/day" in dom and dom.count("<svg") == 2
    png = tmp_path / "report.png"
    screenshot(run / "report.html", png)
    from PIL import Image

    colours = Image.open(png).convert("L").getextrema()
    assert colours[1] - colours[0] > 100, f"a blank screenshot: grey levels {colours}"
    pdf = (run / "report.pdf").read_bytes()
    assert "report.pdf" in record["outputs"] and pdf.startswith(b"%PDF") and len(pdf) > 10_000
    for name in ("report.html", "cost.csv", "stage-report.json"):
        assert SECRET not in (run / name).read_text()
    assert SECRET.encode() not in pdf
    assert json.loads((run / "stage-report.json").read_text())["outputs"][-1] == "report.pdf"
