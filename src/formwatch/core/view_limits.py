"""What the camera must give for a rep to be judged at all: the person's least size and the least frame rate.

Both are measured, not chosen: scripts/fit_view_limits.py shrinks shared clips (the pose model run again on each)
and thins their frames until the judge no longer says what it says of the clip itself (other reps counted, more
faulty reps, a stop) on a tenth of them; it writes
``formwatch/data/view_limits.json`` with its provenance. The size is in pixels of the picture the pose model is
given (frames are shrunk to ``model_long_side_px`` on their long side first), so that it holds at any resolution.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["ViewLimits", "shipped_view_limits"]


@dataclass(frozen=True)
class ViewLimits:
    """The least body size (pixels, nose to ankle's bounding box, in the model's picture) and frame rate judged."""

    min_body_px: float
    model_long_side_px: int
    min_fps: float

    def needed_px(self, frame_size_px: tuple[int, int]) -> float:
        """The least body size in this frame's own pixels (a frame larger than the model's is shrunk first)."""
        scale = min(1.0, self.model_long_side_px / max(frame_size_px))
        return self.min_body_px / scale


@cache
def shipped_view_limits() -> ViewLimits:
    """The limits formwatch ships (the fit script's last output)."""
    text = resources.files("formwatch").joinpath("data", "view_limits.json").read_text(encoding="utf-8")
    data = json.loads(text)
    return ViewLimits(float(data["min_body_px"]), int(data["model_long_side_px"]), float(data["min_fps"]))
