"""A full disk said in one line: which disk (the folder it is mounted at), how much the set needs there, what to do.

A recording grows about a megabyte a minute; when its disk fills the set ends (io/recording.py keeps what was
written whole) and the person needs to know where to free space and how much, not an ``OSError`` chain.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from formwatch.core.errors import FormwatchError

__all__ = ["DiskFullError", "disk_full_line", "is_disk_full", "mount_point"]

_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_MB = 1024 * 1024


class DiskFullError(FormwatchError):
    """The disk a recording is written to is full (or the user's quota is used up)."""

    exit_code = 1


def is_disk_full(exc: BaseException) -> bool:
    """True for "no space left", "quota exceeded" and "file too large"."""
    return isinstance(exc, OSError) and exc.errno in _FULL


def mount_point(path: Path) -> Path:
    """The folder the disk holding ``path`` is mounted at (the first existing folder above it on the same device)."""
    path = Path(os.path.abspath(path))
    while not path.exists() and path != path.parent:
        path = path.parent
    device = path.stat().st_dev
    while path != path.parent and path.parent.stat().st_dev == device:
        path = path.parent
    return path


def disk_full_line(where: Path, kept_s: float, needed_bytes: float | None, per_minute_bytes: float) -> str:
    """The one line: the set stopped, what is kept and where, the space to free on which disk."""
    disk = mount_point(where)
    kept = (f"the recording up to {kept_s:.1f} s is kept in {where}, marked incomplete (formwatch replay {where})"
            if kept_s > 0 else f"nothing of it could be kept in {where}")
    if needed_bytes is not None:
        need = f"free at least {max(1.0, needed_bytes / _MB):.0f} MB on {disk} and run it again"
    else:
        need = f"free space on {disk}: a minute of a set takes about {max(1.0, per_minute_bytes / _MB):.0f} MB"
    return f"the disk holding {where} is full, so the set stopped: {kept}; {need}"
