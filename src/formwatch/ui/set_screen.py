"""Where the set-time screen puts its words: beside the person, never over the head or trunk.

A person exercising stands 2-3 m from a 14-inch laptop (about 0.23 mm a pixel at 1366x768): a word must be about
32 px tall to be read there, the message 48 px (tesseract reads a word about 0.77 of the font's pixel size tall,
so the message is set at 64 px and every other word at 44 px or more). There is room for few such words, so the
set-time screen holds only what to do now, the rep count or hold time, and the one metric nearest its limit; the
details view (D) and the replay show every gauge.

The panel goes in the widest free strip beside the person's landmark box (left or right), else the band above or
below it; when the person fills the picture (a camera too close: the glute-bridge clip's body spans 95 % of its
width and 80 % of its height) there is no such room, and the panel goes beside the head and trunk instead, over a
limb at most. Pure geometry, so tests check it on the shared clips' landmarks without painting anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formwatch.core.landmarks import Lm

__all__ = ["Box", "MESSAGE_PX", "WORD_PX", "COUNTER_PX", "HEAD_AND_TRUNK", "panel_beside", "panel_place",
           "person_box"]

MESSAGE_PX = 64  # the message: read >= 48 px tall
WORD_PX = 54  # every other word: read >= 32 px tall, and words without ascenders ("a", "new") >= 28 px
COUNTER_PX = 96  # the rep count / hold time
MIN_VISIBILITY = 0.5
HEAD_AND_TRUNK = (int(Lm.NOSE), int(Lm.LEFT_EAR), int(Lm.RIGHT_EAR), int(Lm.LEFT_SHOULDER), int(Lm.RIGHT_SHOULDER),
                  int(Lm.LEFT_HIP), int(Lm.RIGHT_HIP))
MIN_PANEL = (0.25, 0.20)  # a panel narrower or lower than this share of the screen has no room for its words


@dataclass(frozen=True)
class Box:
    """A rectangle in widget pixels."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def overlaps(self, other: "Box") -> bool:
        return self.x < other.right and other.x < self.right and self.y < other.bottom and other.y < self.bottom


def person_box(landmarks: np.ndarray | None, frame: Box, margin_fraction: float = 0.03,
               only: tuple[int, ...] | None = None) -> Box | None:
    """The box round the person's seen landmarks (``(33, 4)``, normalised to the frame; ``only`` these), in widget
    pixels, with a margin (the head reaches beyond the ears and nose); None when nobody is seen."""
    if landmarks is None or landmarks.ndim != 2:
        return None
    seen = (landmarks[:, 3] >= MIN_VISIBILITY) & np.isfinite(landmarks[:, 0]) & np.isfinite(landmarks[:, 1])
    if only is not None:
        keep = np.zeros(len(seen), dtype=bool)
        keep[list(only)] = True
        seen &= keep
    if seen.sum() < 4:
        return None
    x = frame.x + np.clip(landmarks[seen, 0], 0.0, 1.0) * frame.w
    y = frame.y + np.clip(landmarks[seen, 1], 0.0, 1.0) * frame.h
    m = margin_fraction * max(frame.w, frame.h)
    x0, x1 = max(frame.x, float(x.min()) - m), min(frame.right, float(x.max()) + m)
    y0, y1 = max(frame.y, float(y.min()) - 1.5 * m), min(frame.bottom, float(y.max()) + m)
    return Box(x0, y0, x1 - x0, y1 - y0)


def roomy(panel: Box, widget: Box) -> bool:
    return panel.w >= MIN_PANEL[0] * widget.w and panel.h >= MIN_PANEL[1] * widget.h


def panel_place(widget: Box, landmarks: np.ndarray | None, frame: Box) -> tuple[Box, Box | None]:
    """(the panel, the box it keeps clear of): beside the whole person when there is room, else beside the head
    and trunk."""
    person = person_box(landmarks, frame)
    panel = panel_beside(widget, person)
    if person is None or roomy(panel, widget):
        return panel, person
    core = person_box(landmarks, frame, only=HEAD_AND_TRUNK)
    return panel_beside(widget, core), core


def panel_beside(widget: Box, person: Box | None, pad: float = 16.0, min_w_fraction: float = 0.30,
                 default_w_fraction: float = 0.42) -> Box:
    """The panel's place: the wider free strip left or right of ``person`` (at least ``min_w_fraction`` of the
    width), else the taller band above or below it; with nobody seen, the right ``default_w_fraction``."""
    if person is None:
        w = widget.w * default_w_fraction
        return Box(widget.right - w - pad, widget.y + pad, w, widget.h - 2 * pad)
    left = Box(widget.x + pad, widget.y + pad, person.x - widget.x - 2 * pad, widget.h - 2 * pad)
    right = Box(person.right + pad, widget.y + pad, widget.right - person.right - 2 * pad, widget.h - 2 * pad)
    strip = max(left, right, key=lambda b: b.w)
    if strip.w >= min_w_fraction * widget.w:
        return strip
    above = Box(widget.x + pad, widget.y + pad, widget.w - 2 * pad, person.y - widget.y - 2 * pad)
    below = Box(widget.x + pad, person.bottom + pad, widget.w - 2 * pad, widget.bottom - person.bottom - 2 * pad)
    band = max(above, below, key=lambda b: b.h)
    if band.h >= 0.22 * widget.h:  # words in two columns there (a plank fills the picture's width)
        return band
    return strip if strip.w * strip.h >= band.w * band.h else band  # the person fills the picture: the least bad
