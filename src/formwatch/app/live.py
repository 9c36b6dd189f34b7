"""The live path without a GUI: latest frame -> pose -> step -> verdict, recorded as it goes, latency measured.

:class:`LiveRunner` is what the Qt worker thread runs and what ``formwatch live --headless`` runs directly, so the
window and the headless mode share every line that decides a stop. Nothing here queues: the source's one-slot
mailbox hands over the newest frame, and frames that arrived while a frame was being processed are counted as
dropped.
"""

from __future__ import annotations

import math
import time
from array import array
from dataclasses import dataclass, field
from typing import Callable, Protocol

import numpy as np

from formwatch.core.driver import SetDriver
from formwatch.core.events import Stop
from formwatch.core.frame_record import FrameRecord
from formwatch.core.sample import PoseSample
from formwatch.core.session import SetSession
from formwatch.core.set_summary import SetSummary
from formwatch.io.set_record import SetRecord
from formwatch.io.recording import RecordingWriter
from formwatch.capture.sources import Frame, LiveSource
from formwatch.core.plan import SetPlan


class Estimator(Protocol):
    """The pose model as the runner uses it: a sample for a frame, the model in use, its switches."""

    @property
    def note(self) -> str: ...  # which model runs, when live moved off the default to keep up ("" otherwise)

    @property
    def switches(self) -> list[dict[str, object]]: ...

    def estimate(self, frame: Frame, t_s: float) -> PoseSample: ...

    def close(self) -> None: ...


class Calibration(Protocol):
    """Calibration in the live runner's slot (app/live_calibration.py, app/guided.py): shown while it runs, and
    its profile applied to the session when done."""

    @property
    def done(self) -> bool: ...

    @property
    def error(self) -> str: ...

    @property
    def message(self) -> str: ...

    @property
    def not_saved(self) -> str: ...  # why no profile was saved, said when the set ends ("" once one was)

    def see(self, bgr: np.ndarray | None, metrics: np.ndarray) -> None: ...

    def feed(self, t_s: float, image: np.ndarray, world: np.ndarray, trunk: np.ndarray | None = None) -> bool: ...

    def apply(self, session: SetSession) -> None: ...


@dataclass
class LiveResult:
    """One processed frame as the overlay and the recorder see it."""

    frame: Frame
    image: np.ndarray  # (33, 4) landmarks of this frame
    record: FrameRecord
    latency_ms: float  # capture -> verdict ready
    processed: int
    dropped: int
    fps: float  # frames processed per second, recent
    profile: np.ndarray | None = None  # the trunk profile (4, N_STATIONS), when the silhouette was measured
    model_note: str = ""  # which pose model runs, when live moved off the default to keep up
    view: object = None  # what the screen shows for this frame, made in the worker (ui/view_model.py)


@dataclass
class LiveStats:
    """Counts and latencies of a run (latencies kept compactly: 8 bytes a frame)."""

    processed: int = 0
    dropped: int = 0
    latency_ms: array[float] = field(default_factory=lambda: array("d"))
    pose_ms: array[float] = field(default_factory=lambda: array("d"))

    def summary(self) -> dict[str, object]:
        """The run's figures (frames processed and dropped, latency and pose time percentiles), facts only."""
        lat = np.asarray(self.latency_ms)
        pose = np.asarray(self.pose_ms)
        total = self.processed + self.dropped
        out: dict[str, object] = {"processed": self.processed, "dropped": self.dropped,
                               "processed_fraction": round(self.processed / total, 4) if total else 0.0}
        if len(lat):
            out["latency_ms"] = {"p50": round(float(np.median(lat)), 2), "p95": round(float(np.percentile(lat, 95)), 2),
                                 "max": round(float(lat.max()), 2)}
        if len(pose):
            out["pose_ms"] = {"p50": round(float(np.median(pose)), 2), "p95": round(float(np.percentile(pose, 95)), 2),
                              "max": round(float(pose.max()), 2)}
        return out


class LiveRunner:
    """Pulls the newest frame, runs pose and the session, records, and reports each result."""

    def __init__(self, source: LiveSource, estimator: Estimator, session: SetSession, writer: RecordingWriter | None,
                 on_result: Callable[[LiveResult], None] | None = None,
                 on_stop: Callable[[Stop], None] | None = None) -> None:
        self.source = source
        self.estimator = estimator
        self.session = session
        self.on_result = on_result
        self.on_stop = on_stop
        self.driver = SetDriver(session)
        self.writer = writer
        self.stats = LiveStats()
        self._running = False
        self._t0: float | None = None
        self._last_t_s = -math.inf
        self._recent: list[float] = []
        self.end_reason = ""
        self.stop_event: Stop | None = None
        self._new_writer: Callable[[], RecordingWriter | None] | None = None
        self.calibration: Calibration | None = None  # while the user calibrates (the worker's own)
        self._calibration_request: Calibration | None = None  # asked for from another thread, taken next frame
        self.asked: dict[str, float] | None = None  # a routine step's target, kept in the set's summary
        self._exercise_request: str | None = None  # the person's correction of the recognised exercise (E)
        # Made in the worker for each frame, from state only the worker changes: the screen's view of it.
        self.view_of: Callable[[LiveResult], object] | None = None
        self.record_history = False  # each set into the history (io/history.py) from its first frame
        self._record: SetRecord | None = None
        # The plan a new set starts with (app/signature.py: its limits may have moved with the set just ended).
        self.plan_for_new_set: Callable[[], SetPlan | None] | None = None

    def request_new_set(self, new_writer: Callable[[], RecordingWriter | None]) -> None:
        """End the current set (its recording is finalised) and start a fresh one, in the worker's own thread."""
        self._new_writer = new_writer

    def _start_new_set(self) -> None:
        make, self._new_writer = self._new_writer, None
        self.finish()  # the set just ended is in the history before the next set's limits are chosen
        self.writer = make() if make is not None else None
        plan = self.plan_for_new_set() if self.plan_for_new_set is not None else None
        if plan is not None and self.session.judge is not None:
            self.session.judge.replace_plan(plan)
        self.driver.new_set()
        self.stats = LiveStats()
        self.stop_event = None
        self.end_reason = ""
        self._t0 = None
        self._last_t_s = -math.inf

    @property
    def writer(self) -> RecordingWriter | None:
        return self._writer

    @writer.setter
    def writer(self, writer: RecordingWriter | None) -> None:
        """The recording of the current set: the driver's sink."""
        self._writer = writer
        self.driver.sinks = [writer] if writer is not None else []

    def request_stop(self) -> None:
        self._running = False

    def request_exercise(self, name: str) -> None:
        """Judge the set as ``name`` from its first frame (core/set_judge.py), at the next frame, in the worker's
        own thread; a set whose exercise was given stays as it is."""
        self._exercise_request = name

    def request_calibration(self, capture: Calibration) -> None:
        """Enter calibration (app/live_calibration.py) at the next frame, in the worker's own thread."""
        self._calibration_request = capture

    def run(self, max_seconds: float | None = None) -> str:
        """Process frames until the source ends, a stop is requested or ``max_seconds`` pass. Returns why it ended."""
        self._running = True
        started = time.monotonic()
        while self._running:
            if max_seconds is not None and time.monotonic() - started >= max_seconds:
                self.end_reason = "time limit reached"
                break
            frame = self.source.mailbox.get(timeout_s=0.5)
            if frame is None:
                if self.source.ended_reason:
                    self.end_reason = self.source.ended_reason
                    break
                continue
            self.process(frame)
        self._running = False
        if not self.end_reason:
            self.end_reason = "stopped by the user"
        return self.end_reason

    def process(self, frame: Frame) -> LiveResult:
        """One frame through pose -> step -> detector -> recorder; the unit the tests drive directly."""
        if self._new_writer is not None:
            self._start_new_set()
        if self._exercise_request is not None:
            name, self._exercise_request = self._exercise_request, None
            if self.session.judge is not None:
                self.session.judge.set_exercise(name)
        if self._calibration_request is not None:
            self.calibration, self._calibration_request = self._calibration_request, None
        if self.record_history and self._record is None:
            self._start_history()
        if self._t0 is None:
            self._t0 = frame.t_capture_s
        t_s = frame.t_data_s if frame.t_data_s is not None else frame.t_capture_s - self._t0
        if t_s <= self._last_t_s:
            t_s = self._last_t_s + 1e-3  # time must strictly increase
        self._last_t_s = t_s
        pose_start = time.monotonic()
        sample = self.estimator.estimate(frame, t_s)
        self.stats.pose_ms.append(1e3 * (time.monotonic() - pose_start))
        record = self.driver.feed(sample, frame.bgr)
        sample = self.driver.sample or sample  # the followed person: the one calibrated and drawn
        if record.stop is not None and self.stop_event is None:
            self.stop_event = record.stop
            if self.on_stop is not None:
                self.on_stop(record.stop)  # the stop travels on its own, before the paint-only result
        if self.calibration is not None:
            self.calibration.see(frame.bgr, record.metrics)
        if self.calibration is not None and self.calibration.feed(t_s, sample.image, sample.world, sample.profile):
            self.calibration.apply(self.session)
        now = time.monotonic()
        latency_ms = 1e3 * (now - frame.t_capture_s)
        self.stats.processed += 1
        self.stats.dropped = self.source.mailbox.dropped
        self.stats.latency_ms.append(latency_ms)
        self._recent.append(now)
        while self._recent and now - self._recent[0] > 1.0:
            self._recent.pop(0)
        live = LiveResult(frame, sample.image, record, latency_ms, self.stats.processed, self.stats.dropped,
                          float(len(self._recent)), sample.profile, self.estimator.note)
        if self.view_of is not None:
            live.view = self.view_of(live)
        if self.calibration is not None and self.calibration.done and not self.calibration.error:
            self.calibration = None  # its message was in this frame's view; the next frames show the set again
        if self.on_result is not None:
            self.on_result(live)
        return live

    def _start_history(self) -> None:
        judge = self.session.judge
        meta = self.writer.meta if self.writer is not None else {}
        exercise = judge.exercise if judge is not None else None  # recognised: the set's end names it
        self._record = SetRecord("live", exercise.name if exercise is not None else None,
                                 (meta.get("profile") or {}).get("name"),
                                 str(self.writer.path) if self.writer is not None else None)

    def finish(self, interrupted: bool = False) -> SetSummary:
        """Close the recording (merging its chunks) with the summary, and the set's row in the history (marked
        interrupted when the user cut it short with a signal); safe to call more than once."""
        live = self.stats.summary()
        switches = self.estimator.switches
        if switches:  # the model moved to lite (and back) to keep up: in the summary and the recording's meta
            live["model_switches"] = list(switches)
            if self.writer is not None and not self.writer.closed:
                self.writer.update_meta(model_switches=list(switches))
        summary = self.session.summary().with_(interrupted=interrupted, live=live, ended=self.end_reason or None,
                                               asked=self.asked)
        if self._record is not None:
            self._record.finish(summary, interrupted=interrupted)
            self._record = None
        if self.writer is not None and not self.writer.closed:
            self.writer.close(summary)
        return summary


class FakeEstimator:
    """Returns precomputed poses by frame number: the demo's 'camera' and the tests' stand-in for MediaPipe."""

    note = ""
    switches: list[dict[str, object]] = []

    def __init__(self, image: np.ndarray, world: np.ndarray, delay_s: float = 0.0,
                 profile: np.ndarray | None = None) -> None:
        self.image = image
        self.world = world
        self.delay_s = delay_s
        self.profile = profile

    def close(self) -> None:
        return None

    def estimate(self, frame: Frame, t_s: float) -> PoseSample:
        if self.delay_s:
            time.sleep(self.delay_s)
        i = min(frame.seq, len(self.image) - 1)
        return PoseSample(t_s, self.image[i], self.world[i],
                          self.profile[i] if self.profile is not None else None)
