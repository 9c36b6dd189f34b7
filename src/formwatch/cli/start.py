"""``formwatch start``: from install to a protected set in one command.

With no profile yet it walks a newcomer through the set-up — a live checklist of the view (whole body in view,
side-on, 2-3 m, light), the neutral taken while they stand still (saved as their profile), then the first set with
the exercise recognised as they go. With a profile it is ``formwatch live --profile NAME``.
"""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from formwatch.cli.live import add_live_arguments

    p = sub.add_parser("start", help="the guided first run: set-up checklist, your neutral, then a set with the "
                                     "exercise recognised (or a set at once when you have a profile)")
    add_live_arguments(p)
    p.set_defaults(func=run, profile=None)


def run(args: argparse.Namespace) -> int:
    from formwatch.app.guided import GuidedStart
    from formwatch.cli.common import default_calibration_dir
    from formwatch.cli.live import run as run_live
    from formwatch.io.profiles import list_profiles

    calibration_dir = args.calibration_dir or default_calibration_dir()
    name = args.profile or "me"
    if name in list_profiles(calibration_dir):
        print(f"formwatch: welcome back — judging with your profile '{name}' (formwatch calibrate --profile {name} "
              "to take your neutral again)")
        args.profile, args.guided = name, None
        return run_live(args)
    print(f"formwatch: first run — set-up checklist, then stand still for your neutral (saved as profile '{name}' "
          "once taken), then start exercising: the exercise is recognised as you go")
    args.profile = None  # made during the run
    args.guided = lambda size: GuidedStart(name, size, calibration_dir)
    return run_live(args)
