"""One set driver for every mode: pose samples in, one result per frame out to sinks.

Live, analyze, the demo, calibration and replay's recompute all push samples through :class:`SetDriver`; what
differs between them is only which sinks listen (a recording writer, a terminal printer, the Qt worker's signal).
The driver itself does no I/O, so it stays in the pure core; sinks live in the shells.
"""

from __future__ import annotations

from typing import Callable, Any, Iterable, Protocol

import numpy as np

from formwatch.core.sample import PoseSample
from formwatch.core.session import FrameResult, SetSession


class Sink(Protocol):
    """Something that listens to a set: a recording writer, a printer, a GUI bridge. Every hook is optional."""

    def on_frame(self, sample: PoseSample, result: FrameResult, row: list[Any], bgr: np.ndarray | None) -> None: ...


class SetDriver:
    """Steps a :class:`SetSession` and hands each frame, the stop (once) and the summary to the sinks."""

    def __init__(self, session: SetSession, sinks: Iterable[Any] = ()) -> None:
        self.session = session
        self.sinks = list(sinks)
        self.stop: Any = None

    @property
    def sinks(self) -> list[Any]:
        return self._sinks

    @sinks.setter
    def sinks(self, sinks: list[Any]) -> None:
        """The sinks, and their hooks looked up once here rather than on every frame."""
        self._sinks = list(sinks)
        self._on_stop = [sink.on_stop for sink in self._sinks if hasattr(sink, "on_stop")]
        self._on_frame = [sink.on_frame for sink in self._sinks if hasattr(sink, "on_frame")]

    def feed(self, sample: PoseSample, bgr: np.ndarray | None = None) -> FrameResult:
        """One pose sample through the session; the stop goes to the sinks first, on its own, then the frame."""
        result = self.session.step(sample.t_s, sample.image, sample.world, sample.profile)
        verdict = result.verdict
        if verdict is not None and verdict.stop is not None and self.stop is None:
            self.stop = verdict.stop
            for on_stop in self._on_stop:
                on_stop(verdict.stop)
        row = self.session.row(result)
        for on_frame in self._on_frame:
            on_frame(sample, result, row, bgr)
        return result

    def run(self, samples: Iterable[PoseSample], until_stop: bool = False,
            cancelled: Callable[[], bool] | None = None) -> bool:
        """Feed every sample (or until the set is stopped, when asked, or ``cancelled()`` says so between two
        frames). Returns False when cancelled."""
        for sample in samples:
            self.feed(sample)
            if until_stop and self.stop is not None:
                break
            if cancelled is not None and cancelled():
                return False
        return True

    def new_set(self) -> None:
        """Forget the set (reps, baselines, stop, filter state); the neutral and the sinks stay."""
        if self.session.detector is not None:
            self.session.detector.reset()
        self.session.reset()
        self.stop = None


def samples_of(t_s: np.ndarray, image: np.ndarray, world: np.ndarray, profile: np.ndarray | None = None
               ) -> Iterable[PoseSample]:
    """Arrays of a whole recording as a stream of samples."""
    for i, t in enumerate(np.asarray(t_s, dtype=np.float64).tolist()):
        yield PoseSample(t, image[i], world[i], profile[i] if profile is not None else None)


def metrics_of(session: SetSession, t_s: np.ndarray, image: np.ndarray, world: np.ndarray,
               profile: np.ndarray | None = None) -> np.ndarray:
    """Every frame's metrics row through the session, as one ``(T, columns)`` array (calibration, replay)."""
    rows = np.empty((len(t_s), session.pipeline.n_columns))
    driver = SetDriver(session)
    for i, sample in enumerate(samples_of(t_s, image, world, profile)):
        rows[i] = driver.feed(sample).metrics
    return rows
