"""Pose of a whole video file on several cores: the clip cut into contiguous stretches ("lanes"), each decoded and
run through a pose model of its own in a thread, the samples handed back in frame order.

Why: MediaPipe runs one inference on one core (measured: 1.1 cores busy for one stream, 1.9 for two in threads; it
releases the GIL), so on a 2-core laptop one stream of analysis leaves half the machine idle. Lanes, not alternate
frames: VIDEO mode tracks the person from frame to frame, so each lane must see consecutive frames; a lane starts
with the pose detector (one frame of image-mode cost) and from then on tracks. Where two lanes meet, the landmarks
can differ from one continuous pass by a frame or two of tracking (docs/performance.md).

A lane's frames are found by seeking; a container that does not seek to the exact frame is read from the start
instead (grabbing frames without converting them), so every frame is the one a sequential read gives.
"""

from __future__ import annotations

import threading
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from formwatch.capture.pose import PoseEstimator
from formwatch.capture.sources import VideoInfo, _open_video
from formwatch.core.sample import PoseSample

if TYPE_CHECKING:
    import cv2

MIN_FRAMES_PER_LANE = 90  # shorter clips are not worth a second model's start-up (~0.3 s)


def lane_bounds(frame_count: int, lanes: int) -> list[tuple[int, int | None]]:
    """Contiguous ``[start, stop)`` frame ranges, one a lane; the last runs to the end of the file (None), whatever
    its header claims."""
    lanes = max(1, min(lanes, frame_count // MIN_FRAMES_PER_LANE)) if frame_count > 0 else 1
    starts = [frame_count * i // lanes for i in range(lanes)]
    return [(start, starts[i + 1] if i + 1 < lanes else None) for i, start in enumerate(starts)]


def _seek(capture: cv2.VideoCapture, frame: int) -> None:
    """Put ``capture`` before ``frame``: by seeking when the container lands exactly there, else by grabbing."""
    import cv2

    if frame == 0:
        return
    if capture.set(cv2.CAP_PROP_POS_FRAMES, frame) and int(capture.get(cv2.CAP_PROP_POS_FRAMES)) == frame:
        return
    capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
    for _ in range(frame):
        if not capture.grab():
            return


class _Lane:
    """One stretch of the clip: its own capture and pose model, its samples kept in order until they are asked
    for."""

    def __init__(self, path: Path, info: VideoInfo, start: int, stop: int | None,
                 make_estimator: Callable[[], PoseEstimator]) -> None:
        self.path, self.info, self.start, self.stop = path, info, start, stop
        self.make_estimator = make_estimator
        self.samples: deque[PoseSample] = deque()
        self.frames_read = 0
        self.finished = False
        self.error: BaseException | None = None
        self.ready = threading.Condition()
        self.cancelled = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"pose-lane-{start}", daemon=True)

    def _run(self) -> None:
        try:
            capture = _open_video(self.path)
            try:
                _seek(capture, self.start)
                with self.make_estimator() as estimator:
                    index = self.start
                    while (self.stop is None or index < self.stop) and not self.cancelled.is_set():
                        ok, bgr = capture.read()
                        if not ok or bgr is None:
                            break
                        sample = estimator.estimate_bgr(bgr, index / self.info.fps)
                        with self.ready:
                            self.samples.append(sample)
                            self.frames_read += 1
                            self.ready.notify_all()
                        index += 1
            finally:
                capture.release()
        except BaseException as exc:  # handed to the reader, raised in its thread
            self.error = exc
        finally:
            with self.ready:
                self.finished = True
                self.ready.notify_all()

    def __iter__(self) -> Iterator[PoseSample]:
        while True:
            with self.ready:
                while not self.samples and not self.finished:
                    self.ready.wait()
                if self.error is not None:
                    raise self.error
                if not self.samples:
                    return
                batch = list(self.samples)
                self.samples.clear()
            yield from batch


class LaneReader:
    """Every frame's pose, in order, from ``lanes`` stretches analysed at once. Iterate once; ``frames_read`` is
    the total when done."""

    def __init__(self, path: Path, info: VideoInfo, make_estimator: Callable[[], PoseEstimator], lanes: int = 2) -> None:
        self.lanes = [_Lane(path, info, start, stop, make_estimator)
                      for start, stop in lane_bounds(info.frame_count, lanes)]

    @property
    def frames_read(self) -> int:
        return sum(lane.frames_read for lane in self.lanes)

    def __iter__(self) -> Iterator[PoseSample]:
        for lane in self.lanes:
            lane.thread.start()
        try:
            for lane in self.lanes:
                yield from lane
        finally:
            for lane in self.lanes:
                lane.cancelled.set()
            for lane in self.lanes:
                lane.thread.join(timeout=5.0)
