"""The one step function every mode calls: pose sample in, filtered metrics (and, with a detector, a verdict) out.

Live, analyze, replay, calibrate and the tests all drive :class:`Pipeline` with ``step()``; threads only move data
to and from it. Time comes from the data, so a recording replays exactly as it ran live.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from formwatch.core.filters import OneEuroConfig, OneEuroFilter
from formwatch.core.kinematics import DEFAULT_CONFIG, N_COLS, KinematicsConfig, compute_metrics
from formwatch.core.landmarks import N_LANDMARKS


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
        self._filter = OneEuroFilter((2, N_LANDMARKS, 3), config.one_euro)
        self._xyz = np.empty((2, N_LANDMARKS, 3))
        self._pose = np.empty((2, N_LANDMARKS, 4))

    def step(self, t_s: float, image: np.ndarray, world: np.ndarray) -> np.ndarray:
        """Metrics ``(N_COLS,)`` of one pose sample, filtered and relative to neutral (NaN where unmeasurable)."""
        self._xyz[0] = image[:, :3]
        self._xyz[1] = world[:, :3]
        smoothed = self._filter.step(t_s, self._xyz) if self.config.smoothing else self._xyz
        self._pose[:, :, :3] = smoothed
        self._pose[0, :, 3] = image[:, 3]
        self._pose[1, :, 3] = world[:, 3]
        metrics = compute_metrics(self._pose[0], self._pose[1], self.frame_size_px, self.config.kinematics)
        metrics -= self.neutral
        return metrics


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
