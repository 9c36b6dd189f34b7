"""``formwatch history``: every set so far (and the history reading the review commands share)."""

from __future__ import annotations

import argparse

from typing import TYPE_CHECKING

from formwatch.cli.common import add_exercise_argument
from formwatch.cli.arg_types import days

if TYPE_CHECKING:
    from formwatch.io.history_rows import HistorySet


def add_history_filters(parser: argparse.ArgumentParser) -> None:
    """The sets a history command looks at: one exercise, the last days."""
    add_exercise_argument(parser, default=None, auto=False)
    parser.add_argument("--since", type=days, metavar="DAYS", help="only the last DAYS days (0: today)")


def history_rows(args: argparse.Namespace) -> list["HistorySet"]:
    from formwatch.io.history import History

    with History(read_only=True) as history:
        return history.sets(args.exercise, getattr(args, "since", None))


def nothing_selected(args: argparse.Namespace) -> str:
    """Why no set was selected: none yet, or none that the filters let through (and how many there are in all)."""
    from formwatch.io.history import History

    with History(read_only=True) as history:
        in_all = len(history.sets())
    if not in_all:
        return "no sets yet"
    since = getattr(args, "since", None)
    which = " ".join(filter(None, [f"of {args.exercise}" if args.exercise else "",
                                   ("today" if since == 0 else f"in the last {since:g} days")
                                   if since is not None else ""]))
    return f"no sets {which} ({in_all} in all: widen or drop the filters to see them)"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("history", help="your sets so far: when, exercise, reps, why each ended")
    add_history_filters(p)
    p.add_argument("--json", action="store_true", help="print JSON ({\"sets\": [...]}) instead of a table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from formwatch.io.jsonfiles import dumps_strict

    rows = history_rows(args)
    if args.json:
        print(dumps_strict({"sets": [r.to_json() for r in rows]}, indent=2))
    else:
        print(table(rows) if rows else nothing_selected(args))
    return 0


def table(rows: list["HistorySet"]) -> str:
    """The history as a terminal table."""
    from formwatch.core.wording import set_amount

    lines = [f"{'when':16s}  {'exercise':9s}  {'done':34s}  {'status':11s}  ended because"]
    for r in rows:
        lines.append(f"{r.started[:16].replace('T', ' '):16s}  {(r.summary.exercise or '—'):9s}  "
                     f"{set_amount(r.summary):34s}  {r.status:11s}  {r.why_ended()}")
    return "\n".join(lines)
