"""The detector's settings and its word on each frame: what the record, the screen and the tests read.

Kept apart from the detector's logic (core/detector.py) so that readers of judgements (the session, the record,
the view) need not know how they are reached.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from formwatch.core.events import Event, Stop
from formwatch.core.reference import ReferenceConfig

__all__ = ["DetectorConfig", "GaugeReading", "Judgement", "State"]


class State:
    """A frame's state, as the screen colours it. A plain string, so that a new screen state is one registration
    (ui/view_model.py), not an edit of an enum."""

    READY = "ready"  # not under way yet: getting into position, the rest being learned, the exercise recognised
    CLEAN = "clean"
    DRIFTING = "drifting"  # past 60 % of a limit (clean again below 45 %)
    PAUSED = "paused"  # nobody seen: never a stop
    STOPPED = "stopped"


@dataclass(frozen=True)
class DetectorConfig:
    """Stop-rule settings; units in the names. docs/detector.md explains each and how to tune it."""

    debounce_s: float = 0.2
    depth_loss_fraction: float = 0.15  # depth rule: loss from the first reps' depth
    min_depth_loss_deg: float = 10.0
    noise_k: float = 4.0  # a learned limit is max(noise_k x noise, the metric's minimum limit)
    baseline_reps: int = 2  # the set's first reps, taken as its clean reference
    trend_reps: int = 3  # the drift rule looks at this many last reps
    turn_deg: float = 2.0  # a rep has turned once the angle is back this far (or 5 % of its depth) from its peak
    tempo_loss_fraction: float = 0.20
    tempo_consecutive_reps: int = 2
    rest_window_s: float = 0.4  # still time needed to learn (or re-learn) the rest level
    rest_still_deg: float = 8.0  # the driver's range within that window to count as still
    drift_rule: bool = True
    tempo_rule: bool = True
    hold_baseline_s: float = 1.5  # a hold learns the baselines it has no profile for from its first seconds
    reference: ReferenceConfig = ReferenceConfig()  # the phase-matched reference of rep exercises
    gross_factor: float = 2.5  # past this many limits from neutral a rep is stopped even before the reference
    settle_s: float = 0.5  # after tracking comes back the smoothing restarts: nothing is judged for this long
    phase_debounce_s: float = 0.35  # against your own reps the limit is tighter, so the evidence must last longer
    # (a one-frame 5 cm spike, smoothed, stays above 0.6 cm for 0.2 s at 15 fps)


@dataclass(frozen=True)
class GaugeReading:
    """One gauge this frame: ``fraction`` = deviation / limit (1.0 at the limit, NaN: nothing to judge yet) and
    the limit in force behind it, in the metric's units."""

    name: str
    fraction: float
    limit: float = math.nan


@dataclass(frozen=True)
class Judgement:
    """The judge's word on one frame: the state, completed reps (or the rep the set stopped in), the rep's phase,
    whether the rest is known, every gauge, seconds into a hold, what happened this frame, and the stop (latched)."""

    t_s: float
    state: str
    rep: int
    phase: str  # "rest", "down", "up", ""
    rest_known: bool
    gauges: tuple[GaugeReading, ...]
    held_s: float | None = None
    events: tuple[Event, ...] = ()
    stop: Stop | None = None
