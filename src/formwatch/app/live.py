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
from typing import Any, Callable, Protocol

import numpy as np

from formwatch.core.driver import SetDriver
from formwatch.core.sample import PoseSample
from formwatch.core.session import FrameResult, SetSession
from formwatch.io.recording import RecordingWriter
from formwatch.capture.sources import Frame


class Estimator(Protocol):
    def estimate(self, frame: Frame, t_s: float) -> Any: ...


DROPPED_WARNING_FRACTION = 0.10  # above this share of dropped camera frames, the screen and the summary say so


@dataclass
class LiveResult:
    """One processed frame as the overlay and the recorder see it."""

    frame: Frame
    image: np.ndarray  # (33, 4) landmarks of this frame
    result: FrameResult
    latency_ms: float  # capture -> verdict ready
    processed: int
    dropped: int
    fps: float  # frames processed per second, recent
    profile: np.ndarray | None = None  # the trunk profile (4, N_STATIONS), when the silhouette was measured
    model_note: str = ""  # which pose model runs, when live moved off the default to keep up
    view: Any = None  # what the screen shows for this frame, made in the worker (ui/view_model.py)


@dataclass
class LiveStats:
    """Counts and latencies of a run (latencies kept compactly: 8 bytes a frame)."""

    processed: int = 0
    dropped: int = 0
    latency_ms: array = field(default_factory=lambda: array("d"))
    pose_ms: array = field(default_factory=lambda: array("d"))

    def summary(self, lighter_model_running: bool = False) -> dict[str, Any]:
        lat = np.asarray(self.latency_ms)
        pose = np.asarray(self.pose_ms)
        total = self.processed + self.dropped
        out: dict[str, Any] = {"processed": self.processed, "dropped": self.dropped,
                               "processed_fraction": round(self.processed / total, 4) if total else 0.0}
        if total and self.dropped > DROPPED_WARNING_FRACTION * total:
            advice = " (formwatch already moved to the lite pose model)" if lighter_model_running \
                else ", or use a lighter model"
            out["note"] = (f"{100 * self.dropped / total:.0f} % of camera frames were dropped (the computer could not "
                           f"keep up): close other programs{advice}")
        if len(lat):
            out["latency_ms"] = {"p50": round(float(np.median(lat)), 2), "p95": round(float(np.percentile(lat, 95)), 2),
                                 "max": round(float(lat.max()), 2)}
        if len(pose):
            out["pose_ms"] = {"p50": round(float(np.median(pose)), 2), "p95": round(float(np.percentile(pose, 95)), 2),
                              "max": round(float(pose.max()), 2)}
        return out


@dataclass
class _StopRelay:
    """A driver sink that passes the stop to a callback."""

    on_stop: Callable[[Any], None]


class LiveRunner:
    """Pulls the newest frame, runs pose and the session, records, and reports each result."""

    def __init__(self, source: Any, estimator: Estimator, session: SetSession, writer: RecordingWriter | None,
                 on_result: Callable[[LiveResult], None] | None = None,
                 on_stop: Callable[[Any], None] | None = None) -> None:
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
        self.stop_event: Any = None
        self._new_writer: Callable[[], RecordingWriter | None] | None = None
        self.calibration: Any = None  # a CalibrationCapture while the user calibrates (the worker's own)
        self._calibration_request: Any = None  # one asked for from another thread, taken at the next frame
        self._exercise_request: str | None = None  # the person's correction of the recognised exercise (E)
        # Made in the worker for each frame, from state only the worker changes: the screen's view of it.
        self.view_of: Callable[[LiveResult], Any] | None = None
        self.record_history = False  # each set into the history (io/history.py) from its first frame
        self._record: Any = None
        # The plan a new set starts with (app/signature.py: its limits may have moved with the set just ended).
        self.plan_for_new_set: Callable[[], Any] | None = None

    def request_new_set(self, new_writer: Callable[[], RecordingWriter | None]) -> None:
        """End the current set (its recording is finalised) and start a fresh one, in the worker's own thread."""
        self._new_writer = new_writer

    def _start_new_set(self) -> None:
        make, self._new_writer = self._new_writer, None
        self.finish()  # the set just ended is in the history before the next set's limits are chosen
        self.writer = make() if make is not None else None
        if self.plan_for_new_set is not None and self.session.detector is not None:
            self.session.detector.replace_plan(self.plan_for_new_set())
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
        """The recording of the current set: it and the stop callback are the driver's sinks."""
        self._writer = writer
        self.driver.sinks = [sink for sink in (writer, _StopRelay(self.on_stop_event)) if sink is not None]

    def on_stop_event(self, stop: Any) -> None:
        self.stop_event = stop
        if self.on_stop is not None:
            self.on_stop(stop)  # the stop travels on its own, before the paint-only result

    def request_stop(self) -> None:
        self._running = False

    def request_exercise(self, name: str) -> None:
        """Judge the set as ``name`` from its first frame (core/auto_detector.py), at the next frame, in the worker's
        own thread; a set whose exercise was given stays as it is."""
        self._exercise_request = name

    def request_calibration(self, capture: Any) -> None:
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
                if getattr(self.source, "ended_reason", ""):
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
            if hasattr(self.session.detector, "set_exercise"):
                self.session.detector.set_exercise(name)
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
        result = self.driver.feed(sample, frame.bgr)
        if self.calibration is not None and hasattr(self.calibration, "see"):  # the guided start's checklist
            self.calibration.see(frame.bgr, result.metrics)
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
        live = LiveResult(frame, sample.image, result, latency_ms, self.stats.processed, self.stats.dropped,
                          float(len(self._recent)), sample.profile, getattr(self.estimator, "note", ""))
        if self.view_of is not None:
            live.view = self.view_of(live)
        if self.calibration is not None and self.calibration.done and not self.calibration.error:
            self.calibration = None  # its message was in this frame's view; the next frames show the set again
        if self.on_result is not None:
            self.on_result(live)
        return live

    def _start_history(self) -> None:
        from formwatch.io.history import SetRecord

        detector = self.session.detector
        meta = self.writer.meta if self.writer is not None else {}
        known = detector is not None and getattr(detector, "recognised", True)  # auto: the finish names it
        self._record = SetRecord("live", detector.spec.name if known else None,
                                 (meta.get("profile") or {}).get("name"),
                                 str(self.writer.path) if self.writer is not None else None)

    def finish(self, interrupted: bool = False) -> dict[str, Any]:
        """Close the recording (merging its chunks) with the summary, and the set's row in the history (marked
        interrupted when the user cut it short with a signal); safe to call more than once."""
        summary = self.session.summary()
        if interrupted:
            summary["interrupted"] = True
        switches = getattr(self.estimator, "switches", None)
        summary["live"] = self.stats.summary(lighter_model_running=bool(switches))
        if switches:  # the model moved to lite (and back) to keep up: in the summary and the recording's meta
            summary["live"]["model_switches"] = list(switches)
            if self.writer is not None and not self.writer.closed:
                self.writer.update_meta(model_switches=list(switches))
        if self.end_reason:
            summary["ended"] = self.end_reason
        if self._record is not None:
            self._record.finish(summary, interrupted=interrupted)
            self._record = None
        if self.writer is not None and not self.writer.closed:
            self.writer.close(summary)
        return summary


class FakeEstimator:
    """Returns precomputed poses by frame number: the demo's 'camera' and the tests' stand-in for MediaPipe."""

    def __init__(self, image: np.ndarray, world: np.ndarray, delay_s: float = 0.0,
                 profile: np.ndarray | None = None) -> None:
        self.image = image
        self.world = world
        self.delay_s = delay_s
        self.profile = profile

    def estimate(self, frame: Frame, t_s: float) -> Any:
        if self.delay_s:
            time.sleep(self.delay_s)
        i = min(frame.seq, len(self.image) - 1)
        return PoseSample(t_s, self.image[i], self.world[i],
                          self.profile[i] if self.profile is not None else None)
