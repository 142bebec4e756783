"""Headless Chromium: the report printed to PDF, and what a reader's browser really renders (for the test).

Started the way docs/facts.md "Headless Chromium" records it working on these machines: --no-sandbox as
root, and no background networking (the closed network refuses Chromium's own connections otherwise).
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run", "--disable-sync", "--disable-quic"]


def find_chromium() -> str | None:
    return os.environ.get("DISTILLERY_CHROMIUM") or next(
        (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)


def run_chromium(page: Path | str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Chromium on a local file or an http(s) URL (e.g. the Prefect UI)."""
    exe = find_chromium()
    if exe is None:
        raise FileNotFoundError("no Chromium found: apt-get install chromium (or set DISTILLERY_CHROMIUM)")
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([exe, *FLAGS, f"--user-data-dir={profile}", *args, page if isinstance(page, str) else page.resolve().as_uri()],
                              capture_output=True, text=True, timeout=timeout, check=True)


def print_pdf(page: Path, pdf: Path) -> None:
    run_chromium(page, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")


def rendered_dom(page: Path) -> str:
    return run_chromium(page, "--dump-dom").stdout


def screenshot(page: Path | str, png: Path, size: str = "1100,1800", wait_ms: int = 0) -> None:
    """A PNG of the page; wait_ms of virtual time lets a single-page app (the Prefect UI) fetch and draw its data."""
    wait = [f"--virtual-time-budget={wait_ms}"] if wait_ms else []
    run_chromium(page, f"--screenshot={png}", f"--window-size={size}", *wait)
