"""``formwatch models``: find or build the pose model (offline) and print its path, sha256 and origin."""

from __future__ import annotations

import argparse
from pathlib import Path

from formwatch.cli.common import add_model_size_argument


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("models", help="find or build the pose model (offline) and print its path and sha256")
    p.add_argument("--model", type=Path, help="use this .task file")
    add_model_size_argument(p, live=False)
    p.add_argument("--models-dir", type=Path, default=None, help="where models live (default: see below)")
    p.add_argument("--offline", action="store_true", help="do not try Google's download; build from the wheel")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from formwatch.capture.models.provision import find_or_provision

    info = find_or_provision(args.model, args.models_dir, allow_download=not args.offline, size=args.model_size)
    print(f"model:  {info.path.resolve()}")
    print(f"sha256: {info.sha256}")
    print(f"origin: {info.origin}")
    return 0
