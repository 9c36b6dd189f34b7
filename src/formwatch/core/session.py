"""A set in progress: the pipeline plus (when an exercise is given) the precision-fatigue detector, per frame.

Every mode (live, analyze, replay, calibrate, tests) feeds pose samples to :meth:`SetSession.step`; this is the
single place where a frame becomes a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from formwatch.core.kinematics import Col
from formwatch.core.pipeline import Pipeline, PipelineConfig
from formwatch.core.registry import REGISTRY


@dataclass(frozen=True)
class FrameResult:
    """What one frame produced: its time, metrics ``(len(REGISTRY),)`` (a copy) and the detector's verdict, if any."""

    t_s: float
    metrics: np.ndarray
    verdict: Any = None  # formwatch.core.detector.Verdict when an exercise is monitored


class SetSession:
    """Pipeline (+ detector) over one set; collects what the summary needs."""

    def __init__(self, frame_size_px: tuple[int, int], config: PipelineConfig = PipelineConfig(),
                 neutral: np.ndarray | None = None, detector: Any = None) -> None:
        self.pipeline = Pipeline(frame_size_px, config, neutral)
        self.detector = detector
        self.frames = 0
        self.detected_frames = 0
        self.first_t_s: float | None = None
        self.last_t_s: float | None = None
        self._form_columns = [REGISTRY.index(s.name) for s in REGISTRY.form_metrics]
        self._measured = np.zeros(len(self._form_columns))
        self.profiles_seen = 0

    def reset(self) -> None:
        """A new set: fresh filter state and counts (the neutral and configuration stay)."""
        self.pipeline = Pipeline(self.pipeline.frame_size_px, self.pipeline.config, self.pipeline.neutral)
        self.frames = 0
        self.detected_frames = 0
        self.first_t_s = None
        self.last_t_s = None
        self._measured[:] = 0.0
        self.profiles_seen = 0

    @property
    def columns(self) -> tuple[str, ...]:
        extra = self.detector.columns if self.detector is not None else ()
        return REGISTRY.names + tuple(extra)

    def step(self, t_s: float, image: np.ndarray, world: np.ndarray, profile: np.ndarray | None = None
             ) -> FrameResult:
        metrics = self.pipeline.step(t_s, image, world, profile).copy()
        self.frames += 1
        if not np.isnan(metrics[Col.VIEW]):
            self.detected_frames += 1
            self._measured += metrics[self._form_columns] == metrics[self._form_columns]  # not NaN
            if profile is not None:
                self.profiles_seen += 1
        if self.first_t_s is None:
            self.first_t_s = t_s
        self.last_t_s = t_s
        verdict = self.detector.step(t_s, metrics) if self.detector is not None else None
        return FrameResult(t_s, metrics, verdict)

    def row(self, result: FrameResult) -> list[Any]:
        """The metrics.csv row of a frame (without t_s)."""
        values: list[Any] = result.metrics.tolist()
        if self.detector is not None:
            values += self.detector.row(result.verdict)
        return values

    def unmeasured_notes(self) -> dict[str, str]:
        """For each watched metric measured in under half of the frames with a person: why, in words."""
        if self.detector is None or not self.detected_frames:
            return {}
        notes = {}
        for spec, n in zip(REGISTRY.form_metrics, self._measured):
            if spec.name not in self.detector.spec.watched or n >= 0.5 * self.detected_frames:
                continue
            if spec.compute is not None and not self.profiles_seen and spec.unmeasured_hint:
                notes[spec.name] = ("this recording has no silhouette (made before formwatch measured it): "
                                    "analyze the video again to measure it")
            else:
                notes[spec.name] = spec.unmeasured_hint or "not measurable from this camera view"
        return notes

    def summary(self) -> dict[str, Any]:
        duration = (self.last_t_s - self.first_t_s) if self.frames > 1 else 0.0
        summary: dict[str, Any] = {
            "frames": self.frames,
            "duration_s": round(duration, 3),
            "fps": round((self.frames - 1) / duration, 3) if duration > 0 else None,
            "detected_fraction": round(self.detected_frames / self.frames, 4) if self.frames else 0.0,
            "implausible_readings": self.pipeline.implausible,
            "facing_flips_held": self.pipeline.facing_flips,
            "measured_fraction": {s.name: round(float(n) / self.detected_frames, 4) if self.detected_frames else 0.0
                                  for s, n in zip(REGISTRY.form_metrics, self._measured)},
        }
        notes = self.unmeasured_notes()
        if notes:
            summary["unmeasured"] = notes
        if self.detector is not None:
            summary.update(self.detector.summary())
        return summary
