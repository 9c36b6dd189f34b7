"""The trunk's own shape from the person's silhouette: back and front edges across the hip-shoulder line.

MediaPipe's pose model also gives a soft segmentation mask (0..1 per pixel). Landmarks have no spine, but the
silhouette's back edge shows the lumbar curve and its front edge the ribcage and the belly. At ``N_STATIONS`` fixed
stations from the hip line (0) to the shoulder line (1), the mask is sampled outward along the trunk's normal, on
the back side and the front side (the front is where the face points), and the 0.5 crossing is found with sub-pixel
interpolation of the soft mask. Distances are in torso lengths (hip-shoulder distance), so the profile is
independent of image size and of how far the person stands.

Each edge point has a confidence in 0..1: 0 when the sample left the frame, the trunk's own axis is not inside the
silhouette, no edge was found, or an arm lies along the edge there (the edge would be the arm's, not the trunk's);
else the edge's contrast (the soft mask's fall across a few samples either side of the crossing). When the axis
lies outside the silhouette at most stations, the landmarks and the mask disagree and nothing is trusted. A profile is ``(4, N_STATIONS)`` float32: back distance, front distance, back
confidence, front confidence. Everything is array arithmetic: no Python loop over pixels or stations.
"""

from __future__ import annotations

import numpy as np

from formwatch.core.landmarks import Lm

N_STATIONS = 16
STATIONS = np.linspace(0.0, 1.0, N_STATIONS)  # fraction of the way from hip line to shoulder line
SEARCH_STEP = 0.01  # torso lengths between samples along the normal
SEARCH = np.arange(0.0, 0.8 + SEARCH_STEP / 2, SEARCH_STEP)  # outward distances sampled, torso lengths
BACK, FRONT, BACK_CONF, FRONT_CONF = 0, 1, 2, 3
PROFILE_SHAPE = (4, N_STATIONS)
ARM_CLEARANCE = 0.12  # an arm's centre line closer than this (torso lengths) to an edge point: the edge is the arm's
EDGE_SPAN = 3  # samples either side of the crossing over which an edge's contrast is read
MIN_AXIS_INSIDE = 0.75  # fraction of stations whose axis point must be inside the silhouette
MIN_VISIBILITY = 0.5

_ARMS = np.array([(Lm.LEFT_SHOULDER, Lm.LEFT_ELBOW), (Lm.LEFT_ELBOW, Lm.LEFT_WRIST),
                  (Lm.RIGHT_SHOULDER, Lm.RIGHT_ELBOW), (Lm.RIGHT_ELBOW, Lm.RIGHT_WRIST)])


def empty_profile() -> np.ndarray:
    """A profile where nothing was measured (all NaN, confidence 0)."""
    out = np.full(PROFILE_SHAPE, np.nan, dtype=np.float32)
    out[BACK_CONF:] = 0.0
    return out


def _sample(mask: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Bilinear samples of ``mask`` at pixel coordinates; NaN outside the frame."""
    h, w = int(mask.shape[0]), int(mask.shape[1])
    inside = (x >= 0) & (y >= 0) & (x <= w - 1) & (y <= h - 1)
    xc, yc = np.clip(x, 0, w - 1.001), np.clip(y, 0, h - 1.001)
    x0, y0 = xc.astype(np.intp), yc.astype(np.intp)
    fx, fy = xc - x0, yc - y0
    top = mask[y0, x0] * (1 - fx) + mask[y0, x0 + 1] * fx
    bottom = mask[y0 + 1, x0] * (1 - fx) + mask[y0 + 1, x0 + 1] * fx
    return np.where(inside, top * (1 - fy) + bottom * fy, np.nan)


def trunk_frame(image: np.ndarray, size: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float] | None:
    """Hip centre, unit axis (hip -> shoulder), front normal (pixels) and torso length; None if not seen."""
    px = image[:, :2].astype(np.float64) * size
    vis = image[:, 3]
    if not (max(vis[Lm.LEFT_HIP], vis[Lm.RIGHT_HIP]) >= MIN_VISIBILITY
            and max(vis[Lm.LEFT_SHOULDER], vis[Lm.RIGHT_SHOULDER]) >= MIN_VISIBILITY):
        return None
    hip = 0.5 * (px[Lm.LEFT_HIP] + px[Lm.RIGHT_HIP])
    axis = 0.5 * (px[Lm.LEFT_SHOULDER] + px[Lm.RIGHT_SHOULDER]) - hip
    length = float(np.hypot(*axis))
    if not np.isfinite(length) or length < 8.0:
        return None
    unit = axis / length
    normal = np.array([-unit[1], unit[0]])
    face = px[Lm.NOSE] - 0.5 * (px[Lm.LEFT_EAR] + px[Lm.RIGHT_EAR])  # the face points to the body's front
    side = float(face @ normal)
    if not np.isfinite(side) or side == 0.0:
        return None
    return hip, unit, normal if side > 0 else -normal, length


def edge_points(profile: np.ndarray, image: np.ndarray, frame_size_px: tuple[int, int]) -> np.ndarray:
    """Where a profile's edges lie in the picture: ``(2, N_STATIONS, 2)`` normalised image x, y of the back and the
    front edge points (NaN where not measured), for drawing them on the person."""
    out = np.full((2, N_STATIONS, 2), np.nan)
    if profile is None or np.isnan(image[0, 0]):
        return out
    size = np.array(frame_size_px, dtype=np.float64)
    frame = trunk_frame(image, size)
    if frame is None:
        return out
    hip, unit, normal, length = frame
    centres = hip + np.outer(STATIONS * length, unit)
    for side, sign in ((BACK, -1.0), (FRONT, 1.0)):
        out[side] = (centres + (sign * length * profile[side])[:, None] * normal) / size
    return out


def _segment_distance(points: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance from each point ``(..., 2)`` to each segment ``a -> b`` ``(S, 2)``: ``(..., S)``."""
    ab = b - a
    rel = points[..., None, :] - a
    t = np.clip((rel * ab).sum(-1) / np.maximum((ab * ab).sum(-1), 1e-9), 0.0, 1.0)
    offset = rel - t[..., None] * ab
    return np.asarray(np.hypot(offset[..., 0], offset[..., 1]))


def trunk_profile(mask: np.ndarray, image: np.ndarray) -> np.ndarray:
    """The trunk profile ``(4, N_STATIONS)`` of one frame from its soft mask ``(H, W)`` and image landmarks."""
    out = empty_profile()
    if mask is None or np.isnan(image[0, 0]):
        return out
    h, w = int(mask.shape[0]), int(mask.shape[1])
    mask = mask.reshape((h, w))  # MediaPipe gives (H, W, 1)
    size = np.array([w, h], dtype=np.float64)
    frame = trunk_frame(image, size)
    if frame is None:
        return out
    hip, unit, normal, length = frame
    centres = hip + np.outer(STATIONS * length, unit)  # (K, 2)
    sides = np.array([-1.0, 1.0])[:, None, None, None]  # back, front
    offsets = (SEARCH * length)[None, None, :, None] * sides * normal  # (2, 1, J, 2)
    points = centres[None, :, None, :] + offsets  # (2, K, J, 2)
    values = _sample(mask.astype(np.float32, copy=False), points[..., 0], points[..., 1])  # (2, K, J)

    outside = ~(values >= 0.5)  # NaN (left the frame) counts as outside, and is caught below
    first = np.argmax(outside, axis=-1)  # first sample past the edge
    found = outside.any(axis=-1) & (first > 0) & (values[..., 0] >= 0.5)
    j = np.maximum(first, 1)
    before = np.take_along_axis(values, (j - 1)[..., None], -1)[..., 0]
    after = np.take_along_axis(values, j[..., None], -1)[..., 0]
    found &= np.isfinite(after)  # the crossing must lie inside the frame
    drop = before - after
    fraction = np.clip((before - 0.5) / np.where(drop > 0, drop, 1.0), 0.0, 1.0)
    distance = SEARCH[j - 1] + fraction * SEARCH_STEP
    # Contrast: at a true edge the soft mask goes from about 1 to about 0 within a few samples either side of the
    # crossing; a half-grey plateau (hair, loose clothing, motion blur) does not.
    last = values.shape[-1] - 1
    inner = np.take_along_axis(values, np.clip(j - EDGE_SPAN, 0, last)[..., None], -1)[..., 0]
    outer = np.take_along_axis(values, np.clip(j + EDGE_SPAN - 1, 0, last)[..., None], -1)[..., 0]
    contrast = np.clip(np.nan_to_num(inner - outer, nan=0.0), 0.0, 1.0)
    # The trunk's axis must lie inside the silhouette along most of its length, else the landmarks and the mask
    # disagree (a mis-tracked hip or shoulder) and no edge is trusted.
    if (values[..., 0] >= 0.5).all(axis=0).mean() < MIN_AXIS_INSIDE:
        return out

    edge_px = centres[None] + (distance * length)[..., None] * sides[..., 0, :] * normal  # (2, K, 2)
    px = image[:, :2].astype(np.float64) * size
    # Arms count even where MediaPipe rates them barely visible: a far elbow lifted above the back (the bottom of a
    # push-up) is exactly the arm that replaces the trunk's edge, and its position is still well estimated.
    arms_seen = np.isfinite(image[_ARMS[:, 0], 0]) & np.isfinite(image[_ARMS[:, 1], 0])
    if arms_seen.any():
        near = _segment_distance(edge_px, px[_ARMS[arms_seen, 0]], px[_ARMS[arms_seen, 1]]).min(-1)
        found &= near / length >= ARM_CLEARANCE
    out[:2] = np.where(found, distance, np.nan)
    out[2:] = np.where(found, contrast, 0.0)
    return out
