"""Readings must earn a verdict: a watched metric's reading is judged only where the camera can see it.

Per frame, before the detector judges anything: a side-view metric (the back's curve, the ribs, hip extension) is
not judged while the camera sees the body from more than the fitted angle off its side (the median over the last
second, so one odd frame neither opens nor closes it); a reading that jumps faster than a body can move (the fitted
rate) is no reading, for a moment after too. What is not judged is NaN to the detector — it gives no verdict, no
note and no stop — and a view problem that lasts is said once (a :class:`~formwatch.core.events.ViewProblem`), and
that it cleared.
"""

from __future__ import annotations

import math
from collections import deque
import numpy as np

from formwatch.core.events import ViewProblem
from formwatch.core.judge_params import JudgeParams
from formwatch.core.registry import VIEW_ANGLE, REGISTRY, MetricSpec
from formwatch.core.view_latch import ViewLatch

__all__ = ["ReadingGate", "SIDE_VIEW", "view_kind"]

SIDE_VIEW = "side_view"  # the problem's code: the camera sees the body from the front or obliquely
VIEW_WINDOW_S = 1.0  # the camera's angle is the median over this long
JUMP_HOLD_S = 0.3  # after a jump, the reading is not trusted for this long


FRONT_FROM_DEG = 67.5  # past this (midway from oblique 45 deg to front-on 90) the camera is called front-on


def view_kind(angle_deg: float, side_view_max_deg: float) -> str:
    """The camera's view of the body in words: "side" (side-view metrics judged), "oblique" or "front";
    "unknown" with no angle."""
    if angle_deg != angle_deg:
        return "unknown"
    if angle_deg <= side_view_max_deg:
        return "side"
    return "front" if angle_deg >= FRONT_FROM_DEG else "oblique"


class ReadingGate:
    """Which of the watched metrics' readings may be judged this frame; the view problems that come and go."""

    def __init__(self, watched: tuple[MetricSpec, ...], params: JudgeParams) -> None:
        self.watched = watched
        self.params = params
        self._view_col = REGISTRY.index(VIEW_ANGLE)
        self.reset()

    def reset(self) -> None:
        """A new set: nothing seen yet."""
        self._angles: deque[tuple[float, float]] = deque()
        self._last: list[tuple[float, float]] = [(math.nan, math.nan)] * len(self.watched)  # (t, value) last seen
        self._jump_until = [-math.inf] * len(self.watched)
        self.side_ok = True
        self._latch = ViewLatch(SIDE_VIEW)
        self.angle_deg = math.nan

    def step(self, t_s: float, metrics: np.ndarray, values: list[float]) -> tuple[list[float],
                                                                                     ViewProblem | None]:
        """``values`` with what may not be judged set to NaN, and a view problem said (or cleared) this frame."""
        self._update_view(t_s, metrics)
        out = list(values)
        limit = self.params.max_rate_deg_s
        for i, (metric, value) in enumerate(zip(self.watched, values)):
            if metric.side_view_only and not self.side_ok:
                out[i] = math.nan
                continue
            if value != value:
                continue
            last_t, last_v = self._last[i]
            if last_v == last_v and t_s > last_t and abs(value - last_v) / (t_s - last_t) > limit:
                self._jump_until[i] = t_s + JUMP_HOLD_S
            self._last[i] = (t_s, value)
            if t_s < self._jump_until[i]:
                out[i] = math.nan
        return out, self._problem(t_s)

    def _update_view(self, t_s: float, metrics: np.ndarray) -> None:
        angle = float(metrics[self._view_col])
        window = self._angles
        if angle == angle:
            window.append((t_s, angle))
        while window and t_s - window[0][0] > VIEW_WINDOW_S:
            window.popleft()
        if window:
            ordered = sorted(a for _, a in window)
            self.angle_deg = ordered[len(ordered) // 2]
            self.side_ok = self.angle_deg <= self.params.side_view_max_deg

    def _problem(self, t_s: float) -> ViewProblem | None:
        """Say a side-view problem once it has lasted, and its clearing once that has."""
        return self._latch.step(t_s, not self.side_ok, round(self.angle_deg, 1), self.params.side_view_max_deg)
