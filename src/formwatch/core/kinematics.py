"""Form metrics from BlazePose landmarks: hip hinge, shoulder elevation, lumbar arching, and helpers.

Every function is shape-polymorphic: poses ``(..., 33, 4)`` in, one value per pose ``(...)`` out, so one code path
serves a single live frame and a whole recording. Angles are computed as ``atan2(cross, dot)`` (stable near 0 and
180 degrees). See ``docs/metrics.md`` for the conventions table (landmarks, zero, sign, unit, valid views).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from formwatch.core.landmarks import N_CHANNELS as N_CHANNELS_IN
from formwatch.core.landmarks import Lm
from formwatch.core.registry import KINEMATIC_METRICS


# Columns of the metrics array written by the kinematics core, named and ordered by the registry's built-in specs
# (core/registry.py); metrics added to the registry follow them, computed by their own functions.
Col = IntEnum("Col", {spec.name.upper(): i for i, spec in enumerate(KINEMATIC_METRICS)})  # type: ignore[misc]
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
# World vectors: trunk, ear above left shoulder, ear above right shoulder, hips to ears.
_WORLD_OPERATOR = _linear_operator([
    _sub(_SHOULDERS, _HIPS),
    {Lm.LEFT_EAR: 1.0, Lm.LEFT_SHOULDER: -1.0},
    {Lm.RIGHT_EAR: 1.0, Lm.RIGHT_SHOULDER: -1.0},
    _sub(_EARS, _HIPS),
])
# Visibility pairs (left, right): ears, shoulders, hips, knees; then the nose.
_VIS_INDEX = np.array([Lm.LEFT_EAR, Lm.LEFT_SHOULDER, Lm.LEFT_HIP, Lm.LEFT_KNEE,
                       Lm.RIGHT_EAR, Lm.RIGHT_SHOULDER, Lm.RIGHT_HIP, Lm.RIGHT_KNEE, Lm.NOSE])
_VIS_LIST = [int(i) for i in _VIS_INDEX]
_IMAGE_USES = (_IMAGE_OPERATOR != 0).astype(np.float64).T  # (33, rows): which landmarks each row needs
_WORLD_USES = (_WORLD_OPERATOR != 0).astype(np.float64).T


class _BatchOperator:
    """A linear operator over whole poses ``(T, 33, 4)`` as one BLAS product ``(T, 132) @ (132, rows*C)``.

    Frames with a missing landmark (NaN, which would spoil every row through 0 x NaN) are redone with masking,
    so a missing knee spoils only the rows that use the knee. MediaPipe gives all landmarks or none, so that
    slow path only sees frames where nobody was found.
    """

    def __init__(self, operator: np.ndarray, channels: int) -> None:
        self.operator = operator
        self.rows = operator.shape[0]
        self.channels = channels
        selector = np.zeros((N_CHANNELS_IN, channels))
        selector[:channels, :channels] = np.eye(channels)
        expanded = np.kron(operator.T, selector)  # (33*4, rows*C)
        self.columns = np.flatnonzero(expanded.any(axis=1))  # only the (landmark, channel) inputs used
        self.expanded = expanded[self.columns]
        self.expanded32 = self.expanded.astype(np.float32)
        self.uses = (operator != 0).astype(np.float64).T  # (33, rows)

    def __call__(self, poses: np.ndarray) -> np.ndarray:
        batch = poses.shape[:-2]
        flat = np.ascontiguousarray(poses).reshape(batch + (-1,))
        weights = self.expanded32 if flat.dtype == np.float32 else self.expanded
        used = np.take(flat, self.columns, axis=-1)
        out = (used @ weights).astype(np.float64, copy=False).reshape(batch + (self.rows, self.channels))
        bad = np.isnan(out).any(axis=(-1, -2))
        if bad.any():
            out[bad] = _apply(self.operator, self.uses, np.asarray(poses[bad][..., : self.channels], np.float64))
        return out


_IMAGE_BATCH = _BatchOperator(_IMAGE_OPERATOR, 2)
_WORLD_BATCH = _BatchOperator(_WORLD_OPERATOR, 3)
_RAD_TO_DEG = 180.0 / np.pi
_FRONT, _OBLIQUE, _SIDE = float(View.FRONT), float(View.OBLIQUE), float(View.SIDE)


def compute_metrics(
    image: np.ndarray,
    world: np.ndarray,
    frame_size_px: tuple[int, int] = (1, 1),
    config: KinematicsConfig = DEFAULT_CONFIG,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Raw metrics of poses ``(..., 33, 4)`` as an array ``(..., len(Col))`` indexed by :class:`Col` (the first
    columns of a registry row; the pipeline adds the metrics computed elsewhere, such as the silhouette's).

    ``image`` holds normalised image landmarks (x, y in 0..1, z, visibility), ``world`` metric world landmarks.
    ``frame_size_px`` (width, height) turns normalised coordinates into square pixels so image angles are true.
    A metric the pose cannot support (low visibility, wrong view, no detection) is NaN; never raises.
    All the landmark arithmetic is two small matrix products (virtual points as linear combinations). A batch then
    runs as array operations at memory speed; a single frame takes core/kinematics_frame.py, the same formulas
    on Python floats, because NumPy's ~1 us per call would cost ~80 us a frame (docs/performance.md). The tests
    hold the two paths equal on random, degenerate and NaN poses.
    """
    image = np.asarray(image)
    world = np.asarray(world)
    if out is None:
        out = np.empty(image.shape[:-2] + (N_CORE_COLS,), dtype=np.float64)
    if image.ndim == 2:
        from formwatch.core.kinematics_frame import metrics_one_frame  # the same formulas on Python floats

        metrics_one_frame(image, world, frame_size_px, config, out)
        return out
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        # Image vectors in square pixels, as complex numbers x + iy: conj(a) * b = (a . b) + i (a x b), so every
        # signed angle below is one np.angle over a stacked array.
        px = _IMAGE_BATCH(image) * np.array([frame_size_px[0], frame_size_px[1]], dtype=np.float64)
        z = px.view(np.complex128)[..., 0]  # (..., 7): trunk, thigh, face, foot, shoulder w., hip w., face 2
        trunk = z[..., 0]
        products = np.conj(trunk)[..., None] * z[..., [1, 2, 6]]  # trunk with thigh, with face, with face 2
        vis = image[..., _VIS_INDEX, 3].astype(np.float64)
        seen = np.fmax(vis[..., :4], vis[..., 4:8]) >= config.min_visibility  # ears, shoulders, hips, knees

        # Facing: the face is on the front side of the trunk line whatever the hinge; the toes are the fallback.
        face = np.where(np.isnan(products[..., 1].imag), products[..., 2].imag, products[..., 1].imag)
        face_side = np.where(vis[..., 8] >= config.min_visibility, face, 0.0)
        facing = np.sign(np.where((face_side != 0) & ~np.isnan(face_side), face_side, z[..., 3].real))

        # hinge = atan2(f (trunk x thigh), -(trunk . thigh)); incline = atan2(f trunk_x, -trunk_y).
        angles = np.angle(np.stack([-np.conj(products[..., 0]), 1j * trunk], axis=-1)) * (facing * _RAD_TO_DEG)[
            ..., None]
        lengths = np.abs(z[..., [0, 4, 5]])
        ratio = 0.5 * (lengths[..., 1] + lengths[..., 2]) / lengths[..., 0]
        view = np.where(ratio <= config.side_view_max_width_ratio, _SIDE,
                        np.where(ratio >= config.front_view_min_width_ratio, _FRONT, _OBLIQUE)) + 0.0 * ratio

        quality = np.fmin(np.fmax(np.fmin(np.fmax(vis[..., 1], vis[..., 5]), np.fmax(vis[..., 2], vis[..., 6])),
                                  0.0), 1.0)  # the worse-seen of shoulders and hips; NaN (nobody found) -> 0
        body_seen = quality >= config.min_visibility
        sagittal = np.where(body_seen & (view != _FRONT) & (facing != 0), 1.0, np.nan)
        angles *= sagittal[..., None]
        out[..., Col.HIP_HINGE_DEG] = np.where(seen[..., 3], angles[..., 0], np.nan)
        # Lumbar arch proxy: extension of the trunk past the thigh line; with the knees unseen, past the vertical.
        out[..., Col.HIP_EXTENSION_DEG] = -np.where(seen[..., 3], angles[..., 0], angles[..., 1])
        out[..., Col.TRUNK_INCLINE_DEG] = angles[..., 1]

        # Shoulder elevation from metric world landmarks: rise towards the ears along the trunk axis, any view.
        w = _WORLD_BATCH(world)  # (..., 4, 3): trunk, ear-left, ear-right, hips-to-ears
        along = (w @ w[..., 0, :, None])[..., 0]  # each vector's component along the trunk, times trunk length
        torso_m = np.sqrt(along[..., 0])
        neutral = config.ear_above_shoulder_ratio * along[..., 3]
        elevation = (neutral[..., None] - along[..., 1:3]) * (np.where(body_seen & seen[..., 0], 100.0, np.nan)
                                                               / torso_m)[..., None]
        out[..., Col.SHOULDER_ELEVATION_LEFT_CM] = elevation[..., 0]
        out[..., Col.SHOULDER_ELEVATION_RIGHT_CM] = elevation[..., 1]
        out[..., Col.SHOULDER_ELEVATION_CM] = 0.5 * (elevation[..., 0] + elevation[..., 1])
        out[..., Col.TORSO_LENGTH_M] = torso_m
        out[..., Col.VIEW] = view
        out[..., Col.QUALITY] = quality
        out[..., Col.FACING] = facing
        for col, low, high in _CORE_BOUNDS:  # implausible readings are NaN, as on the single-frame path
            column = out[..., col]
            column[(column < low) | (column > high)] = np.nan
    return out


def nan_reason(metrics_row: np.ndarray, column: Col, config: KinematicsConfig = DEFAULT_CONFIG) -> str:
    """Why ``column`` is NaN in one row of metrics, as a code core/wording.py words ('' when it is not NaN):
    "nobody", "body_unclear", "front_view", "knees_unseen" or "ears_unseen"."""
    if not np.isnan(metrics_row[column]):
        return ""
    if np.isnan(metrics_row[Col.VIEW]):
        return "nobody"
    if metrics_row[Col.QUALITY] < config.min_visibility:
        return "body_unclear"
    if column in (Col.HIP_HINGE_DEG, Col.HIP_EXTENSION_DEG, Col.TRUNK_INCLINE_DEG):
        if metrics_row[Col.VIEW] == View.FRONT:
            return "front_view"
        if column == Col.HIP_HINGE_DEG:
            return "knees_unseen"
    return "ears_unseen"


def _apply(operator: np.ndarray, uses: np.ndarray, coords: np.ndarray) -> np.ndarray:
    """``operator @ coords`` where a missing (NaN) landmark spoils only the rows that use it (0 x NaN is NaN)."""
    missing = np.isnan(coords).any(axis=-1)  # (..., 33)
    out = operator @ np.where(np.isnan(coords), 0.0, coords)
    spoiled = (missing.astype(np.float64) @ uses) > 0  # (..., rows)
    out[spoiled] = np.nan
    return out
