"""A view problem said once, not every frame: said when it has lasted a moment, and its clearing once that has.

The reading gate (the camera's angle) and the scene check (nobody, too small, too few frames, a body part out of
the picture) both say their problems through one :class:`ViewLatch` each, so a flicker of one frame is never said
and a problem is never said twice in a row.
"""

from __future__ import annotations

from formwatch.core.events import ViewProblem

__all__ = ["SAY_AFTER_S", "ViewLatch"]

SAY_AFTER_S = 0.5  # a problem is said once it has lasted this long (and its clearing too)


class ViewLatch:
    """One view problem's state as said: ``step`` returns the event when what is said changes."""

    def __init__(self, code: str, after_s: float = SAY_AFTER_S) -> None:
        self.code = code
        self.after_s = after_s
        self.said = False  # the problem is in force as far as the person has been told
        self._pending: tuple[bool, float] | None = None  # (present, since when) not yet said

    def step(self, t_s: float, present: bool, value: float, needed: float) -> ViewProblem | None:
        """This frame's reading of the problem; the event saying it (or its clearing) once that has lasted."""
        if present == self.said:
            self._pending = None
            return None
        if self._pending is None or self._pending[0] != present:
            self._pending = (present, t_s)
        if t_s - self._pending[1] < self.after_s:
            return None
        self.said, self._pending = present, None
        return ViewProblem(t_s, self.code, value, needed, active=present)
