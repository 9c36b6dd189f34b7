"""Pictures written as PNG by Python, not by Qt's image writer: encoded in memory, then written whole through
io/outputs.py. A full disk is then our one clear line (and no half file), not libpng's "Write Error" on the
terminal and a silent failure."""

from __future__ import annotations

import sys
from pathlib import Path

from PyQt6.QtCore import QBuffer, QByteArray, QIODevice
from PyQt6.QtGui import QImage, QPixmap

from formwatch.core.errors import FormwatchError
from formwatch.io.outputs import OutputError, atomic_output

__all__ = ["png_bytes", "save_png", "save_screenshot"]


def png_bytes(picture: QImage | QPixmap) -> bytes:
    """The picture encoded as PNG in memory."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    ok = picture.save(buffer, "PNG")
    buffer.close()
    if not ok or data.isEmpty():
        raise OutputError("the picture could not be encoded as PNG")
    return bytes(data.data())


def save_png(picture: QImage | QPixmap, path: Path, option: str) -> Path:
    """Write ``picture`` to ``path`` whole or not at all; :class:`OutputError` naming ``option`` otherwise."""
    encoded = png_bytes(picture)
    with atomic_output(path, option) as tmp:
        tmp.write_bytes(encoded)
    return path


def save_screenshot(picture: QImage | QPixmap, path: Path) -> None:
    """A screenshot asked for with --screenshot, from inside Qt's event loop: a failure is one line, never a
    traceback out of a timer."""
    try:
        save_png(picture, path, "--screenshot")
    except FormwatchError as exc:
        print(f"formwatch: error: {exc}", file=sys.stderr)
