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

    def asked(self) -> dict[str, float]:
        """The target as the set's summary keeps it (core/set_summary.py ``asked``)."""
        return {"reps": float(self.reps)} if self.reps else {"hold_s": float(self.hold_s or 0.0)}


@dataclass(frozen=True)
class Routine:
    name: str
    title: str
    minutes: float
    steps: tuple[Step, ...]
    path: Path


_LIMITS = {"reps": (1, 100), "hold_s": (1.0, 600.0), "rest_s": (0.0, 600.0), "minutes": (0.5, 120.0)}
"""The values a micro-session can mean, per key: (lowest, highest); outside them a routine is refused on loading."""


def _line_of(text: str, step: int | None, key: str) -> int | None:
    """The 1-based line where ``key`` is set (in the ``step``-th ``[[steps]]`` table, when given): so a refusal can
    name the line to fix. None when the file spells it some other way (an inline table)."""
    lines = text.splitlines()
    begin, seen = 0, 0
    if step is not None:
        for number, line in enumerate(lines):
            if line.strip().startswith("[[steps]]"):
                seen += 1
                if seen == step:
                    begin = number
                    break
        else:
            return None
    for number in range(begin, len(lines)):
        if number > begin and step is not None and lines[number].strip().startswith("[["):
            return None
        if lines[number].split("=")[0].strip() == key:
            return number + 1
    return None


class _Reader:
    """One routine file's values, each checked against its range, with the file and line named in a refusal."""

    def __init__(self, path: Path, text: str) -> None:
        self.path, self.text = path, text

    def refuse(self, what: str, step: int | None = None, key: str | None = None) -> FormwatchError:
        line = _line_of(self.text, step, key) if key else None
        where = f"{self.path}" + (f", line {line}" if line else "") + (f" (step {step})" if step else "")
        return FormwatchError(f"routine {where}: {what}")

    def number(self, raw: object, key: str, step: int | None, whole: bool = False) -> float:
        low, high = _LIMITS[key]
        kind = "a whole number" if whole else "a number"
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or (whole and not isinstance(raw, int)):
            raise self.refuse(f"{key} = {raw!r} is not {kind}: give {kind} from {low:g} to {high:g}", step, key)
        if not low <= raw <= high:  # NaN fails this too
            raise self.refuse(f"{key} = {raw!r} is outside {low:g}..{high:g}: give {kind} in that range", step, key)
        return float(raw)


def _routine_from(path: Path) -> Routine:
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise FormwatchError(f"routine {path} is not valid TOML ({exc}): fix or remove it") from None
    read = _Reader(path, text)
    unknown = set(data) - _ROUTINE_KEYS
    if unknown:
        raise FormwatchError(f"routine {path}: unknown key(s) {', '.join(sorted(unknown))}; "
                             f"known: {', '.join(sorted(_ROUTINE_KEYS))}")
    raw_steps = data.get("steps", [])
    if not isinstance(raw_steps, list) or not all(isinstance(raw, dict) for raw in raw_steps):
        raise read.refuse("steps must be [[steps]] tables, each with exercise and reps or hold_s", None, "steps")
    steps = [_step_from(read, i, raw) for i, raw in enumerate(raw_steps, start=1)]
    if not steps:
        raise FormwatchError(f"routine {path} has no steps")
    minutes = read.number(data["minutes"], "minutes", None) if "minutes" in data else 0.0
    return Routine(str(data.get("name", path.stem)), str(data.get("title", path.stem)), minutes, tuple(steps), path)


def _step_from(read: _Reader, i: int, raw: dict[str, object]) -> Step:
    bad = set(raw) - _STEP_KEYS
    if bad:
        raise read.refuse(f"unknown key(s) {', '.join(sorted(bad))}; known: {', '.join(sorted(_STEP_KEYS))}", i,
                          sorted(bad)[0])
    try:
        exercise = get_exercise(str(raw.get("exercise", ""))).name
    except ValueError as exc:
        raise read.refuse(str(exc), i, "exercise") from None
    reps, hold = raw.get("reps"), raw.get("hold_s")
    if (reps is None) == (hold is None):
        raise read.refuse("give either reps or hold_s", i, "exercise")
    return Step(exercise, int(read.number(reps, "reps", i, whole=True)) if reps is not None else None,
                read.number(hold, "hold_s", i) if hold is not None else None,
                read.number(raw.get("rest_s", 30), "rest_s", i), str(raw.get("cue", "")))


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
        try:
            r = _routine_from(path)
        except FormwatchError as exc:  # one broken file of one's own does not hide the others
            lines.append(f"{name:12s} cannot be used: {exc}")
            continue
        steps = ", ".join(f"{s.exercise} ({s.target()})" for s in r.steps)
        lines.append(f"{name:12s} {r.title} — about {r.minutes:.0f} min: {steps}")
    return "\n".join(lines)
