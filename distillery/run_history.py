"""Which earlier runs of the same store count as earlier nights: they lend their held-out items to tonight's eval set
(evaluation.history_nights) and their training examples to tonight's training set (curation.history_nights).

An earlier run is a sibling folder of the run (`<store>/runs/<run id>`) dated before it. A run's date is the
`run_date` its sample stage recorded (stage-sample.json), else the `YYYY-MM-DD` its id starts with
(distillery/paths.py run_id_for: `<date>-<config hash>`). The order is the date, newest first, then the
folder name (descending) between runs of the same night: the same folders give the same order on any machine,
whatever their modification times. Runs dated on or after this one never count, so evaluating an old run
again gives the items it got the first time (unless a run was added or removed before it since).
"""

import json
import logging
import re
from datetime import date
from pathlib import Path

log = logging.getLogger(__name__)

_DATED_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})")


def run_date(folder: Path) -> date | None:
    """The night a run distils: its sample record's run_date, else the date its name starts with; None if neither."""
    record = folder / "stage-sample.json"
    if record.is_file():
        try:
            return date.fromisoformat(json.loads(record.read_text())["run_date"])
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("%s: no readable run_date; dating the run by its name", record)
    m = _DATED_NAME.match(folder.name)
    if m:
        try:
            return date.fromisoformat(m.group(1))
        except ValueError:
            return None
    return None


def earlier_runs(run_dir: Path) -> list[Path]:
    """Sibling run folders dated before `run_dir`, newest first (ties: folder name, descending). Not checked for
    completeness: the caller reads them in this order and skips the ones it cannot use."""
    tonight = run_date(run_dir)
    if tonight is None:
        log.warning("%s has no run date (no stage-sample.json run_date, and its name does not start with YYYY-MM-DD): "
                    "cannot tell which runs are earlier; no earlier night is read", run_dir)
        return []
    try:
        siblings = [f for f in run_dir.parent.iterdir() if f.is_dir()]
    except OSError as e:
        log.warning("cannot list %s (%s): no earlier night is read", run_dir.parent, e)
        return []
    here = run_dir.resolve()
    dated, undated = [], []
    for folder in siblings:
        if folder.resolve() == here:
            continue
        day = run_date(folder)
        if day is None:
            undated.append(folder.name)
        elif day < tonight:
            dated.append((day, folder.name, folder))
    if undated:
        log.warning("ignoring %d folder(s) in %s without a run date: %s", len(undated), run_dir.parent,
                    ", ".join(sorted(undated)))
    return [folder for _, _, folder in sorted(dated, key=lambda t: (t[0], t[1]), reverse=True)]
