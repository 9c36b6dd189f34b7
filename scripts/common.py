"""Helpers shared by the report scripts: where the real data is, and a cache of MediaPipe poses per clip."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("FORMWATCH_SHARED_DATA", REPO.parent / "shared" / "data"))
CACHE = Path(os.environ.get("FORMWATCH_CACHE", "/tmp/formwatch-report-cache"))


def require_shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        raise SystemExit(f"the real data folder {SHARED_DATA} is absent: set FORMWATCH_SHARED_DATA")
    return SHARED_DATA


def poses_of(video: Path) -> Path:
    """A recording of the clip's MediaPipe poses (made once, then reused from the cache)."""
    from formwatch.app.analyze import analyze

    out = CACHE / video.stem
    if (out / "summary.json").is_file():
        return out
    if out.exists():
        import shutil

        shutil.rmtree(out)
    analyze(video, out, progress=False)
    return out


def machine_line() -> str:
    return (f"{time.strftime('%Y-%m-%d')}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}")


def emit(lines: list[str], write: Path | None) -> None:
    """Print the report and, when asked, write it as Markdown."""
    text = "\n".join(lines) + "\n"
    print(text)
    if write:
        write.write_text(text, encoding="utf-8")
