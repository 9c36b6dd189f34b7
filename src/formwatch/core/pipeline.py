"""The one step function every mode calls: pose sample in, filtered metrics (and, with a detector, a verdict) out.

Live, analyze, replay, calibrate and the tests all drive :class:`Pipeline` with ``step()``; threads only move data
to and from it. Time comes from the data, so a recording replays exactly as it ran live.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from formwatch.core.filters import OneEuroConfig, OneEuroFilter
from formwatch.core.kinematics import (DEFAULT_CONFIG, N_COLS, N_FRAME_VECTORS, KinematicsConfig, compute_metrics,
                                       frame_vectors, frame_visibility, metrics_from_frame_vectors)


@dataclass(frozen=True)
class PipelineConfig:
    """Everything that shapes the metrics; recorded in each recording's meta.json."""

    kinematics: KinematicsConfig = field(default_factory=KinematicsConfig)
    one_euro: OneEuroConfig = field(default_factory=OneEuroConfig)
    smoothing: bool = True


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
        self.neutral = np.zeros(N_COLS) if neutral is None else np.asarray(neutral, dtype=np.float64)
        self._filter = OneEuroFilter((N_FRAME_VECTORS,), config.one_euro)
        self._metrics = np.empty(N_COLS)

    def step(self, t_s: float, image: np.ndarray, world: np.ndarray) -> np.ndarray:
        """Metrics ``(N_COLS,)`` of one pose sample, filtered and relative to neutral (NaN where unmeasurable).

        The landmarks' linear combinations the metrics use (trunk, thigh, face ... vectors) are smoothed, not the
        33 landmarks one by one: the same One Euro filter on 26 numbers instead of 198 (docs/performance.md).
        The returned array is reused by the next call: copy it to keep it.
        """
        vectors = frame_vectors(image, world)
        if self.config.smoothing:
            vectors = self._filter.step(t_s, vectors)
        metrics_from_frame_vectors(vectors, frame_visibility(image), self.frame_size_px, self.config.kinematics,
                                   self._metrics)
        if self._has_neutral:
            self._metrics -= self._neutral
        return self._metrics

    @property
    def neutral(self) -> np.ndarray:
        """The neutral posture subtracted from every metrics row (zeros: raw metrics)."""
        return self._neutral

    @neutral.setter
    def neutral(self, value: np.ndarray) -> None:
        self._neutral = np.asarray(value, dtype=np.float64)
        self._has_neutral = bool(self._neutral.any())


def metrics_batch(
    image: np.ndarray,
    world: np.ndarray,
    frame_size_px: tuple[int, int],
    neutral: np.ndarray | None = None,
    config: KinematicsConfig = DEFAULT_CONFIG,
) -> np.ndarray:
    """Unfiltered metrics of a whole recording ``(T, 33, 4)`` at once, relative to ``neutral``: ``(T, N_COLS)``."""
    metrics = compute_metrics(image, world, frame_size_px, config)
    if neutral is not None:
        metrics -= neutral
    return metrics
