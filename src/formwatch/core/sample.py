"""One frame's pose as every mode passes it around: time, landmarks, and the trunk profile from the silhouette."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PoseSample:
    """``image`` and ``world``: ``(33, 4)`` float32 landmarks (all NaN when nobody was found); ``profile``: the
    trunk profile ``(4, N_STATIONS)`` (core/silhouette.py), or None when no silhouette was measured.
    ``others``: the other people the pose model found in the frame, before one is followed (core/following.py);
    ``others_in_view``: after it, how many people besides the followed one were found (recorded, replayed)."""

    t_s: float
    image: np.ndarray
    world: np.ndarray
    profile: np.ndarray | None = None
    others: tuple["PoseSample", ...] = ()
    others_in_view: int = 0

    @property
    def detected(self) -> bool:
        return not np.isnan(self.image[0, 0])
