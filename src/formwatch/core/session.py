"""A set in progress: the pipeline, the breathing and (when an exercise is judged) the judge, one frame at a time.

Every mode (live, analyze, replay, calibrate, tests) feeds pose samples to :meth:`SetSession.step` and gets the
frame's :class:`~formwatch.core.frame_record.FrameRecord`: this is the single place where a frame becomes a record,
and :meth:`SetSession.summary` the single place where a set becomes a :class:`~formwatch.core.set_summary.SetSummary`
(folded from the events the records carried).
"""

from __future__ import annotations

from collections import deque

import numpy as np

from formwatch.core.breathing import HELD_CUE_S, BreathingMonitor, BreathState, front_extent
from formwatch.core.events import BreathHeld, Event
from formwatch.core.frame_record import BreathReading, EventFold, FrameRecord, read_only
from formwatch.core.kinematics import Col
from formwatch.core.pipeline import Pipeline, PipelineConfig
from formwatch.core.record import RecordSchema
from formwatch.core.judge_params import shipped
from formwatch.core.reading_gate import view_kind
from formwatch.core.registry import REGISTRY, VIEW_ANGLE
from formwatch.core.rep_rhythm import RepRhythm
from formwatch.core.scene_check import SceneCheck, SceneReading
from formwatch.core.set_judge import Judge, SetJudge
from formwatch.core.set_summary import BreathingSummary, SetSummary, fold
from formwatch.core.view_limits import ViewLimits

__all__ = ["SetSession"]

TRUNK_STILL_DEG = 4.0  # breathing is read only while the trunk's incline stays within this over the last second


class SetSession:
    """Pipeline + breathing + judge over one set; every frame's record, and the set's summary."""

    def __init__(self, frame_size_px: tuple[int, int], config: PipelineConfig = PipelineConfig(),
                 neutral: np.ndarray | None = None, detector: SetJudge | Judge | None = None,
                 view_limits: ViewLimits | None = None) -> None:
        """``view_limits``: the least size and frame rate judged (default: the measured ones formwatch ships)."""
        self.pipeline = Pipeline(frame_size_px, config, neutral)
        self.judge: SetJudge | None = detector if isinstance(detector, SetJudge) or detector is None \
            else SetJudge.of(detector)
        self._form_columns = [REGISTRY.index(s.name) for s in REGISTRY.form_metrics]
        self._view_col = REGISTRY.index(VIEW_ANGLE)
        self.params = self.judge.params if self.judge is not None else shipped()
        self.scene = SceneCheck(frame_size_px, view_limits)
        self._nobody_row = np.full(len(REGISTRY), np.nan)
        self._nobody_row.setflags(write=False)
        self.schema = RecordSchema(REGISTRY.names, self.judge.gauge_names if self.judge is not None else (),
                                   self.judge is not None)
        self.reset(new_pipeline=False)

    def reset(self, new_pipeline: bool = True) -> None:
        """A new set: fresh filter state, counts and events (the neutral and configuration stay)."""
        if new_pipeline:
            self.pipeline = Pipeline(self.pipeline.frame_size_px, self.pipeline.config, self.pipeline.neutral)
        self.scene.reset()
        self.frames = 0
        self.detected_frames = 0
        self.first_t_s: float | None = None
        self.last_t_s: float | None = None
        self._measured = np.zeros(len(self._form_columns))
        self._view_angles = np.zeros(91, dtype=np.int64)  # frames seen at each whole degree off the body's side
        self.profiles_seen = 0
        self.breathing = BreathingMonitor()
        self.rep_rhythm = RepRhythm()
        self._incline: deque[tuple[float, float]] = deque()
        self._breath_frames = 0
        self._breath_rates: list[float] = []
        self._held_said = False
        self._events: list[Event] = []
        self._fold = EventFold()
        self._finished: tuple[Event, ...] | None = None
        self.last: FrameRecord | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        """metrics.csv's columns after ``t_s``."""
        return self.schema.header[1:]

    def step(self, t_s: float, image: np.ndarray, world: np.ndarray, profile: np.ndarray | None = None,
             others_in_view: int = 0) -> FrameRecord:
        """One frame of the followed person (``others_in_view``: how many other people were found besides)."""
        scene = self.scene.step(t_s, image, others_in_view)
        metrics = self.pipeline.step(t_s, scene.image, world, profile)
        self.frames += 1
        if not np.isnan(metrics[Col.VIEW]):
            self.detected_frames += 1
            form = metrics[self._form_columns]
            self._measured += form == form  # not NaN
            angle = metrics[self._view_col]
            if angle == angle:
                self._view_angles[min(90, max(0, int(round(float(angle)))))] += 1
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
        self.last = record = self._record(t_s, metrics, breath, scene)
        return record

    def _judgeable(self, scene: SceneReading) -> bool:
        """Whether the judge may see this frame: a person seen well enough, and (but in a known hold) enough
        frames a second to follow reps. What it may not see reaches it as nobody: a pause, never a verdict."""
        if not scene.judgeable:
            return False
        exercise = self.judge.exercise if self.judge is not None else None
        return scene.reps_judgeable or (exercise is not None and not exercise.has_reps)

    def _record(self, t_s: float, metrics: np.ndarray, breath: BreathState, scene: SceneReading) -> FrameRecord:
        row, reading = read_only(metrics), BreathReading.of(breath)
        if self.judge is None:
            return FrameRecord(t_s, row, reading)
        judgement = self.judge.step(t_s, row if self._judgeable(scene) else self._nobody_row, breath)
        events = judgement.events + scene.events + self._breath_events(t_s, reading)
        self._events += events
        self._fold.add(events)
        exercise = self.judge.exercise
        name = exercise.name if exercise is not None else None
        return FrameRecord(t_s, row, reading, name, judgement.state, judgement.rep, judgement.phase,
                           judgement.rest_known, judgement.gauges, judgement.held_s, events,
                           self._fold.recognition, self._fold.line, self._fold.stop, self._fold.view_problem)

    def _breath_events(self, t_s: float, breath: BreathReading) -> tuple[Event, ...]:
        """A breath held for :data:`HELD_CUE_S`: said once each time it happens."""
        held = breath.held and breath.held_s >= HELD_CUE_S
        said, self._held_said = self._held_said, held
        return (BreathHeld(t_s, round(breath.held_s, 2)),) if held and not said else ()

    def _chest_signal(self, t_s: float, metrics: np.ndarray, chest: float) -> tuple[float, bool]:
        """What breathing is read from: in a rep exercise the front edge with the rep's own rhythm taken out (what
        the driver's posture does not explain, core/rep_rhythm.py), so that a breath held across reps shows; in a
        hold (or before the exercise is known) the front edge itself while the trunk is still."""
        exercise = self.judge.exercise if self.judge is not None else None
        if exercise is not None and exercise.has_reps:
            residual = self.rep_rhythm.residual(t_s, chest, float(metrics[REGISTRY.index(exercise.driver)]))
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

    # ------------------------------------------------------------------------------------------- the summary
    def unmeasured(self) -> dict[str, str]:
        """For each watched metric measured in under half of the frames with a person: why ("no_silhouette": the
        recording was made before the silhouette was measured; "hidden": not seen from this view)."""
        exercise = self.judge.exercise if self.judge is not None else None
        if exercise is None or not self.detected_frames:
            return {}
        out = {}
        for spec, n in zip(REGISTRY.form_metrics, self._measured):
            if spec.name in exercise.watched and n < 0.5 * self.detected_frames:
                no_silhouette = spec.compute is not None and not self.profiles_seen and bool(spec.unmeasured_hint)
                out[spec.name] = "no_silhouette" if no_silhouette else "hidden"
        return out

    def _breathing_summary(self, duration_s: float) -> BreathingSummary:
        """What breathing could be read, or why not."""
        readable = round(self._breath_frames / self.frames, 4) if self.frames else 0.0
        if self._breath_rates:
            return BreathingSummary(readable, round(float(np.median(self._breath_rates)), 1))
        cfg = self.breathing.config
        needed = max(cfg.min_rate_window_s, cfg.depth_window_s + 0.5 / cfg.low_hz)
        exercise = self.judge.exercise if self.judge is not None else None
        reps = exercise is not None and exercise.has_reps
        if not self.profiles_seen:
            why = "no_silhouette"
        elif duration_s < needed:
            why = "too_short_reps" if reps else "too_short_hold"
        else:
            why = "front_hidden" if reps else "never_still"
        return BreathingSummary(readable, None, why, round(needed, 1))

    def _view(self) -> dict[str, object] | None:
        """The camera's view over the set: the median angle off the body's side, and what that is called."""
        seen = int(self._view_angles.sum())
        if not seen:
            return None
        median = float(np.searchsorted(np.cumsum(self._view_angles), 0.5 * seen))
        return {"kind": view_kind(median, self.params.side_view_max_deg), "angle_deg": median}

    def summary(self) -> SetSummary:
        """The set so far as its summary: the events folded (the judge's last word on a rep in progress, once)."""
        if self._finished is None:
            self._finished = self.judge.finish() if self.judge is not None else ()
            self._events += self._finished
        duration = (self.last_t_s - self.first_t_s) if self.frames > 1 and self.last_t_s is not None \
            and self.first_t_s is not None else 0.0
        exercise = self.judge.exercise if self.judge is not None else None
        facts = self.judge.facts() if self.judge is not None else None
        session = dict(
            frames=self.frames, duration_s=round(duration, 3),
            fps=round((self.frames - 1) / duration, 3) if duration > 0 else None,
            detected_fraction=round(self.detected_frames / self.frames, 4) if self.frames else 0.0,
            implausible_readings=self.pipeline.implausible, facing_flips_held=self.pipeline.facing_flips,
            measured_fraction={s.name: round(float(n) / self.detected_frames, 4) if self.detected_frames else 0.0
                               for s, n in zip(REGISTRY.form_metrics, self._measured)},
            unmeasured=self.unmeasured(), breathing=self._breathing_summary(duration), view=self._view())
        if facts is None:
            return SetSummary(**session)  # type: ignore[arg-type]
        return fold(self._events, facts, exercise.name if exercise is not None else None, **session)
