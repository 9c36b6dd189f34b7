"""Norms by phase: what correct reps read, metric by metric, band by band of the driver's angle — and how far a rep
is from them.

A reading that moves with the movement itself (the back's outline flattens as the hips fold) is compared where it
is: each band of the driver's own angle (the hip's fold for a hinge or a squat) against what correct reps of many
people read in that band (core/judge_params.py ``Norm``, fitted by scripts/fit_judge.py). One rep's reading in a
band is the median of its judged frames there; the rep is as far from the norm as its worst band.
"""

from __future__ import annotations

import math
from typing import Sequence

from formwatch.core.judge_params import Norm
from formwatch.core.registry import MetricSpec

__all__ = ["MIN_BAND_FRAMES", "band_medians", "against_norm"]

MIN_BAND_FRAMES = 3  # a band needs this many judged frames of a rep for a reading there


def band_medians(drivers: Sequence[float], values: Sequence[float], edges: Sequence[float]) -> tuple[float, ...]:
    """The median of ``values`` in each band of ``drivers`` (raw driver angles, degrees) between ``edges``; NaN
    where a band has fewer than :data:`MIN_BAND_FRAMES` judged (non-NaN) frames."""
    bands: list[list[float]] = [[] for _ in range(len(edges) - 1)]
    for driver, value in zip(drivers, values):
        if value != value or driver != driver:
            continue
        for i in range(len(bands)):
            if edges[i] <= driver < edges[i + 1]:
                bands[i].append(value)
                break
    out = []
    for band in bands:
        if len(band) < MIN_BAND_FRAMES:
            out.append(math.nan)
            continue
        band.sort()
        mid = len(band) // 2
        out.append(band[mid] if len(band) % 2 else 0.5 * (band[mid - 1] + band[mid]))
    return tuple(out)


def against_norm(metric: MetricSpec, readings: Sequence[float], norm: Norm) -> tuple[float, float, float] | None:
    """(ratio to the limit, deviation in the metric's units — positive is worse, the limit) of the rep's worst band
    against the norm (the limit: ``margin`` spreads); None when no band has both a reading and a norm."""
    worst: tuple[float, float, float] | None = None
    for reading, mean, spread in zip(readings, norm.mean, norm.spread):
        if reading != reading or mean != mean or not spread > 0:
            continue
        deviation = metric.worsening(reading - mean)
        limit = norm.margin * spread
        ratio = deviation / limit if limit > 0 else math.inf
        if worst is None or ratio > worst[0]:
            worst = (ratio, deviation, limit)
    return worst
