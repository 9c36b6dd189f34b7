"""What the overlay shows, as plain data (no Qt): one pure function of a frame's record, live and in replay alike.

:func:`view` turns a :class:`~formwatch.core.frame_record.FrameRecord` (and, live, the runner's speed figures)
into an :class:`OverlayState`: message, rep count or hold time, gauges, the line of the moment, the stop. The words
come from core/wording.py and core/cues.py; the state's colour and, for a state a plug-in adds, its message, from
:data:`SCREEN_STATES` — a new screen state is one :func:`register_screen_state`.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field
from typing import Callable, Iterator

from formwatch.core.cues import banner, line_of_moment, pacing
from formwatch.core.exercises import judged_spec
from formwatch.core.frame_record import FrameRecord
from formwatch.core.landmarks import Lm
from formwatch.core.registry import REGISTRY
from formwatch.core.verdict import GaugeReading, State
from formwatch.core.wording import KEYS_STOPPED, is_hold, seconds_text, stop_far_lines, stop_panel

__all__ = ["Gauge", "KEYS_ENDED", "KEYS_ENDED_NO_RESUME", "KEYS_STOPPED", "LiveStatus", "OverlayState",
           "SCREEN_STATES", "ScreenState", "register_screen_state", "registered_screen_state", "view"]

KEYS_ENDED = "R: resume · Q: quit"
KEYS_ENDED_NO_RESUME = "Q: quit"


@dataclass(frozen=True)
class Gauge:
    """One metric against its limit: ``fraction`` = deviation / limit (1.0 at the limit), ``limit`` in units."""

    name: str
    label: str
    unit: str
    digits: int
    fraction: float
    limit: float
    drifting: str = ""  # the orange banner's words for it ("low back rounding")

    @property
    def reading(self) -> str:
        """"1.2 cm of 2.0 cm" (only the harmful direction: a shrug up, not down), or a dash when unknown."""
        if math.isnan(self.fraction) or math.isnan(self.limit):
            return "—"
        amount = max(self.fraction, 0.0) * self.limit
        return f"{amount:.{self.digits}f}{self.unit} of {self.limit:.{self.digits}f}{self.unit}"


def gauges_for(exercise: str | None, readings: tuple[GaugeReading, ...]) -> tuple[Gauge, ...]:
    """Gauges labelled from their specs, turned the way ``exercise`` judges them."""
    out = []
    for reading in readings:
        spec = judged_spec(exercise, reading.name)
        out.append(Gauge(spec.name, spec.label, spec.unit, spec.digits, reading.fraction, reading.limit,
                         spec.drifting))
    return tuple(out)


@dataclass(frozen=True)
class LiveStatus:
    """What only the live runner knows: its speed and the pose model in use."""

    fps: float = 0.0
    latency_ms: float = math.nan
    dropped_fraction: float = 0.0  # share of camera frames the pipeline could not take (said on screen past 10 %)
    model_note: str = ""  # which pose model runs when it is not the default (live moved to lite to keep up)


@dataclass
class OverlayState:
    """Everything the overlay paints; plain values so tests can assert on them."""

    state: str = State.READY
    banner: str = "Get into position, side-on to the camera"
    rep: int = 0
    gauges: tuple[Gauge, ...] = field(default_factory=tuple)
    fps: float = 0.0
    latency_ms: float = math.nan
    fault_metric: str = ""
    summary: str = ""
    far_banner: str = ""  # the message for 2-3 m when the banner is long: what to do, in a few words
    far_summary: str = ""  # the stop for 2-3 m: when, what to do (its first clause), the keys (ui/set_screen.py)
    counter: str = ""  # overrides "Rep N" (a hold shows its seconds)
    dropped_fraction: float = 0.0
    pacing: str = ""  # the line of the moment, else the breathing cue
    pacing_kind: str = ""  # "line", "held", "strained", "rhythm" (a held breath is painted amber)
    model_note: str = ""

    @property
    def fault_segments(self) -> frozenset[tuple[Lm, Lm]]:
        """Skeleton segments to draw in the fault colour (both directions)."""
        if self.fault_metric not in REGISTRY:
            return frozenset()
        segments = REGISTRY[self.fault_metric].segments
        return frozenset(segments) | frozenset((b, a) for a, b in segments)

    def same_screen(self) -> tuple[object, ...]:
        """What a person sees of the set (not the live speed figures), NaN as None so that equal screens compare
        equal: for comparing live with replay."""
        gauges = tuple((g.name, g.label, None if math.isnan(g.fraction) else g.fraction,
                        None if math.isnan(g.limit) else g.limit, g.reading) for g in self.gauges)
        return (self.state, self.banner, self.far_banner, self.rep, gauges, self.fault_metric, self.summary,
                self.far_summary, self.counter, self.pacing, self.pacing_kind)


@dataclass(frozen=True)
class ScreenState:
    """A state's colour (hex) and, for states the core does not word itself, its message."""

    colour: str
    message: Callable[[FrameRecord], str] | None = None


SCREEN_STATES: dict[str, ScreenState] = {
    State.READY: ScreenState("#5a606e"), State.CLEAN: ScreenState("#1e9650"), State.DRIFTING: ScreenState("#e68c14"),
    State.PAUSED: ScreenState("#5a606e"), State.STOPPED: ScreenState("#cd2828"), "calibrating": ScreenState("#286ec8"),
}


def register_screen_state(name: str, state: ScreenState) -> None:
    if name in SCREEN_STATES:
        raise ValueError(f"screen state {name!r} is registered already")
    SCREEN_STATES[name] = state


@contextlib.contextmanager
def registered_screen_state(name: str, state: ScreenState) -> Iterator[ScreenState]:
    """A screen state for a ``with`` block (tests, plug-ins)."""
    register_screen_state(name, state)
    try:
        yield state
    finally:
        del SCREEN_STATES[name]


def view(record: FrameRecord, live: LiveStatus | None = None) -> OverlayState:
    """The overlay of one frame, from its record alone (``live``: the runner's speed figures, when live)."""
    live = live or LiveStatus()
    extra = SCREEN_STATES.get(record.state)
    message, far = (extra.message(record), "") if extra is not None and extra.message is not None \
        else banner(record)
    gauges = gauges_for(record.exercise, record.gauges)
    stop, exercise = record.stop, record.exercise
    fault = ""
    if stop is not None:
        fault = stop.metric
    elif record.state == State.DRIFTING:
        worst = max((g for g in gauges if not math.isnan(g.fraction)), key=lambda g: g.fraction, default=None)
        fault = worst.name if worst is not None else ""
    counter = ""
    if is_hold(exercise):
        counter = f"Hold {seconds_text(record.held_s)}" if record.held_s is not None else "Hold"
    line = line_of_moment(record)
    cue = pacing(record)
    return OverlayState(
        state=State.STOPPED if stop is not None else record.state, banner=message, rep=record.rep, gauges=gauges,
        fps=live.fps, latency_ms=live.latency_ms, fault_metric=fault,
        summary=stop_panel(stop, exercise) if stop is not None else "",
        far_summary=stop_far_lines(stop, exercise) if stop is not None else "", far_banner=far, counter=counter,
        dropped_fraction=live.dropped_fraction, pacing=line or cue.text, pacing_kind="line" if line else cue.kind,
        model_note=live.model_note)


def colour_of(state: str) -> str:
    """The hex colour a state is painted in (unknown states: the ready grey)."""
    return SCREEN_STATES.get(state, SCREEN_STATES[State.READY]).colour
