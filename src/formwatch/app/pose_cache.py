"""MediaPipe poses of a clip, estimated once and kept: for the evaluations, the fits and the tests, which judge the
same clips again and again and need the pose model's minutes only once.

A clip's poses (and silhouettes) are a recording made by ``analyze`` with one pose stream (the way a folder's
workers run, so a cached clip reads exactly as ``formwatch analyze FOLDER`` reads it), keyed by the clip's size and
name, the pose model's sha256 and the code that reads frames and silhouettes and follows the person — a change to any of them estimates
again. The cache lives outside any repository (derived data, never the clip): ``$FORMWATCH_POSE_CACHE``, else
``~/.cache/formwatch/poses``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

__all__ = ["cache_dir", "cached_poses"]

_SRC = Path(__file__).resolve().parents[1]


def cache_dir() -> Path:
    return Path(os.environ.get("FORMWATCH_POSE_CACHE", Path.home() / ".cache" / "formwatch" / "poses"))


_LIVE_ONLY = {"model_switch.py", "stream.py"}  # capture code that only a live run uses: analyze's poses do not depend on it


def _code_key() -> str:
    digest = hashlib.sha256()
    for path in sorted((_SRC / "capture").rglob("*.py")) + [_SRC / "core" / n for n in ("silhouette.py",
                                                                                         "following.py")]:
        if path.name not in _LIVE_ONLY:
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def cached_poses(video: Path, model: Path) -> Path:
    """A recording of ``video``'s poses, from the cache or estimated now (then cached)."""
    from formwatch.app.analyze import analyze

    model_key = hashlib.sha256(model.read_bytes()).hexdigest()[:8]
    key = f"{video.stem}-{video.stat().st_size}-{model_key}-{_code_key()}"
    root = cache_dir()
    done = root / key
    if (done / "poses.npz").is_file() and (done / "meta.json").is_file():
        return done
    root.mkdir(parents=True, exist_ok=True)
    scratch = root / f".{key}.{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    analyze(video, scratch, model, detector=None, progress=False, lanes=1)
    try:
        os.replace(scratch, done)
    except OSError:  # another process cached it first
        shutil.rmtree(scratch, ignore_errors=True)
    return done
