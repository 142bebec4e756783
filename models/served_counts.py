"""What the router served in production, per day and route: who answered, and why the teacher did.

    <store>/router/served-2026-12-05.json
    {"day": "2026-12-05", "routes": {"ticket-triage": {"requests": 152, "student": 93, "deferred": 57,
                                                       "student_failed": 2, "plan": 0}}}

The evaluation measured the share of a deferring route the student would keep (routing.json's "served_share");
these files are what it kept on real traffic, so the report and the engineer can check that estimate
(`served_share` below). One file per UTC day, rewritten whole after each request (a few hundred bytes) under an
exclusive lock on the folder, so routers sharing a store add up and a reader never sees half a file.
"""

import datetime as dt
import fcntl
import json
import logging
import os
import re
from pathlib import Path

log = logging.getLogger(__name__)

# Routed.why -> the counter it adds to when the teacher answered
_TEACHER_WHY = {"plan": "plan", "deferred": "deferred", "student failed": "student_failed"}
_FIELDS = ("requests", "student", "deferred", "student_failed", "plan")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _today() -> str:
    return dt.datetime.now(dt.timezone.utc).date().isoformat()


class ServedCounts:
    def __init__(self, folder: Path):
        self.folder = Path(folder)

    @classmethod
    def for_store(cls, store: Path) -> "ServedCounts":
        return cls(Path(store) / "router")

    def path(self, day: str) -> Path:
        return self.folder / f"served-{day}.json"

    def read(self, day: str | None = None) -> dict:
        """A day's counts (today's by default); an empty record for a day with no requests."""
        day = day or _today()
        if not _DAY.fullmatch(day):  # it comes from a URL: never a path of the caller's choosing
            raise ValueError(f"day {day!r}: give it as YYYY-MM-DD")
        path = self.path(day)
        return json.loads(path.read_text()) if path.exists() else {"day": day, "routes": {}}

    def add(self, route: str, by: str, why: str) -> dict | None:
        """Count one answered request; returns the route's counts for today, or None when they could not be written
        (a full disk, a damaged file): the answer still goes out, and the log says what was not counted."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with open(self.folder / ".lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # the HTTP server's threads, and other routers on the same store
                record = self.read()
                counts = record["routes"].setdefault(route, dict.fromkeys(_FIELDS, 0))
                counts["requests"] += 1
                counts["student" if by == "student" else _TEACHER_WHY[why]] += 1
                tmp = self.folder / f".served-{record['day']}.{os.getpid()}.tmp"
                tmp.write_text(json.dumps(record, indent=1))
                os.replace(tmp, self.path(record["day"]))
                return dict(counts)
        except (OSError, ValueError) as exc:
            log.error("could not count a %s request answered by the %s in %s: %s", route, by, self.folder, exc)
            return None

    def days(self) -> list[str]:
        """The days with counts, oldest first (files of any other name are not counts)."""
        return sorted(d for p in self.folder.glob("served-*.json") if _DAY.fullmatch(d := p.stem.removeprefix("served-")))


def served_share(counts: dict) -> float | None:
    """The share of a route's requests the student answered; None before any request (no evidence, no share)."""
    return counts["student"] / counts["requests"] if counts.get("requests") else None
