"""What happens in a set, as typed facts with numbers — never sentences.

The judge emits these events; the frame's record carries them (core/frame_record.py); the set's summary is folded
from them (core/set_summary.py); the screen, the voice, the terminal, the history and the report turn them into
words in one place (core/wording.py). Nothing downstream decides anything by reading text.

Every event is a frozen dataclass with ``t_s`` (seconds into the set) and a ``kind``; :func:`event_to_json` and
:func:`event_from_json` carry them through files (a recording's ``events.jsonl``, the history's summary).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from enum import Enum
from types import MappingProxyType
from typing import Any, Mapping, TypeAlias

__all__ = ["ABSTAINED", "UNLIKE_PREFIX", "BREATH", "TEMPO", "Against", "BreathHeld", "Event", "Note", "Recognised", "RepCounted", "RepJudged", "Stop", "Verdict",
           "ViewProblem", "event_from_json", "event_to_json", "first_stop"]


TEMPO = "tempo"  # the tempo rule's pseudo-metric: the working phase slowing, in %
BREATH = "breath"  # the breath rule's: a breath held (seconds) or strained (breaths a minute)


class Verdict(str, Enum):
    """A rep's word."""

    CLEAN = "clean"
    NOTE = "note"  # how this person moves, said from rep 1 (population bands, a first set): never a stop
    FAULT = "fault"  # past the limit against their own reps or their calibrated neutral


class Against(str, Enum):
    """What a reading was judged against (core/wording.py says each in words)."""

    OWN_REPS = "own_reps"  # the person's first reps of this set, at the same phase
    EARLIER_SETS = "earlier_sets"  # their latest clean set's reps, at the same phase
    PROFILE = "profile"  # their calibrated neutral
    SET_START = "set_start"  # their standing posture at the set's start, within a population band
    FIRST_LOCKOUT = "first_lockout"  # their posture at the first lockout, within a population band
    REP_LOCKOUT = "rep_lockout"  # the rep's own lockout, within a population band
    POPULATION_ZERO = "population_zero"  # a metric with a population zero (hip extension: straight)
    POPULATION_FLOOR = "population_floor"  # a reading no correct rep goes below at its bottom (older sets)
    POPULATION_NORM = "population_norm"  # what correct reps of many people read at the same point of the movement
    NEUTRAL = "neutral"  # a hold: the neutral (calibrated, or the hold's own first seconds)
    GROSS = "gross"  # far past the safety limit from the neutral
    TREND = "trend"  # worsening rep after rep
    FIRST_REPS_DEPTH = "first_reps_depth"  # the depth of the set's first reps
    BEST_TEMPO = "best_tempo"  # the set's fastest working phase
    BREATH = "breath"  # the person's own breathing


def _frozen(mapping: Mapping[str, float] | None) -> Mapping[str, float]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class RepCounted:
    """A whole rep ended: its number and depth (degrees of the driver from rest)."""

    t_s: float
    rep: int
    depth_deg: float
    kind: str = field(default="rep_counted", init=False)


@dataclass(frozen=True)
class RepJudged:
    """A rep's verdict: the metric that decided it (None when clean), how far (its units, positive = worse), the
    limit, and what it was judged against; every judged metric's deviation, limit and reference too."""

    t_s: float
    rep: int
    t_start_s: float
    t_end_s: float
    verdict: Verdict
    metric: str | None = None
    deviation: float | None = None
    limit: float | None = None
    against: Against | None = None
    deviations: Mapping[str, float] = field(default_factory=lambda: _frozen(None))
    limits: Mapping[str, float] = field(default_factory=lambda: _frozen(None))
    judged_by: Mapping[str, Against] = field(default_factory=lambda: MappingProxyType({}))
    partial: bool = False  # the input ended (or the set stopped) inside this rep: judged as far as it was seen
    readings: Mapping[str, tuple[float, ...]] = field(default_factory=lambda: MappingProxyType({}))  # per band
    kind: str = field(default="rep_judged", init=False)


ABSTAINED = "abstained"  # a Recognised event's source when the recogniser was not sure enough to say
UNLIKE_PREFIX = "unlike_"  # a Recognised event's evidence: the exercise the movement was likeliest yet unlike (how far)


@dataclass(frozen=True)
class Recognised:
    """Which exercise the movement is (None: none of these), how sure, and how it was decided: ``source`` is
    "recognised" (from the movement), "given" (--exercise), "chosen" (E in the window) or :data:`ABSTAINED` (not
    sure enough: formwatch asks, exercise None); ``evidence`` the features that decided, by name."""

    t_s: float
    exercise: str | None
    confidence: float
    source: str = "recognised"
    evidence: Mapping[str, float] = field(default_factory=lambda: _frozen(None))
    kind: str = field(default="recognised", init=False)


@dataclass(frozen=True)
class Note:
    """A technique note: a watched metric past its limit before any fatigue (the way this person moves)."""

    t_s: float
    rep: int
    metric: str
    value: float
    limit: float
    against: Against
    kind: str = field(default="note", init=False)


@dataclass(frozen=True)
class BreathHeld:
    """The breath has been held this long (a cue: in a hold the breath rule may stop the set later)."""

    t_s: float
    held_s: float
    kind: str = field(default="breath_held", init=False)


@dataclass(frozen=True)
class ViewProblem:
    """Something the camera cannot see well enough to judge (``problem``: a code core/wording.py words), with the
    measured ``value`` and what is ``needed``; ``active`` False when it has cleared."""

    t_s: float
    problem: str
    value: float = math.nan
    needed: float = math.nan
    active: bool = True
    kind: str = field(default="view_problem", init=False)


@dataclass(frozen=True)
class Stop:
    """Why and when the set ended: the rule, the metric, how far (its units; % for tempo, seconds or breaths a
    minute for the breath), the limit, the rep (0 in a hold), what it was judged against, and whether that was a
    calibrated neutral. ``predicted``: the trend rule stopped before the next rep would cross the limit.
    ``held_s``: time into a hold."""

    t_s: float
    rep: int
    metric: str
    value: float
    limit: float
    rule: str
    against: Against
    calibrated: bool = True
    predicted: bool = False
    held_s: float | None = None
    kind: str = field(default="stop", init=False)


Event: TypeAlias = RepCounted | RepJudged | Recognised | Note | BreathHeld | ViewProblem | Stop
_KINDS: dict[str, type[Event]] = {"rep_counted": RepCounted, "rep_judged": RepJudged, "recognised": Recognised,
                                  "note": Note, "breath_held": BreathHeld, "view_problem": ViewProblem, "stop": Stop}


def _plain(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def event_to_json(event: Event) -> dict[str, object]:
    """An event as plain JSON values (enums as their values, NaN as null)."""
    return {f.name: _plain(getattr(event, f.name)) for f in fields(event)}


def _field_value(name: str, raw: object) -> object:
    if name in ("verdict",):
        return Verdict(raw)
    if name == "against":
        return Against(raw) if raw is not None else None
    if name == "judged_by":
        return MappingProxyType({k: Against(v) for k, v in dict(raw or {}).items()})  # type: ignore[call-overload]
    if name == "readings":
        return MappingProxyType({k: tuple(math.nan if v is None else float(v) for v in vs)
                                 for k, vs in dict(raw or {}).items()})  # type: ignore[call-overload]
    if name in ("deviations", "limits", "evidence"):
        return _frozen({k: math.nan if v is None else float(v) for k, v in dict(raw or {}).items()})  # type: ignore
    if name in ("value", "needed") and raw is None:
        return math.nan
    return raw


def event_from_json(data: Mapping[str, object]) -> Event:
    """The event :func:`event_to_json` wrote; ValueError for an unknown kind or a missing field."""
    kind = str(data.get("kind", ""))
    cls = _KINDS.get(kind)
    if cls is None:
        raise ValueError(f"unknown event kind {kind!r}")
    names = [f.name for f in fields(cls) if f.init]
    values: dict[str, Any] = {n: _field_value(n, data[n]) for n in names if n in data}  # each checked above
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"a {kind} event is malformed: {exc}") from None


def first_stop(events: tuple[Event, ...] | list[Event]) -> Stop | None:
    """The first stop among ``events``, if any."""
    return next((e for e in events if isinstance(e, Stop)), None)
