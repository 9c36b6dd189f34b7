"""Spoken cues through an offline speech engine, on by default where there is an engine and a sound device
(``--no-voice`` to silence it; S in the window).

The engine is a local program — ``espeak-ng`` or ``espeak`` on Linux (Debian packages), ``say`` on macOS — run in a
thread of its own, so speaking never holds up the worker or the window. The newest cue wins: a cue still waiting
when a newer one comes is dropped (a backlog of stale cues is worse than silence). Without an engine the cues are
silent and one line says how to get one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path


def find_engine() -> list[str] | None:
    """The command that speaks its last argument, or None."""
    for name, args in (("espeak-ng", ["-s", "150"]), ("espeak", ["-s", "150"]), ("say", [])):
        path = shutil.which(name)
        if path:
            return [path, *args]
    return None


def why_silent(engine: list[str] | None = None) -> str:
    """Why cues cannot be heard here ('' when they can): no speech engine, or no sound device."""
    if (engine if engine is not None else find_engine()) is None:
        return "no speech engine found (install espeak-ng)"
    if sys.platform.startswith("linux") and not (Path("/dev/snd").exists() or os.environ.get("PULSE_SERVER")
                                                 or Path(f"/run/user/{os.getuid()}/pulse").exists()):
        return "no sound device on this computer"
    return ""


def render_wav(text: str, path: Path, engine: list[str] | None = None) -> Path:
    """``text`` spoken into a WAV file (espeak-ng's -w): what a cue sounds like, without a sound device."""
    command = engine if engine is not None else find_engine()
    if command is None or Path(command[0]).name not in ("espeak-ng", "espeak"):
        raise RuntimeError("rendering to a file needs espeak-ng")
    subprocess.run([*command, "-w", str(path), text], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                   timeout=30)
    return path


class VoiceCues:
    """``say(text)`` returns at once; a thread speaks the newest cue."""

    def __init__(self, command: list[str] | None = None, muted: bool = False, count_reps: bool = True) -> None:
        self.command = command if command is not None else find_engine()
        self.muted = muted  # S in the window: said nothing until unmuted (what would be said is still logged)
        self.count_reps = count_reps  # each clean rep's number said (notes and faults are said either way)
        self.spoken: list[str] = []  # what was handed to the engine, for tests and logs
        self._pending: str | None = None
        self._wake = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None
        if self.command is None:
            print("formwatch: note: no speech engine found (install espeak-ng); cues stay on screen only",
                  file=sys.stderr)
        else:
            self._thread = threading.Thread(target=self._run, name="voice", daemon=True)
            self._thread.start()

    def say(self, text: str) -> None:
        if self.muted:
            return
        with self._wake:
            self._pending = text  # replaces a cue not yet spoken
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._pending is None and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
                text, self._pending = self._pending, None
            if text is None or self.command is None:
                continue
            self.spoken.append(text)
            try:
                subprocess.run([*self.command, text], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               timeout=30, check=False)
            except (OSError, subprocess.TimeoutExpired):
                pass  # a broken engine must not break the set

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify()
        if self._thread is not None:
            self._thread.join(timeout=1.0)
