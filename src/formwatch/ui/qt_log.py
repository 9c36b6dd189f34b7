"""Qt's own messages (platform plugins, audio back-ends, sound effects) go to a log file in the data home, not to
the terminal: a person reads formwatch's lines there, and a dozen lines of Qt and audio chatter hide them.
Qt's fatal messages still reach the terminal: they are the last thing said before Qt ends the process."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PyQt6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

__all__ = ["MAX_LOG_BYTES", "log_path", "send_qt_messages_to_log"]

MAX_LOG_BYTES = 1_000_000


def log_path() -> Path:
    from formwatch.io.home import data_home

    return data_home() / "logs" / "qt.log"


def _handler(kind: QtMsgType, context: QMessageLogContext, message: str | None) -> None:
    if kind == QtMsgType.QtFatalMsg:
        print(f"Qt: {message}", file=sys.stderr, flush=True)
        return
    try:
        path = log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_file() and path.stat().st_size > MAX_LOG_BYTES:
            path.replace(path.with_suffix(".log.1"))  # one older log kept: the chatter never fills a disk
        with open(path, "a", encoding="utf-8") as log:
            log.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {kind.name}: {message}\n")
    except OSError:
        pass  # a home that cannot take a log line loses only the chatter


def send_qt_messages_to_log() -> None:
    """Install the handler (before the application is made, so the platform plugin's own lines are caught)."""
    qInstallMessageHandler(_handler)
