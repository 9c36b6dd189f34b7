"""MediaPipe Tasks ``PoseLandmarker`` behind one small adapter: BGR frame in, ``PoseSample`` arrays out.

MediaPipe's API is object-per-landmark; we convert once, here, to ``(33, 4)`` float32 arrays (x, y, z, visibility)
for the normalised image landmarks and the metric world landmarks. No detection is all-NaN, never an exception.
With ``silhouette=True`` (the default) the same inference also returns the person's soft segmentation mask, from
which the trunk profile is measured at once (core/silhouette.py); the mask itself is not kept.
VIDEO mode needs strictly increasing integer millisecond timestamps: :class:`PoseEstimator` makes them so.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np

from formwatch.core.landmarks import N_CHANNELS, N_LANDMARKS
from formwatch.core.sample import PoseSample
from formwatch.core.silhouette import empty_profile, trunk_profile
from formwatch.core.errors import FormwatchError
from formwatch.capture.native import quiet_native_stderr

if TYPE_CHECKING:
    from formwatch.capture.sources import Frame

os.environ.setdefault("GLOG_minloglevel", "2")  # keep MediaPipe's C++ start-up chatter off the user's terminal
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

_NO_POSE = np.full((N_LANDMARKS, N_CHANNELS), np.nan, dtype=np.float32)
INFERENCE_LONG_SIDE_PX = 640  # frames are shrunk to this on their long side before inference
MAX_PEOPLE = 3  # people the model looks for: the one followed is chosen by core/following.py, the others counted
PEOPLE_CHECK_S = 1.0  # in VIDEO mode, how often the whole picture is searched for people the tracker does not follow


class PoseModel(Protocol):
    """A pose model as its callers use it: a sample for a frame, and closed when done."""

    def estimate(self, frame: "Frame", t_s: float) -> PoseSample: ...

    def close(self) -> None: ...


class PoseEstimator:
    """BlazePose in VIDEO (default) or IMAGE running mode. Use as a context manager.

    IMAGE mode finds up to ``num_poses`` people: the sample is the first, the others in its ``others`` (the set's
    person is chosen downstream: core/following.py). VIDEO mode *tracks one person* — the one MediaPipe's detector
    finds first, in practice the largest — and every :data:`PEOPLE_CHECK_S` an IMAGE-mode search of the same frame
    counts the people in view; those besides the tracked one are the sample's ``others_in_view`` until the next
    search (about one inference a second: ``formwatch bench`` reports it). Measured (2026-12-05, two real deadlift
    clips): a VIDEO tracker asked for three people moves the lone lifter's hip angle by 5.4-5.8° (median; 15° at
    the 90th percentile) against the one-person tracker every fitted threshold was fitted on; and it never finds a
    person who enters while another is tracked (its detector runs only once all are lost) — so it would buy
    nothing the search does not, at a cost to the one person who matters."""

    def __init__(self, model_path: Path, running_mode: Literal["video", "image"] = "video",
                 min_confidence: float = 0.5, silhouette: bool = True,
                 inference_long_side_px: int | None = INFERENCE_LONG_SIDE_PX, num_poses: int = MAX_PEOPLE) -> None:
        from formwatch.capture.mediapipe_import import import_mediapipe

        mp = import_mediapipe()
        from mediapipe.tasks.python import BaseOptions, vision

        self._mp = mp
        mode = vision.RunningMode.VIDEO if running_mode == "video" else vision.RunningMode.IMAGE
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(model_path)),
            running_mode=mode,
            num_poses=num_poses if running_mode == "image" else 1,
            min_pose_detection_confidence=min_confidence,
            min_pose_presence_confidence=min_confidence,
            min_tracking_confidence=min_confidence,
            output_segmentation_masks=silhouette,
        )
        try:
            with quiet_native_stderr():
                self._landmarker = vision.PoseLandmarker.create_from_options(options)
                self._people_check = vision.PoseLandmarker.create_from_options(replace(
                    options, running_mode=vision.RunningMode.IMAGE, num_poses=num_poses,
                    output_segmentation_masks=False)) if running_mode == "video" and num_poses > 1 else None
        except (RuntimeError, ValueError) as exc:
            raise FormwatchError(f"the pose model {model_path} does not load ({exc}): run 'formwatch models'"
                                 ) from None
        self._video = running_mode == "video"
        self.silhouette = silhouette
        self.inference_long_side_px = inference_long_side_px
        self._last_ms = -1
        self._next_check_s = -float("inf")
        self._people_seen = 0  # people the last search found
        self._warm = False
        self.note = ""  # the live runner's estimator interface: no model switches here
        self.switches: list[dict[str, object]] = []

    def __enter__(self) -> "PoseEstimator":
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if self._landmarker is not None:
            self._landmarker.close()
            self._landmarker = None
        if self._people_check is not None:
            self._people_check.close()
            self._people_check = None

    def estimate(self, frame: "Frame", t_s: float) -> PoseSample:
        """Pose of a source frame (the live path's call); a frame without pixels finds nobody."""
        if frame.bgr is None:
            return PoseSample(t_s, _NO_POSE.copy(), _NO_POSE.copy(), None)
        return self.estimate_bgr(frame.bgr, t_s)

    def estimate_bgr(self, bgr: np.ndarray, t_s: float) -> PoseSample:
        """Pose of the person in an OpenCV BGR frame taken at ``t_s`` seconds.

        A frame larger than ``inference_long_side_px`` is shrunk first (aspect kept): BlazePose looks at a 256x256
        crop anyway, and MediaPipe's colour conversion and the mask's warp back to the frame cost in proportion to
        its pixels. Landmarks are normalised, so they mean the same at any size (docs/performance.md).
        """
        import cv2

        h, w = bgr.shape[:2]
        limit = self.inference_long_side_px
        if limit and max(h, w) > limit:
            scale = limit / max(h, w)
            bgr = cv2.resize(bgr, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb)
        if not self._warm:  # the first inference logs too
            self._warm = True
            with quiet_native_stderr():
                return self.estimate_bgr(bgr, t_s)
        if self._video:
            t_ms = max(int(round(t_s * 1000.0)), self._last_ms + 1)
            self._last_ms = t_ms
            result = self._landmarker.detect_for_video(image, t_ms)
        else:
            result = self._landmarker.detect(image)
        untracked = max(0, self._people_in_view(image, t_s) - max(1, len(result.pose_landmarks)))  # the one
        # followed is among those the search found, tracked this frame or not (a small person flickers)
        if not result.pose_landmarks:
            return PoseSample(t_s, _NO_POSE.copy(), _NO_POSE.copy(), empty_profile() if self.silhouette else None,
                              others_in_view=untracked)
        people = [self._person(result, i, t_s) for i in range(len(result.pose_landmarks))]
        return replace(people[0], others=tuple(people[1:]), others_in_view=untracked)

    def _people_in_view(self, image: object, t_s: float) -> int:
        """How many people the last whole-picture search found (searched again every :data:`PEOPLE_CHECK_S`)."""
        if self._people_check is None:
            return 0
        if t_s >= self._next_check_s:
            self._next_check_s = t_s + PEOPLE_CHECK_S
            self._people_seen = len(self._people_check.detect(image).pose_landmarks)
        return self._people_seen

    def _person(self, result: Any, i: int, t_s: float) -> PoseSample:
        """The ``i``-th person the model found, with the trunk profile from their own silhouette."""
        landmarks = _to_array(result.pose_landmarks[i])
        profile = None
        if self.silhouette:
            masks = result.segmentation_masks
            profile = trunk_profile(masks[i].numpy_view(), landmarks) if masks and len(masks) > i \
                else empty_profile()
        return PoseSample(t_s, landmarks, _to_array(result.pose_world_landmarks[i]), profile)


def _to_array(landmarks: list[Any]) -> np.ndarray:
    """MediaPipe landmark objects to a ``(33, 4)`` float32 array; the one place objects become arrays."""
    return np.array([(p.x, p.y, p.z, p.visibility if p.visibility is not None else 0.0) for p in landmarks],
                    dtype=np.float32)
