"""Form metrics from BlazePose landmarks: hip hinge, shoulder elevation, hip extension, and helpers — one formula.

The landmarks' linear part (virtual points and vectors: trunk, thigh, face ...) is two small matrix products
(:func:`frame_vectors`); the metrics follow from those vectors on Python floats (:func:`metrics_from_frame_vectors`),
which is the definition: the live pipeline filters the vectors and calls it every frame, and a whole recording is
the same call frame after frame (:func:`compute_metrics`). Angles are computed as ``atan2(cross, dot)`` (stable near 0
and 180 degrees). See ``docs/metrics.md`` for the conventions table (landmarks, zero, sign, unit, valid views).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from formwatch.core.landmarks import Lm
from formwatch.core.registry import KINEMATIC_METRICS


# Columns of the metrics array written by the kinematics core, named and ordered by the registry's built-in specs
# (core/registry.py); metrics added to the registry follow them, computed by their own functions.
class Col(IntEnum):
    """Columns of the metrics row the kinematics core writes (the registry's built-in specs, in order)."""

    HIP_HINGE_DEG = 0
    SHOULDER_ELEVATION_CM = 1
    HIP_EXTENSION_DEG = 2
    TRUNK_INCLINE_DEG = 3
    SHOULDER_ELEVATION_LEFT_CM = 4
    SHOULDER_ELEVATION_RIGHT_CM = 5
    VIEW = 6
    QUALITY = 7
    TORSO_LENGTH_M = 8
    FACING = 9


if [c.name.lower() for c in Col] != [spec.name for spec in KINEMATIC_METRICS]:
    raise ImportError("core/kinematics.py's Col must name the registry's kinematic metrics in order")
N_CORE_COLS = len(Col)
# (column, low, high) of the core's metrics with a finite plausible range (core/registry.py).
_CORE_BOUNDS = tuple((i, s.plausible[0], s.plausible[1]) for i, s in enumerate(KINEMATIC_METRICS)
                     if math.isfinite(s.plausible[0]) or math.isfinite(s.plausible[1]))


class View(IntEnum):
    """Camera view of the body, judged from the landmarks (stored as a float in the metrics array)."""

    FRONT = 0
    OBLIQUE = 1
    SIDE = 2


@dataclass(frozen=True)
class KinematicsConfig:
    """Thresholds of the kinematics core; defaults are documented in docs/metrics.md."""

    min_visibility: float = 0.5  # a landmark pair counts as seen when its better side reaches this
    side_view_max_width_ratio: float = 0.35  # (shoulder width + hip width) / 2 / torso length, in the image
    front_view_min_width_ratio: float = 0.55
    # Population neutral of the ear-above-shoulder distance along the trunk, as a fraction of the hip-to-ear
    # distance (which a shrug does not change); used only for raw shoulder elevation, until a personal profile
    # replaces it with the user's own neutral. Measured on real clips: docs/metrics.md.
    ear_above_shoulder_ratio: float = 0.275


DEFAULT_CONFIG = KinematicsConfig()

def _linear_operator(rows: list[dict[Lm, float]]) -> np.ndarray:
    """Rows of weights over the 33 landmarks: each row is one virtual point or vector (a linear combination)."""
    w = np.zeros((len(rows), 33))
    for i, row in enumerate(rows):
        for lm, weight in row.items():
            w[i, lm] += weight
    return w


def _mid(a: Lm, b: Lm, sign: float = 1.0) -> dict[Lm, float]:
    return {a: 0.5 * sign, b: 0.5 * sign}


def _sub(plus: dict[Lm, float], minus: dict[Lm, float]) -> dict[Lm, float]:
    out = dict(plus)
    for lm, w in minus.items():
        out[lm] = out.get(lm, 0.0) - w
    return out


_SHOULDERS = _mid(Lm.LEFT_SHOULDER, Lm.RIGHT_SHOULDER)
_HIPS = _mid(Lm.LEFT_HIP, Lm.RIGHT_HIP)
_EARS = _mid(Lm.LEFT_EAR, Lm.RIGHT_EAR)
# Image vectors, one matrix product per call: trunk, thigh, face (from the ears), foot, shoulder width, hip width,
# face from the shoulders (when the ears are not tracked).
_IMAGE_OPERATOR = _linear_operator([
    _sub(_SHOULDERS, _HIPS),
    _sub(_mid(Lm.LEFT_KNEE, Lm.RIGHT_KNEE), _HIPS),
    _sub({Lm.NOSE: 1.0}, _EARS),
    _sub(_mid(Lm.LEFT_FOOT_INDEX, Lm.RIGHT_FOOT_INDEX), _mid(Lm.LEFT_HEEL, Lm.RIGHT_HEEL)),
    {Lm.LEFT_SHOULDER: 1.0, Lm.RIGHT_SHOULDER: -1.0},
    {Lm.LEFT_HIP: 1.0, Lm.RIGHT_HIP: -1.0},
    _sub({Lm.NOSE: 1.0}, _SHOULDERS),
])
# World vectors: trunk, ear above left shoulder, ear above right shoulder, hips to ears, thigh.
_WORLD_OPERATOR = _linear_operator([
    _sub(_SHOULDERS, _HIPS),
    {Lm.LEFT_EAR: 1.0, Lm.LEFT_SHOULDER: -1.0},
    {Lm.RIGHT_EAR: 1.0, Lm.RIGHT_SHOULDER: -1.0},
    _sub(_EARS, _HIPS),
    _sub(_mid(Lm.LEFT_KNEE, Lm.RIGHT_KNEE), _HIPS),
])
# Visibility pairs (left, right): ears, shoulders, hips, knees; then the nose.
_VIS_INDEX = np.array([Lm.LEFT_EAR, Lm.LEFT_SHOULDER, Lm.LEFT_HIP, Lm.LEFT_KNEE,
                       Lm.RIGHT_EAR, Lm.RIGHT_SHOULDER, Lm.RIGHT_HIP, Lm.RIGHT_KNEE, Lm.NOSE])
_VIS_LIST = [int(i) for i in _VIS_INDEX]
_IMAGE_USES = (_IMAGE_OPERATOR != 0).astype(np.float64).T  # (33, rows): which landmarks each row needs
_WORLD_USES = (_WORLD_OPERATOR != 0).astype(np.float64).T
_RAD_TO_DEG = 180.0 / np.pi
_FRONT, _OBLIQUE, _SIDE = float(View.FRONT), float(View.OBLIQUE), float(View.SIDE)
UPRIGHT_FALLBACK_DEG = 45.0  # with the knees unseen, hip extension reads the trunk past vertical: standing only


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


def _world_fold(trunk: list[float], thigh: list[float]) -> float:
    """The hip's fold in degrees, 0 with the trunk continuing the thigh's line, from the world trunk and thigh vectors:
    unsigned (a fold, never past straight: the sign needs the side-on picture)."""
    cx = trunk[1] * thigh[2] - trunk[2] * thigh[1]
    cy = trunk[2] * thigh[0] - trunk[0] * thigh[2]
    cz = trunk[0] * thigh[1] - trunk[1] * thigh[0]
    dot = trunk[0] * thigh[0] + trunk[1] * thigh[1] + trunk[2] * thigh[2]
    return math.atan2(math.sqrt(cx * cx + cy * cy + cz * cz), -dot) * _RAD_TO_DEG


def _sign(x: float) -> float:
    if x != x:
        return math.nan
    return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)


N_FRAME_VECTORS = 7 * 4 + 5 * 4  # the operators applied to all four channels: image rows, then world rows
_OPERATORS = {np.dtype(np.float64): (_IMAGE_OPERATOR, _WORLD_OPERATOR),
              np.dtype(np.float32): (_IMAGE_OPERATOR.astype(np.float32), _WORLD_OPERATOR.astype(np.float32))}


def frame_vectors(image: np.ndarray, world: np.ndarray) -> np.ndarray:
    """The linear part of the metrics for one pose, ``(48,)``: the 7 image rows (trunk, thigh, face, foot, shoulder
    width, hip width, face-from-shoulders) and the 5 world rows (trunk, ear above each shoulder, hips to ears,
    thigh), each over the four channels (x, y, z, visibility; only x, y of image rows and x, y, z of world rows are
    used).

    These 'virtual landmarks' are what the live filter smooths: the One Euro filter runs on 48 numbers instead of
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


def compute_metrics(image: np.ndarray, world: np.ndarray, frame_size_px: tuple[int, int] = (1, 1),
                    config: KinematicsConfig = DEFAULT_CONFIG, out: np.ndarray | None = None) -> np.ndarray:
    """Raw metrics of poses ``(..., 33, 4)`` as an array ``(..., len(Col))`` indexed by :class:`Col` (the first
    columns of a registry row; the pipeline adds the metrics computed elsewhere, such as the silhouette's).

    ``image`` holds normalised image landmarks (x, y in 0..1, z, visibility), ``world`` metric world landmarks.
    ``frame_size_px`` (width, height) turns normalised coordinates into square pixels so image angles are true.
    A metric the pose cannot support (low visibility, wrong view, no detection) is NaN; never raises. One formula:
    a batch is the per-frame one (:func:`metrics_from_frame_vectors`) frame after frame (about 10 us a frame, next
    to the pose model's 20 ms; the pipeline's own loop, core/pipeline.metrics_batch, also holds the facing)."""
    image = np.asarray(image)
    world = np.asarray(world)
    if out is None:
        out = np.empty(image.shape[:-2] + (N_CORE_COLS,), dtype=np.float64)
    for index in np.ndindex(image.shape[:-2]):
        metrics_from_frame_vectors(frame_vectors(image[index], world[index]), frame_visibility(image[index]),
                                   frame_size_px, config, out[index])
    return out


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
    w_trunk, w_ear_l, w_ear_r, w_hip_ear, w_thigh = v[28:31], v[32:35], v[36:39], v[40:43], v[44:47]
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
    # Front-on the picture has no hip angle (the fold is in depth): the hinge is then the fold between the world trunk
    # and thigh (the model's depth estimate), so reps are counted from the front too. Side-on and oblique it stays
    # the picture's own signed angle: the world fold there counted fewer reps exactly on the shared clips
    # (docs/metrics.md).
    driver = _world_fold(w_trunk, w_thigh) if view == _FRONT and body_seen else hinge

    along0 = w_trunk[0] * w_trunk[0] + w_trunk[1] * w_trunk[1] + w_trunk[2] * w_trunk[2]
    along_l = w_ear_l[0] * w_trunk[0] + w_ear_l[1] * w_trunk[1] + w_ear_l[2] * w_trunk[2]
    along_r = w_ear_r[0] * w_trunk[0] + w_ear_r[1] * w_trunk[1] + w_ear_r[2] * w_trunk[2]
    along_ear = w_hip_ear[0] * w_trunk[0] + w_hip_ear[1] * w_trunk[1] + w_hip_ear[2] * w_trunk[2]
    torso_m = math.sqrt(along0) if along0 >= 0 else math.nan
    neutral = config.ear_above_shoulder_ratio * along_ear
    gate = _div(100.0 if body_seen and ears_seen else math.nan, torso_m)
    left = (neutral - along_l) * gate
    right = (neutral - along_r) * gate
    upright = incline if -UPRIGHT_FALLBACK_DEG < incline < UPRIGHT_FALLBACK_DEG else math.nan
    row = [driver if knees_seen else math.nan, 0.5 * (left + right), -(hinge if knees_seen else upright), incline,
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


def nan_reason(metrics_row: np.ndarray, column: Col, config: KinematicsConfig = DEFAULT_CONFIG) -> str:
    """Why ``column`` is NaN in one row of metrics, as a code core/wording.py words ('' when it is not NaN):
    "nobody", "body_unclear", "front_view", "knees_unseen" or "ears_unseen"."""
    if not np.isnan(metrics_row[column]):
        return ""
    if np.isnan(metrics_row[Col.VIEW]):
        return "nobody"
    if metrics_row[Col.QUALITY] < config.min_visibility:
        return "body_unclear"
    if column == Col.HIP_HINGE_DEG:  # read from every view (front-on, in the world): only the knees can lack
        return "knees_unseen"
    if column in (Col.HIP_EXTENSION_DEG, Col.TRUNK_INCLINE_DEG) and metrics_row[Col.VIEW] == View.FRONT:
        return "front_view"
    return "ears_unseen"


def _apply(operator: np.ndarray, uses: np.ndarray, coords: np.ndarray) -> np.ndarray:
    """``operator @ coords`` where a missing (NaN) landmark spoils only the rows that use it (0 x NaN is NaN)."""
    missing = np.isnan(coords).any(axis=-1)  # (..., 33)
    out = operator @ np.where(np.isnan(coords), 0.0, coords)
    spoiled = (missing.astype(np.float64) @ uses) > 0  # (..., rows)
    out[spoiled] = np.nan
    return out
