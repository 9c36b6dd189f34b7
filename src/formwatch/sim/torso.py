"""Synthetic silhouettes with a known trunk shape: a soft mask and the landmarks that go with it.

The trunk is drawn in its own frame — ``s`` from the hip line (0) to the shoulder line (1), ``t`` outward in torso
lengths, positive towards the front — as the region between a back edge and a front edge, each bent at mid-trunk by
a known angle, then placed in the image at any position, size and tilt. The edge is soft like MediaPipe's mask
(a logistic fall over about ``edge_px`` pixels) and can carry noise of the edge position, as a real mask's does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from formwatch.core.landmarks import N_LANDMARKS, Lm


@dataclass(frozen=True)
class TorsoShape:
    """A trunk in torso lengths: edge distances at mid-trunk and the bend of each edge (degrees)."""

    back_mid: float = 0.16  # back edge's distance from the hip-shoulder line at mid-trunk
    front_mid: float = 0.20
    back_bend_deg: float = 0.0  # positive: the back hollows (extension); negative: it rounds
    front_bend_deg: float = 0.0  # positive: the lower ribs push forward of the abdomen line
    front_offset: float = 0.0  # the front edge moved outward (breathing)


def edge_distance(s: np.ndarray, mid: float, bend_deg: float) -> np.ndarray:
    """An edge bent at s = 0.5 so that its two halves' tangents differ by ``bend_deg`` (concave outward > 0)."""
    return mid + math.tan(math.radians(bend_deg) / 2.0) * np.abs(s - 0.5)


def torso_mask(shape: TorsoShape = TorsoShape(), frame_size_px: tuple[int, int] = (640, 480),
               hip_px: tuple[float, float] = (220.0, 330.0), torso_px: float = 220.0, tilt_deg: float = 20.0,
               facing: float = 1.0, edge_px: float = 1.5, edge_noise_px: float = 0.0, seed: int = 0
               ) -> tuple[np.ndarray, np.ndarray]:
    """A soft mask ``(H, W)`` float32 and image landmarks ``(33, 4)`` of a trunk (plus a neck and thighs).

    ``tilt_deg``: the trunk's lean from vertical (0 = upright, 90 = horizontal); ``facing`` +1 faces image right,
    -1 left. Arms are not drawn and their landmarks are not visible.
    """
    w, h = frame_size_px
    angle = math.radians(tilt_deg)
    axis = np.array([math.sin(angle) * facing, -math.cos(angle)])  # hip -> shoulder, image coordinates (y down)
    front = np.array([-axis[1], axis[0]]) * (1.0 if facing > 0 else -1.0)
    if front[0] * facing < 0:
        front = -front
    hip = np.asarray(hip_px, dtype=np.float64)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    rel_x, rel_y = xs - hip[0], ys - hip[1]
    s = (rel_x * axis[0] + rel_y * axis[1]) / torso_px
    t = (rel_x * front[0] + rel_y * front[1]) / torso_px
    rng = np.random.default_rng(seed)
    jitter = rng.normal(0.0, edge_noise_px / torso_px, size=(2, 400)) if edge_noise_px else np.zeros((2, 400))
    index = np.clip(((s + 0.5) / 2.0 * 399).astype(int), 0, 399)  # the edge noise varies along the trunk
    back = edge_distance(s, shape.back_mid, shape.back_bend_deg) + jitter[0][index]
    front_edge = edge_distance(s, shape.front_mid + shape.front_offset, shape.front_bend_deg) + jitter[1][index]
    inside_px = np.minimum(t + back, front_edge - t) * torso_px  # distance inside the nearer edge, pixels
    along_px = np.minimum(s + 0.6, 1.25 - s) * torso_px  # the body goes on past the hips (thighs) and shoulders
    soft = 1.0 / (1.0 + np.exp(np.clip(-np.minimum(inside_px, along_px) / (edge_px / 4.0), -60.0, 60.0)))
    mask = soft.astype(np.float32)

    image = np.full((N_LANDMARKS, 4), np.nan, dtype=np.float32)  # not predicted unless placed below
    shoulder = hip + torso_px * axis
    head = shoulder + 0.35 * torso_px * axis
    places = {Lm.LEFT_HIP: hip, Lm.RIGHT_HIP: hip, Lm.LEFT_SHOULDER: shoulder, Lm.RIGHT_SHOULDER: shoulder,
              Lm.LEFT_EAR: head, Lm.RIGHT_EAR: head, Lm.NOSE: head + 0.12 * torso_px * front}
    for lm, xy in places.items():
        image[lm, :2] = xy / np.array([w, h])
        image[lm, 3] = 0.99
    return mask, image


def add_arm(mask: np.ndarray, image: np.ndarray, shoulder_px: tuple[float, float], elbow_px: tuple[float, float],
            wrist_px: tuple[float, float], radius_px: float = 14.0) -> None:
    """Draw an arm (two thick segments) into the mask and place its landmarks, in place."""
    h, w = mask.shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    points = [np.asarray(p, dtype=np.float64) for p in (shoulder_px, elbow_px, wrist_px)]
    for a, b in zip(points[:-1], points[1:]):
        ab = b - a
        u = np.clip(((xs - a[0]) * ab[0] + (ys - a[1]) * ab[1]) / (ab @ ab), 0.0, 1.0)
        dist = np.hypot(xs - a[0] - u * ab[0], ys - a[1] - u * ab[1])
        np.maximum(mask, (dist <= radius_px).astype(np.float32), out=mask)
    for lm, p in zip((Lm.LEFT_SHOULDER, Lm.LEFT_ELBOW, Lm.LEFT_WRIST), points):
        image[lm, :2] = p / np.array([w, h])
        image[lm, 3] = 0.99


def drawn_profiles(back_bend_deg: np.ndarray, front_bend_deg: np.ndarray | float = 0.0,
                   shape: TorsoShape = TorsoShape(), edge_noise: float = 0.0, seed: int = 0) -> np.ndarray:
    """Trunk profiles ``(T, 4, N_STATIONS)`` of a trunk whose back (and front) edge bends by the given angles frame
    by frame, drawn with the same edges as :func:`torso_mask` (what ``trunk_profile`` measures from its mask), plus
    white noise of ``edge_noise`` torso lengths on each edge point: a back that rounds from rep 1, or more rep after
    rep, as a silhouette rather than as a metric."""
    from formwatch.core.silhouette import BACK, BACK_CONF, FRONT, FRONT_CONF, N_STATIONS, STATIONS

    back_bend = np.asarray(back_bend_deg, dtype=np.float64)
    front_bend = np.broadcast_to(np.asarray(front_bend_deg, dtype=np.float64), back_bend.shape)
    rng = np.random.default_rng(seed)
    out = np.zeros(back_bend.shape + (4, N_STATIONS), dtype=np.float32)
    half = np.abs(STATIONS - 0.5)
    out[..., BACK, :] = shape.back_mid + np.tan(np.radians(back_bend) / 2.0)[..., None] * half
    out[..., FRONT, :] = shape.front_mid + shape.front_offset + np.tan(np.radians(front_bend) / 2.0)[..., None] * half
    if edge_noise:
        out[..., :2, :] += rng.normal(0.0, edge_noise, out[..., :2, :].shape)
    out[..., BACK_CONF, :] = out[..., FRONT_CONF, :] = 1.0
    return out
