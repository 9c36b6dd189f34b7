"""Pieces several subcommands share: profile and detector set-up from arguments, verdict printing."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from formwatch.core.auto_detector import AUTO
from formwatch.core.detector import Detector
from formwatch.core.exercises import exercise_names, exercises_help, get_exercise
from formwatch.core.profile import Profile
from formwatch.io.profiles import load_profile

def default_calibration_dir() -> Path:
    """Where profiles live: ``$FORMWATCH_CALIBRATION_DIR`` or the data home's ``calibration/`` (io/home.py)."""
    from formwatch.io.home import calibration_dir

    return calibration_dir()


def add_profile_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", help="personal neutral posture from 'formwatch calibrate' (name or .json path)")
    parser.add_argument("--calibration-dir", type=Path, default=None,
                        help="where profiles live (default: calibration/ in your data home; see below)")


def exercise_word(word: str) -> str:
    """argparse type: an exercise name or alias ("deadlift", "glute bridge") -> its canonical name; or "auto"."""
    if word.strip().lower() == AUTO:
        return AUTO
    return exercise_name(word)


def exercise_name(word: str) -> str:
    """argparse type where "auto" means nothing (calibrate, history, signature): a name or an alias only."""
    try:
        return get_exercise(word).name
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_exercise_argument(parser: argparse.ArgumentParser, default: str | None = AUTO, auto: bool = True) -> None:
    """``--exercise KIND``; with ``auto``, also "auto" (recognised from the movement), the default of live and
    analyze."""
    recognised = ", or auto: recognised from the movement by the end of the first rep" if auto else ""
    parser.add_argument("--exercise", type=exercise_word if auto else exercise_name, default=default, metavar="KIND",
                        help=f"the exercise: {', '.join(exercise_names())} ({exercises_help()}){recognised}"
                             + (f"; default {default}" if default else ""))


def add_model_size_argument(parser: argparse.ArgumentParser, live: bool) -> None:
    what = ("default: full, and live moves to lite by itself when full cannot keep up with the camera"
            if live else "default: full")
    parser.add_argument("--model-size", choices=("lite", "full", "heavy"), default=None,
                        help=f"the pose model: lite (fastest), full, heavy (slowest, most precise), provisioned "
                             f"the first time it is asked for; {what}")


def model_path(args: argparse.Namespace) -> Path | None:
    """The model file the arguments ask for: ``--model``, else the ``--model-size`` one (provisioned if need
    be), else None (the default search)."""
    if getattr(args, "model", None) is not None or getattr(args, "model_size", None) is None:
        return getattr(args, "model", None)
    from formwatch.capture.models.provision import find_or_provision

    return find_or_provision(size=args.model_size).path


def profile_from_args(args: argparse.Namespace) -> Profile | None:
    if not getattr(args, "profile", None):
        return None
    return load_profile(args.profile, args.calibration_dir or default_calibration_dir())


def detector_for(exercise: str | None, profile: Profile | None, history: bool = False) -> Any:
    """The exercise's detector, judging by the plan the set starts with (app/signature.py: the profile's neutral
    and safety limits, the history's limits in force; their moves recorded now). ``"auto"``: a detector that
    recognises the exercise first (core/auto_detector.py), its plan made the same way once it is known."""
    if exercise is None:
        return None
    from formwatch.app.signature import start_plan

    if exercise == AUTO:
        from formwatch.core.auto_detector import AutoDetector

        return AutoDetector(lambda name: start_plan(name, profile, history))
    return Detector(plan=start_plan(exercise, profile, history))


def neutral_for(profile: Profile | None) -> np.ndarray | None:
    return profile.neutral_vector() if profile is not None else None


def profile_meta(profile: Profile | None) -> dict[str, Any]:
    return {"profile": profile.to_json()} if profile is not None else {}


def verdict_line(summary: dict[str, Any]) -> str:
    """One line for the terminal: the stop and its reason, or that the set was clean."""
    if "exercise" not in summary:
        return ""
    if summary["exercise"] is None:
        return (f"No verdict: this does not look like a hinge, squat, bridge, bird-dog or plank "
                f"({summary.get('recognition') or 'nothing recognised'}); say --exercise KIND if it is one.")
    notes = "".join(f"\nTechnique note: {note}" for note in summary.get("technique_notes", []))
    if summary.get("interrupted") and not summary.get("stopped"):
        done = (f"held {summary.get('held_s') or 0:.0f} s" if summary["exercise"] == "plank"
                else f"{summary['reps']} rep{'s' if summary['reps'] != 1 else ''} counted")
        return f"Interrupted: {done}, no stop before it ({summary['exercise']})." + notes
    if summary.get("stopped"):
        stop = summary["stop"]
        return f"STOP at {stop['t_s']:.2f} s: {stop['reason']}" + notes
    if summary["exercise"] == "plank":
        return f"No stop: held {summary.get('held_s') or 0:.0f} s clean (plank)." + notes
    partial = " and a partial last rep" if summary.get("partial_rep") else ""
    reps = summary["reps"]
    return f"No stop: {reps} clean rep{'s' if reps != 1 else ''}{partial} ({summary['exercise']})." + notes
