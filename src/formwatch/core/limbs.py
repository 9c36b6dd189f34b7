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


def _one_knee(world: np.ndarray, hip: int, knee: int, ankle: int) -> tuple[float, float]:
    """(flexion in degrees, visibility weight) of one knee of one ``(33, 4)`` pose, on Python floats."""
    hx, hy, hz = float(world[hip, 0]), float(world[hip, 1]), float(world[hip, 2])
    kx, ky, kz, kv = float(world[knee, 0]), float(world[knee, 1]), float(world[knee, 2]), float(world[knee, 3])
    ax, ay, az = float(world[ankle, 0]), float(world[ankle, 1]), float(world[ankle, 2])
    tx, ty, tz = hx - kx, hy - ky, hz - kz
    sx, sy, sz = ax - kx, ay - ky, az - kz
    cross = math.sqrt((ty * sz - tz * sy) ** 2 + (tz * sx - tx * sz) ** 2 + (tx * sy - ty * sx) ** 2)
    dot = tx * sx + ty * sy + tz * sz
    return 180.0 - math.degrees(math.atan2(cross, dot)), max(kv, 1e-3)


def knee_flexion_deg(image: np.ndarray, world: np.ndarray, profile: np.ndarray | None = None,
                     frame_size_px: tuple[int, int] = (0, 0)) -> np.ndarray | float:
    """Knee flexion (0 = straight leg), the two knees averaged by their visibility; ``world`` ``(..., 33, 4)``."""
    world = np.asarray(world)
    if world.ndim == 2:  # one live frame: plain floats, no temporaries
        (left, wl), (right, wr) = (_one_knee(world, *side) for side in _SIDES)
        return (left * wl + right * wr) / (wl + wr)
    angles, weights = [], []
    for hip, knee, ankle in _SIDES:
        thigh = world[..., hip, :3] - world[..., knee, :3]
        shank = world[..., ankle, :3] - world[..., knee, :3]
        cross = np.linalg.norm(np.cross(thigh, shank), axis=-1)
        angles.append(180.0 - np.degrees(np.arctan2(cross, np.einsum("...i,...i->...", thigh, shank))))
        weights.append(np.maximum(world[..., knee, 3], 1e-3))
    return (angles[0] * weights[0] + angles[1] * weights[1]) / (weights[0] + weights[1])


def shank_incline_deg(image: np.ndarray, world: np.ndarray, profile: np.ndarray | None = None,
                      frame_size_px: tuple[int, int] = (0, 0)) -> np.ndarray | float:
    """The shins' angle from vertical (0 = standing shins, 90 = along the floor), the two averaged by their
    visibility; from the world landmarks (y is the camera's vertical)."""
    world = np.asarray(world)
    if world.ndim == 2:
        total = weight = 0.0
        for _, knee, ankle in _SIDES:
            dx = float(world[ankle, 0]) - float(world[knee, 0])
            dy = float(world[ankle, 1]) - float(world[knee, 1])
            dz = float(world[ankle, 2]) - float(world[knee, 2])
            w = max(float(world[knee, 3]), 1e-3)
            total += w * math.degrees(math.atan2(math.hypot(dx, dz), abs(dy)))
            weight += w
        return total / weight
    angles, weights = [], []
    for _, knee, ankle in _SIDES:
        d = world[..., ankle, :3] - world[..., knee, :3]
        angles.append(np.degrees(np.arctan2(np.hypot(d[..., 0], d[..., 2]), np.abs(d[..., 1]))))
        weights.append(np.maximum(world[..., knee, 3], 1e-3))
    return (angles[0] * weights[0] + angles[1] * weights[1]) / (weights[0] + weights[1])
