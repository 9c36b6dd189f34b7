"""``formwatch analyze``: a video, a recording or a folder of videos through the pipeline; prints the verdict."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from formwatch.cli.common import add_exercise_argument, add_model_size_argument, add_profile_arguments, model_path
from formwatch.cli.arg_types import positive_count

if TYPE_CHECKING:
    from formwatch.app.folder import FileOutcome
    from formwatch.core.set_summary import SetSummary


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("analyze", help="analyse a video file or a recording directory into a new recording")
    p.add_argument("input", type=Path, help="video file, a recording directory (re-analysed from its poses), or a "
                   "folder of videos (each into its own recording)")
    p.add_argument("--out", type=Path,
                   help="new recording directory (default: <your data home>/recordings/<name>-<time>)")
    p.add_argument("--model", type=Path,
                   help="pose model .task file (default: provisioned in the models folder, see below)")
    add_model_size_argument(p, live=False)
    p.add_argument("--jobs", type=positive_count, default=None, metavar="N",
                   help="work on N cores: a video in N stretches at once, a folder N videos at a time "
                        "(default: every core)")
    p.add_argument("--no-history", action="store_true", help="do not record this set in your history")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a folder: run on this Dask cluster (formwatch[cluster])")
    add_exercise_argument(p)
    add_profile_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from formwatch.app.analyze import analyze
    from formwatch.app.signature import judge_for
    from formwatch.cli.common import neutral_for, profile_from_args, profile_meta

    if args.input.is_dir() and not (args.input / "meta.json").exists():
        return _analyze_folder(args)
    from formwatch.app.interrupt import StopSignals

    profile = profile_from_args(args)
    judge = judge_for(args.exercise, profile, history=not args.no_history)
    with StopSignals() as signals:
        result = analyze(args.input, args.out, model_path(args), detector=judge,
                         neutral=neutral_for(profile), extra_meta=profile_meta(profile), progress=None,
                         history=not args.no_history, lanes=args.jobs, cancelled=signals)
    signals.raise_if_received(f"the analysis stopped at frame {result.summary.frames}; what was "
                              f"analysed is saved in {result.path}")
    print_analysis(result.summary, result.notes, result.frames_per_s)
    print(result.path)
    return 0


def print_analysis(summary: "SetSummary", notes: tuple[str, ...] | list[str], frames_per_s: float | None) -> None:
    """What ``analyze`` prints of one input: notes on the input and on metrics not measured (stderr), the frames,
    the exercise recognised and the verdict — the same for a file alone and for each file of a folder."""
    from formwatch.core.view_words import view_problem_lines
    from formwatch.core.wording import recognition_why, unmeasured_words, verdict_line

    for note in notes:
        print(f"formwatch: note: {note}", file=sys.stderr)
    for metric, code in summary.unmeasured.items():
        print(f"formwatch: note: {metric} was measured in under half of the frames: "
              f"{unmeasured_words(metric, code)}", file=sys.stderr)
    speed = f", analysed at {frames_per_s:.1f} frames/s" if frames_per_s is not None else ""
    print(f"{summary.frames} frames, pose found in {100 * summary.detected_fraction:.1f} %{speed}")
    recognition = summary.recognition
    if recognition is not None and recognition.source == "recognised" and summary.exercise:
        print(f"Recognised: {summary.exercise} (confidence {recognition.confidence}: "
              f"{recognition_why(recognition)}); say --exercise KIND if it is another")
    for view_line in view_problem_lines(summary.view_problems):
        print(f"View: {view_line}")
    if line := verdict_line(summary):
        print(line)


def _analyze_folder(args: argparse.Namespace) -> int:
    """Every video in a folder, ``--jobs`` at a time (or on a Dask cluster), each as ``analyze FILE`` would: the
    same judge, profile and history row. Exit 0 when every file was analysed, 1 when some were skipped, 2 none."""
    from formwatch.app.analyze import default_lanes
    from formwatch.app.folder import FolderJob, analyze_folder, dask_executor
    from formwatch.capture.models.provision import find_or_provision
    from formwatch.cli.common import default_calibration_dir, profile_from_args
    from formwatch.core.set_summary import SetSummary
    from formwatch.io.recording import default_output_dir, refuse_nested_recording

    from formwatch.app.signature import batch_plans

    profile = profile_from_args(args)  # a missing or damaged profile is refused before any work
    model = find_or_provision(model_path(args)).path  # once, before the workers start
    out = args.out or default_output_dir(args.input.name)
    refuse_nested_recording(out)
    executor = dask_executor(args.scheduler) if args.scheduler else None
    jobs = args.jobs if args.jobs is not None else default_lanes()
    job = FolderJob(args.exercise, str(model), args.profile, str(args.calibration_dir or default_calibration_dir()),
                    not args.no_history, batch_plans(profile, not args.no_history))
    outcomes = analyze_folder(args.input, out, job, jobs, executor)
    for o in outcomes:
        if o.summary is not None:
            print(f"\n{o.video}:")
            print_analysis(SetSummary.from_json(o.summary), o.notes, None)
    print()
    print(table(outcomes))
    skipped = [o for o in outcomes if o.error is not None]
    for o in skipped:
        print(f"formwatch: skipped {o.video}: {o.error}", file=sys.stderr)
    if len(skipped) == len(outcomes) and out.is_dir() and not any(out.iterdir()):
        out.rmdir()  # nothing was analysed: no empty folder left behind, and no path printed to one
    if out.is_dir():
        print(out)
    return 0 if not skipped else (1 if len(skipped) < len(outcomes) else 2)


def table(outcomes: list["FileOutcome"]) -> str:
    """The summary table printed after a folder: each file's frames, speed and verdict, or why it was skipped."""
    from formwatch.core.set_summary import SetSummary
    from formwatch.core.wording import verdict_line

    width = max(len(o.video) for o in outcomes)
    lines = [f"{'video':{width}s}  {'frames':>7s}  {'x real time':>11s}  verdict"]
    for o in outcomes:
        if o.error or o.summary is None:
            lines.append(f"{o.video:{width}s}  {'—':>7s}  {'—':>11s}  skipped: {o.error}")
        else:
            speed = o.video_seconds / o.seconds if o.seconds > 0 else float("nan")
            verdict = verdict_line(SetSummary.from_json(o.summary)).split("\n")[0]
            lines.append(f"{o.video:{width}s}  {o.frames:7d}  {speed:11.1f}  {verdict or 'metrics only'}")
    return "\n".join(lines)
