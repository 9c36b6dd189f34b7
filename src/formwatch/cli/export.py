"""``formwatch export``: recordings as OpenSim ``.trc``/``.mot``, ``.c3d`` and a per-rep ``.csv`` (app/export.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from formwatch.app.export import FORMATS
from formwatch.core.errors import FormwatchError

def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("export", help="recordings for the lab and the clinic: OpenSim .trc markers and .mot "
                                      "metrics, .c3d, and a .csv of every rep")
    p.add_argument("recordings", type=Path, nargs="+", metavar="RECORDING",
                   help="recording folders, or a folder holding recordings")
    p.add_argument("--format", choices=FORMATS, action="append", metavar="FORMAT",
                   help=f"one of {', '.join(FORMATS)}; repeat for several (default: all four; c3d needs "
                        "formwatch[lab])")
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="where the files go (default: each recording's own folder)")
    p.set_defaults(func=run)


def _recordings(paths: list[Path]) -> list[Path]:
    """The recordings named, a folder of recordings opened up; a path that is neither is refused by name."""
    found: list[Path] = []
    for path in paths:
        if (path / "meta.json").is_file():
            found.append(path)
        elif path.is_dir() and (inside := sorted(p for p in path.iterdir() if (p / "meta.json").is_file())):
            found.extend(inside)
        else:
            raise FormwatchError(f"{path} is not a recording (no meta.json) nor a folder of recordings: give the "
                                 "folder formwatch printed after a set")
    return found


def run(args: argparse.Namespace) -> int:
    from formwatch.app.export import export_set, set_export
    from formwatch.io.recording import refuse_nested_recording

    formats = list(dict.fromkeys(args.format or FORMATS))
    recordings = _recordings(args.recordings)
    if args.out is not None:
        refuse_nested_recording(args.out)
    skipped = 0
    for recording in recordings:
        try:
            exported = set_export(recording)  # read once, written in every format asked for
        except FormwatchError as exc:
            skipped += len(formats)
            print(f"formwatch: {recording} skipped: {exc}", file=sys.stderr)
            continue
        for fmt in formats:
            try:
                print(export_set(exported, fmt, args.out or recording))
            except FormwatchError as exc:
                skipped += 1
                print(f"formwatch: {recording} as {fmt} skipped: {exc}", file=sys.stderr)
    total = len(recordings) * len(formats)
    return 0 if not skipped else (1 if skipped < total else 2)
