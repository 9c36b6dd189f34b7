"""The live window: overlay + worker thread + keys (Space: end/start a set, C: calibrate, R: resume, Q: quit).

Used by ``formwatch live`` and ``formwatch demo``. Results reach the GUI through a one-slot hand-over: the worker
emits only when the GUI has taken the previous result, so the Qt event queue never holds more than one.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from formwatch.core.set_summary import SetSummary

from PyQt6.QtCore import Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QCloseEvent, QKeyEvent
from PyQt6.QtWidgets import QApplication, QMainWindow, QWidget

from formwatch.app.live import Calibration, LiveResult, LiveRunner
from formwatch.app.live_calibration import CalibrationWords
from formwatch.capture.sources import LiveSource
from formwatch.io.recording import RecordingWriter
from formwatch.app.voice import VoiceCues
from formwatch.core.cues import CuePolicy
from formwatch.core.events import Stop
from formwatch.core.exercises import next_exercise
from formwatch.core.wording import stop_headline
from formwatch.ui.desktop import display_available
from formwatch.ui.overlay import OverlayWidget
from formwatch.ui.png import save_screenshot
from formwatch.ui.qt_log import send_qt_messages_to_log
from formwatch.ui.sound import StopSound
from formwatch.ui.view_model import KEYS_ENDED, KEYS_ENDED_NO_RESUME, LiveStatus, OverlayState, view
from formwatch.ui.worker import LiveWorker


class LiveWindow(QMainWindow):
    """The product's main window."""

    result_ready = pyqtSignal()

    def __init__(self, runner: LiveRunner, frame_size_px: tuple[int, int], title: str = "formwatch",
                 new_writer: Callable[[], RecordingWriter] | None = None,
                 make_source: Callable[[], LiveSource] | None = None,
                 start_calibration: Callable[[], Calibration] | None = None, max_seconds: float | None = None,
                 voice: VoiceCues | None = None, count_reps: bool = True) -> None:
        super().__init__()
        self.setWindowTitle(title)
        self.overlay = OverlayWidget(frame_size_px)
        self.setCentralWidget(self.overlay)
        fit_to_screen(self, (1366, 768), (800, 520))  # a 14-inch laptop's screen, the set read from 2-3 m
        self.runner = runner
        self.new_writer = new_writer
        self.make_source = make_source
        self.start_calibration = start_calibration
        self.max_seconds = max_seconds
        self.stop_event: Stop | None = None
        self.ended_reason = ""
        self.summaries: list[SetSummary] = []
        self.sound = StopSound()
        self.voice = voice  # the spoken cues, when the user asked for them
        self.cues = CuePolicy(count_reps)  # what is said: decided in the worker, on every record
        self.calibration_words = CalibrationWords()  # the set-up and calibration's messages, each said once
        self.interrupted = False  # Ctrl-C closed the window: the set is saved as interrupted
        self._slot_lock = threading.Lock()
        self._latest: LiveResult | None = None
        self._pending = False
        self.result_ready.connect(self._take_result, Qt.ConnectionType.QueuedConnection)  # type: ignore[call-arg]
        runner.view_of = self._view_in_worker  # the screen's state is made where the detector lives
        self.worker = self._make_worker(runner)
        self.worker.start()

    def _make_worker(self, runner: LiveRunner) -> LiveWorker:
        worker = LiveWorker(runner, self.max_seconds)
        worker.result.connect(self._offer_result,  # type: ignore[call-arg]  # PyQt's stub lacks the connection type
                              Qt.ConnectionType.DirectConnection)  # runs in the worker
        worker.stopped.connect(self._on_stop)
        worker.ended.connect(self._on_ended)
        return worker

    # ------------------------------------------------------------------------------------- worker hand-over
    def _offer_result(self, live: LiveResult) -> None:
        """Worker thread: keep only the newest result; wake the GUI only if it took the last one."""
        with self._slot_lock:
            self._latest = live
            if self._pending:
                return
            self._pending = True
        self.result_ready.emit()

    def _view_in_worker(self, live: LiveResult) -> OverlayState:
        """Worker thread: the overlay's state for this frame, made from its record (and the calibration that the
        worker alone changes); what is said of it goes to the voice here, on every record, so no cue is lost to a
        busy GUI. The GUI thread only ever sees the finished state (``live.view``)."""
        runner = self.runner
        seen = live.processed + live.dropped
        state = view(live.record, LiveStatus(live.fps, live.latency_ms, live.dropped / seen if seen else 0.0,
                                             live.model_note))
        for cue in self.cues.cues(live.record):
            if self.voice is not None and cue.spoken:
                self.voice.say(cue.spoken)
        calibration = runner.calibration
        if calibration is not None:
            state.state = "calibrating" if not calibration.done else state.state
            state.banner, state.far_banner = calibration.message, ""
            said = self.calibration_words.cue(calibration.message, live.record.t_s)
            if said is not None and said.spoken and self.voice is not None:
                self.voice.say(said.spoken)
        return state

    def _take_result(self) -> None:
        with self._slot_lock:
            live, self._pending = self._latest, False
        if live is None:
            return
        self.overlay.set_frame(live.frame.bgr, live.image, live.profile)
        state = live.view if isinstance(live.view, OverlayState) else OverlayState(banner="Watching")
        if self.ended_reason:
            state.banner = self.ended_reason
        self.overlay.set_view(state)

    def _on_stop(self, stop: Stop) -> None:
        self.stop_event = stop
        self.sound.play()
        state = self.overlay.view
        judge = self.runner.session.judge
        exercise = judge.exercise.name if judge is not None and judge.exercise is not None else None
        state.state, state.banner = "stopped", f"STOP — {stop_headline(stop, exercise)}"
        self.overlay.set_view(state)

    def _on_ended(self, reason: str) -> None:
        keys = KEYS_ENDED if self.make_source is not None else KEYS_ENDED_NO_RESUME
        calibration = self.runner.calibration
        not_saved = calibration.not_saved if calibration is not None else ""
        if not_saved and self.voice is not None:
            self.voice.say(not_saved)
        not_saved = f" {not_saved.split(':')[0]}." if not_saved else ""  # the banner's short form
        self.ended_reason = f"{reason[:1].upper()}{reason[1:]} — recording kept.{not_saved} {keys}"
        view = self.overlay.view
        view.banner = self.ended_reason
        view.state = "stopped" if self.stop_event is not None else "paused"
        self.overlay.set_view(view)

    # ------------------------------------------------------------------------------------------------ keys
    def keyPressEvent(self, event: QKeyEvent | None) -> None:  # noqa: N802 - Qt's name
        if event is None:
            return
        key = event.key()
        if key in (Qt.Key.Key_Q, Qt.Key.Key_Escape):
            self.close()
        elif key == Qt.Key.Key_Space:
            self.new_set()
        elif key == Qt.Key.Key_S and self.voice is not None:  # silence the voice, or bring it back
            self.voice.muted = not self.voice.muted
        elif key == Qt.Key.Key_D:  # details: every gauge and number, or the few big things for 2-3 m
            self.overlay.details = not self.overlay.details
            self.overlay.update()
        elif key == Qt.Key.Key_E and self.runner.session.judge is not None:
            exercise = self.runner.session.judge.exercise
            self.runner.request_exercise(next_exercise(exercise.name if exercise is not None else None))
        elif key == Qt.Key.Key_C and self.start_calibration is not None:
            self.runner.request_calibration(self.start_calibration())
        elif key == Qt.Key.Key_R and self.ended_reason and self.make_source is not None:
            self.resume()
        else:
            super().keyPressEvent(event)

    def new_set(self) -> None:
        """End the current set (recording finalised) and start a new one."""
        if self.new_writer is None:
            return
        self.stop_event = None
        self.cues.new_set()
        self.runner.request_new_set(self.new_writer)
        self.overlay.set_view(OverlayState(banner="New set — get into position"))

    def resume(self) -> None:
        """After the camera was lost: open it again and carry on with the same set (reps, limits and stop state
        kept); what was recorded so far is finalised, and recording continues in the next directory."""
        self.worker.stop()  # finalises the current recording: nothing is lost
        if self.make_source is None:
            return
        self.runner.source = self.make_source()
        self.runner.end_reason = ""
        self.ended_reason = ""
        if self.new_writer is not None:
            self.runner.writer = self.new_writer()
        self.worker = self._make_worker(self.runner)
        self.worker.start()

    def closeEvent(self, event: QCloseEvent | None) -> None:  # noqa: N802 - Qt's name
        self.summaries.append(self.worker.stop(interrupted=self.interrupted))
        super().closeEvent(event)


def schedule_screenshot_and_exit(window: QMainWindow, screenshot: Path | None, exit_after_s: float | None) -> None:
    """For documentation and checks without a person: grab the window after ``exit_after_s`` and close it."""
    if exit_after_s is None and screenshot is None:
        return
    delay_ms = int(1000 * (exit_after_s if exit_after_s is not None else 3.0))

    def finish() -> None:
        if screenshot is not None:
            save_screenshot(window.grab(), screenshot)
        window.close()

    QTimer.singleShot(delay_ms, finish)


if TYPE_CHECKING:
    from formwatch.app.interrupt import StopSignals


def close_on_interrupt(window: LiveWindow) -> "StopSignals":
    """Ctrl-C (or SIGTERM) closes the window, which finalises the recording as interrupted, instead of being
    swallowed while Qt's event loop runs: a short timer hands control back to Python so the handler can run.
    Returns the signals' record (app/interrupt.py) so the command can exit 130 or 143."""
    from formwatch.app.interrupt import StopSignals

    def on_signal() -> None:
        window.interrupted = True
        window.close()

    signals = StopSignals(on_signal).__enter__()  # for the window's life: the process ends with it
    timer = QTimer(window)
    timer.timeout.connect(lambda: None)
    timer.start(200)  # parented to the window: it lives as long as the window does
    return signals


def qt_app() -> QApplication:
    """The application; with no display, or one whose window cannot open (and no platform chosen), Qt's
    offscreen platform, so that screenshots and exports work on a server, in CI or on a bare desktop instead of
    aborting."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    if sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM") and not display_available():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # no display, or one Qt's plugin cannot open (ui/desktop.py)
    send_qt_messages_to_log()
    return QApplication(["formwatch"])


def fit_to_screen(window: QWidget, wanted: tuple[int, int], minimum: tuple[int, int]) -> None:
    """Open at ``wanted`` size, or smaller on a smaller screen (its available area, less a margin); never below
    ``minimum``, the size at which every control stays visible."""
    screen = window.screen() or QApplication.primaryScreen()
    width, height = wanted
    if screen is not None and QApplication.platformName() != "offscreen":  # offscreen has no real screen
        area = screen.availableGeometry()
        width, height = min(width, int(area.width() * 0.95)), min(height, int(area.height() * 0.92))
    window.setMinimumSize(*minimum)
    window.resize(max(width, minimum[0]), max(height, minimum[1]))

