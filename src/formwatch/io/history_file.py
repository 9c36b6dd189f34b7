"""Opening the history file, and what to say when it cannot be: busy, read-only, damaged — in words that never
risk an intact history (io/history.py uses these)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from formwatch.core.errors import FormwatchError

__all__ = ["BUSY_WAIT_S", "HistoryBusy", "HistoryError", "open_read_only", "opening_error"]


class HistoryError(FormwatchError):
    """The history file cannot be read or written."""


class HistoryBusy(HistoryError):
    """Another program holds the history's write lock past the bounded wait."""


BUSY_WAIT_S = float(os.environ.get("FORMWATCH_HISTORY_WAIT_S", "10"))  # how long a write waits for a lock


def opening_error(path: Path, exc: sqlite3.DatabaseError) -> HistoryError:
    """What went wrong opening the history, in words that never risk an intact history."""
    words = str(exc)
    if "locked" in words or "busy" in words:
        return HistoryBusy(f"the history {path} is busy (another program is writing it): try again in a moment")
    if "readonly" in words or "read-only" in words:
        return HistoryError(f"the history {path} is read-only ({words}): nothing was written to it; make the data "
                            "home writable (or set FORMWATCH_HOME) to record sets")
    if "unable to open" in words and path.exists() and not os.access(path.parent, os.W_OK):
        return HistoryError(f"the history {path} is in a folder that cannot be written ({path.parent}): nothing "
                            "was changed; make the data home writable (or set FORMWATCH_HOME) to change it")
    if "not a database" in words or "malformed" in words or "corrupt" in words:
        return HistoryError(f"the history {path} is damaged ({words}): move it aside and start afresh (formwatch "
                            "will make a new one)")
    return HistoryError(f"cannot open the history {path} ({words}): check FORMWATCH_HOME")


def open_read_only(path: Path) -> sqlite3.Connection:
    """The file read-only; where its directory cannot take SQLite's shared-memory file (a read-only home, a
    mounted share), as an immutable file — nobody can write it there."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_WAIT_S, isolation_level=None)
        db.execute("PRAGMA user_version").fetchone()
        return db
    except sqlite3.OperationalError as exc:
        if "unable to open" not in str(exc):
            raise
    return sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, isolation_level=None)
