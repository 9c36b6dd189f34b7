"""The live hot path of the landmark metrics: the formulas of :func:`~formwatch.core.kinematics.compute_metrics`
for one pose, on Python floats.

NumPy's ~1 us per call would cost ~80 us a frame; on floats one frame takes a few microseconds
(docs/performance.md). The linear part (virtual landmarks) is the same matrix product as the batch path, and
``tests/test_kinematics.py`` holds the two paths equal on random, degenerate and NaN poses.
"""

from __future__ import annotations

import math

import numpy as np

from formwatch.core.kinematics import (_CORE_BOUNDS, _FRONT, _IMAGE_OPERATOR, _IMAGE_USES, _OBLIQUE, _RAD_TO_DEG,
                                       _SIDE, _VIS_LIST, _WORLD_OPERATOR, _WORLD_USES, N_CORE_COLS, KinematicsConfig,
                                       _apply)

__all__ = ["N_FRAME_VECTORS", "frame_vectors", "frame_visibility", "metrics_from_frame_vectors", "metrics_one_frame"]


def _fmax(a: float, b: float) -> float:
    """``np.fmax`` on floats: NaN only when both are NaN."""
    if a != a:
        return b
    if b != b:
        return a
    return a if a >= b else b


def _fmin(a: float, b: float) -> float:
    """``np.fmin`` on floats."""
    if a != a:
        return b
    if b != b:
        return a
    return a if a <= b else b


def _div(a: float, b: float) -> float:
    """Division with NumPy's IEEE results (inf, NaN) instead of ZeroDivisionError."""
    if b == 0.0:
        return math.nan if a == 0.0 or a != a else math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _sign(x: float) -> float:
    if x != x:
        return math.nan
    return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)


N_FRAME_VECTORS = 7 * 4 + 4 * 4  # the operators applied to all four channels: image rows, then world rows
_OPERATORS = {np.dtype(np.float64): (_IMAGE_OPERATOR, _WORLD_OPERATOR),
              np.dtype(np.float32): (_IMAGE_OPERATOR.astype(np.float32), _WORLD_OPERATOR.astype(np.float32))}


def frame_vectors(image: np.ndarray, world: np.ndarray) -> np.ndarray:
    """The linear part of the metrics for one pose, ``(44,)``: the 7 image rows (trunk, thigh, face, foot, shoulder
    width, hip width, face-from-shoulders) and the 4 world rows (trunk, ear above each shoulder, hips to ears), each
    over the four channels (x, y, z, visibility; only x, y of image rows and x, y, z of world rows are used).

    These 'virtual landmarks' are what the live filter smooths: the One Euro filter runs on 44 numbers instead of
    264, and the nonlinear metrics follow from the smoothed vectors. Two small matrix products and a check.
    """
    image_op, world_op = _OPERATORS.get(image.dtype, _OPERATORS[np.dtype(np.float64)])
    vectors = np.concatenate(((image_op @ image).ravel(), (world_op @ world).ravel()))
    if math.isnan(float(np.add.reduce(vectors))):  # some landmark missing: it spoils only the rows that use it
        xy = _apply(_IMAGE_OPERATOR, _IMAGE_USES, np.asarray(image, np.float64))
        xyz = _apply(_WORLD_OPERATOR, _WORLD_USES, np.asarray(world, np.float64))
        vectors = np.concatenate((xy.ravel(), xyz.ravel()))
    return vectors


def frame_visibility(image: np.ndarray) -> list[float]:
    """Visibility of ears, shoulders, hips, knees (left, then right) and the nose, as the metrics read it."""
    vis = image[:, 3].tolist()
    return [vis[i] for i in _VIS_LIST]


def metrics_one_frame(
    image: np.ndarray, world: np.ndarray, frame_size_px: tuple[int, int], config: KinematicsConfig, out: np.ndarray
) -> None:
    """The formulas of :func:`compute_metrics` for one ``(33, 4)`` pose, on Python floats (the live hot path)."""
    metrics_from_frame_vectors(frame_vectors(image, world), frame_visibility(image), frame_size_px, config, out)


def metrics_from_frame_vectors(
    vectors: np.ndarray, visibility: list[float], frame_size_px: tuple[int, int], config: KinematicsConfig,
    out: np.ndarray,
) -> int:
    """The nonlinear part for one frame, from :func:`frame_vectors` (possibly filtered) and the visibilities.
    Readings outside their metric's plausible range become NaN; returns how many did."""
    sx, sy = float(frame_size_px[0]), float(frame_size_px[1])
    v = vectors.tolist()
    tx, ty, kx, ky, fx, fy, footx = v[0] * sx, v[1] * sy, v[4] * sx, v[5] * sy, v[8] * sx, v[9] * sy, v[12]
    swx, swy, hwx, hwy, gx, gy = v[16], v[17], v[20], v[21], v[24] * sx, v[25] * sy
    w_trunk, w_ear_l, w_ear_r, w_hip_ear = v[28:31], v[32:35], v[36:39], v[40:43]
    v_ear_l, v_sh_l, v_hip_l, v_knee_l, v_ear_r, v_sh_r, v_hip_r, v_knee_r, v_nose = visibility
    min_vis = config.min_visibility
    ears_seen = _fmax(v_ear_l, v_ear_r) >= min_vis
    knees_seen = _fmax(v_knee_l, v_knee_r) >= min_vis

    face = tx * fy - ty * fx
    if face != face:
        face = tx * gy - ty * gx
    face_side = face if v_nose >= min_vis else 0.0
    facing = _sign(face_side if face_side != 0 and face_side == face_side else footx * sx)
    hinge = math.atan2(tx * ky - ty * kx, -(tx * kx + ty * ky)) * facing * _RAD_TO_DEG
    incline = math.atan2(tx + 0.0, -ty + 0.0) * facing * _RAD_TO_DEG  # + 0.0: signed zeros as NumPy has them
    ratio = _div(0.5 * (math.hypot(swx * sx, swy * sy) + math.hypot(hwx * sx, hwy * sy)), math.hypot(tx, ty))
    if ratio <= config.side_view_max_width_ratio:
        view = _SIDE
    elif ratio >= config.front_view_min_width_ratio:
        view = _FRONT
    else:
        view = _OBLIQUE
    view += 0.0 * ratio
    quality = _fmin(_fmax(_fmin(_fmax(v_sh_l, v_sh_r), _fmax(v_hip_l, v_hip_r)), 0.0), 1.0)
    body_seen = quality >= min_vis
    sagittal = 1.0 if body_seen and view != _FRONT and facing != 0 else math.nan
    hinge *= sagittal
    incline *= sagittal

    along0 = w_trunk[0] * w_trunk[0] + w_trunk[1] * w_trunk[1] + w_trunk[2] * w_trunk[2]
    along_l = w_ear_l[0] * w_trunk[0] + w_ear_l[1] * w_trunk[1] + w_ear_l[2] * w_trunk[2]
    along_r = w_ear_r[0] * w_trunk[0] + w_ear_r[1] * w_trunk[1] + w_ear_r[2] * w_trunk[2]
    along_ear = w_hip_ear[0] * w_trunk[0] + w_hip_ear[1] * w_trunk[1] + w_hip_ear[2] * w_trunk[2]
    torso_m = math.sqrt(along0) if along0 >= 0 else math.nan
    neutral = config.ear_above_shoulder_ratio * along_ear
    gate = _div(100.0 if body_seen and ears_seen else math.nan, torso_m)
    left = (neutral - along_l) * gate
    right = (neutral - along_r) * gate
    row = [hinge if knees_seen else math.nan, 0.5 * (left + right), -(hinge if knees_seen else incline), incline,
           left, right, view, quality, torso_m, facing]
    implausible = 0
    for col, low, high in _CORE_BOUNDS:  # on Python floats: far cheaper than masking the NumPy row
        value = row[col]
        if value < low or value > high:
            row[col] = math.nan
            implausible += 1
    # One assignment of the whole row, in Col order (ten separate item assignments cost more than the maths).
    out[:N_CORE_COLS] = row
    return implausible
