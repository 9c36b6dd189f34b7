"""Helpers shared by the report scripts: where the real data is, and a cache of MediaPipe poses per clip."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("FORMWATCH_SHARED_DATA", REPO.parent / "shared" / "data"))


def require_shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        raise SystemExit(f"the real data folder {SHARED_DATA} is absent: set FORMWATCH_SHARED_DATA")
    return SHARED_DATA


def poses_of(video: Path) -> Path:
    """A recording of the clip's MediaPipe poses (made once, then reused from the cache: app/pose_cache.py)."""
    from formwatch.app.pose_cache import cached_poses
    from formwatch.capture.models.provision import find_or_provision

    return cached_poses(video, find_or_provision(None).path)


def machine_line() -> str:
    return (f"{time.strftime('%Y-%m-%d')}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}")


def emit(lines: list[str], write: Path | None) -> None:
    """Print the report and, when asked, write it as Markdown."""
    text = "\n".join(lines) + "\n"
    print(text)
    if write:
        write.write_text(text, encoding="utf-8")
