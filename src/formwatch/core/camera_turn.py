"""Is the camera on its side? Read from the pose: gravity pulls every upright picture's limbs toward its vertical.

A person on their feet has upright shins; arms hang down, or push down on the floor (a plank, a push-up, all
fours), or reach overhead. Seen through a camera turned 90° (a phone propped on its side, a video without its
rotation metadata) the same person has every limb across the picture. So the check reads, each frame, the
**limb verticality**: the most upright of the shins, the upper arms and the arms, as |cos| of its angle to the
picture's vertical (1 upright, 0 across) — an upper arm raised past the head (away from the hips) counts as upright,
because a superman lying face down and a standing person reaching overhead on a turned camera look the same and
formwatch does not call the camera turned on a guess. When the median over :data:`WINDOW_S` stays below the fitted
limit (scripts/fit_camera_turn.py: the least any upright clip of the shared footage reaches, so no upright clip is
called turned; ``data/camera_turn.json``) the camera is on its side: said, and nothing judged until it is upright.

What it cannot tell: a person lying flat with arms by their sides and legs straight looks like a turned standing
person (no exercise formwatch judges starts so: a bridge's shins are upright, a plank's arms push down).
"""

from __future__ import annotations

import json
import math
from collections import deque
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from formwatch.core.landmarks import Lm

__all__ = ["CameraTurnCheck", "TurnLimit", "WINDOW_S", "limb_verticality", "shipped_turn_limit"]

WINDOW_S = 1.0  # the verticality is the median over this long (a limb swinging past level for a moment is not news)
MIN_WINDOW_FRAMES = 3  # a window with fewer frames where a limb was seen says nothing
SEEN_VISIBILITY = 0.5  # a landmark at least this visible counts as seen (as the scene check counts it)

# (from, to) landmark pairs, each a limb whose direction the verticality reads
_SHINS = ((Lm.LEFT_KNEE, Lm.LEFT_ANKLE), (Lm.RIGHT_KNEE, Lm.RIGHT_ANKLE))
_UPPER_ARMS = ((Lm.LEFT_SHOULDER, Lm.LEFT_ELBOW), (Lm.RIGHT_SHOULDER, Lm.RIGHT_ELBOW))
_ARMS = ((Lm.LEFT_SHOULDER, Lm.LEFT_WRIST), (Lm.RIGHT_SHOULDER, Lm.RIGHT_WRIST))
_HIP_OF_SHOULDER = {Lm.LEFT_SHOULDER: Lm.LEFT_HIP, Lm.RIGHT_SHOULDER: Lm.RIGHT_HIP}
_FROM = np.array([a for a, _ in (*_SHINS, *_UPPER_ARMS, *_ARMS)])
_TO = np.array([b for _, b in (*_SHINS, *_UPPER_ARMS, *_ARMS)])
_UPPER = slice(len(_SHINS), len(_SHINS) + len(_UPPER_ARMS))  # the upper arms' rows
_UPPER_ARM_HIPS = np.array([_HIP_OF_SHOULDER[a] for a, _ in _UPPER_ARMS])


@dataclass(frozen=True)
class TurnLimit:
    """Below this limb verticality (median over :data:`WINDOW_S`) the camera is on its side; ``-inf``: never."""

    max_limb_verticality: float


def limb_verticality(image: np.ndarray, frame_size_px: tuple[int, int]) -> float:
    """The most upright seen limb's |cos| to the picture's vertical, from normalised image landmarks ``(33, 4)``
    (an upper arm raised away from the hips counts by how far it points away from them: the elbow, not the hand, so
    hands on a bar behind the neck are not a reach overhead); NaN when no limb is seen."""
    xy = image[:, :2] * np.asarray(frame_size_px, dtype=np.float64)
    seen = image[:, 3] >= SEEN_VISIBILITY
    limb = xy[_TO] - xy[_FROM]
    length = np.hypot(limb[:, 0], limb[:, 1])
    ok = seen[_FROM] & seen[_TO] & (length > 0)
    if not ok.any():
        return math.nan
    upright = np.abs(limb[:, 1]) / np.where(length > 0, length, 1.0)
    best = float(upright[ok].max())
    to_hip = xy[_UPPER_ARM_HIPS] - xy[_FROM[_UPPER]]
    hip_length = np.hypot(to_hip[:, 0], to_hip[:, 1])
    raised_ok = ok[_UPPER] & seen[_UPPER_ARM_HIPS] & (hip_length > 0)
    if raised_ok.any():
        cos_to_hip = (limb[_UPPER] * to_hip).sum(axis=1) / (length[_UPPER] * np.where(hip_length > 0, hip_length, 1.0))
        best = max(best, float((-cos_to_hip[raised_ok]).max()))
    return best


class CameraTurnCheck:
    """Fed each frame's landmarks; :meth:`step` says whether the camera reads as on its side now."""

    def __init__(self, frame_size_px: tuple[int, int], limit: TurnLimit | None = None) -> None:
        self.frame_size_px = frame_size_px
        self.limit = limit if limit is not None else shipped_turn_limit()
        self._window: deque[tuple[float, float]] = deque()
        self.verticality = math.nan  # the last window's median (NaN: too few frames seen)

    def reset(self) -> None:
        self._window.clear()
        self.verticality = math.nan

    def step(self, t_s: float, image: np.ndarray) -> bool:
        """This frame's reading: True while the window's median limb verticality is below the limit."""
        window = self._window
        value = limb_verticality(image, self.frame_size_px)
        if value == value:
            window.append((t_s, value))
        while window and t_s - window[0][0] > WINDOW_S:
            window.popleft()
        self.verticality = float(np.median([v for _, v in window])) if len(window) >= MIN_WINDOW_FRAMES else math.nan
        return self.verticality < self.limit.max_limb_verticality


@cache
def shipped_turn_limit() -> TurnLimit:
    """The limit formwatch ships (scripts/fit_camera_turn.py's last output)."""
    text = resources.files("formwatch").joinpath("data", "camera_turn.json").read_text(encoding="utf-8")
    return TurnLimit(float(json.loads(text)["max_limb_verticality"]))
