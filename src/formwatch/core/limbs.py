"""The body's pose beyond the trunk, from the world landmarks (metres, the camera's perspective removed), in one
pass: what the recogniser reads the movement from (core/recognition.py), and the camera's angle to the body.

- ``knee_flexion_deg``: the knees' bend (0 = straight), the two weighted by their visibility — a squat bends them as
  much as the hips, a hinge far less;
- ``shank_incline_deg``: the shins from vertical (0 standing, 90 along the floor: on all fours, in a plank);
- ``elbow_flexion_deg``: the elbows' bend (curls and push-ups bend them; a plank, a hinge do not);
- ``arm_raise_deg``: the more raised upper arm against the trunk (0 along it, 90 forward or sideways, 180 overhead);
- ``leg_split_deg``: the angle between the two thighs (a lunge, a donkey kick, a bird-dog's reach);
- ``hip_height``: the hips' height above the ankles as a share of the legs' length (1 standing, about 0.5 at the
  bottom of a squat, near 0 lying);
- ``view_angle_deg``: the camera's angle to the body's side (0: side-on, 90: facing the camera or away), from the
  shoulders' and hips' left-to-right line — what decides whether a side-view metric can be judged.

One function computes them all for one pose on Python floats (:func:`limb_readings`); a recording is the same call
frame after frame.
"""

from __future__ import annotations

import math

import numpy as np

from formwatch.core.landmarks import Lm

__all__ = ["LIMB_NAMES", "limb_readings"]

LIMB_NAMES = ("knee_flexion_deg", "shank_incline_deg", "elbow_flexion_deg", "arm_raise_deg", "leg_split_deg",
              "hip_height", "view_angle_deg")
_ROWS = [int(i) for i in (Lm.LEFT_SHOULDER, Lm.RIGHT_SHOULDER, Lm.LEFT_ELBOW, Lm.RIGHT_ELBOW, Lm.LEFT_WRIST,
                          Lm.RIGHT_WRIST, Lm.LEFT_HIP, Lm.RIGHT_HIP, Lm.LEFT_KNEE, Lm.RIGHT_KNEE, Lm.LEFT_ANKLE,
                          Lm.RIGHT_ANKLE)]
_NAN7 = (math.nan,) * 7
Vec = list[float]


def _sub(a: Vec, b: Vec) -> tuple[float, float, float]:
    return a[0] - b[0], a[1] - b[1], a[2] - b[2]


def _angle(u: tuple[float, float, float], v: tuple[float, float, float]) -> float:
    """The angle between two vectors, degrees (atan2 of cross and dot: stable near 0 and 180)."""
    cx, cy, cz = u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]
    return math.degrees(math.atan2(math.sqrt(cx * cx + cy * cy + cz * cz), u[0] * v[0] + u[1] * v[1] + u[2] * v[2]))


def _weighted(pairs: list[tuple[float, float]]) -> float:
    """The visibility-weighted mean of (value, visibility) pairs, NaN when none has a value."""
    total = weight = 0.0
    for value, vis in pairs:
        if value == value:
            w = max(vis, 1e-3)
            total += w * value
            weight += w
    return total / weight if weight else math.nan


def _length(v: tuple[float, float, float]) -> float:
    return math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2])


def limb_readings(world: np.ndarray) -> tuple[float, ...]:
    """:data:`LIMB_NAMES`' values for one ``(33, 4)`` world pose (all NaN when nobody was found)."""
    rows: list[Vec] = world[_ROWS].tolist()
    if rows[0][0] != rows[0][0]:
        return _NAN7
    sh_l, sh_r, el_l, el_r, wr_l, wr_r, hip_l, hip_r, kn_l, kn_r, an_l, an_r = rows
    knees, shanks, elbows, splits, heights = [], [], [], [], []
    for hip, knee, ankle in ((hip_l, kn_l, an_l), (hip_r, kn_r, an_r)):
        thigh, shank = _sub(hip, knee), _sub(ankle, knee)
        knees.append((180.0 - _angle(thigh, shank), knee[3]))
        shanks.append((math.degrees(math.atan2(math.hypot(shank[0], shank[2]), abs(shank[1]))), knee[3]))
        legs = _length(thigh) + _length(shank)
        heights.append(((ankle[1] - hip[1]) / legs if legs > 0 else math.nan, min(hip[3], ankle[3])))
    mid_sh = [(a + b) / 2 for a, b in zip(sh_l, sh_r)]
    mid_hip = [(a + b) / 2 for a, b in zip(hip_l, hip_r)]
    down = _sub(mid_hip, mid_sh)
    raises = []
    for shoulder, elbow, wrist in ((sh_l, el_l, wr_l), (sh_r, el_r, wr_r)):
        upper = _sub(elbow, shoulder)
        elbows.append((180.0 - _angle(_sub(shoulder, elbow), _sub(wrist, elbow)), elbow[3]))
        raises.append(_angle(upper, down) if elbow[3] >= 0.5 else math.nan)
    splits.append(_angle(_sub(kn_l, hip_l), _sub(kn_r, hip_r)))
    across = [a - b + c - d for a, b, c, d in zip(sh_l, sh_r, hip_l, hip_r)]
    seen = [r for r in raises if r == r]
    return (_weighted(knees), _weighted(shanks), _weighted(elbows), max(seen) if seen else math.nan, splits[0],
            _weighted(heights), math.degrees(math.atan2(abs(across[0]), abs(across[2]))))


def limbs(image: np.ndarray, world: np.ndarray, profile: np.ndarray | None,
          frame_size_px: tuple[int, int]) -> tuple[float, ...]:
    """:func:`limb_readings` as a registry group's compute function (core/registry.py)."""
    return limb_readings(world)
