"""Spoken cues through an offline speech engine, off unless asked for (``--voice``).

The engine is a local program — ``espeak-ng`` or ``espeak`` on Linux (Debian packages), ``say`` on macOS — run in a
thread of its own, so speaking never holds up the worker or the window. The newest cue wins: a cue still waiting
when a newer one comes is dropped (a backlog of stale cues is worse than silence). Without an engine the cues are
silent and one line says how to get one.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading


def find_engine() -> list[str] | None:
    """The command that speaks its last argument, or None."""
    for name, args in (("espeak-ng", ["-s", "150"]), ("espeak", ["-s", "150"]), ("say", [])):
        path = shutil.which(name)
        if path:
            return [path, *args]
    return None


class VoiceCues:
    """``say(text)`` returns at once; a thread speaks the newest cue."""

    def __init__(self, command: list[str] | None = None) -> None:
        self.command = command if command is not None else find_engine()
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
