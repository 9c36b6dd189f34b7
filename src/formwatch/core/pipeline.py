"""The one step function every mode calls: pose sample in, filtered metrics (and, with a detector, a verdict) out.

Live, analyze, replay, calibrate and the tests all drive :class:`Pipeline` with ``step()``; threads only move data
to and from it. Time comes from the data, so a recording replays exactly as it ran live. The metrics row is laid
out by the registry (core/registry.py): the kinematics core's columns, then any added metric's, each masked to NaN
outside its plausible range (an impossible reading never reaches the detector) and relative to the neutral.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from formwatch.core.filters import OneEuroConfig, OneEuroFilter, ScalarOneEuro
from formwatch.core.kinematics import (DEFAULT_CONFIG, N_FRAME_VECTORS, Col, KinematicsConfig, View, frame_vectors,
                                       frame_visibility, metrics_from_frame_vectors)
from formwatch.core.registry import REGISTRY


@dataclass(frozen=True)
class PipelineConfig:
    """Everything that shapes the metrics; recorded in each recording's meta.json."""

    kinematics: KinematicsConfig = field(default_factory=KinematicsConfig)
    one_euro: OneEuroConfig = field(default_factory=OneEuroConfig)
    smoothing: bool = True
    facing_flip_s: float = 0.5  # a person's facing holds over a set: a flip needs this long of evidence


class Pipeline:
    """Filters landmarks and computes metrics relative to a neutral posture, one sample at a time."""

    def __init__(
        self,
        frame_size_px: tuple[int, int],
        config: PipelineConfig = PipelineConfig(),
        neutral: np.ndarray | None = None,
    ) -> None:
        self.frame_size_px = frame_size_px
        self.config = config
        self.n_columns = len(REGISTRY)
        self.neutral = np.zeros(self.n_columns) if neutral is None else neutral
        self._filter = OneEuroFilter((N_FRAME_VECTORS,), config.one_euro)
        self._metrics = np.empty(self.n_columns)
        self._computed = REGISTRY.computed
        self._computed_columns = [col for col, _ in self._computed]
        # Metrics computed outside the kinematics core (the silhouette's jitter by about a degree a frame) get the
        # same One Euro smoothing, on Python floats: two scalars do not pay for a dozen array calls.
        self._computed_filter = ScalarOneEuro(len(self._computed))
        self.implausible = 0  # readings masked to NaN because they were outside their metric's plausible range
        self.facing = 0.0  # the facing held over the set (+1 right, -1 left, 0 not yet known)
        self._flip_since: float | None = None
        self.facing_flips = 0  # frames whose facing disagreed with the held one and were read the held way

    def step(self, t_s: float, image: np.ndarray, world: np.ndarray, profile: np.ndarray | None = None
             ) -> np.ndarray:
        """Metrics ``(len(REGISTRY),)`` of one pose sample, filtered and relative to neutral (NaN where
        unmeasurable or implausible).

        The landmarks' linear combinations the metrics use (trunk, thigh, face ... vectors) are smoothed, not the
        33 landmarks one by one: the same One Euro filter on 48 numbers instead of 132 (docs/performance.md).
        The returned array is reused by the next call: copy it to keep it.
        """
        vectors = frame_vectors(image, world)
        metrics = self._metrics
        if self.config.smoothing:
            vectors = self._filter.step(t_s, vectors)
        self.implausible += metrics_from_frame_vectors(vectors, frame_visibility(image), self.frame_size_px,
                                                       self.config.kinematics, metrics)
        self._hold_facing(t_s, metrics)
        if self._computed:
            values = self._compute_added(image, world, profile, metrics[_VIEW] == _FRONT_VIEW)
            if self.config.smoothing:
                values = self._computed_filter.step(t_s, values)
            for col, value in zip(self._computed_columns, values):
                metrics[col] = value
        if self._has_neutral:
            metrics -= self._neutral
        return metrics

    def _hold_facing(self, t_s: float, metrics: np.ndarray) -> None:
        """Keep the person's facing stable: a frame that reads the other way (a head turn, a mislabelled side) is
        read the held way, its facing-signed angles negated, until the other facing has lasted ``facing_flip_s``."""
        facing = metrics[_FACING]
        if not facing == facing or facing == 0.0:  # NaN or unknown: nothing to hold against
            return
        if self.facing == 0.0 or facing == self.facing:
            self.facing, self._flip_since = facing, None
            return
        if self._flip_since is None:
            self._flip_since = t_s
        if t_s - self._flip_since >= self.config.facing_flip_s:  # sustained: the person really turned round
            self.facing, self._flip_since = facing, None
            return
        self.facing_flips += 1
        front_on = metrics[_VIEW] == _FRONT_VIEW
        for col, low, high in _FACING_SIGNED:  # negated, a reading may leave its plausible range: masked again
            if front_on and col == _HINGE:  # front-on the hinge is the world fold: unsigned, nothing to flip
                continue
            value = -metrics[col]
            if value < low or value > high:
                value = math.nan
                self.implausible += 1
            metrics[col] = value

    def _compute_added(self, image: np.ndarray, world: np.ndarray, profile: np.ndarray | None,
                       front_view: bool) -> list[float]:
        """The metrics computed outside the kinematics core (the silhouette's, any added), NaN where implausible
        or where the camera sees the person from the front and the metric needs a side view."""
        values = []
        together: dict[int, float | np.ndarray | tuple[float, ...]] = {}  # computed together: once a frame
        for _, spec in self._computed:
            if front_view and spec.side_view_only:
                values.append(math.nan)
                continue
            assert spec.compute is not None
            key = id(spec.compute)
            if key not in together:
                together[key] = spec.compute(image, world, profile, self.frame_size_px)
            result = together[key]
            value = float(result[spec.output or 0] if isinstance(result, tuple) else result)
            low, high = spec.plausible
            if value < low or value > high:
                value = math.nan
                self.implausible += 1
            values.append(value)
        return values

    @property
    def neutral(self) -> np.ndarray:
        """The neutral posture subtracted from every metrics row (zeros: raw metrics)."""
        return self._neutral

    @neutral.setter
    def neutral(self, value: np.ndarray) -> None:
        self._neutral = fit_row(value, self.n_columns)
        self._has_neutral = bool(self._neutral.any())


_FACING = int(Col.FACING)
_VIEW = int(Col.VIEW)
_FRONT_VIEW = float(View.FRONT)
_HINGE = int(Col.HIP_HINGE_DEG)
_FACING_SIGNED = tuple((int(c), *list(REGISTRY)[int(c)].plausible) for c in
                       (Col.HIP_HINGE_DEG, Col.HIP_EXTENSION_DEG, Col.TRUNK_INCLINE_DEG, Col.FACING))


def fit_row(values: np.ndarray, n_columns: int) -> np.ndarray:
    """A neutral row padded with zeros (or cut) to the registry's current width."""
    values = np.asarray(values, dtype=np.float64)
    out = np.zeros(n_columns)
    n = min(n_columns, values.shape[-1])
    out[:n] = values[:n]
    return out


def metrics_batch(
    image: np.ndarray,
    world: np.ndarray,
    frame_size_px: tuple[int, int],
    neutral: np.ndarray | None = None,
    config: KinematicsConfig = DEFAULT_CONFIG,
    profile: np.ndarray | None = None,
) -> np.ndarray:
    """Unfiltered metrics of a whole recording ``(T, 33, 4)`` (and trunk profiles ``(T, 4, K)``) relative to
    ``neutral``: ``(T, columns)`` — the pipeline's own step frame after frame with no smoothing, so a batch reads
    exactly what the stream reads (the facing held over the set included)."""
    image, world = np.asarray(image), np.asarray(world)
    frames = image.reshape((-1,) + image.shape[-2:])
    worlds = world.reshape((-1,) + world.shape[-2:])
    profiles = None if profile is None else np.asarray(profile).reshape((-1,) + np.shape(profile)[-2:])
    pipeline = Pipeline(frame_size_px, PipelineConfig(kinematics=config, smoothing=False), neutral)
    out = np.empty((len(frames), len(REGISTRY)))
    for i in range(len(frames)):
        out[i] = pipeline.step(i / 30.0, frames[i], worlds[i], profiles[i] if profiles is not None else None)
    return out.reshape(image.shape[:-2] + (len(REGISTRY),))
