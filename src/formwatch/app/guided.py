"""The guided first run (``formwatch start``, and ``live`` with no profile yet): the set-up checklist, the neutral
taken while the person stands, then the first set with the exercise recognised — one command, nothing to know.

It stands in the live runner's calibration slot (app/live.py), like an in-window calibration: the runner shows
its :attr:`message` on the screen and the terminal, and when it is done the profile it made judges the set.
"""

from __future__ import annotations

from pathlib import Path
import numpy as np

from formwatch.app.live_calibration import CalibrationCapture
from formwatch.core.kinematics import Col
from formwatch.core.profile import Profile
from formwatch.core.session import SetSession
from formwatch.core.view_check import ViewChecklist, frame_luma

__all__ = ["GuidedStart"]


class GuidedStart:
    """Checklist first, then :class:`CalibrationCapture`; the same ``feed``/``apply``/``done`` as a calibration."""

    def __init__(self, name: str, frame_size_px: tuple[int, int], calibration_dir: Path, exercise: str = "hinge",
                 hold_s: float = 2.0) -> None:
        self.checklist = ViewChecklist(hold_s)
        self.frame_size_px = frame_size_px
        self.capture = CalibrationCapture(name, frame_size_px, calibration_dir, exercise)
        self._bgr: np.ndarray | None = None
        self._view = float("nan")

    # the live runner's calibration interface ---------------------------------------------------------------
    @property
    def done(self) -> bool:
        return self.capture.done

    @property
    def error(self) -> str:
        return self.capture.error

    @property
    def profile(self) -> Profile | None:
        return self.capture.profile

    @property
    def message(self) -> str:
        if not self.checklist.passed:
            return self.checklist.message
        if self.capture.done and not self.capture.error:
            return f"{self.capture.message}. Now start your exercise: it is recognised as you go"
        return self.capture.message

    @property
    def not_saved(self) -> str:
        if not self.checklist.passed:
            failing = next((c for c in self.checklist.checks if not c.ok), None)
            why = f" ({failing.fix.lower()})" if failing is not None else ""
            return (f"No profile was saved: the set-up never held{why}. Take your neutral with formwatch start "
                    "when the camera sees you whole and side-on")
        return self.capture.not_saved

    def see(self, bgr: np.ndarray | None, metrics: np.ndarray) -> None:
        """This frame's picture and metrics, for the checklist (the runner calls it before :meth:`feed`)."""
        self._bgr, self._view = bgr, float(metrics[Col.VIEW])

    def feed(self, t_s: float, image: np.ndarray, world: np.ndarray, trunk: np.ndarray | None = None) -> bool:
        if not self.checklist.passed:
            self.checklist.feed(t_s, image, self._view, frame_luma(self._bgr), self.frame_size_px)
            return False
        return self.capture.feed(t_s, image, world, trunk)

    def apply(self, session: SetSession) -> None:
        self.capture.apply(session)
