"""``formwatch replay RECORDING``: the replay window, or just the exports when asked."""

from __future__ import annotations

import argparse
from pathlib import Path

from formwatch.cli.common import add_profile_arguments, neutral_for, profile_from_args
from formwatch.app.replay_data import export_csv, load_replay
from formwatch.cli.arg_types import positive_hz, positive_seconds


def run(args: argparse.Namespace) -> int:
    from formwatch.io.outputs import check_output_file

    for option, path in (("--export-csv", args.export_csv), ("--export-png", args.export_png),
                         ("--screenshot", args.screenshot)):
        if path is not None:
            check_output_file(path, option)  # before anything is loaded or drawn
    profile = profile_from_args(args)
    data = load_replay(args.recording, neutral=neutral_for(profile), smooth_hz=args.smooth_hz)
    if args.export_csv:
        print(export_csv(data, args.export_csv))
    if args.export_png or args.screenshot or not args.export_csv:
        from formwatch.ui.desktop import display_available, why_no_window
        from formwatch.ui.live_window import qt_app, schedule_screenshot_and_exit
        from formwatch.ui.replay_window import ReplayWindow

        headless_export = args.export_png and not args.screenshot and args.exit_after is None
        if not display_available() and not (args.export_png or args.screenshot):
            from formwatch.core.errors import FormwatchError

            raise FormwatchError(f"replay needs a window and {why_no_window()}: use --export-png FILE or "
                                 "--export-csv FILE")
        app = qt_app()
        window = ReplayWindow(data)
        if args.export_png:
            print(window.export_png(args.export_png))
        if headless_export:
            return 0
        schedule_screenshot_and_exit(window, args.screenshot, args.exit_after)
        window.show()
        if args.screenshot or args.exit_after is not None:
            window.toggle_play()
        app.exec()
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("replay", help="replay a recording: video or skeleton beside the metric traces")
    p.add_argument("recording", type=Path, help="a recording directory")
    add_profile_arguments(p)
    p.add_argument("--screenshot", type=Path, help="save a picture of the window to this PNG")
    p.add_argument("--exit-after", type=positive_seconds, default=None, metavar="SECONDS", help="close after this many seconds")
    p.add_argument("--smooth-hz", type=positive_hz, default=None, metavar="HZ",
                   help="smooth the traces without lag (zero-phase low-pass at HZ, e.g. 3) for review")
    p.add_argument("--export-png", type=Path, help="write the traces as a PNG and exit (no window needed)")
    p.add_argument("--export-csv", type=Path, help="write the metrics as CSV and exit")
    p.set_defaults(func=run)

