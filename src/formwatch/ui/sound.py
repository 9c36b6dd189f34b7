"""A short two-tone chime when a set ends (generated, no sound files); silent where audio is unavailable."""

from __future__ import annotations

import math
import struct
import tempfile
import wave
from pathlib import Path

from PyQt6.QtWidgets import QApplication


def _write_chime(path: Path, rate_hz: int = 22050) -> None:
    frames = bytearray()
    for freq, dur in ((880.0, 0.18), (660.0, 0.28)):
        n = int(rate_hz * dur)
        for i in range(n):
            envelope = min(1.0, i / 200, (n - i) / 800)
            frames += struct.pack("<h", int(12000 * envelope * math.sin(2 * math.pi * freq * i / rate_hz)))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate_hz)
        w.writeframes(bytes(frames))


class StopSound:
    """Plays the chime through QtMultimedia when present, else the system beep."""

    def __init__(self) -> None:
        self._effect = None
        try:
            from PyQt6.QtCore import QUrl
            from PyQt6.QtMultimedia import QSoundEffect

            self._tmp = tempfile.TemporaryDirectory(prefix="formwatch-sound-")
            path = Path(self._tmp.name) / "stop.wav"
            _write_chime(path)
            self._effect = QSoundEffect()
            self._effect.setSource(QUrl.fromLocalFile(str(path)))
        except (ImportError, OSError, RuntimeError):
            self._effect = None
        self.played = 0

    def play(self) -> None:
        self.played += 1
        if self._effect is not None:
            self._effect.play()
        else:
            QApplication.beep()
