"""Ctrl-C and SIGTERM as a request read between frames, never an exception thrown inside native code.

Python turns SIGINT into ``KeyboardInterrupt`` wherever the main thread happens to be: inside MediaPipe that
leaves a half-built ``Image`` whose ``__del__`` prints a traceback, and the set's ending code may never run. Here
the signal only sets a flag (and calls back, e.g. to ask the live runner to stop); the loop reads it between
frames, the set is finalised and marked interrupted, and the command exits 130 (Ctrl-C) or 143 (SIGTERM).
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any, Callable

from formwatch.core.errors import FormwatchError

__all__ = ["Interrupted", "StopSignals", "exit_code_of"]

_NAMES: dict[int, str] = {signal.SIGINT: "Ctrl-C", signal.SIGTERM: "SIGTERM"}


def exit_code_of(signum: int) -> int:
    """The shell's convention: 128 + the signal's number (130 after Ctrl-C, 143 after SIGTERM)."""
    return 128 + int(signum)


class Interrupted(FormwatchError):
    """The user (or the system) asked the command to end; what was running has been saved as interrupted."""

    def __init__(self, signum: int, what: str) -> None:
        super().__init__(f"interrupted ({_NAMES.get(signum, f'signal {signum}')}): {what}")
        self.signum = signum
        self.exit_code = exit_code_of(signum)


class StopSignals:
    """While entered, SIGINT and SIGTERM set :attr:`received` (and call ``on_signal``) instead of raising.
    Outside the main thread (tests, a GUI worker) it installs nothing and never reports a signal."""

    def __init__(self, on_signal: Callable[[], None] | None = None) -> None:
        self.on_signal = on_signal
        self.received: int | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> "StopSignals":
        if threading.current_thread() is threading.main_thread():
            for signum in _NAMES:
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        self._previous.clear()

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        if self.received is None:
            self.received = signum
        if self.on_signal is not None:
            self.on_signal()

    def __call__(self) -> bool:
        """True once a signal arrived: the loop's question between frames."""
        return self.received is not None

    def raise_if_received(self, what: str) -> None:
        """After the work was saved: end the command with the signal's exit code and one line."""
        if self.received is not None:
            raise Interrupted(self.received, what)
