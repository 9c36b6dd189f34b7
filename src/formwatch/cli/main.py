"""The ``formwatch`` command: subcommands, argument checking, and one-line errors instead of tracebacks."""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import time
from pathlib import Path
from typing import Callable

from formwatch import __version__
from formwatch.cli.common import add_exercise_argument, add_model_size_argument, add_profile_arguments, model_path
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
        command = " ".join(self.prog.split()[1:])  # "formwatch analyze" -> "analyze"; "formwatch" -> ""
        where = f"formwatch {command} --help" if command else "formwatch --help"
        if match := re.match(r"argument COMMAND: invalid choice: '([^']*)'", message):
            close = difflib.get_close_matches(match[1], _COMMANDS, n=1)
            message = f"'{match[1]}' is not a formwatch command" + (f": did you mean '{close[0]}'?" if close else "")
        self.exit(2, f"formwatch: error: {message} (see '{where}')\n")


_COMMANDS = ("models", "analyze", "calibrate", "demo", "live", "routine", "replay", "history", "signature", "report",
             "progress", "forget", "bench")
_EPILOG = ("Exercises: " + exercises_help() + ". " + describe_home() + " Units: degrees, centimetres, seconds.")


def _cmd_models(args: argparse.Namespace) -> int:
    from formwatch.capture.models.provision import find_or_provision

    info = find_or_provision(args.model, args.models_dir, allow_download=not args.offline, size=args.model_size)
    print(f"model:  {info.path.resolve()}")
    print(f"sha256: {info.sha256}")
    print(f"origin: {info.origin}")
    return 0


def _cmd_analyze(args: argparse.Namespace) -> int:
    from formwatch.app.analyze import analyze
    from formwatch.cli.common import (detector_for, neutral_for, profile_from_args, profile_meta,
                                           verdict_line)

    if args.jobs is not None and args.jobs < 1:
        raise FormwatchError(f"--jobs {args.jobs}: give 1 or more cores to work on")
    if args.input.is_dir() and not (args.input / "meta.json").exists():
        return _analyze_folder(args)
    from formwatch.app.interrupt import StopSignals

    profile = profile_from_args(args)
    detector = detector_for(args.exercise, profile, history=not args.no_history)
    with StopSignals() as signals:
        result = analyze(args.input, args.out, model_path(args), detector=detector,
                         neutral=neutral_for(profile), extra_meta=profile_meta(profile), progress=None,
                         history=not args.no_history, lanes=args.jobs, cancelled=signals)
    signals.raise_if_received(f"the analysis stopped at frame {result.summary.get('frames', 0)}; what was "
                              f"analysed is saved in {result.path}")
    for note in result.notes:
        print(f"formwatch: note: {note}", file=sys.stderr)
    for metric, why in result.summary.get("unmeasured", {}).items():
        print(f"formwatch: note: {metric} was measured in under half of the frames: {why}", file=sys.stderr)
    s = result.summary
    print(f"{s['frames']} frames, pose found in {100 * s['detected_fraction']:.1f} %, "
          f"analysed at {result.frames_per_s:.1f} frames/s")
    if line := verdict_line(s):
        print(line)
    elif args.exercise is None:
        print("No verdict: say which exercise with --exercise KIND (hinge, squat, bridge, bird-dog, plank; "
              "deadlift, rdl, glute bridge ... are understood) to have the set judged.")
    print(result.path)
    return 0


def _analyze_folder(args: argparse.Namespace) -> int:
    """Every video in a folder, ``--jobs`` at a time (or on a Dask cluster), one progress bar, one table."""
    from formwatch.app.folder import analyze_folder, dask_executor, table
    from formwatch.capture.models.provision import find_or_provision
    from formwatch.io.recording import default_output_dir

    model = find_or_provision(model_path(args)).path  # once, before the workers start
    out = args.out or default_output_dir(args.input.name)
    executor = dask_executor(args.scheduler) if args.scheduler else None
    from formwatch.app.analyze import default_lanes

    jobs = args.jobs if args.jobs is not None else default_lanes()
    outcomes = analyze_folder(args.input, out, args.exercise, jobs, model, executor)
    print(table(outcomes))
    print(out)
    return 0 if any(o.error is None for o in outcomes) else 2


def _cmd_routine(args: argparse.Namespace) -> int:
    from formwatch.cli import routine

    return routine.run(args)


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from formwatch.cli import calibrate

    return calibrate.run(args)


def _cmd_demo(args: argparse.Namespace) -> int:
    from formwatch.cli import demo

    if args.headless or not demo.display_available() and not args.screenshot:
        return demo.run_headless(args.out)
    from formwatch.ui.demo_window import run_demo_window

    return run_demo_window(args)


def _cmd_history(args: argparse.Namespace) -> int:
    from formwatch.io.history import table
    from formwatch.io.jsonfiles import dumps_strict

    rows = _history_rows(args)
    print(dumps_strict({"sets": rows}, indent=2) if args.json else table(rows))
    return 0


def _cmd_signature(args: argparse.Namespace) -> int:
    from formwatch.app.signature import describe, signature_of
    from formwatch.io.jsonfiles import dumps_strict
    from formwatch.cli.common import profile_from_args
    from formwatch.core.exercises import exercise_names

    profile = profile_from_args(args)
    name = profile.name if profile is not None else None
    with_sets = {r["exercise"] for r in _history_rows(args) if r["exercise"] and r["profile"] == name}
    exercises = [args.exercise] if args.exercise else [e for e in exercise_names() if e in with_sets]
    found = [signature_of(e, name, profile) for e in exercises]
    if args.json:
        print(dumps_strict({"signatures": [{**sig.to_json(), "limit_changes": changes} for sig, changes in found]},
                           indent=2))
    elif not found:
        print(f"no sets yet for {name or 'sets without a profile'}: the signature grows from your sets")
    else:
        print("\n\n".join(describe(sig, changes) for sig, changes in found))
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from formwatch.app.report import write_csv, write_report
    from formwatch.io.outputs import check_output_file

    for option, path in (("--out", args.out), ("--csv", args.csv)):
        if path is not None:
            check_output_file(path, option)  # before the charts are drawn
    rows = _history_rows(args)
    if args.csv:
        print(write_csv(rows, args.csv))
    if args.out or not args.csv:
        from formwatch.ui.charts import draw

        from formwatch.io.home import data_home

        out = args.out or data_home() / "reports" / f"report-{time.strftime('%Y%m%d-%H%M%S')}.html"
        from formwatch.app.signature import all_signatures

        print(write_report(rows, out, args.since, draw, all_signatures(rows)))
    return 0


def _cmd_progress(args: argparse.Namespace) -> int:
    from formwatch.app.report import series
    from formwatch.ui.charts import ProgressWindow
    from formwatch.ui.live_window import qt_app, schedule_screenshot_and_exit

    from formwatch.app.signature import all_signatures, short_lines

    from formwatch.cli.demo import display_available
    from formwatch.io.outputs import atomic_output, check_output_file

    picture = args.out or args.screenshot
    if picture is not None:
        check_output_file(picture, "--out" if args.out else "--screenshot")
    elif not display_available():
        raise FormwatchError("progress opens a window and there is no display here: use --out FILE.png for a "
                             "picture of it (or formwatch report for a page)")
    rows = _history_rows(args)
    app = qt_app()
    window = ProgressWindow(series(rows), len(rows), short_lines(all_signatures(rows)))
    if args.out is not None:  # the picture only, no window: works with no display
        window.resize(1366, 768)
        with atomic_output(args.out, "--out") as tmp:
            if not window.grab().save(str(tmp), "PNG"):
                raise FormwatchError(f"--out {args.out}: the picture could not be saved; choose another file")
        print(args.out)
        return 0
    schedule_screenshot_and_exit(window, args.screenshot, args.exit_after)
    window.show()
    app.exec()
    return 0


def _cmd_forget(args: argparse.Namespace) -> int:
    from formwatch.cli import forget

    return forget.run(args)


def _cmd_bench(args: argparse.Namespace) -> int:
    from formwatch.app import bench

    model = None
    if not args.no_pose:
        from formwatch.capture.models.provision import find_or_provision

        model = find_or_provision(model_path(args)).path
    bench.run(args.json, args.video, model, quick=args.quick)
    return 0


def _cmd_live(args: argparse.Namespace) -> int:
    from formwatch.cli import live

    return live.run(args)


def _cmd_replay(args: argparse.Namespace) -> int:
    from formwatch.cli import replay

    return replay.run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="formwatch", description="Real-time exercise form monitor for back care.")
    parser.add_argument("--version", action="version", version=f"formwatch {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("models", help="find or build the pose model (offline) and print its path and sha256")
    p.add_argument("--model", type=Path, help="use this .task file")
    add_model_size_argument(p, live=False)
    p.add_argument("--models-dir", type=Path, default=None, help="where models live (default: see below)")
    p.add_argument("--offline", action="store_true", help="do not try Google's download; build from the wheel")
    p.set_defaults(func=_cmd_models)

    p = sub.add_parser("analyze", help="analyse a video file or a recording directory into a new recording")
    p.add_argument("input", type=Path, help="video file, a recording directory (re-analysed from its poses), or a "
                   "folder of videos (each into its own recording)")
    p.add_argument("--out", type=Path,
                   help="new recording directory (default: <your data home>/recordings/<name>-<time>)")
    p.add_argument("--model", type=Path,
                   help="pose model .task file (default: provisioned in the models folder, see below)")
    add_model_size_argument(p, live=False)
    p.add_argument("--jobs", type=int, default=None, metavar="N",
                   help="work on N cores: a video in N stretches at once, a folder N videos at a time "
                        "(default: every core)")
    p.add_argument("--no-history", action="store_true", help="do not record this set in your history")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a folder: run on this Dask cluster (formwatch[cluster])")
    add_exercise_argument(p)
    add_profile_arguments(p)
    p.set_defaults(func=_cmd_analyze)

    p = sub.add_parser("calibrate", help="fit your neutral posture once per camera set-up (a profile)")
    p.add_argument("--profile", help="name of the profile to create (calibration/NAME.json)")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--camera", default="0", help="camera index or device path (default: 0)")
    src.add_argument("--video", type=Path, help="a video of you standing still, side-on")
    src.add_argument("--recording", type=Path, help="an existing recording directory")
    p.add_argument("--calibration-dir", type=Path, default=None, help="where profiles live (default: calibration/ in your data home)")
    add_exercise_argument(p, default="hinge")
    p.add_argument("--model", type=Path, help="pose model .task file")
    add_model_size_argument(p, live=False)
    p.add_argument("--list", action="store_true", help="list the profiles")
    p.add_argument("--show", metavar="NAME", help="show one profile")
    p.add_argument("--quiet", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=_cmd_calibrate)

    p = sub.add_parser("demo", help="watch formwatch end a simulated set whose shoulders start creeping up")
    p.add_argument("--headless", action="store_true", help="no window: print the states and the stop")
    p.add_argument("--out", type=Path, help="recording directory (default: <your data home>/recordings/demo-<time>)")
    p.add_argument("--screenshot", type=Path, help="save a picture of the window to this PNG")
    p.add_argument("--exit-after", type=float, default=None, metavar="SECONDS", help="close the window after this")
    p.add_argument("--speed", type=float, default=1.0, help="play faster (2 = twice real time)")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("live", help="watch the camera and end the set the moment form degrades")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--camera", default="0", help="camera index or device path (default: 0)")
    src.add_argument("--video", type=Path, help="play a video file as if it were the camera")
    add_exercise_argument(p, default="hinge")
    add_profile_arguments(p)
    p.add_argument("--out", type=Path, help="recording directory (default: <your data home>/recordings/live-<time>)")
    p.add_argument("--keep-video", action="store_true", help="also keep the video (video.mp4); poses always kept")
    p.add_argument("--no-history", action="store_true", help="do not record these sets in your history")
    p.add_argument("--voice", action="store_true", help="speak the cues (the stop, its advice, 'careful') through "
                   "an offline speech engine (espeak-ng)")
    p.add_argument("--model", type=Path, help="pose model .task file")
    add_model_size_argument(p, live=True)
    p.add_argument("--headless", action="store_true", help="no window: print the states and the stop")
    p.add_argument("--screenshot", type=Path, help="save a picture of the window to this PNG")
    p.add_argument("--exit-after", type=float, default=None, metavar="SECONDS", help="end after this many seconds")
    p.set_defaults(func=_cmd_live)

    _add_routine_command(sub)
    _add_review_commands(sub)
    return parser


def _add_routine_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("routine", help="a micro-session: a few exercises with rests and cues, each set watched")
    p.add_argument("name", nargs="?", help="the routine (formwatch routine --list)")
    p.add_argument("--list", action="store_true", help="list the routines (built-in, and yours in <home>/routines)")
    p.add_argument("--video", type=Path, action="append", help="a video per step, in order, instead of the camera")
    p.add_argument("--camera", default="0", help="camera index or device path")
    add_profile_arguments(p)
    p.add_argument("--model", type=Path, help="pose model .task file")
    add_model_size_argument(p, live=True)
    p.add_argument("--headless", action="store_true", help="no window: print the states and the stops")
    p.add_argument("--keep-video", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--screenshot", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--exit-after", type=float, default=None, help=argparse.SUPPRESS)
    p.add_argument("--voice", action="store_true", help="speak the cues through an offline speech engine")
    p.add_argument("--no-history", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=_cmd_routine, out=None, exercise=None)


def _add_history_filters(parser: argparse.ArgumentParser) -> None:
    """The sets a history command looks at: one exercise, the last days."""
    add_exercise_argument(parser)
    parser.add_argument("--since", type=float, metavar="DAYS", help="only the last DAYS days")


def _history_rows(args: argparse.Namespace) -> list[dict]:
    from formwatch.io.history import History

    with History() as history:
        return history.sets(args.exercise, getattr(args, "since", None))


def _add_review_commands(sub: argparse._SubParsersAction) -> None:
    """replay, history, forget and bench: looking back at what was recorded, and at this machine."""
    p = sub.add_parser("replay", help="replay a recording: video or skeleton beside the metric traces")
    p.add_argument("recording", type=Path, help="a recording directory")
    add_profile_arguments(p)
    p.add_argument("--screenshot", type=Path, help="save a picture of the window to this PNG")
    p.add_argument("--exit-after", type=float, default=None, metavar="SECONDS", help="close after this many seconds")
    p.add_argument("--smooth-hz", type=float, default=None, metavar="HZ",
                   help="smooth the traces without lag (zero-phase low-pass at HZ, e.g. 3) for review")
    p.add_argument("--export-png", type=Path, help="write the traces as a PNG and exit (no window needed)")
    p.add_argument("--export-csv", type=Path, help="write the metrics as CSV and exit")
    p.set_defaults(func=_cmd_replay)

    p = sub.add_parser("history", help="your sets so far: when, exercise, reps, why each ended")
    _add_history_filters(p)
    p.add_argument("--json", action="store_true", help="print JSON ({\"sets\": [...]}) instead of a table")
    p.set_defaults(func=_cmd_history)

    p = sub.add_parser("signature", help="your signature movement profile: how your sets go, the limits in force and "
                       "why they moved")
    add_exercise_argument(p)
    add_profile_arguments(p)
    p.add_argument("--json", action="store_true", help="print JSON ({\"signatures\": [...]}) instead of text")
    p.set_defaults(func=_cmd_signature)

    p = sub.add_parser("report", help="a report for your physiotherapist: one HTML page with charts, every set")
    _add_history_filters(p)
    p.add_argument("--out", type=Path, help="the HTML file to write (default: reports/ in your data home)")
    p.add_argument("--csv", type=Path, help="also (or only) write every set as CSV")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("progress", help="your progress in a window: sets per day and streak, clean reps, stop reasons")
    _add_history_filters(p)
    p.add_argument("--out", type=Path, metavar="FILE.png", help="write the view as a PNG instead of opening a window "
                   "(works with no display)")
    p.add_argument("--screenshot", type=Path, help="save a picture of the window to this PNG")
    p.add_argument("--exit-after", type=float, default=None, metavar="SECONDS", help="close after this many seconds")
    p.set_defaults(func=_cmd_progress)

    p = sub.add_parser("forget", help="delete sets from your history, and their recordings in your data home")
    p.add_argument("--all", action="store_true", help="every set")
    p.add_argument("--before", metavar="DATE", help="sets started before this date: YYYY-MM-DD, YYYY-MM-DDTHH:MM, "
                   "or an age such as 30d or 2w (anything else is refused)")
    p.add_argument("--yes", action="store_true", help="do not ask before deleting (it cannot be undone)")
    p.add_argument("--dry-run", action="store_true", help="only show what would be deleted")
    p.set_defaults(func=_cmd_forget)

    p = sub.add_parser("bench", help="measure per-frame and batch speed on this machine")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--no-pose", action="store_true", help="skip the pose model and live-path timings")
    p.add_argument("--quick", action="store_true", help="skip the ten-minute memory-growth run")
    p.add_argument("--video", type=Path, help="clip for the pose and live timings (default: formfit_deadlift.mp4 "
                   "from ../shared/data, else a built-in rendered clip)")
    p.add_argument("--model", type=Path, help="pose model .task file")
    add_model_size_argument(p, live=False)
    p.set_defaults(func=_cmd_bench)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
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
