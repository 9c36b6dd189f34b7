"""``formwatch progress``: the Progress view, in a window or as a PNG."""

from __future__ import annotations

import argparse
from pathlib import Path

from formwatch.cli.history import add_history_filters, history_rows
from formwatch.core.errors import FormwatchError
from formwatch.cli.arg_types import positive_seconds


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("progress", help="your progress in a window: sets per day and streak, clean reps, stop reasons")
    add_history_filters(p)
    p.add_argument("--out", type=Path, metavar="FILE.png", help="write the view as a PNG instead of opening a window "
                   "(works with no display)")
    p.add_argument("--screenshot", type=Path, help="save a picture of the window to this PNG")
    p.add_argument("--exit-after", type=positive_seconds, default=None, metavar="SECONDS", help="close after this many seconds")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from formwatch.ui.desktop import display_available, why_no_window
    from formwatch.io.outputs import check_output_file

    picture = args.out or args.screenshot
    if picture is not None:
        check_output_file(picture, "--out" if args.out else "--screenshot")
    elif not display_available():  # said before Qt is even loaded
        raise FormwatchError(f"progress opens a window and {why_no_window()}: use --out FILE.png for a "
                             "picture of it (or formwatch report for a page)")
    from formwatch.app.report import series
    from formwatch.app.signature import all_signatures, short_lines
    from formwatch.ui.charts import ProgressWindow
    from formwatch.ui.live_window import qt_app, schedule_screenshot_and_exit
    from formwatch.ui.png import save_png

    rows = history_rows(args)
    app = qt_app()
    window = ProgressWindow(series(rows), len(rows), short_lines(all_signatures(rows)))
    if args.out is not None:  # the picture only, no window: works with no display
        window.resize(1366, 768)
        save_png(window.grab(), args.out, "--out")
        print(args.out)
        return 0
    schedule_screenshot_and_exit(window, args.screenshot, args.exit_after)
    window.show()
    app.exec()
    return 0
