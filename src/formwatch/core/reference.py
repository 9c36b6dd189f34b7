"""How this person moves in their own first clean reps, as a function of where they are in the rep.

A metric read from landmarks or the silhouette moves with the exercise itself (arms held forward at the bottom of a
squat lift the shoulder reading; a hinge flattens the back's outline). Precision fatigue is a change against the
person's own earlier reps *at the same point of the movement*. The phase of a rep is where the driver angle is
between rest (0) and the reference depth (1), on the way down (bins ``0 .. B/2-1``) or up (``B/2 .. B-1``). From
the first ``reps`` fully tracked reps, each watched metric gets a mean and a spread (standard deviation of its
samples) per phase bin; later reps are judged by their deviation from that mean, in the metric's units, against a
limit that is a multiple of the spread but never below the metric's smallest meaningful change.
"""

from __future__ import annotations

import math
from typing import Any
from dataclasses import dataclass

import numpy as np

from formwatch.core.registry import MetricSpec


@dataclass(frozen=True)
class ReferenceConfig:
    """Settings of the phase-matched reference; units in the names."""

    reps: int = 3  # fully tracked reps the reference is built from
    bins: int = 10  # phase bins over a whole rep (half down, half up)
    spread_k: float = 4.0  # a deviation counts past this many spreads (and past the metric's phase_min_change)
    min_samples: int = 3  # samples a bin needs to have a mean and a spread


def phase_position(driver_deg: float, depth_deg: float, going_up: bool, bins: int) -> float:
    """Where in the rep a frame is, on a circle of ``bins`` units: 0 at rest, ``bins/2`` at the reference depth, the
    way down before it and the way up after it (so the top of the way up meets the top of the way down)."""
    if not (math.isfinite(driver_deg) and math.isfinite(depth_deg)):
        return math.nan  # no driver (or no depth): nowhere in the rep, never an index
    half = bins / 2
    fraction = min(max(driver_deg / depth_deg if depth_deg > 0 else 0.0, 0.0), 0.999)
    return (bins - fraction * half) % bins if going_up else fraction * half


def phase_bin(driver_deg: float, depth_deg: float, going_up: bool, bins: int) -> int:
    """The phase bin of a frame (0 .. bins-1; 0 where it has no position)."""
    position = phase_position(driver_deg, depth_deg, going_up, bins)
    return int(position) % bins if position == position else 0


def _on_curve(curve: np.ndarray, position: np.ndarray | float) -> np.ndarray:
    """A per-bin curve ``(bins, M)`` read at phase positions, linearly between bin centres, round the circle."""
    bins = curve.shape[0]
    x = np.asarray(position, dtype=np.float64) - 0.5
    left = np.floor(x).astype(int) % bins
    right = (left + 1) % bins
    w = (x - np.floor(x))[..., None]
    return np.asarray(curve[left] * (1 - w) + curve[right] * w)


class PhaseReference:
    """Collects the first clean reps' samples, then answers 'how far is this from how you moved then?'.

    The reference mean is a curve over the rep's phase (bin means, read linearly between bin centres), so a metric
    that moves with the rep itself (the hip angle, a shoulder reading that rises at the bottom) is followed, not
    averaged across a bin; the spread is that of the reference reps' samples around the curve.
    """

    def __init__(self, metrics: tuple[MetricSpec, ...], config: ReferenceConfig = ReferenceConfig()) -> None:
        self.metrics = metrics
        self.config = config
        self.reps_used = 0
        self.depth_deg = math.nan  # the reference reps' mean depth: the phase scale of later reps
        self.mean = np.full((config.bins, len(metrics)), np.nan)
        self.spread = np.full((config.bins, len(metrics)), np.nan)
        self._samples: list[tuple[float, bool, list[float]]] = []  # this rep's (driver, going up, values)
        self._kept: list[tuple[np.ndarray, np.ndarray]] = []  # per reference rep: positions (N,), values (N, M)
        self._depths: list[float] = []

    @property
    def ready(self) -> bool:
        return self.reps_used >= self.config.reps

    def add_sample(self, driver_deg: float, going_up: bool, values: list[float]) -> None:
        """One frame of the rep in progress, or of the rest before it (kept only while the reference is built)."""
        if not self.ready:
            self._samples.append((driver_deg, going_up, list(values)))

    def rep_done(self, depth_deg: float, trusted: bool) -> None:
        """The rep in progress ended: a trusted (fully tracked) one joins the reference until it is built."""
        samples, self._samples = self._samples, []
        if self.ready or not trusted or not samples or depth_deg <= 0:
            return
        positions = np.array([phase_position(d, depth_deg, up, self.config.bins) for d, up, _ in samples])
        placed = ~np.isnan(positions)  # a frame with no driver has no phase: it teaches nothing
        if not placed.any():
            return
        values = np.array([v for _, _, v in samples], dtype=np.float64)[placed]
        self._kept.append((positions[placed], values))
        self._depths.append(depth_deg)
        self.reps_used += 1
        if self.ready:
            self._build()

    def _pooled(self, bins: np.ndarray, values: np.ndarray, b: int) -> np.ndarray:
        """Samples of bin ``b`` and its neighbours (round the circle): a bin's figure does not hang on a handful of
        frames at 15 fps."""
        n = self.config.bins
        return np.asarray(values[(bins == b) | (bins == (b - 1) % n) | (bins == (b + 1) % n)])

    def _build(self) -> None:
        positions = np.concatenate([p for p, _ in self._kept])
        values = np.concatenate([v for _, v in self._kept])
        bins = positions.astype(int) % self.config.bins
        self.depth_deg = float(np.mean(self._depths))
        for b in range(self.config.bins):
            rows = values[bins == b]
            for m in range(len(self.metrics)):
                column = rows[:, m][~np.isnan(rows[:, m])] if len(rows) else np.empty(0)
                if len(column) >= self.config.min_samples:
                    self.mean[b, m] = float(np.mean(column))
        self._fill_gaps()
        residuals = values - _on_curve(self.mean, positions)
        for b in range(self.config.bins):
            rows = self._pooled(bins, residuals, b)
            for m in range(len(self.metrics)):
                column = rows[:, m][~np.isnan(rows[:, m])]
                if len(column) >= self.config.min_samples:
                    self.spread[b, m] = float(np.sqrt(np.mean(column ** 2)))
        self._kept.clear()

    def _fill_gaps(self) -> None:
        """A bin no reference frame fell in (a fast turn at 15 fps) takes its neighbours' mean."""
        n = self.config.bins
        for m in range(len(self.metrics)):
            column = self.mean[:, m]
            known = np.flatnonzero(~np.isnan(column))
            if 0 < len(known) < n:
                centres = np.arange(n, dtype=np.float64)
                column[np.isnan(column)] = np.interp(centres[np.isnan(column)], known.astype(np.float64),
                                                     column[known], period=n)

    def position_of(self, driver_deg: float, going_up: bool) -> float:
        return phase_position(driver_deg, self.depth_deg, going_up, self.config.bins)

    def deviation(self, position: float, m: int, value: float) -> float:
        """How much worse than the reference at this phase (the metric's units; positive = worse), NaN if unknown."""
        if math.isnan(value) or position != position:
            return math.nan
        mean = float(_on_curve(self.mean[:, m:m + 1], position)[0])
        return math.nan if math.isnan(mean) else self.metrics[m].worsening(value - mean)

    def limit(self, position: float, m: int) -> float:
        """The deviation past which this phase counts as degraded: k spreads, at least the smallest change that
        matters for the metric."""
        floor = self.metrics[m].phase_min_change or 0.0
        if position != position:
            return math.nan
        spread = self.spread[int(position) % self.config.bins, m]
        return max(self.config.spread_k * spread, floor) if not math.isnan(spread) else math.nan

    def typical_limit(self, m: int) -> float | None:
        """Metric ``m``'s limit over the whole rep: the median over the phase bins (None where none is known)."""
        limits = [self.limit(b + 0.5, m) for b in range(self.config.bins)]
        finite = [v for v in limits if not math.isnan(v)]
        return float(np.median(finite)) if finite else None

    @classmethod
    def from_json(cls, metrics: tuple[MetricSpec, ...], data: Any, config: ReferenceConfig = ReferenceConfig()
                  ) -> "PhaseReference | None":
        """A built reference from :meth:`to_json`'s output (an earlier set's, kept in the history); None when it
        does not fit these metrics or this bin count."""
        try:
            if int(data["bins"]) != config.bins:
                return None
            ref = cls(metrics, config)
            for i, metric in enumerate(metrics):
                for key, target in (("mean", ref.mean), ("spread", ref.spread)):
                    column = data[key].get(metric.name)
                    if column is not None:
                        target[:, i] = [math.nan if v is None else float(v) for v in column]
            ref.depth_deg = float(data["depth_deg"])
        except (KeyError, TypeError, ValueError):
            return None
        if not math.isfinite(ref.depth_deg) or ref.depth_deg <= 0 or np.all(np.isnan(ref.mean)):
            return None
        ref.reps_used = config.reps
        return ref

    def to_json(self) -> dict[str, object] | None:
        """The built reference as plain lists (bins x metric), for the set's summary and the history; None before."""
        if not self.ready:
            return None

        def rounded(column: np.ndarray) -> list[float | None]:
            return [None if math.isnan(v) else round(float(v), 4) for v in column]

        names = [m.name for m in self.metrics]
        return {"bins": self.config.bins, "depth_deg": round(self.depth_deg, 2), "reps": self.reps_used,
                "mean": {n: rounded(self.mean[:, i]) for i, n in enumerate(names)},
                "spread": {n: rounded(self.spread[:, i]) for i, n in enumerate(names)}}
