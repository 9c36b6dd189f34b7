"""Pieces several subcommands share: profile and detector set-up from arguments, verdict printing."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from formwatch.core.exercises import exercise_names, exercises_help, get_exercise
from formwatch.core.set_judge import AUTO

__all__ = ["AUTO", "add_exercise_argument", "add_model_size_argument", "add_profile_arguments",
           "default_calibration_dir", "exercise_name", "exercise_word", "model_path", "neutral_for",
           "profile_from_args", "profile_meta"]
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


def neutral_for(profile: Profile | None) -> np.ndarray | None:
    return profile.neutral_vector() if profile is not None else None


def profile_meta(profile: Profile | None) -> dict[str, Any]:
    return {"profile": profile.to_json()} if profile is not None else {}


