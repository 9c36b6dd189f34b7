"""A phone as the camera: a network stream (HTTP MJPEG or RTSP, as phone webcam apps serve) read through OpenCV's
FFmpeg backend into the same latest-wins mailbox as a local camera.

A network stream stalls and drops where a USB camera does not: a read that waits past :data:`READ_TIMEOUT_S` or a
closed connection is said at once, the stream is opened again for up to :data:`RECONNECT_S`, and if it does not come
back the source ends with why — the set then ends as any set does, its recording kept.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable

import numpy as np

if TYPE_CHECKING:
    import cv2

from formwatch.capture.native import quiet_native_stderr
from formwatch.capture.sources import CameraSource

__all__ = ["OPEN_TIMEOUT_S", "READ_TIMEOUT_S", "RECONNECT_S", "NetworkCameraSource", "is_stream_url"]

OPEN_TIMEOUT_S = 5.0  # a phone on the same Wi-Fi answers well within this
READ_TIMEOUT_S = 3.0  # no picture for this long: the stream has stalled
RECONNECT_S = 6.0  # how long a stalled or dropped stream is tried again before the set ends
_SCHEMES = ("http://", "https://", "rtsp://", "rtsps://")


def is_stream_url(text: str) -> bool:
    return str(text).lower().startswith(_SCHEMES)


class NetworkCameraSource(CameraSource):
    """A camera at ``url``; ``say`` is told when the stream stalls and when it comes back."""

    def __init__(self, url: str, say: Callable[[str], None] | None = None) -> None:
        self.say = say or (lambda text: None)
        self.stalls = 0
        super().__init__(url)
        self.url = url

    def _open(self) -> "cv2.VideoCapture":
        import cv2

        params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, int(OPEN_TIMEOUT_S * 1000),
                  cv2.CAP_PROP_READ_TIMEOUT_MSEC, int(READ_TIMEOUT_S * 1000)]
        return cv2.VideoCapture(str(self.device), cv2.CAP_FFMPEG, params)

    def _cannot_open(self) -> str:
        return (f"the camera stream {self.device} cannot be opened: check the phone's webcam app is running, the "
                "address and port it shows, and that both are on the same network")

    def _no_picture(self) -> str:
        return f"the camera stream {self.device} opened but sends no picture: restart the phone's webcam app"

    def _after_failed_read(self) -> "np.ndarray | None":
        """The stream stalled or dropped: say so, open it again until :data:`RECONNECT_S` have passed; its first
        picture again, or None (and why in ``ended_reason``)."""
        self.stalls += 1
        self.say(f"the camera stream stalled — trying to reconnect for {RECONNECT_S:.0f} s")
        deadline = time.monotonic() + RECONNECT_S
        while not self._stop.is_set() and time.monotonic() < deadline:
            self._capture.release()
            with quiet_native_stderr():
                self._capture = self._open()
            if self._capture.isOpened():
                ok, bgr = self._capture.read()
                if ok and bgr is not None:
                    self.say("the camera stream is back")
                    picture: np.ndarray = bgr
                    return picture
            self._stop.wait(0.5)
        self.ended_reason = (f"the camera stream {self.url} stopped and did not come back within "
                             f"{RECONNECT_S:.0f} s (phone asleep, app closed, or Wi-Fi lost)")
        return None
