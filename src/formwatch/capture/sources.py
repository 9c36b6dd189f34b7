"""Frame sources: a video file read in order, a camera (latest frame wins), and a video file played *as* a camera.

Each yields :class:`Frame` objects carrying their capture time, which travels with the frame to the verdict.
A video file is read frame by frame, every frame, with timestamps from its own frame rate. Live sources publish
into a :class:`LatestMailbox`, so a slow consumer sees the newest frame and counts the ones it missed.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

import numpy as np

from formwatch.core.errors import FormwatchError
from formwatch.capture.mailbox import LatestMailbox
from formwatch.capture.native import quiet_native_stderr

if TYPE_CHECKING:
    import cv2


os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # FFmpeg's own lines about damaged files; ours are clearer


class SourceError(FormwatchError):
    """A video or camera cannot be opened or read."""


@dataclass(frozen=True)
class Frame:
    """One image: its number in the source, its capture time (seconds, source clock) and BGR pixels."""

    seq: int
    t_capture_s: float
    bgr: np.ndarray | None  # None for pixel-less frames (the demo's simulated camera)
    t_data_s: float | None = None  # the frame's own time when it is not the capture clock (simulated sets)


@dataclass(frozen=True)
class VideoInfo:
    fps: float
    frame_width: int
    frame_height: int
    frame_count: int  # as the container claims; may be wrong for damaged files


def _open_video(path: Path) -> "cv2.VideoCapture":
    import cv2

    if not path.exists():
        raise SourceError(f"{path} does not exist: check the path")
    if path.is_dir():
        raise SourceError(f"{path} is a directory, not a video file")
    with quiet_native_stderr():  # FFmpeg prints its own complaint about a damaged file; ours is clearer
        capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        from formwatch.capture.sniff import describe_file

        what = describe_file(path)
        damaged = " but cannot be decoded (damaged?)" if what.endswith("video") else ", not a video"
        raise SourceError(f"{path} is {what}{damaged}: give a video file (MP4, MOV, AVI, MKV or WebM)")
    return capture


def probe_video(path: Path) -> VideoInfo:
    """Frame rate, size and claimed length of a video file; a clear error when it is not a usable video."""
    import cv2

    capture = _open_video(path)
    try:
        fps = capture.get(cv2.CAP_PROP_FPS)
        width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
        height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        ok, _ = capture.read()
    finally:
        capture.release()
    if not ok or width <= 0 or height <= 0:
        from formwatch.capture.sniff import describe_file

        raise SourceError(f"{path} ({describe_file(path)}) holds no video frames: record again or choose another file")
    if not (fps and np.isfinite(fps) and 0 < fps <= 1000):
        fps = 30.0
    return VideoInfo(float(fps), width, height, max(count, 0))


def frames_at_least(path: Path, count: int) -> bool:
    """Whether the video really has ``count`` frames (a seek and one read, not a decode of the whole file): its
    header may claim more than a cut file holds."""
    import cv2

    capture = _open_video(path)
    try:
        capture.set(cv2.CAP_PROP_POS_FRAMES, max(count - 1, 0))
        ok, _ = capture.read()
        return bool(ok)
    finally:
        capture.release()


class VideoFileSource:
    """Every frame of a video file, in order, timed by the file's own frame rate."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.info = probe_video(self.path)
        self.frames_read = 0

    @property
    def truncated(self) -> bool:
        """The file ended before the frame count its header claims (a damaged or cut file)."""
        return 0 < self.frames_read < self.info.frame_count - 1

    def __iter__(self) -> Iterator[Frame]:
        capture = _open_video(self.path)
        try:
            while True:
                ok, bgr = capture.read()
                if not ok or bgr is None:
                    return
                yield Frame(self.frames_read, self.frames_read / self.info.fps, bgr)
                self.frames_read += 1
        finally:
            capture.release()


def read_ahead(frames: Iterable[Frame], depth: int = 8) -> Iterator[Frame]:
    """Frames decoded in a thread of their own, up to ``depth`` ahead of the consumer: decoding (OpenCV releases
    the GIL) overlaps inference instead of waiting for it. Order kept, nothing dropped; errors re-raised here."""
    slots: queue.Queue[Frame | BaseException | object] = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def produce() -> None:
        try:
            for frame in frames:
                while not stop.is_set():
                    try:
                        slots.put(frame, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            slots.put(done)
        except BaseException as exc:  # handed to the consumer, raised in its thread
            slots.put(exc)

    thread = threading.Thread(target=produce, name="decode-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = slots.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            if isinstance(item, Frame):
                yield item
    finally:
        stop.set()
        thread.join(timeout=2.0)


class LiveSource:
    """A thread that publishes frames into a latest-wins mailbox until stopped or the source ends."""

    def __init__(self) -> None:
        self.mailbox: LatestMailbox[Frame] = LatestMailbox()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.ended_reason = ""  # why the source stopped producing, if it did by itself
        self.info: VideoInfo

    def start(self) -> "LiveSource":
        self._thread = threading.Thread(target=self._run, name=type(self).__name__, daemon=True)
        self._thread.start()
        return self

    def __enter__(self) -> "LiveSource":
        return self.start() if self._thread is None else self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        self.mailbox.close()

    def _run(self) -> None:
        try:
            self._produce()
        finally:
            self.mailbox.close()

    def _produce(self) -> None:
        raise NotImplementedError

    @property
    def dropped(self) -> int:
        return self.mailbox.dropped


class PacedVideoSource(LiveSource):
    """A video file played as a camera at its native rate: frames the consumer is too slow to take are dropped.

    The stand-in for a webcam on machines without one, and how latency is measured. Capture time is the wall
    clock (``time.monotonic``) at which the frame "arrived", as with a real camera.
    """

    def __init__(self, path: Path, fps: float | None = None) -> None:
        super().__init__()
        self.path = Path(path)
        self.info = probe_video(self.path)
        self.fps = fps or self.info.fps

    def _produce(self) -> None:
        capture = _open_video(self.path)
        period = 1.0 / self.fps
        start = time.monotonic()
        seq = 0
        try:
            while not self._stop.is_set():
                ok, bgr = capture.read()
                if not ok or bgr is None:
                    self.ended_reason = f"the video {self.path.name} ended after {seq} frames"
                    return
                due = start + seq * period
                delay = due - time.monotonic()
                if delay > 0:
                    self._stop.wait(delay)
                self.mailbox.put(Frame(seq, time.monotonic(), bgr))
                seq += 1
        finally:
            capture.release()


class ScheduledSource(LiveSource):
    """Frames without pixels published on a schedule (``t_s`` array, scaled by ``speed``): the demo's camera.

    The pose for each frame comes from a :class:`formwatch.app.live.FakeEstimator` by frame number, so the demo and
    the tests run the real live path (mailbox, worker, drops) with no camera and no model.
    """

    def __init__(self, t_s: np.ndarray, frame_size_px: tuple[int, int], speed: float = 1.0) -> None:
        super().__init__()
        self.t_s = np.asarray(t_s, dtype=np.float64)
        self.speed = speed
        fps = (len(self.t_s) - 1) / (self.t_s[-1] - self.t_s[0]) if len(self.t_s) > 1 else 30.0
        self.info = VideoInfo(float(fps), frame_size_px[0], frame_size_px[1], len(self.t_s))

    def _produce(self) -> None:
        start = time.monotonic()
        for seq, t in enumerate(self.t_s):
            delay = start + (t - self.t_s[0]) / self.speed - time.monotonic()
            if delay > 0 and self._stop.wait(delay):
                return
            if self._stop.is_set():
                return
            self.mailbox.put(Frame(seq, time.monotonic(), None, float(t)))
        self.ended_reason = "the demo set is over"


class CameraSource(LiveSource):
    """A webcam by index (0, 1, ...) or device path; the newest frame wins. A subclass opens other cameras (a
    phone's stream: capture/stream.py) through :meth:`_open` and says their own failures."""

    def __init__(self, device: int | str) -> None:
        import cv2

        super().__init__()
        self.device = device
        with quiet_native_stderr():  # OpenCV's backends print their own warnings for a missing camera
            self._capture = self._open()
        if not self._capture.isOpened():
            raise SourceError(self._cannot_open())
        ok, bgr = self._capture.read()
        if not ok or bgr is None:
            self._capture.release()
            raise SourceError(self._no_picture())
        fps = self._capture.get(cv2.CAP_PROP_FPS)
        self.info = VideoInfo(float(fps) if fps and 0 < fps <= 1000 else 30.0, bgr.shape[1], bgr.shape[0], 0)

    def _open(self) -> "cv2.VideoCapture":
        import cv2

        return cv2.VideoCapture(self.device)

    def _cannot_open(self) -> str:
        return (f"camera {self.device!r} cannot be opened: check it is plugged in, or try --camera 1, or use "
                "--video FILE")

    def _no_picture(self) -> str:
        return f"camera {self.device!r} opened but gives no picture: close other apps using it"

    def _produce(self) -> None:
        seq = 0
        try:
            while not self._stop.is_set():
                ok, bgr = self._capture.read()
                picture = bgr if ok and bgr is not None else self._after_failed_read()
                if picture is None:
                    return
                self.mailbox.put(Frame(seq, time.monotonic(), picture))
                seq += 1
        finally:
            self._capture.release()

    def _after_failed_read(self) -> np.ndarray | None:
        """A read gave no picture: the next picture from wherever it can come (a subclass reconnects), or None
        with why in ``ended_reason``."""
        self.ended_reason = f"camera {self.device!r} stopped sending pictures (unplugged?)"
        return None
