"""A second breathing signal: the chest wall's motion from dense optical flow in the trunk's own frame.

Camera respiration studies found optical flow over the chest beats pixel-intensity methods at 0.5-2 m. Here: the
trunk's rectangle (hip to shoulder along its axis, from ``back_lengths`` behind the hip-shoulder line to
``front_lengths`` in front of it, where the belly and chest wall are) is warped into a small upright patch with the
*previous* frame's placement for both frames, so the flow measures the picture's own motion and not the landmarks'
jitter; DIS optical flow (OpenCV's fastest preset) runs on that patch; the flow across the trunk (along its front
normal), weighted by the patch's texture, is averaged over the front half minus the back half — the chest wall moving
out against the spine, with whole-trunk motion cancelled — and summed over frames into a displacement in torso
lengths, the same units as the silhouette's front edge (core/breathing.front_extent).

About 0.6 ms a drawn frame and 1.2 ms a real 720p frame on one core (``formwatch bench`` prints ``chest_flow_us``). docs/breathing.md has what it adds on real clips.
"""

from __future__ import annotations

import math

import numpy as np

from formwatch.core.silhouette import trunk_frame

PATCH_ALONG_PX = 64  # the patch's size along the trunk ...
PATCH_ACROSS_PX = 48  # ... and across it (back to front)


class ChestFlow:
    """Feed ``step(gray, landmarks)`` every frame (gray: ``(H, W)`` uint8; landmarks: image ``(33, 4)``); it returns
    the chest's running displacement in torso lengths (NaN while the trunk is not seen)."""

    def __init__(self, back_lengths: float = 0.35, front_lengths: float = 0.45) -> None:
        import cv2

        self._cv2 = cv2
        self._flow = cv2.DISOpticalFlow.create(cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST)
        self.back_lengths, self.front_lengths = back_lengths, front_lengths
        self._prev_gray: np.ndarray | None = None
        self._prev_warp: np.ndarray | None = None
        self.displacement = 0.0
        across = (np.arange(PATCH_ACROSS_PX) + 0.5) / PATCH_ACROSS_PX * (back_lengths + front_lengths) - back_lengths
        self._front = (across > 0.1)[None, :]  # the belly and chest wall side of the spine line
        self._back = (across < -0.05)[None, :]

    def reset(self) -> None:
        self._prev_gray = self._prev_warp = None
        self.displacement = 0.0

    def _warp_for(self, landmarks: np.ndarray, size: tuple[int, int]) -> np.ndarray | None:
        """The affine map from the frame to the upright patch (rows along the trunk, columns back -> front)."""
        frame = trunk_frame(landmarks, np.array(size, dtype=np.float64))
        if frame is None:
            return None
        hip, unit, normal, length = frame
        origin = hip - self.back_lengths * length * normal  # the patch's (0, 0): at the hip, behind the back
        across_px = (self.back_lengths + self.front_lengths) * length / PATCH_ACROSS_PX
        along_px = length / PATCH_ALONG_PX
        # patch (col, row) -> frame: origin + col * across_px * normal + row * along_px * unit; inverted below
        forward = np.array([[normal[0] * across_px, unit[0] * along_px, origin[0]],
                            [normal[1] * across_px, unit[1] * along_px, origin[1]]])
        return self._cv2.invertAffineTransform(forward)

    def step(self, gray: np.ndarray, landmarks: np.ndarray) -> float:
        cv2 = self._cv2
        if landmarks is None or np.isnan(landmarks[0, 0]):
            self._prev_gray = None
            return math.nan
        h, w = gray.shape[:2]
        warp = self._warp_for(landmarks, (w, h))
        if warp is None:
            self._prev_gray = None
            return math.nan
        if self._prev_gray is None or self._prev_warp is None:
            self._prev_gray, self._prev_warp = gray, warp
            return self.displacement
        size = (PATCH_ACROSS_PX, PATCH_ALONG_PX)
        before = cv2.warpAffine(self._prev_gray, self._prev_warp, size, flags=cv2.INTER_LINEAR)
        after = cv2.warpAffine(gray, self._prev_warp, size, flags=cv2.INTER_LINEAR)
        flow = self._flow.calc(before, after, None)  # type: ignore[call-overload]  # (rows, cols, 2): across, along
        texture = np.abs(cv2.Sobel(before, cv2.CV_32F, 1, 0, ksize=3))  # flow is trusted where the picture has edges
        across = flow[..., 0]
        front_w, back_w = texture * self._front, texture * self._back
        front_sum, back_sum = float(front_w.sum()), float(back_w.sum())
        if front_sum > 0 and back_sum > 0:
            moved_px = float((across * front_w).sum()) / front_sum - float((across * back_w).sum()) / back_sum
            torso_px = PATCH_ACROSS_PX / (self.back_lengths + self.front_lengths)  # patch columns per torso length
            self.displacement += moved_px / torso_px
        self._prev_gray, self._prev_warp = gray, warp
        return self.displacement
