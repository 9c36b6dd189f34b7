"""Is the camera set up for formwatch? The camera upright, whole body in view, side-on, 2-3 m away, enough light —
checked live.

The guided first run (app/guided.py) shows the first thing to fix, in a few words, until all five hold for 2 s;
then the neutral is taken. Each check reads what the pipeline already has: the image landmarks (normalised to the
frame), the view the kinematics core decided, and the frame's brightness (a 1/16 subsample: no per-pixel loop).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formwatch.core.camera_turn import limb_verticality, shipped_turn_limit
from formwatch.core.kinematics import View
from formwatch.core.landmarks import Lm
from formwatch.core.view_words import view_words

__all__ = ["SETTLE_S", "TURN_CAMERA_FIX", "ViewCheck", "ViewChecklist", "check_view", "setup_line"]

_TURN = view_words("camera_turned")[1]  # the scene check's own few words, with why the checklist says them
TURN_CAMERA_FIX = f"{_TURN[:1].upper()}{_TURN[1:]}: you look as if lying on your side"

_PAIRS = ((Lm.LEFT_SHOULDER, Lm.RIGHT_SHOULDER), (Lm.LEFT_HIP, Lm.RIGHT_HIP), (Lm.LEFT_KNEE, Lm.RIGHT_KNEE),
          (Lm.LEFT_ANKLE, Lm.RIGHT_ANKLE))
MIN_VISIBILITY = 0.5
BODY_HEIGHT_FRACTION = (0.40, 0.92)  # nose to ankle, of the frame's height: a laptop camera at 2-3 m
MIN_LUMA = 50.0  # mean brightness (0-255) below which MediaPipe's landmarks get unreliable


@dataclass(frozen=True)
class ViewCheck:
    """One item of the checklist: its name, whether it holds, and what to do when it does not."""

    label: str
    ok: bool
    fix: str


def check_view(image: np.ndarray, view: float, luma: float | None,
               frame_size_px: tuple[int, int] | None = None) -> tuple[ViewCheck, ...]:
    """The five checks for one frame: ``image`` (33, 4) normalised landmarks, ``view`` the kinematics' view code,
    ``luma`` the frame's mean brightness (None: not known, taken as fine), ``frame_size_px`` the picture's size
    (None: the camera taken as upright). The camera first: on its side, every other fix would be the wrong one."""
    seen = not np.isnan(image[Lm.NOSE, 0])
    verticality = limb_verticality(image, frame_size_px) if frame_size_px is not None and seen else float("nan")
    upright = not verticality < shipped_turn_limit().max_limb_verticality  # one frame: a person standing still
    inside = True
    for a, b in _PAIRS:
        side = a if image[a, 3] >= image[b, 3] else b
        x, y, vis = float(image[side, 0]), float(image[side, 1]), float(image[side, 3])
        inside = inside and vis >= MIN_VISIBILITY and 0.01 <= x <= 0.99 and 0.01 <= y <= 0.99
    whole = seen and inside
    ankle_y = float(np.nanmax(image[[Lm.LEFT_ANKLE, Lm.RIGHT_ANKLE], 1])) if seen else np.nan
    height = ankle_y - float(image[Lm.NOSE, 1]) if seen else np.nan
    low, high = BODY_HEIGHT_FRACTION
    distance_fix = "Step back a little: your whole body, head to feet, in the picture" if height > high \
        else "Come a little closer (2–3 m from the camera)"
    return (ViewCheck("camera upright", upright, TURN_CAMERA_FIX),
            ViewCheck("whole body in view", whole, "Step into view: head to feet in the picture"),
            ViewCheck("side-on", whole and view == float(View.SIDE), "Turn side-on to the camera"),
            ViewCheck("2–3 m away", whole and low <= height <= high, distance_fix),
            ViewCheck("light", luma is None or luma >= MIN_LUMA, "More light, please: face a window or a lamp"))


def frame_luma(bgr: np.ndarray | None) -> float | None:
    """Mean brightness of a BGR frame from a 1/16 subsample (Rec. 601 weights)."""
    if bgr is None or bgr.ndim != 3:
        return None
    sample = bgr[::16, ::16].astype(np.float32)
    return float(np.mean(sample @ np.array([0.114, 0.587, 0.299], dtype=np.float32)))


SETTLE_S = 0.5
"""How long a check's reading must stay changed before its item on the screen changes: a design choice (the eye
needs half a second to read an item; a landmark's flicker lasts a frame or two), not a fitted verdict."""


def setup_line(ready: int, checks: int, fix: str) -> str:
    """The checklist's line while something is to fix: how many checks hold, and the first fix."""
    return f"Set-up {ready}/{checks}: {fix}"


class ViewChecklist:
    """Fed a frame at a time; :attr:`passed` once every check held for ``hold_s``; :attr:`message` says what to do.
    Each item is held steady: it changes only after its reading has stayed changed for ``settle_s`` (hysteresis
    in time), so the count does not flip between 4/5 and 5/5 several times a second."""

    def __init__(self, hold_s: float = 2.0, settle_s: float = SETTLE_S) -> None:
        self.hold_s = hold_s
        self.settle_s = settle_s
        self.checks: tuple[ViewCheck, ...] = ()
        self.passed = False
        self._ok_since: float | None = None
        self._changed_since: dict[str, float] = {}  # item -> when its reading started to differ from its shown state
        self.message = "Set-up: stand where you will exercise, 2–3 m from the camera"

    def _steady(self, t_s: float, readings: tuple[ViewCheck, ...]) -> tuple[ViewCheck, ...]:
        """The items as shown: each reading replaces the shown item once it has differed for ``settle_s``."""
        if not self.checks:
            return readings
        shown = []
        for old, new in zip(self.checks, readings):
            if new.ok == old.ok:
                self._changed_since.pop(new.label, None)
                shown.append(new)
                continue
            since = self._changed_since.setdefault(new.label, t_s)
            shown.append(new if t_s - since >= self.settle_s else old)
            if t_s - since >= self.settle_s:
                self._changed_since.pop(new.label, None)
        return tuple(shown)

    def feed(self, t_s: float, image: np.ndarray, view: float, luma: float | None,
             frame_size_px: tuple[int, int] | None = None) -> bool:
        """One frame; True once, when the set-up has held for ``hold_s``."""
        if self.passed:
            return False
        self.checks = self._steady(t_s, check_view(image, view, luma, frame_size_px))
        ready = sum(c.ok for c in self.checks)
        failing = next((c for c in self.checks if not c.ok), None)
        if failing is not None:
            self._ok_since = None
            self.message = setup_line(ready, len(self.checks), failing.fix)
            return False
        if self._ok_since is None:
            self._ok_since = t_s
        if t_s - self._ok_since < self.hold_s:
            self.message = f"Set-up {ready}/{ready}: good — hold that spot"
            return False
        self.passed = True
        return True
