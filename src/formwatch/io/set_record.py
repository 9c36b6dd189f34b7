"""One set's row in the history, written when the set starts and completed when it ends — and never lost to the
history file: when another program holds it locked past the bounded wait (or it cannot be written), the set is
queued as one JSON file in the data home's ``queued/`` and added by the next command that opens the history for
writing (:func:`add_queued`). The set's recording and summary.json are written either way.
"""

from __future__ import annotations

import sys
import time


from formwatch.core.set_summary import SetSummary
from formwatch.io.history import History, history_path
from formwatch.io.history_file import HistoryBusy, HistoryError
from formwatch.io.set_queue import queue_dir, queued, write_queued


__all__ = ["SetRecord", "add_queued", "queue_dir"]


class SetRecord:
    """One set's row, opened when the set starts and completed when it ends (a context manager: an exception, or
    Ctrl-C, completes it as interrupted). Each write opens the file for itself: the live window starts a set in its
    worker thread and ends it in the GUI thread, and an SQLite connection belongs to one thread."""

    def __init__(self, source: str, exercise: str | None, profile: str | None, recording: str | None) -> None:
        self.path = history_path()
        self.row = {"source": source, "exercise": exercise, "profile": profile, "recording": recording,
                    "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
        self.set_id: int | None = None
        self.done = False
        try:
            with History(self.path) as history:
                self.set_id = history.start_set(source, exercise, profile, recording)
        except HistoryError:
            pass  # written at the end, or queued then: the set itself goes on
        self.summary: SetSummary = SetSummary()
        self.interrupted = False  # set when the set was cut short without an exception (a signal read as a flag)

    def __enter__(self) -> "SetRecord":
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        self.finish(self.summary, interrupted=exc_type is not None or self.interrupted)

    def finish(self, summary: SetSummary, interrupted: bool = False) -> None:
        """The set's summary into its row — or into the queue, said in one line, when the history cannot take it."""
        if self.done:
            return
        self.done = True
        try:
            with History(self.path) as history:
                if self.set_id is None:
                    row = self.row
                    self.set_id = history.start_set(row["source"] or "analyze", row["exercise"], row["profile"],
                                                    row["recording"])
                history.finish_set(self.set_id, summary, interrupted)
        except HistoryError as exc:
            why = "busy (another program is writing it)" if isinstance(exc, HistoryBusy) else "not writable"
            try:
                where = write_queued(self.row, self.set_id, summary, interrupted)
            except OSError as error:
                kept = f"in its recording {self.row['recording']}" if self.row["recording"] else "nowhere else"
                print(f"formwatch: the history is {why} and the data home cannot take the set ({error.strerror}): "
                      f"it is kept {kept} (summary.json); add it later with: formwatch analyze "
                      f"{self.row['recording'] or 'RECORDING'}", file=sys.stderr)
                return
            print(f"formwatch: the history is {why}: this set is kept in {where} and will be added by the next "
                  "formwatch command that can write the history", file=sys.stderr)


def add_queued(history: History) -> int:
    """Every queued set into ``history`` (the row it started, when it has one), each file removed once written;
    how many were added. A file that cannot be read stays where it is."""
    added = 0
    for item in queued():
        set_id = item.set_id
        if set_id is None:
            set_id = history.start_set(item.field("source") or "analyze", item.field("exercise"),
                                       item.field("profile"), item.field("recording"))
        history.finish_set(set_id, item.summary, item.interrupted)
        item.path.unlink(missing_ok=True)
        added += 1
    if added:
        print(f"formwatch: {added} set{'s' if added > 1 else ''} queued while the history was busy "
              f"{'were' if added > 1 else 'was'} added to it", file=sys.stderr)
    return added
