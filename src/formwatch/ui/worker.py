"""The live worker: a QThread running :class:`formwatch.app.live.LiveRunner`; results out as signals.

``result`` carries the newest processed frame (the GUI only keeps a reference and repaints); ``stopped`` carries
the stop event on its own signal, emitted in the worker the moment the detector decides, so a busy GUI cannot delay
or drop it; ``ended`` says why the source stopped (video over, camera unplugged, user).
"""

from __future__ import annotations

from PyQt6.QtCore import QObject, QThread, pyqtSignal

from formwatch.app.live import LiveResult, LiveRunner
from formwatch.core.set_summary import SetSummary


class LiveWorker(QObject):
    """Owns a LiveRunner; ``start()`` runs it in its own QThread."""

    result = pyqtSignal(object)  # LiveResult
    stopped = pyqtSignal(object)  # core.events.Stop
    ended = pyqtSignal(str)

    def __init__(self, runner: LiveRunner, max_seconds: float | None = None) -> None:
        super().__init__()
        self.runner = runner
        self.max_seconds = max_seconds
        runner.on_result = self._emit_result
        runner.on_stop = self.stopped.emit
        self.worker_thread = QThread()
        self.worker_thread.setObjectName("formwatch-worker")
        self.moveToThread(self.worker_thread)
        self.worker_thread.started.connect(self._run)

    def _emit_result(self, live: LiveResult) -> None:
        self.result.emit(live)

    def _run(self) -> None:
        try:
            reason = self.runner.run(self.max_seconds)
        except Exception as exc:  # noqa: BLE001 - a crash in the worker must still end cleanly and be told
            reason = f"the worker failed: {type(exc).__name__}: {exc}"
        self.ended.emit(reason)
        self.worker_thread.quit()

    def start(self) -> None:
        self.runner.source.start()
        self.worker_thread.start()

    def stop(self, wait_ms: int = 5000, interrupted: bool = False) -> SetSummary:
        """Stop the source and the loop, wait for the thread, finalise the recording (as interrupted, after a
        signal); returns the summary."""
        self.runner.request_stop()
        self.runner.source.stop()
        if self.worker_thread.isRunning():
            self.worker_thread.quit()
            self.worker_thread.wait(wait_ms)
        return self.runner.finish(interrupted=interrupted)
