"""The detector's settings and its word on each frame: what the screen, the recording and the tests read.

Kept apart from the detector's logic (core/detector.py) so that readers of verdicts (replay, the view model, the
evaluation) need not know how they are reached.
"""

from __future__ import annotations

from dataclasses import dataclass

from formwatch.core.reference import ReferenceConfig
from formwatch.core.rules import StopEvent

__all__ = ["DetectorConfig", "Verdict"]


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
class Verdict:
    """The detector's word on one frame. ``deviations``: deviation / limit of each gauge (1.0 = at the limit), in
    the order of :attr:`Detector.gauge_names`; NaN where there is nothing to judge yet."""

    t_s: float
    state: str  # "ready", "clean", "drifting", "paused", "stopped"
    rep: int  # completed reps
    phase: str  # "rest", "down", "up", ""
    deviations: tuple[float, ...]
    stop: StopEvent | None = None
