"""``formwatch routine NAME``: a micro-session, exercise after exercise, each set watched by the same driver.

With the camera each step opens the live monitor (the set ends when form degrades, or when you end it); with
``--video FILE`` once per step (a recorded session, or a test) each step is analysed in lockstep. Every set lands
in the history as part of the routine.
"""

from __future__ import annotations

import argparse
import copy
import time
from typing import TYPE_CHECKING
from pathlib import Path

from formwatch.app.routines import describe_all, load_routine
from formwatch.core.wording import asked_amount, set_amount
from formwatch.cli.common import (add_model_size_argument, add_profile_arguments, model_path, neutral_for,
                                  profile_from_args, profile_meta)
from formwatch.core.errors import FormwatchError
from formwatch.cli.arg_types import positive_seconds

if TYPE_CHECKING:
    from formwatch.app.routines import Step
    from formwatch.app.voice import VoiceCues
    from formwatch.core.set_summary import SetSummary


def run(args: argparse.Namespace) -> int:
    if args.list or not args.name:
        print(describe_all())
        return 0
    routine = load_routine(args.name)
    videos = args.video or []
    if videos and len(videos) != len(routine.steps):
        raise FormwatchError(f"routine {routine.name} has {len(routine.steps)} steps: give one --video per step "
                             f"(got {len(videos)})")
    profile = profile_from_args(args)
    from formwatch.cli.live import make_voice

    voice = make_voice(args) if not videos else None  # a routine from files is a check, not a session to hear
    cards = not videos and not args.headless and _display()  # the window shows (and says) what comes next
    print(f"{routine.title}: {len(routine.steps)} exercises, about {routine.minutes:.0f} minutes.")
    steps, ended = routine.steps, False
    for i, step in enumerate(steps, start=1):
        intro = f"{step.exercise}: {step.target()}. {step.cue}"
        print(f"\n[{i}/{len(steps)}] {intro}", flush=True)
        if cards:
            from formwatch.ui.routine_card import intro_card, show_card

            if not show_card(intro_card(i, len(steps), step.exercise, step.target(), step.cue), voice):
                ended = True
                break
        elif voice is not None:
            voice.say(intro)
        if videos:
            from formwatch.app.analyze import analyze
            from formwatch.app.signature import judge_for
            from formwatch.core.wording import verdict_line

            result = analyze(videos[i - 1], None, model_path(args), detector=judge_for(step.exercise, profile, True),
                             neutral=neutral_for(profile), extra_meta={**profile_meta(profile),
                                                                       "routine": routine.name, "step": i},
                             progress=False, history="routine", asked=step.asked())
            print(verdict_line(result.summary).splitlines()[0])
            print(f"recording: {result.path}")
            ended_set: SetSummary | None = result.summary
        else:
            ended_set = _live_step(args, step)
        if ended_set is not None:
            print(f"Done: {set_amount(ended_set)}.", flush=True)
        if step.rest_s and i < len(steps):
            if cards:
                from formwatch.ui.routine_card import rest_card, show_card

                print(f"Rest {step.rest_s:.0f} s.", flush=True)
                if not show_card(rest_card(step.rest_s, steps[i].exercise, steps[i].target(),
                                               asked_amount(ended_set) if ended_set is not None else ""), voice):
                    ended = True
                    break
            else:
                _rest(step.rest_s, wait=not videos, voice=voice)
    print("\nRoutine ended early. `formwatch history` lists its sets." if ended else
          "\nRoutine done. `formwatch history` lists its sets.")
    if voice is not None:
        voice.say("Routine ended." if ended else "Routine done. Well done.")
        voice.close()
    return 0


def _display() -> bool:
    from formwatch.ui.desktop import display_available, say_why_headless

    if not display_available():
        say_why_headless()
        return False
    return True


def _live_step(args: argparse.Namespace, step: "Step") -> "SetSummary | None":
    """One step with the camera; its set's summary (None when the set never began)."""
    from formwatch.cli import live

    ended: list[SetSummary] = []
    step_args = copy.copy(args)
    step_args.exercise = step.exercise
    step_args.out = None
    step_args.video = None  # the camera
    step_args.routine_step = True  # the routine's own flow: no first-run set-up in the middle of it
    step_args.asked = step.asked()
    step_args.on_summary = ended.append
    live.run(step_args)
    return ended[-1] if ended else None


def _rest(seconds: float, wait: bool, voice: VoiceCues | None = None) -> None:
    """The rest between two exercises, said and counted down (the last three seconds spoken)."""
    print(f"Rest {seconds:.0f} s.", flush=True)
    if voice is not None:
        voice.say(f"Rest {seconds:.0f} seconds.")
    if not wait:
        return
    time.sleep(max(0.0, seconds - 3.0))
    for left in range(min(3, int(seconds)), 0, -1):
        print(f"  {left} …", flush=True)
        if voice is not None:
            voice.say(str(left))
        time.sleep(1.0)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    p.add_argument("--exit-after", type=positive_seconds, default=None, help=argparse.SUPPRESS)
    p.add_argument("--voice", action=argparse.BooleanOptionalAction, default=True,
                   help="speak the introductions, rests and cues through an offline speech engine (on where there is "
                        "one and a sound device)")
    p.add_argument("--no-history", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=run, out=None, exercise=None)
