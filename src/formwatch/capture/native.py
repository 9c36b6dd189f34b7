"""Keeping native libraries' (MediaPipe's, FFmpeg's) log lines off the user's terminal."""

import contextlib
import os
import sys
import threading
from typing import Iterator

_lock = threading.Lock()
_users = 0  # threads inside quiet_native_stderr now: fd 2 is restored when the last one leaves
_saved_fd: int | None = None


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Silence MediaPipe's C++ start-up log lines (they go straight to fd 2, past Python's logging).

    fd 2 belongs to the whole process, so threads that load models at once (capture/lanes.py) share one
    redirection: the first one in saves and redirects, the last one out restores."""
    global _users, _saved_fd
    with _lock:
        if _users == 0:
            try:
                sys.stderr.flush()
                saved = os.dup(2)
            except (OSError, ValueError):
                saved = None
            if saved is not None:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 2)
                os.close(devnull)
            _saved_fd = saved
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0 and _saved_fd is not None:
                os.dup2(_saved_fd, 2)
                os.close(_saved_fd)
                _saved_fd = None
