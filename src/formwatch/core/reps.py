"""Rep segmentation: where reps start, turn and end in the hip angle, and each rep's features.

Hysteresis (separate start and end levels), a minimum rep time, a rest level learned from the first still moment
(set-up movement before it is ignored) and re-learned when the person settles further from the working direction.
Per rep: depth, down and up times, and the peak of each form metric *held* for the debounce time (a one-frame
spike is not a peak). A rep during which tracking was lost is marked, so nobody trusts its features.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ExerciseSpec:
    """How reps of one exercise show in the hip angle: direction of the working movement and hysteresis levels."""

    name: str
    driver_sign: float  # +1: reps are flexion away from rest (hinge, squat); -1: extension (bridge, bird-dog)
    enter_deg: float  # a rep starts when the driver moves this far from rest
    exit_deg: float  # and ends when it comes back within this
    min_rep_s: float = 0.8  # shorter excursions are fidgets, not reps
    exit_fraction: float = 0.0  # a rep also ends once back below this fraction of its peak (alternating limbs)
    has_reps: bool = True
    watched: tuple[str, ...] = ("shoulder_elevation_cm", "lumbar_arch_deg")


EXERCISES: dict[str, ExerciseSpec] = {
    "hinge": ExerciseSpec("hinge", +1.0, 25.0, 12.0),
    "squat": ExerciseSpec("squat", +1.0, 30.0, 15.0),
    "bridge": ExerciseSpec("bridge", -1.0, 15.0, 7.0),
    # Bird-dog alternates legs, so the averaged hip angle rarely returns all the way to rest between reps.
    "bird-dog": ExerciseSpec("bird-dog", -1.0, 15.0, 7.0, exit_fraction=0.6),
    "plank": ExerciseSpec("plank", +1.0, 0.0, 0.0, has_reps=False, watched=("lumbar_arch_deg",)),
}


@dataclass(frozen=True)
class SegmenterConfig:
    """Timing and tolerance of the segmentation (copied from the detector's configuration)."""

    rest_window_s: float = 0.8  # still time needed to learn (or re-learn) the rest level
    rest_still_deg: float = 8.0  # the driver's range within that window to count as still
    turn_deg: float = 2.0  # a rep has turned once the angle is back this far (or 5 % of its depth) from its peak
    hold_s: float = 0.2  # a peak counts when held this long


@dataclass
class RepRecord:
    """Features of one completed rep."""

    rep: int
    start_s: float
    bottom_s: float
    end_s: float
    depth_deg: float
    down_s: float
    up_s: float
    peak_shoulder_elevation_cm: float
    peak_lumbar_arch_deg: float
    fully_tracked: bool = True  # False when tracking was lost during the rep: its features are not trusted


# What a step reports besides the phase.
NOTHING, REST_LEARNED, TURNED, COMPLETED = "", "rest learned", "turned", "completed"


class RepSegmenter:
    """Feeds on the hip angle and the two form metrics, one frame at a time; keeps ``reps``."""

    def __init__(self, spec: ExerciseSpec, config: SegmenterConfig = SegmenterConfig()) -> None:
        self.spec = spec
        self.config = config
        self.reps: list[RepRecord] = []
        self.rest_level: float | None = None
        self.rest_arch: float | None = None  # median lumbar arch while resting, when the rest was learned
        self.phase = "rest"
        self.bottom = -math.inf  # deepest driver value of the rep in progress (degrees from rest)
        self.gap = False  # tracking was lost during the rep in progress
        self._rest_buffer: list[tuple[float, float, float]] = []
        self._rep_start = 0.0
        self._bottom_t = 0.0
        self._peaks = {"shoulder_elevation_cm": -math.inf, "lumbar_arch_deg": -math.inf}
        self._recent: deque[tuple[float, float, float]] = deque()

    @property
    def current_rep(self) -> int:
        """The rep in progress (1-based), or the last completed one while resting."""
        return len(self.reps) + (1 if self.phase != "rest" else 0)

    def lost(self) -> None:
        """Nobody seen this frame."""
        self.gap = self.gap or self.phase != "rest"

    def step(self, t_s: float, hinge: float, shoulder: float, arch: float) -> str:
        """Advance by one frame; returns what happened (``NOTHING``, ``REST_LEARNED``, ``TURNED``, ``COMPLETED``)."""
        event = NOTHING
        if self.rest_level is None or self.phase == "rest":
            event = self._learn_rest(t_s, hinge, arch)
        if self.rest_level is None:
            return event
        driver = self.spec.driver_sign * (hinge - self.rest_level)
        return self._segment(t_s, driver, shoulder, arch) or event

    def _learn_rest(self, t_s: float, hinge: float, arch: float) -> str:
        """Rest level: the first still ``rest_window_s``; later, a still position further from the working direction
        replaces it (a deadlift that starts on the floor rests, for the detector, once the lifter stands up)."""
        if math.isnan(hinge):
            self._rest_buffer.clear()
            return NOTHING
        buffer = self._rest_buffer
        buffer.append((t_s, hinge, arch))
        while len(buffer) > 1 and t_s - buffer[1][0] >= self.config.rest_window_s:
            buffer.pop(0)  # keep just enough samples to span the window, whatever the frame rate
        values = [v for _, v, _ in buffer]
        if t_s - buffer[0][0] < self.config.rest_window_s or max(values) - min(values) > self.config.rest_still_deg:
            return NOTHING
        candidate = float(np.median(values))
        if self.rest_level is not None and \
                self.spec.driver_sign * (candidate - self.rest_level) >= -0.5 * self.spec.exit_deg:
            return NOTHING
        self.rest_level = candidate
        arches = [a for _, _, a in buffer if not math.isnan(a)]
        self.rest_arch = float(np.median(arches)) if arches else None
        return REST_LEARNED

    def _held(self, t_s: float, shoulder: float, arch: float) -> tuple[float, float]:
        """The lowest value of each metric over the last ``hold_s``: what was held, not a one-frame spike."""
        window = self._recent
        window.append((t_s, shoulder, arch))
        while t_s - window[0][0] > self.config.hold_s:
            window.popleft()
        held_shoulder = min((s for _, s, _ in window if not math.isnan(s)), default=math.nan)
        held_arch = min((a for _, _, a in window if not math.isnan(a)), default=math.nan)
        return held_shoulder, held_arch

    def _segment(self, t_s: float, driver: float, shoulder: float, arch: float) -> str:
        spec = self.spec
        shoulder, arch = self._held(t_s, shoulder, arch)
        if not math.isnan(shoulder):
            self._peaks["shoulder_elevation_cm"] = max(self._peaks["shoulder_elevation_cm"], shoulder)
        if not math.isnan(arch):
            self._peaks["lumbar_arch_deg"] = max(self._peaks["lumbar_arch_deg"], arch)
        if math.isnan(driver):
            self.lost()
            return NOTHING
        if self.phase == "rest":
            if driver >= spec.enter_deg:
                self.phase = "down"
                self.gap = False
                self._rep_start = t_s
                self.bottom, self._bottom_t = driver, t_s
                if self.reps:  # the rest after the previous rep belongs to it (lockout arch shows there)
                    self._close_previous_rep()
                self._peaks = {"shoulder_elevation_cm": shoulder if not math.isnan(shoulder) else -math.inf,
                               "lumbar_arch_deg": arch if not math.isnan(arch) else -math.inf}
            return NOTHING
        event = NOTHING
        if driver > self.bottom:
            self.bottom, self._bottom_t = driver, t_s
            self.phase = "down"
        elif self.phase == "down" and driver < self.bottom - max(self.config.turn_deg,
                                                                 0.05 * (self.bottom - spec.exit_deg)):
            self.phase = "up"  # the rep turned: its depth is known now, not at its end
            # ... unless it was a fidget: a real rep takes at least half the minimum rep time to go down.
            event = TURNED if t_s - self._rep_start >= 0.5 * spec.min_rep_s else NOTHING
        if driver <= max(spec.exit_deg, spec.exit_fraction * self.bottom):
            self.phase = "rest"
            if t_s - self._rep_start >= spec.min_rep_s:
                self._complete(t_s)
                return COMPLETED
        return event

    def _complete(self, t_s: float) -> None:
        self.reps.append(RepRecord(
            rep=len(self.reps) + 1, start_s=round(self._rep_start, 3), bottom_s=round(self._bottom_t, 3),
            end_s=round(t_s, 3), depth_deg=round(self.bottom, 2),
            down_s=round(self._bottom_t - self._rep_start, 3), up_s=round(t_s - self._bottom_t, 3),
            peak_shoulder_elevation_cm=round(self._peaks["shoulder_elevation_cm"], 2),
            peak_lumbar_arch_deg=round(self._peaks["lumbar_arch_deg"], 2), fully_tracked=not self.gap))

    def _close_previous_rep(self) -> None:
        last = self.reps[-1]
        last.peak_shoulder_elevation_cm = round(max(last.peak_shoulder_elevation_cm,
                                                    self._peaks["shoulder_elevation_cm"]), 2)
        last.peak_lumbar_arch_deg = round(max(last.peak_lumbar_arch_deg, self._peaks["lumbar_arch_deg"]), 2)
