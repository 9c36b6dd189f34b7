"""Rep segmentation: where reps start, turn and end in the hip angle, and each rep's features.

Hysteresis (separate start and end levels), a minimum rep time, a rest level learned from the first still moment
(set-up movement before it is ignored) and re-learned when the person settles further from the working direction.
Per rep: depth, down and up times, and the peak of each form metric *held* for the debounce time (a one-frame
spike is not a peak). A rep during which tracking was lost is marked, so nobody trusts its features.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from formwatch.core.exercises import ExerciseSpec
from formwatch.core.registry import MetricSpec, Worse


@dataclass(frozen=True)
class SegmenterConfig:
    """Timing and tolerance of the segmentation (copied from the detector's configuration)."""

    rest_window_s: float = 0.8  # still time needed to learn (or re-learn) the rest level
    rest_still_deg: float = 8.0  # the driver's range within that window to count as still
    turn_deg: float = 2.0  # a rep has turned once the angle is back this far (or 5 % of its depth) from its peak
    hold_s: float = 0.2  # a peak counts when held this long
    settle_s: float = 0.15  # with no still rest yet: the movement settling this long at its own rest-most extreme
    settle_deg: float = 3.0  # ... within this


@dataclass
class RepRecord:
    """Features of one completed rep. ``peaks``: each watched metric's worst value held for the debounce time,
    in the metric's own units (worst = highest, lowest, or furthest from zero, as its spec says)."""

    rep: int
    start_s: float
    bottom_s: float
    end_s: float
    depth_deg: float
    down_s: float
    up_s: float
    peaks: dict[str, float]
    fully_tracked: bool = True  # False when tracking was lost during the rep: its features are not trusted
    # Each watched metric's mean deviation from the person's own first reps at the same phase, over the rep (once
    # that reference exists; the detector fills it in): what the drift rule extrapolates.
    excess: dict[str, float] = field(default_factory=dict)


MAX_BEFORE_REST = 4000  # frames kept until the rest is first known (over a minute at 60 fps)

# What a step reports besides the phase.
NOTHING, REST_LEARNED, TURNED, COMPLETED = "", "rest learned", "turned", "completed"


def _unworsen(spec: MetricSpec, worsening: float) -> float:
    """A value in 'positive is worse' orientation back in the metric's own units."""
    return -worsening if spec.worse is Worse.LOWER else worsening


class RepSegmenter:
    """Feeds on the driver angle and the watched metrics' values, one frame at a time; keeps ``reps``."""

    def __init__(self, spec: ExerciseSpec, config: SegmenterConfig = SegmenterConfig()) -> None:
        self.spec = spec
        self.config = config
        self.metrics: tuple[MetricSpec, ...] = spec.watched_specs()  # judged as the exercise judges them
        self.reps: list[RepRecord] = []
        self.rest_level: float | None = None
        self.rest_values: dict[str, float] = {}  # median of each watched metric while resting, when rest was learned
        self.phase = "rest"
        self.bottom = -math.inf  # deepest driver value of the rep in progress (degrees from rest)
        self.driver_deg = math.nan  # this frame's driver, degrees from rest in the working direction
        self._before_rest: list[tuple[float, float]] = []  # (t_s, raw driver) until the rest is first known
        self.gap = False  # tracking was lost during the rep in progress
        self._trough = 0.0  # the lowest driver (degrees from rest) since the last rep ended
        self._rest_buffer: list[tuple[float, float, tuple[float, ...]]] = []
        self._rep_start = 0.0
        self._bottom_t = 0.0
        self._peaks = [-math.inf] * len(self.metrics)  # 'positive is worse' orientation
        self._recent: deque[tuple[float, list[float]]] = deque()

    @property
    def current_rep(self) -> int:
        """The rep in progress (1-based), or the last completed one while resting."""
        return len(self.reps) + (1 if self.phase != "rest" else 0)

    @property
    def rep_start_s(self) -> float:
        """When the rep in progress started."""
        return self._rep_start

    def lost(self) -> None:
        """Nobody seen this frame."""
        self.gap = self.gap or self.phase != "rest"

    def step(self, t_s: float, driver_value: float, watched: tuple[float, ...] | list[float]) -> str:
        """Advance by one frame; ``watched`` holds the exercise's watched metrics in order. Returns what happened
        (``NOTHING``, ``REST_LEARNED``, ``TURNED``, ``COMPLETED``)."""
        event = NOTHING
        if self.rest_level is None and not math.isnan(driver_value) and len(self._before_rest) < MAX_BEFORE_REST:
            self._before_rest.append((t_s, driver_value))
        if self.rest_level is None or self.phase == "rest":
            event = self._learn_rest(t_s, driver_value, tuple(watched))
            if event == REST_LEARNED:
                self._count_what_came_before_rest(t_s)
        if self.rest_level is None:
            return event
        driver = self.driver_deg = self.spec.driver_sign * (driver_value - self.rest_level)
        return self._segment(t_s, driver, watched) or event

    def _learn_rest(self, t_s: float, driver_value: float, watched: tuple[float, ...]) -> str:
        """Rest level: the first still ``rest_window_s``; later, a still position further from the working direction
        replaces it (a deadlift that starts on the floor rests, for the detector, once the lifter stands up)."""
        if math.isnan(driver_value):
            self._rest_buffer.clear()
            return NOTHING
        buffer = self._rest_buffer
        buffer.append((t_s, driver_value, watched))
        while len(buffer) > 1 and t_s - buffer[1][0] >= self.config.rest_window_s:
            buffer.pop(0)  # keep just enough samples to span the window, whatever the frame rate
        values = [v for _, v, _ in buffer]
        if t_s - buffer[0][0] < self.config.rest_window_s or max(values) - min(values) > self.config.rest_still_deg:
            if self.rest_level is not None or not self._settled_at_extreme(t_s):
                return NOTHING
            values = [v for t, v, _ in buffer if t_s - t <= self.config.settle_s]
            buffer = [b for b in buffer if t_s - b[0] <= self.config.settle_s]
        candidate = float(np.median(values))
        if self.spec.rest_max_deg is not None and abs(candidate) > self.spec.rest_max_deg:
            return NOTHING  # still while bent over (setting up at the bar, a slow lowering): not the rest
        if self.rest_level is not None and \
                self.spec.driver_sign * (candidate - self.rest_level) >= -0.5 * self.spec.exit_deg:
            return NOTHING
        self.rest_level = candidate
        self.rest_values = {}
        for i, metric in enumerate(self.metrics):
            seen = [w[i] for _, _, w in buffer if not math.isnan(w[i])]
            if seen:
                self.rest_values[metric.name] = float(np.median(seen))
        return REST_LEARNED

    def _settled_at_extreme(self, t_s: float) -> bool:
        """No still rest yet, but the movement has travelled a whole rep's range and now settles, briefly, at its
        own rest-most extreme: a clip that starts mid-movement, or stands for under the rest window between its
        reps (the rest is then learned from the movement itself)."""
        seen = self._before_rest
        if len(seen) < 3:
            return False
        sign = self.spec.driver_sign
        working = np.array([sign * v for _, v in seen])
        recent = np.array([sign * v for t, v in seen if t_s - t <= self.config.settle_s])
        if recent.size < 2 or t_s - seen[0][0] < self.config.settle_s:
            return False
        rest_most = float(working.min())
        travelled = float(working.max()) - rest_most
        return (travelled >= self.spec.enter_deg + self.spec.exit_deg
                and float(recent.max()) - float(recent.min()) <= self.config.settle_deg
                and float(recent.mean()) - rest_most <= 0.5 * self.spec.exit_deg)

    def _count_what_came_before_rest(self, t_s: float) -> None:
        """When the rest is first known, a rep already seen before it counts: the first pull of a deadlift from
        the floor (its way down never seen) or a first rep done before the person ever stood still. An excursion
        shorter than a rep (stepping into place, picking up the weight) does not."""
        history, self._before_rest = self._before_rest, []
        if self.reps or self.rest_level is None or not history:
            return
        times = np.array([t for t, _ in history])
        driver = self.spec.driver_sign * (np.array([v for _, v in history]) - self.rest_level)
        beyond = driver >= self.spec.enter_deg
        if not beyond.any():
            return
        # The last excursion beyond the start level, up to the moment the rest was learned.
        last = int(np.flatnonzero(beyond)[-1])
        first = last
        while first > 0 and beyond[first - 1]:
            first -= 1
        start_t = float(times[first]) if first > 0 else float(times[0])
        if t_s - start_t < self.spec.min_rep_s or float(times[last]) - float(times[first]) < 0.5 * self.spec.min_rep_s:
            return
        bottom = first + int(np.argmax(driver[first:last + 1]))
        nan_peaks = {m.name: math.nan for m in self.metrics}
        self.reps.append(RepRecord(rep=1, start_s=round(start_t, 3), bottom_s=round(float(times[bottom]), 3),
                                   end_s=round(t_s, 3), depth_deg=round(float(driver[bottom]), 2),
                                   down_s=round(float(times[bottom]) - start_t, 3),
                                   up_s=round(t_s - float(times[bottom]), 3), peaks=nan_peaks, fully_tracked=True))

    def _held(self, t_s: float, watched: tuple[float, ...] | list[float]) -> list[float]:
        """Each metric's least-bad value over the last ``hold_s`` ('positive is worse'): what was held, not a
        one-frame spike."""
        window = self._recent
        window.append((t_s, [m.worsening(v) for m, v in zip(self.metrics, watched)]))
        while t_s - window[0][0] > self.config.hold_s:
            window.popleft()
        return [min((w[i] for _, w in window if not math.isnan(w[i])), default=math.nan)
                for i in range(len(self.metrics))]

    def _segment(self, t_s: float, driver: float, watched: tuple[float, ...] | list[float]) -> str:
        spec = self.spec
        held = self._held(t_s, watched)
        for i, value in enumerate(held):
            if not math.isnan(value) and value > self._peaks[i]:
                self._peaks[i] = value
        if math.isnan(driver):
            self.lost()
            return NOTHING
        if self.phase == "rest":
            self._trough = min(self._trough, driver)
            # A rep starts past the entry depth, having risen from the trough since the last rep by the band between
            # entry and exit: a rep ended early (alternating limbs: at a fraction of its peak) and hovering about the
            # entry depth on its way back to rest is not the next rep.
            if driver >= spec.enter_deg and driver - self._trough >= spec.enter_deg - spec.exit_deg:
                self.phase = "down"
                self.gap = False
                self._rep_start = t_s
                self.bottom, self._bottom_t = driver, t_s
                if self.reps:  # the rest after the previous rep belongs to it (lockout arch shows there)
                    self._close_previous_rep()
                self._peaks = [v if not math.isnan(v) else -math.inf for v in held]
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
                self._trough = driver  # the next rep rises from the lowest after this one (a fidget: from before it)
                self._complete(t_s)
                return COMPLETED
        return event

    def _complete(self, t_s: float) -> None:
        self.reps.append(RepRecord(
            rep=len(self.reps) + 1, start_s=round(self._rep_start, 3), bottom_s=round(self._bottom_t, 3),
            end_s=round(t_s, 3), depth_deg=round(self.bottom, 2),
            down_s=round(self._bottom_t - self._rep_start, 3), up_s=round(t_s - self._bottom_t, 3),
            peaks={m.name: round(_unworsen(m, p), 2) for m, p in zip(self.metrics, self._peaks)},
            fully_tracked=not self.gap))

    def _close_previous_rep(self) -> None:
        last = self.reps[-1]
        for metric, peak in zip(self.metrics, self._peaks):
            previous = metric.worsening(last.peaks[metric.name])
            last.peaks[metric.name] = round(_unworsen(metric, max(previous, peak)), 2)
