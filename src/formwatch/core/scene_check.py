"""Say what the camera cannot see, and judge nothing it cannot see: checked on every frame, before any exercise
is known, from the pose alone.

- **nobody** in view for a second — or, with others in view, **the person followed left** (core/following.py);
- **someone else in view**: said once a set ("I'm following you"), judged as before;
- **too small**: the person's size in the picture (the bounding box of the seen landmarks, median over a second)
  under the measured least (core/view_limits.py) — a 50 px person's joints jitter by more than a fault; said
  until they are seen big enough (the gaps of a small person's flickering detection are not "no one in view");
- **the camera on its side** (core/camera_turn.py: every limb across the picture for a second, where gravity
  keeps a person's shins, or their arms, upright): nothing is judged until it is turned upright;
- **too few frames a second** for reps (median frame interval over two seconds against the measured least):
  reps are not judged, holds still are;
- **a body part out of the picture**: a landmark the model placed outside the frame is a guess, so it is read as
  not seen (its metrics are NaN, never judged) and the part is said once.

Each is said once through a :class:`~formwatch.core.view_latch.ViewLatch` as a
:class:`~formwatch.core.events.ViewProblem`; the first four leave the judge nothing to judge while they hold
(core/session.py), so they never give a rep verdict or a stop.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from formwatch.core.camera_turn import CameraTurnCheck, TurnLimit
from formwatch.core.events import ViewProblem
from formwatch.core.landmarks import Lm
from formwatch.core.view_latch import ViewLatch
from formwatch.core.view_limits import ViewLimits, shipped_view_limits
from formwatch.core.view_words import BODY_PARTS, out_code

__all__ = ["SceneCheck", "SceneReading"]

SEEN_VISIBILITY = 0.5  # a landmark at least this visible counts as seen
SIZE_WINDOW_S = 1.0  # the person's size is the median over this long
FPS_WINDOW_S = 2.0  # the frame rate is read from the median interval over this long
NOBODY_AFTER_S = 1.0  # a person lost for a moment (a detection flicker) is not "no one in view"
OUT_AFTER_S = 1.0  # a part out of the picture for a moment (a hand swung past the edge) is not said

# The joints that say a part is out of the picture (every landmark outside the picture is unseen, whatever part).
_PART_JOINTS: dict[str, tuple[int, ...]] = {
    "head": (Lm.NOSE, Lm.LEFT_EAR, Lm.RIGHT_EAR), "hands": (Lm.LEFT_WRIST, Lm.RIGHT_WRIST),
    "elbows": (Lm.LEFT_ELBOW, Lm.RIGHT_ELBOW), "shoulders": (Lm.LEFT_SHOULDER, Lm.RIGHT_SHOULDER),
    "hips": (Lm.LEFT_HIP, Lm.RIGHT_HIP), "knees": (Lm.LEFT_KNEE, Lm.RIGHT_KNEE),
    "feet": (Lm.LEFT_ANKLE, Lm.RIGHT_ANKLE)}
assert tuple(_PART_JOINTS) == BODY_PARTS


@dataclass(frozen=True)
class SceneReading:
    """One frame as the scene check read it: the landmarks to measure (out-of-picture ones unseen), whether the
    judge may judge anything (``judgeable``) and reps (``reps_judgeable``), and the problems said this frame."""

    image: np.ndarray
    judgeable: bool
    reps_judgeable: bool
    events: tuple[ViewProblem, ...]


class SceneCheck:
    """Fed each frame's normalised image landmarks (33, 4) with its time; see the module's docstring."""

    def __init__(self, frame_size_px: tuple[int, int], limits: ViewLimits | None = None,
                 turn_limit: TurnLimit | None = None) -> None:
        self.frame_size_px = frame_size_px
        self.limits = limits if limits is not None else shipped_view_limits()
        self._turn = CameraTurnCheck(frame_size_px, turn_limit)
        self.needed_px = round(self.limits.needed_px(frame_size_px), 1)
        self._scale = np.array(frame_size_px, dtype=np.float64)
        self.reset()

    def reset(self) -> None:
        """A new set: nothing seen yet."""
        self._sizes: deque[tuple[float, float]] = deque()
        self._times: deque[float] = deque()
        self.body_px = math.nan
        self.fps = math.nan
        self._nobody = ViewLatch("nobody", NOBODY_AFTER_S)
        self._left = ViewLatch("followed_left", NOBODY_AFTER_S)
        self._someone = ViewLatch("someone_else")
        self._told = False
        self._small = ViewLatch("too_small")
        self._slow = ViewLatch("low_fps")
        self._turn.reset()
        self._turned = ViewLatch("camera_turned")
        self._out = {part: ViewLatch(out_code(part), OUT_AFTER_S) for part in BODY_PARTS}

    def step(self, t_s: float, image: np.ndarray, others_in_view: int = 0) -> SceneReading:
        """This frame's reading: see :class:`SceneReading` (``others_in_view``: people found besides the one
        followed)."""
        seen_anyone = not math.isnan(float(image[Lm.NOSE, 0]))
        xy = image[:, :2]
        self._read_fps(t_s)
        events: list[ViewProblem] = []
        outside = np.zeros(len(image), dtype=bool)
        if seen_anyone:
            seen = image[:, 3] >= SEEN_VISIBILITY
            outside = seen & ((xy < 0.0) | (xy > 1.0)).any(axis=1)
            if outside.any():
                image = image.copy()
                image[outside, 3] = 0.0
            self._read_size(t_s, xy[seen & ~outside])
        small = self.body_px < self.needed_px
        turned = seen_anyone and not small and self._turn.step(t_s, image)  # the last size seen: a small person's detection flickers, and
        # "move closer" stays the word through the gaps (not "no one in view", nor a "someone else" the model
        # finds in a few dozen noisy pixels) until they are seen big enough
        slow = round(self.fps, 1) < self.limits.min_fps  # to the timestamps' precision: 14.999 fps is 15
        for latch, present, value, needed in (
                (self._nobody, not seen_anyone and not others_in_view and not small, math.nan, math.nan),
                (self._left, not seen_anyone and others_in_view > 0 and not small, math.nan, math.nan),
                (self._small, small, round(self.body_px, 0), self.needed_px),
                (self._slow, slow, round(self.fps, 1), self.limits.min_fps),
                (self._turned, turned, round(self._turn.verticality, 2), self._turn.limit.max_limb_verticality)):
            if event := latch.step(t_s, present, value, needed):
                events.append(event)
        if (event := self._someone.step(t_s, others_in_view > 0 and not small, others_in_view, math.nan)) \
                and not self._told:
            self._told = True  # once a set: a partner walking in and out is not news every time
            events.append(event)
        for part, joints in _PART_JOINTS.items():
            if event := self._out[part].step(t_s, bool(outside[list(joints)].any()), math.nan, math.nan):
                events.append(event)
        return SceneReading(image, seen_anyone and not small and not turned, not slow, tuple(events))

    def _read_size(self, t_s: float, seen_xy: np.ndarray) -> None:
        """The person's size: the longer side of the seen landmarks' box, in the frame's pixels, median over
        :data:`SIZE_WINDOW_S`."""
        window = self._sizes
        if len(seen_xy) >= 2:
            extent = (seen_xy.max(axis=0) - seen_xy.min(axis=0)) * self._scale
            window.append((t_s, float(extent.max())))
        while window and t_s - window[0][0] > SIZE_WINDOW_S:
            window.popleft()
        if window:
            self.body_px = float(np.median([size for _, size in window]))

    def _read_fps(self, t_s: float) -> None:
        """Frames a second from the median interval over :data:`FPS_WINDOW_S` (one slow frame does not count)."""
        times = self._times
        times.append(t_s)
        while t_s - times[0] > FPS_WINDOW_S:
            times.popleft()
        if len(times) >= 2:
            interval = float(np.median(np.diff(np.fromiter(times, dtype=np.float64))))
            self.fps = 1.0 / interval if interval > 0 else math.inf
