"""Test videos made from the shared clips, written to a test's temporary folder (never committed): two people side
by side, a second person entering mid-set, a person shrunk to a few dozen pixels, frames thinned, a blank wall.

Each writes an MJPG .avi through OpenCV (every frame kept, no codec surprises) at the first clip's frame rate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import cv2
import numpy as np


def frames(video: Path) -> Iterator[np.ndarray]:
    capture = cv2.VideoCapture(str(video))
    try:
        while True:
            ok, bgr = capture.read()
            if not ok:
                return
            yield bgr
    finally:
        capture.release()


def fps_of(video: Path) -> float:
    capture = cv2.VideoCapture(str(video))
    fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
    capture.release()
    return fps


def written(out: Path, fps: float, pictures: Iterator[np.ndarray]) -> Path:
    """Every picture into ``out`` at ``fps`` (the first picture's size)."""
    writer = None
    for picture in pictures:
        if writer is None:
            writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"MJPG"), fps,
                                     (picture.shape[1], picture.shape[0]))
            assert writer.isOpened(), f"cannot write {out}"
        writer.write(picture)
    assert writer is not None, "no pictures"
    writer.release()
    return out


def beside(main: Path, other: Path | None, out: Path, other_from_s: float = 0.0, other_width_px: int = 500) -> Path:
    """``main``'s frames on the left and, from ``other_from_s`` on, ``other``'s on the right (shrunk to
    ``other_width_px`` wide, standing on the same floor line, played again and again); before that, or with no
    ``other``, an empty grey strip — so the same picture with and without the second person."""
    fps = fps_of(main)

    def pictures() -> Iterator[np.ndarray]:
        others = frames(other) if other is not None else iter(())
        for i, bgr in enumerate(frames(main)):
            h, w = bgr.shape[:2]
            canvas = np.full((h, w + other_width_px, 3), 90, dtype=np.uint8)
            canvas[:, :w] = bgr
            if other is not None and i / fps >= other_from_s:
                second = next(others, None)
                if second is None:  # a short clip plays again: the second person stays
                    others = frames(other)
                    second = next(others, None)
                if second is not None:
                    sh, sw = second.shape[:2]
                    height = min(h, round(sh * other_width_px / sw))
                    canvas[h - height:, w:] = cv2.resize(second, (other_width_px, height),
                                                         interpolation=cv2.INTER_AREA)
            yield canvas

    return written(out, fps, pictures())


def shrunk(video: Path, out: Path, scale: float) -> Path:
    """Every frame shrunk by ``scale`` (a far webcam at a low resolution)."""
    return written(out, fps_of(video), (
        cv2.resize(bgr, (max(8, round(bgr.shape[1] * scale)), max(8, round(bgr.shape[0] * scale))),
                   interpolation=cv2.INTER_AREA) for bgr in frames(video)))


def turned(video: Path, out: Path, clockwise: bool = True) -> Path:
    """Every frame turned a quarter (a phone on its side whose video carries no rotation)."""
    turn = cv2.ROTATE_90_CLOCKWISE if clockwise else cv2.ROTATE_90_COUNTERCLOCKWISE
    return written(out, fps_of(video), (cv2.rotate(bgr, turn) for bgr in frames(video)))


def thinned(video: Path, out: Path, fps: float) -> Path:
    """Only ``fps`` frames a second kept (a camera or a machine far too slow)."""
    source_fps = fps_of(video)

    def kept() -> Iterator[np.ndarray]:
        next_t = 0.0
        for i, bgr in enumerate(frames(video)):
            if i / source_fps + 1e-9 >= next_t:
                next_t += 1.0 / fps
                yield bgr

    return written(out, fps, kept())


def blank_wall(out: Path, seconds: float = 6.0, fps: float = 30.0, size: tuple[int, int] = (640, 360)) -> Path:
    """A wall with a little sensor noise and nobody in front of it."""
    rng = np.random.default_rng(0)
    wall = np.full((size[1], size[0], 3), (180, 190, 200), dtype=np.uint8)
    return written(out, fps, (np.clip(wall + rng.integers(-4, 5, wall.shape), 0, 255).astype(np.uint8)
                              for _ in range(int(seconds * fps))))
