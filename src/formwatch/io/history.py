"""The history: every set, committed to a local SQLite file the moment it starts and again when it ends.

One file in the data home (``history.sqlite3``, WAL, user-only), a schema version in SQLite's ``user_version`` with
migrations. A set is written as ``running`` when it starts (with the process id), and completed with its summary
when it ends; a set whose process died (a crash, a kill) is found ``running`` by the next reader with no such
process alive and marked ``interrupted``, so nothing is lost and nothing is left half-written (each write is one
transaction).

Nothing is lost to the file itself: a write that finds it locked by another program waits a bounded, visible
while, then queues the set (io/set_record.py) for the next command that can write; read commands open it
read-only (they work on a full disk or a read-only home); only a file that fails its integrity check is called
damaged.
"""

from __future__ import annotations

import os
import re
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Sequence

from formwatch.core.set_summary import SetSummary
from formwatch.core.signature import LimitChange
from formwatch.io.history_file import BUSY_WAIT_S, HistoryBusy, HistoryError, open_read_only, opening_error
from formwatch.io.history_rows import HistorySet, LimitMove, set_from_row
from formwatch.io.set_queue import queued_sets
from formwatch.io.home import data_home
from formwatch.io.jsonfiles import dumps_strict

SCHEMA_VERSION = 5
_MIGRATIONS = {
    1: """
        CREATE TABLE sets (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started TEXT NOT NULL,          -- local time, ISO 8601
            ended TEXT,
            status TEXT NOT NULL,           -- running, done, interrupted
            pid INTEGER,
            source TEXT NOT NULL,           -- live, analyze, routine
            exercise TEXT,
            profile TEXT,
            reps INTEGER,
            clean_reps INTEGER,
            stopped INTEGER,
            stop_rule TEXT,
            stop_metric TEXT,
            stop_reason TEXT,
            duration_s REAL,
            breath_rate_bpm REAL,
            notes TEXT,                     -- JSON list of technique notes
            rep_features TEXT,              -- JSON list, one object a rep (depth, times, peaks, excess)
            recording TEXT
        );
        CREATE INDEX sets_started ON sets (started);
    """,
    2: """
        ALTER TABLE sets ADD COLUMN held_s REAL;
        ALTER TABLE sets ADD COLUMN limits TEXT;        -- JSON: the limits in force for the set, by metric
        ALTER TABLE sets ADD COLUMN reference TEXT;     -- JSON: the set's phase-matched reference curves
        CREATE TABLE limit_changes (                    -- the signature profile's limits, every move explained
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            profile TEXT NOT NULL,
            exercise TEXT NOT NULL,
            metric TEXT NOT NULL,
            old REAL NOT NULL,
            new REAL NOT NULL,
            safety REAL NOT NULL,
            sentence TEXT NOT NULL
        );
        CREATE INDEX limit_changes_who ON limit_changes (profile, exercise, metric, id);
    """,
    3: """
        ALTER TABLE sets ADD COLUMN truncated INTEGER;   -- 1: the video ended before its header said (analysed to the cut)
    """,
    4: """
        ALTER TABLE sets ADD COLUMN faulty_reps INTEGER;  -- reps whose verdict was a fault (core/rep_verdicts.py)
        ALTER TABLE sets ADD COLUMN noted_reps INTEGER;   -- reps with a technique note (population bands)
        ALTER TABLE sets ADD COLUMN reps_detail TEXT;     -- JSON: every rep's verdict, metric, deviation, limits
        ALTER TABLE sets ADD COLUMN exercise_source TEXT; -- "given" or "recognised"
    """,
    5: """
        ALTER TABLE sets ADD COLUMN summary TEXT;          -- JSON: the set's SetSummary (core/set_summary.py), facts only
    """,
}


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    """Bring a history file to :data:`SCHEMA_VERSION`, one transaction a migration."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise HistoryError(f"the history {path} was written by a newer formwatch (schema {version}): "
                           "upgrade formwatch")
    for target in range(version + 1, SCHEMA_VERSION + 1):
        with db:
            db.execute("BEGIN")
            for statement in _MIGRATIONS[target].split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {target}")


def history_path() -> Path:
    return data_home() / "history.sqlite3"


def _orphaned(pid: int | None) -> bool:
    """Whether a set still 'running' was left by a process that is gone (never this one)."""
    return pid != os.getpid() and not _alive(pid)


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class History:
    """The history file: open, migrate, write sets, read them back."""

    def __init__(self, path: Path | None = None, read_only: bool = False) -> None:
        """``read_only``: for commands that only read (history, report, progress, signature): the file is opened
        read-only and nothing is written (a set still 'running' whose process is gone reads 'interrupted')."""
        self.path = path or history_path()
        self.read_only = read_only
        try:
            if read_only and self.path.exists():
                self._db = open_read_only(self.path)
                self._refuse_newer()
                if self._db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                    memory = sqlite3.connect(":memory:", isolation_level=None)  # an older file: read a migrated
                    self._db.backup(memory)  # copy of it, the file itself untouched
                    self._db.close()
                    self._db = memory
                    _migrate(memory, self.path)
            elif read_only:  # no history yet: an empty one in memory
                self._db = sqlite3.connect(":memory:", isolation_level=None)
                _migrate(self._db, self.path)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                if not self.path.exists():
                    _create_atomically(self.path)
                self._db = sqlite3.connect(self.path, timeout=0.2, isolation_level=None)
                self._refuse_newer()  # before anything writes to it: a newer formwatch's history stays as it was
                self._write(lambda: self._db.execute("PRAGMA journal_mode=WAL"))
                self._write(self._migrate)
            self._db.row_factory = sqlite3.Row
        except sqlite3.DatabaseError as exc:
            raise opening_error(self.path, exc) from None
        except OSError as exc:
            raise HistoryError(f"cannot open the history {self.path} ({exc.strerror}): check FORMWATCH_HOME") \
                from None
        if not read_only:
            from formwatch.io.set_record import add_queued

            add_queued(self)

    def _write(self, write: Callable[[], object]) -> None:
        """One write, waiting for another program's lock up to :data:`BUSY_WAIT_S` (said once) before giving up
        with :class:`HistoryBusy`."""
        deadline, said = time.monotonic() + BUSY_WAIT_S, False
        while True:
            try:
                write()
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise HistoryBusy(f"the history {self.path} stayed busy for {BUSY_WAIT_S:.0f} s (another program "
                                      "is writing it)") from None
                if not said:
                    print(f"formwatch: the history is busy (another program is writing it) — waiting up to "
                          f"{BUSY_WAIT_S:.0f} s", file=sys.stderr)
                    said = True
                time.sleep(0.2)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "History":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        _migrate(self._db, self.path)

    def _refuse_newer(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            self._db.close()
            raise HistoryError(f"the history {self.path} was written by a newer formwatch (schema {version}): "
                               "upgrade formwatch")

    # --------------------------------------------------------------------------------------------- write
    def start_set(self, source: str, exercise: str | None, profile: str | None, recording: str | None) -> int:
        """A set has begun: written at once, as running."""
        ids: list[int] = []
        self._write(lambda: ids.append(int(self._db.execute(
            "INSERT INTO sets (started, status, pid, source, exercise, profile, recording) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (time.strftime("%Y-%m-%dT%H:%M:%S"), "running", os.getpid(), source, exercise, profile, recording)
        ).lastrowid or 0)))
        return ids[0]

    def finish_set(self, set_id: int, summary: SetSummary, interrupted: bool = False) -> None:
        """The set has ended (or was cut short): its summary, in one transaction. The summary's JSON is the record;
        the columns beside it are for queries and for older formwatch versions reading the file."""
        stop = summary.stop
        self._write(lambda: self._db.execute(
            """UPDATE sets SET ended = ?, status = ?, reps = ?, clean_reps = ?, stopped = ?, stop_rule = ?,
               stop_metric = ?, stop_reason = NULL, duration_s = ?, breath_rate_bpm = ?, held_s = ?, truncated = ?,
               exercise = COALESCE(?, exercise), exercise_source = ?, faulty_reps = ?, noted_reps = ?, summary = ?
               WHERE id = ?""",
            (time.strftime("%Y-%m-%dT%H:%M:%S"), "interrupted" if interrupted else "done", summary.reps,
             summary.clean_reps, int(stop is not None), stop.rule if stop else None, stop.metric if stop else None,
             summary.duration_s, summary.breathing.rate_bpm, summary.held_s, int(summary.truncated),
             summary.exercise, summary.exercise_source, summary.faulty_reps, summary.noted_reps,
             dumps_strict(summary.to_json()), set_id)))

    def record_limit_changes(self, profile: str, exercise: str, changes: Sequence[LimitChange]) -> None:
        """Moves of the limits in force (core/signature.py LimitChange), in one transaction."""
        if not changes:
            return
        at = time.strftime("%Y-%m-%dT%H:%M:%S")
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT INTO limit_changes (at, profile, exercise, metric, old, new, safety, sentence) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(at, profile, exercise, c.metric, c.old, c.new, c.safety, c.sentence) for c in changes])

    def limit_changes(self, profile: str | None = None, exercise: str | None = None) -> list[LimitMove]:
        """Every recorded move of a limit, oldest first (for one person and exercise when given)."""
        clauses = [(c, v) for c, v in (("profile = ?", profile), ("exercise = ?", exercise)) if v is not None]
        where = f"WHERE {' AND '.join(c for c, _ in clauses)}" if clauses else ""
        rows = self._db.execute(f"SELECT * FROM limit_changes {where} ORDER BY id", [v for _, v in clauses])
        return [LimitMove(r["at"], r["profile"], r["exercise"], r["metric"], float(r["old"]), float(r["new"]),
                          float(r["safety"]), r["sentence"]) for r in rows.fetchall()]

    def limits_in_force(self, profile: str, exercise: str) -> dict[str, float]:
        """The latest limit of each metric for this person and exercise (none recorded: empty)."""
        return {c.metric: c.new for c in self.limit_changes(profile, exercise)}

    def sets_before(self, before: str | None) -> list[tuple[int, str, str | None]]:
        """The sets ``forget`` would delete: all (``before`` None) or those started before ``before``, a local ISO
        timestamp (cli/forget.py parses it strictly), oldest first."""
        if before is not None and not _ISO_STAMP.fullmatch(before):
            raise HistoryError(f"{before!r} is not an ISO timestamp: nothing was deleted")
        where, args = ("WHERE started < ?", (before,)) if before else ("", ())
        rows = self._db.execute(f"SELECT id, started, recording FROM sets {where} ORDER BY started, id", args)
        return [(int(r["id"]), str(r["started"]), r["recording"]) for r in rows.fetchall()]

    def forget_ids(self, ids: list[int], before: str | None) -> None:
        """Delete these sets, and the limit changes made before ``before`` (all when None), in one transaction."""
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany("DELETE FROM sets WHERE id = ?", [(i,) for i in ids])
            if before is None:
                self._db.execute("DELETE FROM limit_changes")
            else:
                self._db.execute("DELETE FROM limit_changes WHERE at < ?", (before,))

    # ---------------------------------------------------------------------------------------------- read
    def sets(self, exercise: str | None = None, since_days: float | None = None, profile: str | None = None
             ) -> list[HistorySet]:
        """Sets, oldest first; a set still 'running' whose process is gone is marked 'interrupted' first (read-only:
        reads so)."""
        if not self.read_only:
            self._write(self._mark_interrupted)
        clauses, args = [], []
        if exercise:
            clauses.append("exercise = ?")
            args.append(exercise)
        if profile:
            clauses.append("profile = ?")
            args.append(profile)
        since_iso = None
        if since_days is not None:
            since_iso = (time.strftime("%Y-%m-%dT00:00:00") if since_days == 0 else  # 0 days back: today
                         time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(time.time() - since_days * 86400)))
            clauses.append("started >= ?")
            args.append(since_iso)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = [dict(row) for row in self._db.execute(f"SELECT * FROM sets {where} ORDER BY started, id", args)]
        for row in rows:
            if row["status"] == "running" and _orphaned(row["pid"]):  # read-only: said, not written
                row["status"] = "interrupted"
        listed = [set_from_row(row) for row in rows]
        waiting = queued_sets(exercise, since_iso, profile)  # a writer has added them already; a reader shows them
        if not waiting:
            return listed
        replaced = {s.id for s in waiting}
        return sorted([s for s in listed if s.id not in replaced] + waiting, key=lambda s: (s.started, s.id))

    def _mark_interrupted(self) -> None:
        running = self._db.execute("SELECT id, pid FROM sets WHERE status = 'running'").fetchall()
        dead = [r["id"] for r in running if _orphaned(r["pid"])]
        if dead:
            with self._db:
                self._db.execute("BEGIN")
                self._db.executemany("UPDATE sets SET status = 'interrupted' WHERE id = ?", [(i,) for i in dead])

    def integrity_ok(self) -> bool:
        return bool(self._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")


_ISO_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


def _create_atomically(path: Path) -> None:
    """A new history with every table already in it: built under a temporary name, then linked into place, so a
    reader opening the file while a set starts never sees a database without its tables. Two processes creating
    it at once: the first link wins and the other's copy is dropped."""
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".new")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        os.chmod(tmp, 0o600)
        db = sqlite3.connect(tmp, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            _migrate(db, tmp)
        finally:
            db.close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)
