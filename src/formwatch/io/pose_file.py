"""A recording's pose file (``poses.npz`` and its chunks): the followed person's landmarks, trunk profiles and how
many other people were in view, frame by frame — written atomically, read with every problem named.

Arrays: ``t_s`` (T,) seconds, ``image`` and ``world`` (T, 33, 4), ``trunk_profile`` (T, 4, N_STATIONS; absent in
recordings made before the silhouette was measured), ``others_in_view`` (T,) int8 (absent before formwatch
followed one person: read as nobody else).
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formwatch.core.errors import FormwatchError
from formwatch.core.silhouette import PROFILE_SHAPE, empty_profile
from formwatch.io.jsonfiles import FILE_MODE

__all__ = ["NO_PROFILE", "PoseArrays", "PoseFileError", "joined", "read_poses", "save_poses"]

NO_PROFILE = empty_profile()


class PoseFileError(FormwatchError):
    """A pose file is missing arrays or unreadable."""


@dataclass(frozen=True)
class PoseArrays:
    """One pose file's arrays (see the module's docstring)."""

    t_s: np.ndarray
    image: np.ndarray
    world: np.ndarray
    profile: np.ndarray | None = None
    others_in_view: np.ndarray | None = None


def save_poses(path: Path, arrays: PoseArrays) -> None:
    """Write ``arrays`` to ``path`` atomically (a temporary file renamed when whole, fsynced)."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    out: dict[str, np.ndarray] = {"t_s": arrays.t_s.astype(np.float64), "image": arrays.image.astype(np.float32),
                                  "world": arrays.world.astype(np.float32)}
    if arrays.profile is not None:
        out["trunk_profile"] = arrays.profile.astype(np.float32)
    if arrays.others_in_view is not None:
        out["others_in_view"] = arrays.others_in_view.astype(np.int8)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **out)  # type: ignore[arg-type]  # numpy's stub types the keywords as its own options
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)  # a file that could not be finished is not left behind


def read_poses(path: Path) -> PoseArrays:
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = {"t_s", "image", "world"} - set(data.files)
            if missing:
                raise PoseFileError(f"{path} lacks {', '.join(sorted(missing))}: it is not a formwatch pose file")
            profile = data["trunk_profile"] if "trunk_profile" in data.files else None
            others = data["others_in_view"] if "others_in_view" in data.files else None
            return PoseArrays(data["t_s"], data["image"], data["world"], profile, others)
    except PoseFileError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, KeyError) as exc:
        raise PoseFileError(f"{path} is unreadable ({type(exc).__name__}): the file is damaged") from None


def joined(parts: list[PoseArrays]) -> PoseArrays:
    """Several pose files end to end: a part without profiles contributes unmeasured rows (None if none has
    them), one without the count of others contributes zeros (None if none has it)."""
    t_s = np.concatenate([np.asarray(p.t_s) for p in parts])
    image = np.concatenate([np.asarray(p.image) for p in parts])
    world = np.concatenate([np.asarray(p.world) for p in parts])
    profile = None
    if any(p.profile is not None for p in parts):
        rows = []
        for p in parts:
            rows_of = p.profile
            if rows_of is None or np.shape(rows_of)[:1] != np.shape(p.t_s)[:1] or \
                    np.shape(rows_of)[1:] != PROFILE_SHAPE:
                rows_of = np.broadcast_to(NO_PROFILE, (len(p.t_s),) + PROFILE_SHAPE)
            rows.append(np.asarray(rows_of, dtype=np.float32))
        profile = np.concatenate(rows)
    others = None
    if any(p.others_in_view is not None for p in parts):
        others = np.concatenate([np.asarray(p.others_in_view, dtype=np.int8)
                                 if p.others_in_view is not None and np.shape(p.others_in_view) == np.shape(p.t_s)
                                 else np.zeros(len(p.t_s), dtype=np.int8) for p in parts])
    return PoseArrays(t_s, image, world, profile, others)
