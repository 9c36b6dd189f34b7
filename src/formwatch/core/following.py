"""One person followed among several: the pose model finds up to three people; the set is the one person's.

The person followed is chosen when first seen — the largest and most central in the picture (the one who stands
in front of the camera to exercise, not a partner passing at the edge) — and kept frame to frame by continuity: the
candidate nearest to where the followed person was, within half their size. Through a short
occlusion (:data:`MEMORY_S`) nobody else is taken for them; after it, a person of a like size anywhere in the
picture is taken up again — only when they are the one person in view (with someone else there, who came back is
not knowable from a pose: the set stays paused rather than judge a stranger). Others are only counted (``others_in_view``), never mixed in: a frame where the
followed person is not seen is a frame with nobody (the set pauses), whoever else is there.

The choice depends only on the chosen poses so far, so a recording (which keeps the followed person's pose and the
count of others) is followed again to the very same frames on replay.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from formwatch.core.landmarks import Lm
from formwatch.core.sample import PoseSample

__all__ = ["MEMORY_S", "PersonFollower"]

MEMORY_S = 2.0  # through an occlusion this long, only the followed person's own place takes them back
SAME_PLACE = 0.5  # a candidate within this many of the followed person's sizes is at the same place
SAME_SIZE = (0.67, 1.5)  # and its size within this ratio of theirs
_HIPS = [Lm.LEFT_HIP, Lm.RIGHT_HIP]


def _place(image: np.ndarray) -> tuple[float, float, float] | None:
    """(x, y, size) of a pose in the normalised picture: the hips' midpoint (else the placed landmarks' centre) and
    the longer side of the box of every placed landmark (the model places all 33, seen or guessed: a box of the
    seen ones alone doubles and halves as the legs' visibility flickers); None when no pose."""
    placed = np.isfinite(image[:, :2]).all(axis=1)
    if placed.sum() < 2:
        return None
    xy = image[placed, :2]
    size = float((xy.max(axis=0) - xy.min(axis=0)).max())
    centre = image[_HIPS, :2].mean(axis=0) if placed[_HIPS].all() else xy.mean(axis=0)
    return float(centre[0]), float(centre[1]), max(size, 1e-3)


class PersonFollower:
    """Feed each frame's sample (with the other people the model found in ``others``); get the followed person's
    sample, with ``others_in_view`` counting everyone else found."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """A new set: nobody followed yet."""
        self._track: tuple[float, float, float] | None = None  # the followed person's last (x, y, size)
        self._last_seen_t = -math.inf

    def follow(self, sample: PoseSample) -> PoseSample:
        people = [p for p in (sample, *sample.others) if p.detected]
        if not people and not sample.others:
            return sample  # nobody at all (and no one else): as it is
        places = [_place(p.image) for p in people]
        chosen = self._choose(sample.t_s, places, alone=len(people) == 1 and not sample.others_in_view)
        others = len(people) - (chosen is not None) + sample.others_in_view  # a recording's own count, replayed
        if chosen is None:
            nan = np.full_like(sample.image, np.nan)
            return PoseSample(sample.t_s, nan, np.full_like(sample.world, np.nan),
                              None if sample.profile is None else np.full_like(sample.profile, np.nan),
                              others_in_view=others)
        self._track, self._last_seen_t = places[chosen], sample.t_s
        return replace(people[chosen], others=(), others_in_view=others)

    def _choose(self, t_s: float, places: list[tuple[float, float, float] | None], alone: bool) -> int | None:
        """The index of the followed person among ``places``, None when they are not among them."""
        track = self._track
        if track is None:  # first seen: the largest, then the most central
            scored = [(p[2] * (1.0 - math.hypot(p[0] - 0.5, p[1] - 0.5)), i) for i, p in enumerate(places) if p]
            return max(scored)[1] if scored else None
        x, y, size = track
        near = [(math.hypot(p[0] - x, p[1] - y) / size, i) for i, p in enumerate(places) if p]
        if not near:
            return None
        distance, best = min(near)
        if distance <= SAME_PLACE:  # where they were: them (a size that jumps is the model's, not a new person)
            return best
        like = SAME_SIZE[0] <= (places[best] or track)[2] / size <= SAME_SIZE[1]
        if alone and like and t_s - self._last_seen_t > MEMORY_S:
            return best
        return None
