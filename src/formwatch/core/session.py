"""A set in progress: the pipeline plus (when an exercise is given) the precision-fatigue detector, per frame.

Every mode (live, analyze, replay, calibrate, tests) feeds pose samples to :meth:`SetSession.step`; this is the
single place where a frame becomes a verdict.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

from formwatch.core.breathing import BreathingMonitor, BreathState, front_extent
from formwatch.core.kinematics import Col
from formwatch.core.pipeline import Pipeline, PipelineConfig
from formwatch.core.record import BREATH_COLUMNS, RecordSchema
from formwatch.core.registry import REGISTRY
from formwatch.core.rep_rhythm import RepRhythm

__all__ = ["BREATH_COLUMNS", "FrameResult", "SetSession"]

TRUNK_STILL_DEG = 4.0  # breathing is read only while the trunk's incline stays within this over the last second


@dataclass(frozen=True)
class FrameResult:
    """What one frame produced: its time, metrics ``(len(REGISTRY),)`` (a copy) and the detector's verdict, if any."""

    t_s: float
    metrics: np.ndarray
    verdict: Any = None  # formwatch.core.detector.Verdict when an exercise is monitored
    breath: BreathState | None = None


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
        self.breathing = BreathingMonitor()
        self.rep_rhythm = RepRhythm()
        self._incline: deque[tuple[float, float]] = deque()
        self._breath_frames = 0
        self._breath_rates: list[float] = []
        self._schema = self.schema

    def reset(self) -> None:
        """A new set: fresh filter state and counts (the neutral and configuration stay)."""
        self.pipeline = Pipeline(self.pipeline.frame_size_px, self.pipeline.config, self.pipeline.neutral)
        self.frames = 0
        self.detected_frames = 0
        self.first_t_s = None
        self.last_t_s = None
        self._measured[:] = 0.0
        self.profiles_seen = 0
        self.breathing = BreathingMonitor()
        self.rep_rhythm = RepRhythm()
        self._incline = deque()
        self._breath_frames = 0
        self._breath_rates = []

    @property
    def schema(self) -> RecordSchema:
        """How this set's records are laid out in metrics.csv, written and read back (core/record.py)."""
        detector = self.detector
        return RecordSchema(REGISTRY.names, detector.gauge_names if detector is not None else (), detector is not None)

    @property
    def columns(self) -> tuple[str, ...]:
        """metrics.csv's columns after ``t_s``."""
        return self.schema.header[1:]

    def step(self, t_s: float, image: np.ndarray, world: np.ndarray, profile: np.ndarray | None = None
             ) -> FrameResult:
        metrics = self.pipeline.step(t_s, image, world, profile).copy()
        self.frames += 1
        if not np.isnan(metrics[Col.VIEW]):
            self.detected_frames += 1
            form = metrics[self._form_columns]
            self._measured += form == form  # not NaN
        if profile is not None:
            self.profiles_seen += 1
        if self.first_t_s is None:
            self.first_t_s = t_s
        self.last_t_s = t_s
        chest, readable = self._chest_signal(t_s, metrics, front_extent(profile))
        breath = self.breathing.step(t_s, chest, readable)
        self._breath_frames += breath.valid
        if breath.rate_bpm == breath.rate_bpm:
            self._breath_rates.append(breath.rate_bpm)
        verdict = self.detector.step(t_s, metrics, breath) if self.detector is not None else None
        return FrameResult(t_s, metrics, verdict, breath)

    def _chest_signal(self, t_s: float, metrics: np.ndarray, chest: float) -> tuple[float, bool]:
        """What breathing is read from: in a rep exercise the front edge with the rep's own rhythm taken out (what
        the driver's posture does not explain, core/rep_rhythm.py), so that a breath held across reps shows; in a
        hold the front edge itself while the trunk is still."""
        detector = self.detector
        if detector is not None and detector.spec.has_reps:
            residual = self.rep_rhythm.residual(t_s, chest, float(metrics[REGISTRY.index(detector.spec.driver)]))
            return residual, residual == residual
        return chest, self._breathing_readable(t_s, metrics)

    def _breathing_readable(self, t_s: float, metrics: np.ndarray) -> bool:
        """In a hold, breathing is read only while the trunk itself is still: a shift of the whole body moves the
        edge far more than a breath."""
        incline = float(metrics[Col.TRUNK_INCLINE_DEG])
        window = self._incline
        window.append((t_s, incline))
        while t_s - window[0][0] > 1.0:
            window.popleft()
        values = [v for _, v in window if v == v]
        if len(values) < len(window) or t_s - window[0][0] < 0.5:
            return False
        return max(values) - min(values) <= TRUNK_STILL_DEG

    def row(self, result: FrameResult) -> list[Any]:
        """The metrics.csv row of a frame (without t_s), laid out by :attr:`schema`."""
        verdict = self.detector.row(result.verdict) if self.detector is not None else ()
        return self._schema.encode(result.t_s, result.metrics.tolist(), result.breath, verdict)[1:]

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

    def _breathing_summary(self, duration_s: float) -> dict[str, Any]:
        """What breathing could be read, or why not."""
        out: dict[str, Any] = {"readable_fraction": round(self._breath_frames / self.frames, 4) if self.frames else 0.0,
                               "rate_bpm": round(float(np.median(self._breath_rates)), 1) if self._breath_rates else None}
        if not self._breath_rates:
            cfg = self.breathing.config
            needed = max(cfg.min_rate_window_s, cfg.depth_window_s + 0.5 / cfg.low_hz)
            reps = self.detector is not None and self.detector.spec.has_reps
            where = "of the trunk's front in view" if reps else "of a still trunk"
            if not self.profiles_seen:
                out["why_not"] = "no silhouette in this recording: analyze the video again"
            elif duration_s < needed:
                out["why_not"] = f"too short: a breathing rate needs {needed:.0f} s {where}"
            else:
                out["why_not"] = ("the trunk's front was hidden too often" if reps else
                                  "the trunk was never still long enough, or its front was hidden")
        return out

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
        summary["breathing"] = self._breathing_summary(duration)
        notes = self.unmeasured_notes()
        if notes:
            summary["unmeasured"] = notes
        if self.detector is not None:
            self.detector.finish()  # the rep in progress (or one phase of a lift) judged as far as it was seen
            summary.update(self.detector.summary())
        return summary
