"""Keeping the video of a set (only when the user asks: ``--keep-video``), as ``video.mp4`` in the recording."""

from __future__ import annotations

import os

from formwatch.io.jsonfiles import FILE_MODE
from formwatch.io.recording import RecordingWriter
from formwatch.capture.sources import SourceError


def attach_video(writer: RecordingWriter, frame_size_px: tuple[int, int], fps: float) -> None:
    """Open ``video.mp4`` beside the poses; frames are then written as the set goes."""
    import cv2

    path = writer.path / "video.mp4"
    video = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), float(fps), frame_size_px)
    if not video.isOpened():
        raise SourceError(f"cannot write {path}: run without --keep-video, or choose another --out")
    os.chmod(path, FILE_MODE)
    writer.video = video
    writer.update_meta(video="video.mp4")
