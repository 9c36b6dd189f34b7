"""The ``formwatch`` command: parse, dispatch to the subcommand's module (cli/<command>.py), and turn errors into
one line instead of a traceback. Nothing else lives here."""

from __future__ import annotations

import argparse
import difflib
import importlib
import re
import sys
from typing import Callable

from formwatch import __version__
from formwatch.core.exercises import exercises_help
from formwatch.io.home import describe as describe_home
from formwatch.core.errors import FormwatchError


class _Help(argparse.HelpFormatter):
    """Help that states each option's default, where it has one worth stating."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "default" not in text and action.default not in (None, False, argparse.SUPPRESS) and action.option_strings:
            text += " (default: %(default)s)"
        return text

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        """Paragraphs wrapped at spaces only: a path is never split at one of its hyphens."""
        import textwrap

        return textwrap.fill(" ".join(text.split()), width, initial_indent=indent, subsequent_indent=indent,
                             break_on_hyphens=False, break_long_words=False)


class _Parser(argparse.ArgumentParser):
    """argparse with the house error style (one line saying what to do, exit 2) and help that shows defaults."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("formatter_class", _Help)
        kwargs.setdefault("epilog", _EPILOG)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        command = " ".join(self.prog.split()[1:]) or getattr(self, "command", None) or ""  # "formwatch analyze"
        where = f"formwatch {command} --help" if command else "formwatch --help"
        if match := re.match(r"argument COMMAND: invalid choice: '([^']*)'", message):
            close = difflib.get_close_matches(match[1], _COMMANDS, n=1)
            message = f"'{match[1]}' is not a formwatch command" + (f": did you mean '{close[0]}'?" if close else "")
        self.exit(2, f"formwatch: error: {message} (see '{where}')\n")


_COMMANDS = ("start", "models", "analyze", "calibrate", "demo", "live", "routine", "replay", "history", "signature", "report",
             "progress", "forget", "export", "bench")
_EPILOG = ("Exercises: " + exercises_help() + ". " + describe_home() + " Units: degrees, centimetres, seconds.")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; each subcommand's module (cli/<command>.py) adds its own, with its handler as ``func``. Given
    the ``command`` about to run, only its module is imported (the others stand in by name): a command pays for
    the imports it uses and no other's."""
    parser = _Parser(prog="formwatch", description="Real-time exercise form monitor for back care.")
    parser.add_argument("--version", action="version", version=f"formwatch {__version__}")
    parser.command = command if command in _COMMANDS else None  # type: ignore[attr-defined]  # for its errors
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in _COMMANDS:
        if command in _COMMANDS and name != command:
            sub.add_parser(name)
        else:
            importlib.import_module(f"formwatch.cli.{name}").add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(next((a for a in argv if not a.startswith("-")), None))
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    from formwatch.app.interrupt import Interrupted

    try:
        return func(args)
    except Interrupted as exc:
        print(f"formwatch: {exc}", file=sys.stderr)
        return exc.exit_code
    except FormwatchError as exc:
        print(f"formwatch: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("formwatch: interrupted (Ctrl-C)", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
