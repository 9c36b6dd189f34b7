"""Limb angles the exercise recogniser needs (core/recognition.py): how far the knees bend.

A squat and a deadlift both fold the hips; what tells them apart is how much the knees bend with them (a squat's
hip and knee flex about equally, a hinge's hips flex 1.3-2.3 times more than its knees on the shared clips). The
angle is taken from the world landmarks (metres, the camera's perspective removed), so it holds in a front view too.
And where the shins point: on all fours or in a plank they lie along the floor, in a deadlift's set-up (trunk as
flat, knees as bent as a bird-dog's) they stand near vertical.
"""

from __future__ import annotations

import math

import numpy as np

from formwatch.core.landmarks import Lm

__all__ = ["knee_flexion_deg", "shank_incline_deg"]

_SIDES = ((Lm.LEFT_HIP, Lm.LEFT_KNEE, Lm.LEFT_ANKLE), (Lm.RIGHT_HIP, Lm.RIGHT_KNEE, Lm.RIGHT_ANKLE))


_ROWS = [int(i) for side in _SIDES for i in side]  # hip, knee, ankle (left), then the right's


def _rows(world: np.ndarray) -> list[list[float]]:
    """The six leg landmarks of one ``(33, 4)`` pose as Python floats: one conversion, not one per element."""
    rows: list[list[float]] = world[_ROWS].tolist()
    return rows


def _one_knee(hip: list[float], knee: list[float], ankle: list[float]) -> tuple[float, float]:
    """(flexion in degrees, visibility weight) of one knee, on Python floats."""
    tx, ty, tz = hip[0] - knee[0], hip[1] - knee[1], hip[2] - knee[2]
    sx, sy, sz = ankle[0] - knee[0], ankle[1] - knee[1], ankle[2] - knee[2]
    cross = math.sqrt((ty * sz - tz * sy) ** 2 + (tz * sx - tx * sz) ** 2 + (tx * sy - ty * sx) ** 2)
    return 180.0 - math.degrees(math.atan2(cross, tx * sx + ty * sy + tz * sz)), max(knee[3], 1e-3)


def knee_flexion_deg(image: np.ndarray, world: np.ndarray, profile: np.ndarray | None = None,
                     frame_size_px: tuple[int, int] = (0, 0)) -> np.ndarray | float:
    """Knee flexion (0 = straight leg), the two knees averaged by their visibility; ``world`` ``(..., 33, 4)``."""
    world = np.asarray(world)
    if world.ndim == 2:  # one live frame: plain floats, no temporaries
        r = _rows(world)
        (left, wl), (right, wr) = _one_knee(r[0], r[1], r[2]), _one_knee(r[3], r[4], r[5])
        return (left * wl + right * wr) / (wl + wr)
    angles, weights = [], []
    for hip_lm, knee_lm, ankle_lm in _SIDES:
        h, k, a = int(hip_lm), int(knee_lm), int(ankle_lm)
        thigh = world[..., h, :3] - world[..., k, :3]
        shank = world[..., a, :3] - world[..., k, :3]
        cross = np.linalg.norm(np.cross(thigh, shank), axis=-1)
        angles.append(180.0 - np.degrees(np.arctan2(cross, np.einsum("...i,...i->...", thigh, shank))))
        weights.append(np.maximum(world[..., k, 3], 1e-3))
    return np.asarray((angles[0] * weights[0] + angles[1] * weights[1]) / (weights[0] + weights[1]))


def shank_incline_deg(image: np.ndarray, world: np.ndarray, profile: np.ndarray | None = None,
                      frame_size_px: tuple[int, int] = (0, 0)) -> np.ndarray | float:
    """The shins' angle from vertical (0 = standing shins, 90 = along the floor), the two averaged by their
    visibility; from the world landmarks (y is the camera's vertical)."""
    world = np.asarray(world)
    if world.ndim == 2:
        r = _rows(world)
        total = weight = 0.0
        for knee, ankle in ((r[1], r[2]), (r[4], r[5])):
            w = max(knee[3], 1e-3)
            total += w * math.degrees(math.atan2(math.hypot(ankle[0] - knee[0], ankle[2] - knee[2]),
                                                 abs(ankle[1] - knee[1])))
            weight += w
        return total / weight
    angles, weights = [], []
    for _, knee_lm, ankle_lm in _SIDES:
        k, a = int(knee_lm), int(ankle_lm)
        d = world[..., a, :3] - world[..., k, :3]
        angles.append(np.degrees(np.arctan2(np.hypot(d[..., 0], d[..., 2]), np.abs(d[..., 1]))))
        weights.append(np.maximum(world[..., k, 3], 1e-3))
    return np.asarray((angles[0] * weights[0] + angles[1] * weights[1]) / (weights[0] + weights[1]))
