"""Sets waiting for the history: one JSON file each in the data home's ``queued/``, written when the history was
locked by another program (or not writable) as a set ended (io/set_record.py). The next command that can write
the history adds them; until then every read command shows them with the others (:func:`queued_sets`), so a set is
never missing from ``history`` just because a backup tool held the file when it ended.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Iterator

from formwatch.core.set_summary import SetSummary
from formwatch.io.history_rows import HistorySet
from formwatch.io.home import data_home
from formwatch.io.jsonfiles import dumps_strict

__all__ = ["QueuedSet", "queue_dir", "queued", "queued_sets", "write_queued"]


def queue_dir() -> Path:
    return data_home() / "queued"


class QueuedSet:
    """One queued file: its path, the row it started in the history (when it did) and the set as a row."""

    def __init__(self, path: Path, entry: dict[str, object], summary: SetSummary) -> None:
        self.path, self.entry, self.summary = path, entry, summary
        set_id = entry.get("set_id")
        self.set_id = set_id if isinstance(set_id, int) else None
        self.interrupted = bool(entry.get("interrupted"))

    def field(self, key: str) -> str | None:
        value = self.entry.get(key)
        return None if value is None else str(value)

    def as_row(self, stand_in_id: int) -> HistorySet:
        """The set as the history will hold it (``stand_in_id`` when it never got a row of its own)."""
        ended = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(self.path.stat().st_mtime))
        return HistorySet(self.set_id if self.set_id is not None else stand_in_id, self.field("started") or ended,
                          ended, "interrupted" if self.interrupted else "done", self.field("source") or "analyze",
                          self.field("profile"), self.field("recording"), self.summary, None)


def write_queued(row: dict[str, str | None], set_id: int | None, summary: SetSummary, interrupted: bool) -> Path:
    """The set as one JSON file in :func:`queue_dir` (written whole under a temporary name, then renamed)."""
    folder = queue_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = folder / f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{id(summary):x}.json"
    tmp = target.with_suffix(".tmp")
    try:
        tmp.write_text(dumps_strict({**row, "set_id": set_id, "interrupted": interrupted,
                                     "summary": summary.to_json()}), encoding="utf-8")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def queued() -> Iterator[QueuedSet]:
    """Every readable queued set, oldest first; a file that cannot be read is passed over (and stays)."""
    folder = queue_dir()
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.json")):
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            yield QueuedSet(path, entry, SetSummary.from_json(entry["summary"]))
        except (OSError, ValueError, KeyError, TypeError):
            continue


def queued_sets(exercise: str | None, since_iso: str | None, profile: str | None) -> list[HistorySet]:
    """The queued sets as rows, filtered as the history's own are (an exercise, a start time, a profile)."""
    rows = []
    for n, item in enumerate(queued(), start=1):
        row = item.as_row(-n)
        if exercise and (row.summary.exercise or item.field("exercise")) != exercise:
            continue
        if profile and row.profile != profile:
            continue
        if since_iso and row.started < since_iso:
            continue
        rows.append(row)
    return rows
