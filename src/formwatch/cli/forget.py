"""``formwatch forget``: delete sets from the history, and their recordings, only when exactly told which.

A date that does not parse deletes nothing (``--before yesterday`` once compared the word with timestamps and
deleted every set). What would go is shown first — how many sets, from when to when, how many recordings and how
much disk — and asked about; ``--yes`` only skips the question, ``--dry-run`` only shows. Recordings are removed
after the history's transaction has committed, so a crash in between leaves orphan files, never a history that
points at nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import sys
from pathlib import Path

from formwatch.core.errors import FormwatchError

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?")
_RELATIVE = re.compile(r"(\d+)([dw])")
_FORMS = "an ISO date (2026-11-30), a date and time (2026-11-30T08:00) or an age such as 30d or 2w"


def parse_before(text: str, now: dt.datetime | None = None) -> str:
    """``--before`` as the local ISO timestamp sets are compared with ("2026-11-30T00:00:00"); anything but the
    stated forms raises :class:`FormwatchError`."""
    word = text.strip()
    try:
        if _ISO_DATE.fullmatch(word):
            return dt.date.fromisoformat(word).isoformat() + "T00:00:00"
        if _ISO_TIME.fullmatch(word):
            return dt.datetime.fromisoformat(word.replace(" ", "T")).isoformat(timespec="seconds")
    except ValueError:
        raise FormwatchError(f"--before {text!r} is not a real date: give {_FORMS}; nothing was deleted") from None
    if match := _RELATIVE.fullmatch(word):
        days = int(match[1]) * (7 if match[2] == "w" else 1)
        cut = (now or dt.datetime.now()) - dt.timedelta(days=days)
        return cut.isoformat(timespec="seconds")
    raise FormwatchError(f"--before {text!r} is not understood: give {_FORMS}; nothing was deleted")


def _size_text(n_bytes: int) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if n_bytes < 1000 or unit == "GB":
            return f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1000  # type: ignore[assignment]
    return ""


def _owned_recordings(paths: list[str], home: Path) -> list[Path]:
    """The recordings that live in the data home; one the user put elsewhere stays theirs."""
    out = []
    for path in paths:
        target = Path(path).resolve()
        if target.is_dir() and home in target.parents:
            out.append(target)
    return out


def _disk_bytes(folders: list[Path]) -> int:
    return sum(f.stat().st_size for folder in folders for f in folder.rglob("*") if f.is_file())


def run(args: argparse.Namespace) -> int:
    from formwatch.io.history import History
    from formwatch.io.home import recordings_dir

    if args.all == bool(args.before):
        raise FormwatchError("say what to forget: --all, or --before DATE (" + _FORMS + ")")
    before = None if args.all else parse_before(args.before)
    home = recordings_dir().resolve()
    with History() as history:
        sets = history.sets_before(before)
        if not sets:
            print("nothing to forget: no sets " + (f"started before {before[:16].replace('T', ' ')}" if before
                                                   else "in the history"))
            return 0
        owned = _owned_recordings([recording for _, _, recording in sets if recording], home)
        first, last = sets[0][1][:16].replace("T", " "), sets[-1][1][:16].replace("T", " ")
        plan = (f"{len(sets)} set{'s' if len(sets) != 1 else ''} from {first} to {last}, and {len(owned)} "
                f"recording{'s' if len(owned) != 1 else ''} in {home} ({_size_text(_disk_bytes(owned))})")
        if args.dry_run:
            print(f"would forget {plan}; nothing was deleted (--dry-run)")
            return 0
        if not args.yes:
            if not sys.stdin.isatty():
                raise FormwatchError(f"this would delete {plan} for good: add --yes to confirm (nothing was deleted)")
            answer = input(f"Delete {plan} for good? [y/N] ").strip().lower()
            if answer not in ("y", "yes"):
                print("nothing was deleted")
                return 1
        history.forget_ids([set_id for set_id, _, _ in sets], before)  # committed before any file goes
    for target in owned:
        shutil.rmtree(target, ignore_errors=True)
        parent = target.parent  # a folder's analysis: its own folder goes once its last recording has
        while parent != home and home in parent.parents and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    print(f"forgot {plan}")
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("forget", help="delete sets from your history, and their recordings in your data home")
    p.add_argument("--all", action="store_true", help="every set")
    p.add_argument("--before", metavar="DATE", help="sets started before this date: YYYY-MM-DD, YYYY-MM-DDTHH:MM, "
                   "or an age such as 30d or 2w (anything else is refused)")
    p.add_argument("--yes", action="store_true", help="do not ask before deleting (it cannot be undone)")
    p.add_argument("--dry-run", action="store_true", help="only show what would be deleted")
    p.set_defaults(func=run)

