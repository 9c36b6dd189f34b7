"""``formwatch analyze``: a video, a recording or a folder of videos through the pipeline; prints the verdict."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from formwatch.cli.common import (add_exercise_argument, add_model_size_argument, add_profile_arguments, model_path,
                                  verdict_line)
from formwatch.core.errors import FormwatchError


def add_parser(sub: argparse._SubParsersAction) -> None:
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
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from formwatch.app.analyze import analyze
    from formwatch.cli.common import detector_for, neutral_for, profile_from_args, profile_meta

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
    if s.get("exercise_source") == "recognised" and s.get("exercise"):
        print(f"Recognised: {s['exercise']} (confidence {s.get('exercise_confidence')}: {s.get('recognition')}); "
              "say --exercise KIND if it is another")
    if line := verdict_line(s):
        print(line)
    print(result.path)
    return 0


def _analyze_folder(args: argparse.Namespace) -> int:
    """Every video in a folder, ``--jobs`` at a time (or on a Dask cluster), one progress bar, one table."""
    from formwatch.app.folder import analyze_folder, dask_executor
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


def table(outcomes: list[Any]) -> str:
    """The summary table printed after a folder: each file's frames, speed and verdict, or why it was skipped."""
    width = max(len(o.video) for o in outcomes)
    lines = [f"{'video':{width}s}  {'frames':>7s}  {'x real time':>11s}  verdict"]
    for o in outcomes:
        if o.error:
            lines.append(f"{o.video:{width}s}  {'—':>7s}  {'—':>11s}  skipped: {o.error}")
        else:
            speed = o.video_seconds / o.seconds if o.seconds > 0 else float("nan")
            verdict = verdict_line(o.summary or {}).split("\n")[0]
            lines.append(f"{o.video:{width}s}  {o.frames:7d}  {speed:11.1f}  {verdict or 'metrics only'}")
    return "\n".join(lines)
