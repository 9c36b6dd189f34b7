"""One set's summary, folded from its events: the only shape summary.json, the history, the signature, Progress,
the report and the exports read.

:func:`fold` turns the events a set emitted (core/events.py) and the few facts only the judge and the session know
at the end (limits, baselines, frame counts) into a frozen :class:`SetSummary`. "Clean" means a clean verdict,
everywhere: :attr:`SetSummary.clean_reps` counts them, and every screen, table and report says the same numbers
because they all read this object and word it through core/wording.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Iterable, Mapping, Sequence, TypeVar

from formwatch.core.events import (Event, Note, Recognised, RepCounted, RepJudged, Stop, Verdict, ViewProblem,
                                   event_from_json, event_to_json)

__all__ = ["BreathingSummary", "JudgeFacts", "SetSummary", "fold"]

JSON = dict[str, object]


def _empty() -> Mapping[str, float]:
    return MappingProxyType({})


@dataclass(frozen=True)
class BreathingSummary:
    """What breathing could be read: the share of frames, the median rate, or why not (a code and the seconds a
    rate needs; core/wording.py words it)."""

    readable_fraction: float = 0.0
    rate_bpm: float | None = None
    why_not: str | None = None  # "no_silhouette", "too_short", "front_hidden", "never_still"
    needed_s: float | None = None


@dataclass(frozen=True)
class JudgeFacts:
    """What only the judge knows at the end of a set: the limits it judged by and what it learned."""

    watched: tuple[str, ...] = ()
    limits: Mapping[str, float] = field(default_factory=_empty)
    safety_limits: Mapping[str, float] = field(default_factory=_empty)
    baseline: Mapping[str, float] = field(default_factory=_empty)
    calibrated: tuple[str, ...] = ()
    neutral_source: str = "population"
    reference: Mapping[str, object] | None = None
    reference_reps: int | None = None
    rep_features: tuple[Mapping[str, object], ...] = ()
    held_s: float | None = None
    in_rep: bool = False  # the input ended inside a rep


@dataclass(frozen=True)
class SetSummary:
    """A set, start to end. ``reps``: whole reps counted; ``judged``: every rep's verdict, a partial last one
    included; ``notes``: technique notes the limit rule gave; ``stop``: why the set ended, if formwatch ended it."""

    judged_set: bool = False  # an exercise was judged (or looked for): False for metrics only
    exercise: str | None = None
    recognition: Recognised | None = None
    reps: int = 0
    judged: tuple[RepJudged, ...] = ()
    notes: tuple[Note, ...] = ()
    stop: Stop | None = None
    view_problems: tuple[ViewProblem, ...] = ()
    held_s: float | None = None
    frames: int = 0
    duration_s: float = 0.0
    fps: float | None = None
    detected_fraction: float = 0.0
    implausible_readings: int = 0
    facing_flips_held: int = 0
    measured_fraction: Mapping[str, float] = field(default_factory=_empty)
    unmeasured: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # "no_silhouette", "hidden"
    breathing: BreathingSummary = field(default_factory=BreathingSummary)
    judge: JudgeFacts = field(default_factory=JudgeFacts)
    interrupted: bool = False
    truncated: bool = False
    ended: str | None = None  # why the input ended (live: the camera, the user)
    input_notes: tuple[str, ...] = ()  # about the input itself (a video cut short)
    live: Mapping[str, object] | None = None  # live statistics: frames processed and dropped, latency
    view: Mapping[str, object] | None = None  # the camera's view: {"kind": side/oblique/front, "angle_deg": median}
    asked: Mapping[str, float] | None = None  # a routine step's target: {"reps": 8} or {"hold_s": 30}

    # -------------------------------------------------------------------------------------------- derived
    @property
    def exercise_source(self) -> str | None:
        return self.recognition.source if self.recognition is not None else None

    @property
    def stopped(self) -> bool:
        return self.stop is not None

    @property
    def clean_reps(self) -> int:
        return sum(1 for r in self.judged if r.verdict is Verdict.CLEAN)

    @property
    def noted_reps(self) -> int:
        return sum(1 for r in self.judged if r.verdict is Verdict.NOTE)

    @property
    def faulty_reps(self) -> int:
        return sum(1 for r in self.judged if r.verdict is Verdict.FAULT)

    @property
    def partial_rep(self) -> bool:
        return any(r.partial for r in self.judged)

    @property
    def clean_before_stop(self) -> int:
        """Clean reps before the stop (a stop predicted after a whole rep counts that rep; no stop: all of them)."""
        if self.stop is None:
            return self.clean_reps
        last = self.stop.rep if self.stop.predicted else self.stop.rep - 1
        return sum(1 for r in self.judged if r.verdict is Verdict.CLEAN and r.rep <= last)

    @property
    def technique_notes(self) -> tuple[Note | RepJudged, ...]:
        """The first note or fault of each metric: the technique points of the set, in order."""
        seen: dict[str, Note | RepJudged] = {}
        items: list[Note | RepJudged] = [*self.notes, *(r for r in self.judged if r.verdict is not Verdict.CLEAN)]
        for item in sorted(items, key=lambda e: e.t_s):
            if item.metric is not None and item.metric not in seen and not (
                    isinstance(item, RepJudged) and self.stop is not None and item.rep == self.stop.rep):
                seen[item.metric] = item
        return tuple(seen.values())

    # ----------------------------------------------------------------------------------------------- JSON
    def to_json(self) -> JSON:
        """Plain JSON: events as core/events.py writes them, and the derived counts for readers of the file."""
        out: JSON = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = _to_plain(value)
        out.update(stopped=self.stopped, clean_reps=self.clean_reps, noted_reps=self.noted_reps,
                   faulty_reps=self.faulty_reps, partial_rep=self.partial_rep,
                   exercise_source=self.exercise_source, schema="formwatch.set_summary/2")
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> "SetSummary":
        """The summary :meth:`to_json` wrote (derived counts are recomputed, never read); ValueError when an event
        in it is malformed."""
        breathing, judge = _dict(data.get("breathing")), _dict(data.get("judge"))
        return cls(
            judged_set=bool(data.get("judged_set", "exercise" in data)), exercise=_str_or_none(data.get("exercise")),
            recognition=_one(data, "recognition", Recognised), reps=int(_num(data.get("reps"), 0)),
            judged=_many(data, "judged", RepJudged), notes=_many(data, "notes", Note), stop=_one(data, "stop", Stop),
            view_problems=_many(data, "view_problems", ViewProblem), held_s=_num_or_none(data.get("held_s")),
            frames=int(_num(data.get("frames"), 0)), duration_s=_num(data.get("duration_s"), math.nan),
            fps=_num_or_none(data.get("fps")), detected_fraction=_num(data.get("detected_fraction"), 0.0),
            implausible_readings=int(_num(data.get("implausible_readings"), 0)),
            facing_flips_held=int(_num(data.get("facing_flips_held"), 0)),
            measured_fraction=_floats(data.get("measured_fraction")),
            unmeasured=MappingProxyType({str(k): str(v) for k, v in _dict(data.get("unmeasured")).items()}),
            breathing=BreathingSummary(_num(breathing.get("readable_fraction"), 0.0),
                                       _num_or_none(breathing.get("rate_bpm")), _str_or_none(breathing.get("why_not")),
                                       _num_or_none(breathing.get("needed_s"))),
            judge=_judge_from(judge), interrupted=bool(data.get("interrupted")), truncated=bool(data.get("truncated")),
            ended=_str_or_none(data.get("ended")),
            input_notes=tuple(str(n) for n in _list(data.get("input_notes"))),
            live=MappingProxyType(_dict(data.get("live"))) if data.get("live") is not None else None,
            view=MappingProxyType(_dict(data.get("view"))) if data.get("view") is not None else None,
            asked=_floats(data.get("asked")) if data.get("asked") else None)

    def with_(self, **changes: object) -> "SetSummary":
        """A copy with fields changed (the shells add what only they know: interrupted, ended, live)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def _to_plain(value: object) -> object:
    if isinstance(value, (RepJudged, Recognised, Note, Stop, ViewProblem, RepCounted)):
        return event_to_json(value)
    if isinstance(value, (BreathingSummary, JudgeFacts)):
        return {f.name: _to_plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple):
        return [_to_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _to_plain(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _judge_from(data: Mapping[str, object]) -> JudgeFacts:
    reference = data.get("reference")
    return JudgeFacts(
        watched=tuple(str(n) for n in _list(data.get("watched"))), limits=_floats(data.get("limits")),
        safety_limits=_floats(data.get("safety_limits")), baseline=_floats(data.get("baseline")),
        calibrated=tuple(str(n) for n in _list(data.get("calibrated"))),
        neutral_source=str(data.get("neutral_source") or "population"),
        reference=MappingProxyType(_dict(reference)) if isinstance(reference, Mapping) else None,
        reference_reps=int(_num(data.get("reference_reps"), 0)) if data.get("reference_reps") is not None else None,
        rep_features=tuple(MappingProxyType(_dict(r)) for r in _list(data.get("rep_features"))
                           if isinstance(r, Mapping)),
        held_s=_num_or_none(data.get("held_s")), in_rep=bool(data.get("in_rep")))


E = TypeVar("E", RepJudged, Recognised, Note, Stop, ViewProblem)


def _one(data: Mapping[str, object], key: str, kind: type[E]) -> E | None:
    raw = data.get(key)
    if not isinstance(raw, Mapping):
        return None
    event = event_from_json(raw)
    if not isinstance(event, kind):
        raise ValueError(f"{key} is a {event.kind} event, not a {kind.__name__}")
    return event


def _many(data: Mapping[str, object], key: str, kind: type[E]) -> tuple[E, ...]:
    out = []
    for raw in _list(data.get(key)):
        event = event_from_json(raw) if isinstance(raw, Mapping) else None
        if not isinstance(event, kind):
            raise ValueError(f"{key} holds something that is not a {kind.__name__}")
        out.append(event)
    return tuple(out)


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, (list, tuple)) else []


def _dict(value: object) -> dict[str, object]:
    return {str(k): v for k, v in value.items()} if isinstance(value, Mapping) else {}


def _num(value: object, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return float(value)


def _num_or_none(value: object) -> float | None:
    return None if value is None or isinstance(value, bool) or not isinstance(value, (int, float)) else float(value)


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _floats(value: object) -> Mapping[str, float]:
    return MappingProxyType({k: _num(v, math.nan) for k, v in _dict(value).items()})


def fold(events: Iterable[Event], judge: JudgeFacts = JudgeFacts(), exercise: str | None = None,
         **session: object) -> SetSummary:
    """The set's summary from its events in order: a recognition that (re)starts the judging begins the set's
    reps afresh (the person corrected the exercise: the set so far was replayed as the new one). ``session``: the
    session's own facts (frames, duration_s, fps, breathing ...), as :class:`SetSummary` fields."""
    recognition: Recognised | None = None
    reps = 0
    judged: list[RepJudged] = []
    notes: list[Note] = []
    problems: list[ViewProblem] = []
    stop: Stop | None = None
    for event in events:
        if isinstance(event, Recognised):
            if recognition is None or event.exercise != recognition.exercise or event.source != recognition.source:
                if event.exercise is not None:
                    reps, judged, notes, stop = 0, [], [], None
            recognition = event
        elif isinstance(event, RepCounted):
            reps += 1
        elif isinstance(event, RepJudged):
            judged = [j for j in judged if j.rep != event.rep] + [event]  # a rep judged again: the last word stands
        elif isinstance(event, Note):
            notes.append(event)
        elif isinstance(event, ViewProblem):
            problems.append(event)
        elif isinstance(event, Stop) and stop is None:
            stop = event
    return SetSummary(judged_set=True, exercise=exercise, recognition=recognition, reps=reps,
                      judged=tuple(sorted(judged, key=lambda j: j.rep)), notes=tuple(notes), stop=stop,
                      view_problems=tuple(problems), held_s=judge.held_s, judge=judge, **session)  # type: ignore[arg-type]


def counts(summaries: Sequence[SetSummary]) -> tuple[int, int, int, int]:
    """(judged, clean, noted, faulty) reps over several sets."""
    judged = sum(len(s.judged) for s in summaries)
    return judged, sum(s.clean_reps for s in summaries), sum(s.noted_reps for s in summaries), \
        sum(s.faulty_reps for s in summaries)
