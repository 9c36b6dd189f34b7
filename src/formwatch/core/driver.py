"""One set driver for every mode: pose samples in, one record per frame out to sinks.

Live, analyze, the demo, calibration and replay's recompute all push samples through :class:`SetDriver`; what
differs between them is only which sinks listen (a recording writer, a terminal printer, the Qt worker). The
driver itself does no I/O, so it stays in the pure core; sinks live in the shells.
"""

from __future__ import annotations

from typing import Callable, Iterable, Iterator, Protocol, Sequence

import numpy as np

from formwatch.core.events import Stop
from formwatch.core.following import PersonFollower
from formwatch.core.frame_record import FrameRecord
from formwatch.core.sample import PoseSample
from formwatch.core.session import SetSession

__all__ = ["SetDriver", "Sink", "metrics_of", "samples_of"]


class Sink(Protocol):
    """Something that listens to a set: a recording writer, a printer, a GUI bridge."""

    def on_record(self, sample: PoseSample, record: FrameRecord, bgr: np.ndarray | None) -> None: ...


class SetDriver:
    """Follows one person (core/following.py), steps a :class:`SetSession` with them and hands each frame's record
    to the sinks (with the followed person's sample: what a recording keeps)."""

    def __init__(self, session: SetSession, sinks: Sequence[Sink] = ()) -> None:
        self.session = session
        self.sinks: list[Sink] = list(sinks)
        self.stop: Stop | None = None
        self.follower = PersonFollower()  # kept across sets: the same person, set after set
        self.sample: PoseSample | None = None  # the last frame's followed person

    def feed(self, sample: PoseSample, bgr: np.ndarray | None = None) -> FrameRecord:
        """One pose sample through the session (the followed person's); its record to every sink."""
        self.sample = sample = self.follower.follow(sample)
        record = self.session.step(sample.t_s, sample.image, sample.world, sample.profile, sample.others_in_view)
        if record.stop is not None and self.stop is None:
            self.stop = record.stop
        for sink in self.sinks:
            sink.on_record(sample, record, bgr)
        return record

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
        """Forget the set (reps, baselines, stop, filter state); the neutral, the exercise and the sinks stay."""
        if self.session.judge is not None:
            self.session.judge.reset()
        self.session.reset()
        self.stop = None


def samples_of(t_s: np.ndarray, image: np.ndarray, world: np.ndarray, profile: np.ndarray | None = None,
               others_in_view: np.ndarray | None = None) -> Iterator[PoseSample]:
    """Arrays of a whole recording as a stream of samples."""
    for i, t in enumerate(np.asarray(t_s, dtype=np.float64).tolist()):
        yield PoseSample(t, image[i], world[i], profile[i] if profile is not None else None,
                         others_in_view=int(others_in_view[i]) if others_in_view is not None else 0)


def metrics_of(session: SetSession, t_s: np.ndarray, image: np.ndarray, world: np.ndarray,
               profile: np.ndarray | None = None, others_in_view: np.ndarray | None = None) -> np.ndarray:
    """Every frame's metrics row through the session, as one ``(T, columns)`` array (calibration, replay)."""
    rows = np.empty((len(t_s), session.pipeline.n_columns))
    driver = SetDriver(session)
    for i, sample in enumerate(samples_of(t_s, image, world, profile, others_in_view)):
        rows[i] = driver.feed(sample).metrics
    return rows
