"""Micro-session routines: short sequences of exercises with reps or hold times, rests and cues, as TOML files.

Built-in routines ship in ``formwatch/routines/``; a person's own go in ``<data home>/routines/`` (a file of the
same name replaces a built-in one). Each step names an exercise (any name or alias), ``reps`` or ``hold_s``,
``rest_s`` and a ``cue`` said before it starts. Unknown keys are errors, with the file and the key named.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from formwatch.core.errors import FormwatchError
from formwatch.core.exercises import get_exercise
from formwatch.io.home import data_home

BUILT_IN = Path(__file__).resolve().parents[1] / "routines"
_STEP_KEYS = {"exercise", "reps", "hold_s", "rest_s", "cue"}
_ROUTINE_KEYS = {"name", "title", "minutes", "steps"}


@dataclass(frozen=True)
class Step:
    exercise: str  # canonical name
    reps: int | None
    hold_s: float | None
    rest_s: float
    cue: str

    def target(self) -> str:
        return f"{self.reps} reps" if self.reps else f"hold {self.hold_s:.0f} s"


@dataclass(frozen=True)
class Routine:
    name: str
    title: str
    minutes: float
    steps: tuple[Step, ...]
    path: Path


def _routine_from(path: Path) -> Routine:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise FormwatchError(f"routine {path} is not valid TOML ({exc}): fix or remove it") from None
    unknown = set(data) - _ROUTINE_KEYS
    if unknown:
        raise FormwatchError(f"routine {path}: unknown key(s) {', '.join(sorted(unknown))}; "
                             f"known: {', '.join(sorted(_ROUTINE_KEYS))}")
    steps = []
    for i, raw in enumerate(data.get("steps", []), start=1):
        bad = set(raw) - _STEP_KEYS
        if bad:
            raise FormwatchError(f"routine {path}, step {i}: unknown key(s) {', '.join(sorted(bad))}")
        try:
            exercise = get_exercise(str(raw.get("exercise", ""))).name
        except ValueError as exc:
            raise FormwatchError(f"routine {path}, step {i}: {exc}") from None
        reps, hold = raw.get("reps"), raw.get("hold_s")
        if (reps is None) == (hold is None):
            raise FormwatchError(f"routine {path}, step {i}: give either reps or hold_s")
        steps.append(Step(exercise, int(reps) if reps is not None else None,
                          float(hold) if hold is not None else None, float(raw.get("rest_s", 30)),
                          str(raw.get("cue", ""))))
    if not steps:
        raise FormwatchError(f"routine {path} has no steps")
    return Routine(str(data.get("name", path.stem)), str(data.get("title", path.stem)),
                   float(data.get("minutes", 0)), tuple(steps), path)


def routine_files() -> dict[str, Path]:
    """name -> file: the built-in routines, then the person's own (which win)."""
    files = {p.stem: p for p in sorted(BUILT_IN.glob("*.toml"))}
    own = data_home() / "routines"
    if own.is_dir():
        files.update({p.stem: p for p in sorted(own.glob("*.toml"))})
    return files


def load_routine(name: str) -> Routine:
    files = routine_files()
    if name not in files:
        raise FormwatchError(f"no routine {name!r}: choose one of {', '.join(files)} (formwatch routine --list)")
    return _routine_from(files[name])


def describe_all() -> str:
    lines = []
    for name, path in routine_files().items():
        r = _routine_from(path)
        steps = ", ".join(f"{s.exercise} ({s.target()})" for s in r.steps)
        lines.append(f"{name:12s} {r.title} — about {r.minutes:.0f} min: {steps}")
    return "\n".join(lines)
