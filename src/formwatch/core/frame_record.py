"""One frame's record: complete and frozen — everything the screen, the voice and metrics.csv need of a frame.

The session (core/session.py) makes one per frame from the pipeline's metrics, the breath and the judge's
:class:`~formwatch.core.verdict.Judgement`; the overlay is a pure function of it (``ui/view_model.view``), live and
in replay alike, and core/record.py writes it to metrics.csv and reads it back unchanged. What a record says of the
set so far — the exercise recognised, the line of the moment, the stop — is folded from the events in order by
:class:`EventFold`, the same fold whether the events come from the judge live or from the file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from formwatch.core.breathing import BreathState
from formwatch.core.events import Event, Recognised, RepJudged, Stop, Verdict, ViewProblem
from formwatch.core.view_words import TOLD_ONLY
from formwatch.core.exercises import get_exercise
from formwatch.core.verdict import GaugeReading

__all__ = ["BreathReading", "EventFold", "FrameRecord", "exercise_gauges"]


@dataclass(frozen=True)
class BreathReading:
    """The breath this frame: rate, depth (peak to trough, the chest signal's units), seconds held (0 when
    breathing), strained; ``valid`` False where breathing could not be read."""

    valid: bool = False
    rate_bpm: float = math.nan
    amplitude: float = math.nan
    held_s: float = 0.0
    strained: bool = False

    @property
    def held(self) -> bool:
        return self.valid and self.held_s > 0.0

    @classmethod
    def of(cls, state: BreathState | None) -> "BreathReading":
        if state is None or not state.valid:
            return cls()
        return cls(True, state.rate_bpm, state.amplitude, state.held_s if state.held else 0.0, state.strained)


@dataclass(frozen=True, eq=False)
class FrameRecord:
    """A frame, as it was judged. ``metrics``: the registry's row (read-only, relative to the neutral); ``gauges``:
    the exercise's gauges; ``events``: what happened at this frame; ``recognition``, ``line`` and ``stop``: the set
    so far (the latest recognition, the latest rep verdict or recognition the screen may still be saying, the stop)."""

    t_s: float
    metrics: np.ndarray
    breath: BreathReading = BreathReading()
    exercise: str | None = None
    state: str = ""  # "" when no exercise is judged (metrics only)
    rep: int = 0
    phase: str = ""
    rest_known: bool = False
    gauges: tuple[GaugeReading, ...] = ()
    held_s: float | None = None
    events: tuple[Event, ...] = ()
    recognition: Recognised | None = None
    line: RepJudged | Recognised | None = None
    stop: Stop | None = None
    view_problem: ViewProblem | None = None  # what the camera cannot see well enough to judge, while it lasts

    @property
    def judged(self) -> bool:
        return self.state != ""


def exercise_gauges(exercise: str | None, gauges: tuple[GaugeReading, ...]) -> tuple[GaugeReading, ...]:
    """The gauges of ``exercise`` among ``gauges`` (a recording's columns are every exercise's), in its order."""
    if exercise is None:
        return ()
    try:
        names = get_exercise(exercise).gauge_names
    except ValueError:
        return gauges
    by_name = {g.name: g for g in gauges}
    return tuple(by_name[n] for n in names if n in by_name)


class EventFold:
    """The set so far, from its events in order: the latest recognition, the line of the moment (a recognised
    exercise, or the last rep's verdict when it was a note or a fault — a clean rep clears it), the stop, and the
    view problem in force."""

    def __init__(self) -> None:
        self.recognition: Recognised | None = None
        self.line: RepJudged | Recognised | None = None
        self.stop: Stop | None = None
        self.view_problem: ViewProblem | None = None
        self._problems: dict[str, ViewProblem] = {}  # every problem in force, by code, in the order said

    def add(self, events: tuple[Event, ...]) -> None:
        for event in events:
            if isinstance(event, Recognised):
                changed = self.recognition is None or event.exercise != self.recognition.exercise
                self.recognition = event
                if changed and event.exercise is not None:
                    self.stop = None  # the set judged anew as this exercise (a correction replays it)
                    if event.source == "recognised":
                        self.line = event
            elif isinstance(event, RepJudged):
                if self.stop is None or event.rep != self.stop.rep:
                    self.line = event if event.verdict is not Verdict.CLEAN else None
            elif isinstance(event, Stop) and self.stop is None:
                self.stop = event
            elif isinstance(event, ViewProblem) and event.problem not in TOLD_ONLY:
                self._problems.pop(event.problem, None)
                if event.active:
                    self._problems[event.problem] = event  # the latest said is shown; one cleared shows the next
                self.view_problem = next(reversed(self._problems.values()), None)


def read_only(metrics: np.ndarray) -> np.ndarray:
    """A copy of a metrics row the record can hold without anyone changing it."""
    row = np.array(metrics, dtype=np.float64, copy=True)
    row.setflags(write=False)
    return row
