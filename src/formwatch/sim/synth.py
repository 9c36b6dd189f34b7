"""Synthetic skeletons by forward kinematics, with known angles: for exact tests, the evaluation harness and the demo.

A body is posed in its own sagittal frame (forward, down, left; metres, origin between the hips), then placed in
front of a camera (yaw, roll, position, scale) and projected with weak perspective, so the image-plane angles of a
side view are the constructed ones. All parameters broadcast over frames: arrays ``(T,)`` give poses ``(T, 33, 4)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formwatch.core.landmarks import N_LANDMARKS, Lm


@dataclass(frozen=True)
class BodyShape:
    """Segment lengths in metres (adult averages)."""

    torso_m: float = 0.50  # mid-hip to mid-shoulder
    ear_above_shoulder_m: float = 0.19  # 0.19 / (0.50 + 0.19) = 0.275, the population ratio
    thigh_m: float = 0.45
    shin_m: float = 0.43
    upper_arm_m: float = 0.30
    forearm_m: float = 0.27
    hip_half_width_m: float = 0.12
    shoulder_half_width_m: float = 0.19
    ear_half_width_m: float = 0.075


def skeleton(
    hinge_deg: np.ndarray | float = 0.0,
    thigh_deg: np.ndarray | float = 0.0,
    shrug_m: np.ndarray | float = 0.0,
    shrug_left_m: np.ndarray | float | None = None,
    body_pitch_deg: np.ndarray | float = 0.0,
    yaw_deg: np.ndarray | float = 0.0,
    roll_deg: np.ndarray | float = 0.0,
    center_px: tuple[float, float] = (640.0, 400.0),
    px_per_m: float = 300.0,
    frame_size_px: tuple[int, int] = (1280, 720),
    visibility: np.ndarray | float = 0.99,
    shape: BodyShape = BodyShape(),
) -> tuple[np.ndarray, np.ndarray]:
    """Image ``(..., 33, 4)`` and world ``(..., 33, 4)`` landmarks (float64) of a posed body.

    ``hinge_deg``: trunk flexion from the thigh line (negative = extension, e.g. sagging hips).
    ``thigh_deg``: thigh from vertical, knee forward positive. ``shrug_m``: both shoulders raised along the trunk
    (``shrug_left_m`` overrides the left one). ``body_pitch_deg``: whole body tipped forward about the hips (90 =
    horizontal, face down, as in a plank). ``yaw_deg``: 0 side-on facing image right, 90 facing the camera, 180
    side-on facing left. ``roll_deg``: camera roll, rotating the image about its centre.
    """
    hinge, thigh, shrug, pitch, yaw, roll, vis = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (hinge_deg, thigh_deg, shrug_m, body_pitch_deg, yaw_deg,
                                                       roll_deg, visibility)))
    shrug_left = shrug if shrug_left_m is None else np.broadcast_to(np.asarray(shrug_left_m, float), shrug.shape)
    batch = hinge.shape
    body = np.zeros(batch + (N_LANDMARKS, 3))  # forward, down, left

    trunk_angle = np.radians(hinge - thigh)
    trunk = np.stack([np.sin(trunk_angle), -np.cos(trunk_angle)], -1)  # (f, d) unit, up = (0, -1)
    normal = np.stack([np.cos(trunk_angle), np.sin(trunk_angle)], -1)  # forward of the trunk
    t = np.radians(thigh)
    thigh_dir = np.stack([np.sin(t), np.cos(t)], -1)
    down = np.array([0.0, 1.0])
    # The arms hang (or push) straight down whatever the body's pitch: in the body's frame they are turned back by
    # it, so a body tipped to a plank holds its arms under the shoulders as a real plank does, not along its sides.
    p_rad = np.radians(pitch)
    arm_dir = np.stack([np.sin(p_rad), np.cos(p_rad)], -1)

    def put(lm: Lm, fd: np.ndarray, left_m: float) -> None:
        body[..., lm, :2] = fd
        body[..., lm, 2] = left_m

    s = shape
    for side, sign in (("LEFT", 1.0), ("RIGHT", -1.0)):
        rise = (shrug_left if side == "LEFT" else shrug)[..., None]
        shoulder = (s.torso_m + rise) * trunk
        knee = s.thigh_m * thigh_dir
        ankle = knee + s.shin_m * down
        elbow = shoulder + s.upper_arm_m * arm_dir
        put(Lm[f"{side}_HIP"], np.zeros(batch + (2,)), sign * s.hip_half_width_m)
        put(Lm[f"{side}_SHOULDER"], shoulder, sign * s.shoulder_half_width_m)
        put(Lm[f"{side}_EAR"], (s.torso_m + s.ear_above_shoulder_m) * trunk, sign * s.ear_half_width_m)
        put(Lm[f"{side}_ELBOW"], elbow, sign * s.shoulder_half_width_m)
        for part, extra in (("WRIST", 0.0), ("PINKY", 0.06), ("INDEX", 0.07), ("THUMB", 0.05)):
            put(Lm[f"{side}_{part}"], elbow + (s.forearm_m + extra) * arm_dir, sign * s.shoulder_half_width_m)
        put(Lm[f"{side}_KNEE"], knee, sign * s.hip_half_width_m)
        put(Lm[f"{side}_ANKLE"], ankle, sign * s.hip_half_width_m)
        put(Lm[f"{side}_HEEL"], ankle + np.array([-0.05, 0.05]), sign * s.hip_half_width_m)
        put(Lm[f"{side}_FOOT_INDEX"], ankle + np.array([0.15, 0.06]), sign * s.hip_half_width_m)
        head = (s.torso_m + s.ear_above_shoulder_m) * trunk
        put(Lm[f"{side}_EYE"], head + 0.09 * normal - 0.03 * trunk, sign * 0.03)
        put(Lm[f"{side}_EYE_INNER"], head + 0.095 * normal - 0.03 * trunk, sign * 0.015)
        put(Lm[f"{side}_EYE_OUTER"], head + 0.085 * normal - 0.03 * trunk, sign * 0.045)
        put(Lm[f"MOUTH_{side}"], head + 0.09 * normal - 0.10 * trunk, sign * 0.025)
    put(Lm.NOSE, (s.torso_m + s.ear_above_shoulder_m) * trunk + 0.11 * normal - 0.06 * trunk, 0.0)

    return _place_in_view(body, pitch, yaw, roll, vis, center_px, px_per_m, frame_size_px)


def _place_in_view(body: np.ndarray, pitch: np.ndarray, yaw: np.ndarray, roll: np.ndarray, vis: np.ndarray,
                   center_px: tuple[float, float], px_per_m: float, frame_size_px: tuple[int, int]
                   ) -> tuple[np.ndarray, np.ndarray]:
    """A body in its own frame (forward, down, left), tipped, turned and rolled, projected into the image."""
    batch = body.shape[:-2]
    # Tip the whole body forward about the hips (plank, bird-dog, ...).
    p = np.radians(pitch)[..., None]
    f, d = body[..., 0].copy(), body[..., 1].copy()
    body[..., 0] = f * np.cos(p) - d * np.sin(p)
    body[..., 1] = f * np.sin(p) + d * np.cos(p)

    # Place in front of the camera: x right, y down, z away from the camera.
    y = np.radians(yaw)[..., None]
    fwd = np.stack([np.cos(y), np.zeros_like(y), -np.sin(y)], -1)
    left = np.stack([np.sin(y), np.zeros_like(y), np.cos(y)], -1)  # up x forward, with up = -y
    world = body[..., 0:1] * fwd + body[..., 1:2] * np.array([0.0, 1.0, 0.0]) + body[..., 2:3] * left
    r = np.radians(roll)[..., None]
    wx, wy = world[..., 0].copy(), world[..., 1].copy()
    world[..., 0] = wx * np.cos(r) - wy * np.sin(r)
    world[..., 1] = wx * np.sin(r) + wy * np.cos(r)

    width, height = frame_size_px
    image = np.empty(batch + (N_LANDMARKS, 4))
    image[..., 0] = (center_px[0] + px_per_m * world[..., 0]) / width
    image[..., 1] = (center_px[1] + px_per_m * world[..., 1]) / height
    image[..., 2] = px_per_m * world[..., 2] / width
    image[..., 3] = vis[..., None]
    world4 = np.concatenate([world, vis[..., None, None] * np.ones(batch + (N_LANDMARKS, 1))], -1)
    return image, world4
