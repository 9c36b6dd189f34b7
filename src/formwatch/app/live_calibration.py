"""Calibration inside the live window: a countdown, a few seconds of holding still, then the fit — in the worker.

On success the profile is saved and applied at once (the pipeline's neutral and the detector's limits follow it);
on refusal the instruction is shown and nothing is written.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from formwatch.core.calibration import fit_profile
from formwatch.core.cues import Cue
from formwatch.core.profile import Profile
from formwatch.core.session import SetSession
from formwatch.io.profiles import save_profile
from formwatch.core.errors import FormwatchError

class CalibrationWords:
    """What the person is told of a calibration as it goes: each new message once, as a cue for the screen's
    terminal line and the voice (the window and headless runs say the same)."""

    def __init__(self) -> None:
        self._said = ""

    def cue(self, message: str, t_s: float) -> Cue | None:
        if not message or message == self._said:
            return None
        self._said = message
        return Cue(t_s, message, message)


class CalibrationCapture:
    """Collects poses after a countdown; ``feed`` returns True once, when the fit is done (or refused)."""

    def __init__(self, name: str, frame_size_px: tuple[int, int], calibration_dir: Path, exercise: str = "hinge",
                 countdown_s: float = 3.0, hold_s: float = 5.0) -> None:
        self.name = name
        self.frame_size_px = frame_size_px
        self.calibration_dir = calibration_dir
        self.exercise = exercise
        self.countdown_s = countdown_s
        self.hold_s = hold_s
        self._start: float | None = None
        self._t: list[float] = []
        self._image: list[np.ndarray] = []
        self._world: list[np.ndarray] = []
        self._trunk: list[np.ndarray | None] = []  # the silhouette's trunk profiles, as `formwatch calibrate` fits
        self.done = False
        self.profile: Profile | None = None
        self.error = ""
        self.message = "Calibrating: stand side-on, relaxed, whole body in view"

    def feed(self, t_s: float, image: np.ndarray, world: np.ndarray, trunk: np.ndarray | None = None) -> bool:
        if self.done:
            return False
        if self._start is None:
            self._start = t_s
        elapsed = t_s - self._start
        if elapsed < self.countdown_s:
            self.message = f"Calibrating: stand side-on, relaxed, whole body in view … {self.countdown_s - elapsed:.0f}"
            return False
        self._t.append(t_s)
        self._image.append(np.array(image, copy=True))
        self._world.append(np.array(world, copy=True))
        self._trunk.append(None if trunk is None else np.array(trunk, copy=True))
        if elapsed < self.countdown_s + self.hold_s:
            self.message = f"Hold still … {self.countdown_s + self.hold_s - elapsed:.0f}"
            return False
        self.done = True
        try:
            self.profile = fit_profile(self.name, np.asarray(self._t), np.stack(self._image), np.stack(self._world),
                                       self.frame_size_px, exercise=self.exercise, source="live window",
                                       profile=self._trunk_profiles())
            path = save_profile(self.profile, self.calibration_dir)
            self.message = (f"Calibrated: profile '{self.name}' saved to {path} — limits now follow your neutral "
                            "posture")
        except FormwatchError as exc:
            self.error = str(exc)
            self.message = f"Calibration refused, no profile saved: {exc}"
        return True

    @property
    def not_saved(self) -> str:
        """Why no profile was saved ("" once one was): said when the set ends, so nobody believes they have one."""
        if self.profile is not None:
            return ""
        why = self.error or "the set ended before your neutral was taken"
        return f"No profile was saved: {why}. Take your neutral again with formwatch start (or formwatch calibrate)"

    def _trunk_profiles(self) -> np.ndarray | None:
        """The frames' trunk profiles ``(T, 4, K)`` (unmeasured frames NaN), or None when none was measured."""
        shapes = [p.shape for p in self._trunk if p is not None]
        if not shapes:
            return None
        blank = np.full(shapes[0], np.nan, dtype=np.float32)
        return np.stack([blank if p is None else p for p in self._trunk])

    def see(self, bgr: np.ndarray | None, metrics: np.ndarray) -> None:
        """This frame's picture and metrics (a plain calibration has no checklist to feed: nothing to do)."""
        return None

    def apply(self, session: SetSession) -> None:
        """Use the new profile for the rest of the session: new plans (core/plan.py), the set starting afresh."""
        if self.profile is None:
            return
        session.pipeline.neutral = self.profile.neutral_vector()
        if session.judge is not None:
            session.judge.use_profile(self.profile)
