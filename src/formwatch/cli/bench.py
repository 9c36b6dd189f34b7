"""``formwatch bench``: the speed figures, measured on this machine."""

from __future__ import annotations

import argparse
from pathlib import Path

from formwatch.cli.common import add_model_size_argument, model_path


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("bench", help="measure per-frame and batch speed on this machine")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--no-pose", action="store_true", help="skip the pose model and live-path timings")
    p.add_argument("--quick", action="store_true", help="skip the ten-minute memory-growth run")
    p.add_argument("--video", type=Path, help="clip for the pose and live timings (default: formfit_deadlift.mp4 "
                   "from ../shared/data, else a built-in rendered clip)")
    p.add_argument("--model", type=Path, help="pose model .task file")
    add_model_size_argument(p, live=False)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from formwatch.app import bench

    model = None
    if not args.no_pose:
        from formwatch.capture.models.provision import find_or_provision

        model = find_or_provision(model_path(args)).path
    bench.run(args.json, args.video, model, quick=args.quick)
    return 0
