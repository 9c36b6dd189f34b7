"""Every rep a verdict — clean, a note or a fault — with the metric, how far, and the limit it was judged by.

A rep is judged at its end, from its own judged frames (core/reading_gate.py: what the camera can see), against the
best reference there is for it:

1. **your own reps** at the same phase (the phase-matched reference, once the set's first clean reps made it, or
   your latest clean set's): past the limit for a quarter of the rep is a *fault*;
2. **your calibrated neutral** (a profile): the rep's bottom against it, by the calibrated limit: a *fault*;
3. **norms by phase** (no profile, a first set): each band of the driver's angle against what correct reps of many
   people read there (core/norms.py, fitted by scripts/fit_judge.py); past the fitted margin is a *note* — how this
   person moves, said from rep 1, never a stop. A metric with no norm and a population zero (hip extension: the
   hips straight) is held to its default limit from that zero; one with neither gets no first-set word at all.

The bottom is where the driver is past ``bottom_fraction`` of the rep's depth.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Mapping, Sequence

import numpy as np

from formwatch.core.events import Against, RepJudged, Stop, Verdict
from formwatch.core.judge_params import Norm
from formwatch.core.norms import against_norm, band_medians
from formwatch.core.registry import MetricSpec
from formwatch.core.reps import RepRecord

__all__ = ["RepJudge", "SetRepVerdicts", "whole_from_extremes"]

FAULT_FRACTION = 0.25  # against your own reps: past the phase limit for this share of the rep


@dataclass(frozen=True)
class _Judgement:
    """One metric's judgement of a rep: its ratio to the limit, deviation (units, positive = worse), limit, whether
    past it is a fault or a note, and what it was judged against."""

    ratio: float
    deviation: float
    limit: float
    fault: bool
    against: Against


@dataclass(frozen=True)
class _Frame:
    driver_deg: float  # from the rest, in the working direction
    raw_driver: float  # the driver's own angle (what the norms' bands are of)
    values: Sequence[float]
    phase_dev: Sequence[float] | None
    phase_limit: Sequence[float] | None


def _percentile(values: list[float], q: float) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return float(np.percentile(finite, q)) if finite else math.nan


class RepJudge:
    """Collects a rep's frames and gives the rep its verdict at its end."""

    def __init__(self, watched: tuple[MetricSpec, ...], norms: Mapping[str, Norm],
                 bottom_fraction: float = 0.6) -> None:
        self.watched = watched
        self.norms = norms
        self.own_against = Against.OWN_REPS
        self.bottom_fraction = bottom_fraction
        self._frames: list[_Frame] = []
        self.verdicts: list[RepJudged] = []

    @property
    def has_frames(self) -> bool:
        """Whether a rep in progress has frames (not yet judged)."""
        return bool(self._frames)

    def frame(self, driver_deg: float, raw_driver: float, values: Sequence[float],
              phase_dev: Sequence[float] | None, phase_limit: Sequence[float] | None) -> None:
        """One frame of the rep in progress (its driver in degrees from rest and as it reads, the watched metrics'
        judged readings)."""
        self._frames.append(_Frame(driver_deg, raw_driver, values, phase_dev, phase_limit))

    def rep_done(self, t_s: float, rep: RepRecord, calibrated: frozenset[str], limits: Mapping[str, float],
                 natural: Mapping[str, float], partial: bool = False) -> RepJudged:
        """The verdict of ``rep``. ``limits``: the limits in force; ``natural``: the zero of metrics with a
        population zero."""
        frames, self._frames = self._frames, []
        depth = float(rep.depth_deg)
        driver = np.array([f.driver_deg for f in frames]) if frames else np.zeros(0)
        bottom = driver >= self.bottom_fraction * depth
        found: dict[str, _Judgement] = {}
        readings = {metric.name: band_medians([f.raw_driver for f in frames], [f.values[m] for f in frames],
                                              self.norms[metric.name].edges_deg)
                    for m, metric in enumerate(self.watched) if metric.name in self.norms}
        for m, metric in enumerate(self.watched):
            judgement = self._judge_metric(m, metric, frames, bottom, rep, calibrated, limits, natural,
                                           readings.get(metric.name))
            if judgement is not None:
                found[metric.name] = judgement
        over = [(j.fault, j.ratio, name) for name, j in found.items() if j.ratio >= 1.0]
        worst = found[max(over)[2]] if over else None  # a fault outranks a note, then the larger excess
        name = max(over)[2] if over else None
        verdict = RepJudged(
            round(t_s, 3), rep.rep, rep.start_s, rep.end_s,
            (Verdict.FAULT if worst.fault else Verdict.NOTE) if worst is not None else Verdict.CLEAN, name,
            round(worst.deviation, 2) if worst is not None else None,
            round(worst.limit, 3) if worst is not None else None, worst.against if worst is not None else None,
            MappingProxyType({k: round(j.deviation, 2) for k, j in found.items()}),
            MappingProxyType({k: round(j.limit, 3) for k, j in found.items()}),
            MappingProxyType({k: j.against for k, j in found.items()}), partial,
            MappingProxyType({k: tuple(round(v, 2) if v == v else v for v in r) for k, r in readings.items()}))
        self.verdicts.append(verdict)
        return verdict

    def _judge_metric(self, m: int, metric: MetricSpec, frames: list[_Frame], bottom: np.ndarray, rep: RepRecord,
                      calibrated: frozenset[str], limits: Mapping[str, float], natural: Mapping[str, float],
                      readings: Sequence[float] | None) -> _Judgement | None:
        """The worse of the judgement against your own reps (fatigue) and against the neutral or the norms
        (technique) — a back rounded the same way in every rep stays a note though it matches your own reps."""
        found = [j for j in (self._against_own(m, frames),
                             self._against_neutral(m, metric, frames, bottom, rep, calibrated, limits, natural,
                                                   readings)) if j is not None]
        if not found:
            return None
        over = [j for j in found if j.ratio >= 1.0]
        if over:  # a fault outranks a note, then the larger excess
            return max(over, key=lambda j: (j.fault, j.ratio))
        return max(found, key=lambda j: j.ratio)

    def _against_own(self, m: int, frames: list[_Frame]) -> _Judgement | None:
        """Against your own reps at the same phase: past the limit for a quarter of the rep is a fault."""
        own = [(f.phase_dev[m], f.phase_limit[m]) for f in frames
               if f.phase_dev is not None and f.phase_limit is not None]
        ratios = [d / lim for d, lim in own if lim > 0 and not math.isnan(d) and not math.isnan(lim)]
        limit = _percentile([lim for _, lim in own], 50)
        if not ratios or math.isnan(limit):
            return None
        ratio = _percentile(ratios, 100 * (1 - FAULT_FRACTION))  # >= 1 when a quarter of the rep is past it
        return _Judgement(ratio, ratio * limit, limit, True, self.own_against)

    def _against_neutral(self, m: int, metric: MetricSpec, frames: list[_Frame], bottom: np.ndarray, rep: RepRecord,
                         calibrated: frozenset[str], limits: Mapping[str, float], natural: Mapping[str, float],
                         readings: Sequence[float] | None) -> _Judgement | None:
        """Against your profile (a fault: the rep's bottom by the calibrated limit); else against the norms by phase
        (a note), or a population zero by the default limit (a note)."""
        if metric.name in calibrated:
            values = np.array([f.values[m] for f in frames]) if frames else np.zeros(0)
            at_bottom = values[bottom] if values.size else values
            limit = limits.get(metric.name, math.nan)
            if metric.name in natural:
                peak = rep.peaks.get(metric.name, math.nan)
                if math.isnan(peak) or not limit or math.isnan(limit):
                    return None
                deviation = metric.worsening(peak - natural[metric.name])
                return _Judgement(deviation / limit, deviation, limit, True, Against.PROFILE)
            if at_bottom.size == 0 or np.all(np.isnan(at_bottom)) or not limit or math.isnan(limit):
                return None
            deviation = metric.worsening(float(np.nanmedian(at_bottom)))
            return _Judgement(deviation / limit, deviation, limit, True, Against.PROFILE)
        norm = self.norms.get(metric.name)
        if norm is not None and readings is not None:
            found = against_norm(metric, readings, norm)
            return _Judgement(*found, False, Against.POPULATION_NORM) if found is not None else None
        if metric.name in natural:
            peak = rep.peaks.get(metric.name, math.nan)
            limit = limits.get(metric.name, metric.default_limit or math.nan)
            if math.isnan(peak) or not limit or math.isnan(limit):
                return None
            deviation = metric.worsening(peak - natural[metric.name])
            return _Judgement(deviation / limit, deviation, limit, False, Against.POPULATION_ZERO)
        return None


def whole_from_extremes(working: np.ndarray, enter_deg: float, rest_max_deg: float | None) -> bool:
    """Whether a movement never at rest (the driver in its working direction) is a whole rep: out and back by the
    entry depth around either extreme (up from the floor and down again), or one phase of at least the entry depth
    that reaches the rest's range (a lift from the floor to standing)."""
    w = working[~np.isnan(working)]
    if w.size < 3:
        return False
    top, bottom = float(w.min()), float(w.max())
    i_top, i_bottom = int(np.argmin(w)), int(np.argmax(w))
    around_top = min(float(w[: i_top + 1].max()), float(w[i_top:].max())) - top >= enter_deg
    around_bottom = bottom - max(float(w[: i_bottom + 1].min()), float(w[i_bottom:].min())) >= enter_deg
    reaches_rest = rest_max_deg is not None and abs(top) <= rest_max_deg and bottom - top >= enter_deg
    return around_top or around_bottom or reaches_rest


class SetRepVerdicts:
    """The detector's side of rep verdicts: the set's own neutral, each rep's frames (including those seen before
    the rest was known: a deadlift's first pull from the floor), and the verdicts in order."""

    MAX_EARLY = 4000  # frames kept until the rest is known (over a minute at 60 fps)

    def __init__(self, watched: tuple[MetricSpec, ...], driver_sign: float, norms: Mapping[str, Norm]) -> None:
        self.judge = RepJudge(watched, norms)
        self.watched = watched
        self.driver_sign = driver_sign
        self.neutral_source: str | None = None  # "set start" or "first lockout" once learned
        self._early: list[tuple[float, float, Sequence[float]]] = []  # (t, raw driver, values) before the rest
        self._last_t = 0.0
        self._finished = False
        self.counted_at_end: RepRecord | None = None  # a whole rep counted from the movement's own extremes

    @property
    def verdicts(self) -> list[RepJudged]:
        return self.judge.verdicts

    def frame(self, t_s: float, raw_driver: float, rest_level: float | None, driver_deg: float,
              values: Sequence[float], phase: tuple[Sequence[float], Sequence[float]] | None,
              earlier_sets: bool = False) -> None:
        """One frame; ``phase``: its deviations and limits at the same phase against your own reps (this set's, or
        with ``earlier_sets`` your latest clean set's)."""
        self._last_t = t_s
        if phase is not None:
            self.judge.own_against = Against.EARLIER_SETS if earlier_sets else Against.OWN_REPS
        if rest_level is None:
            if len(self._early) < self.MAX_EARLY:
                self._early.append((t_s, raw_driver, values))
            return
        self.judge.frame(driver_deg, raw_driver, values, *(phase or (None, None)))

    def rest_learned(self, rest_level: float, reps: Sequence[RepRecord]) -> bool:
        """The rest is known: where the set's neutral was read (the first time), and the frames seen before it replayed as the
        rep already counted from them, if any (True: that rep now waits for its verdict)."""
        if self.neutral_source is None:
            self.neutral_source = "first lockout" if reps else "set start"
        early, self._early = self._early, []
        if reps and not self.judge.verdicts:
            first = reps[0]
            for t_s, raw, values in early:
                if first.start_s - 0.5 <= t_s <= first.end_s:
                    self.judge.frame(self.driver_sign * (raw - rest_level), raw, values, None, None)
            return True
        return False

    def completed(self, t_s: float, rep: RepRecord, calibrated: frozenset[str], limits: Mapping[str, float],
                  natural: Mapping[str, float], partial: bool = False) -> RepJudged:
        """The rep's verdict."""
        return self.judge.rep_done(t_s, rep, calibrated, limits, natural, partial)

    def stopped(self, stop: Stop, rep_start_s: float) -> RepJudged:
        """The rep a stop ended in (or the rep a rule found past its limit): a fault, with the stop's numbers."""
        done = {v.rep: v for v in self.verdicts}
        if stop.rep in done:
            return replace(done[stop.rep], t_s=stop.t_s, verdict=Verdict.FAULT, metric=stop.metric,
                           deviation=stop.value, limit=stop.limit, against=stop.against)
        return RepJudged(stop.t_s, stop.rep, round(rep_start_s, 3), round(stop.t_s, 3), Verdict.FAULT, stop.metric,
                         stop.value, stop.limit, stop.against, partial=True)

    def in_progress(self, rep_no: int, start_s: float, t_s: float, depth_deg: float) -> RepRecord:
        """The rep in progress as a record, for a verdict before its end (the input ended, the set stopped)."""
        return RepRecord(rep_no, round(start_s, 3), round(t_s, 3), round(t_s, 3), depth_deg, 0.0, 0.0, {})

    def finish(self, segmenter_reps: Sequence[RepRecord], rest_level: float | None, phase: str, rep_start_s: float,
               bottom_deg: float, calibrated: frozenset[str], limits: Mapping[str, float],
               natural: Mapping[str, float], enter_deg: float, rest_max_deg: float | None) -> RepJudged | None:
        """The input ended: a rep in progress is judged as far as it was seen (``partial`` in its verdict). A clip
        never at rest — a lift from the floor, a lifter who walks out at lockout — is one whole rep counted from the
        movement's own extremes (:func:`whole_from_extremes`), else a partial one."""
        if self._finished:
            return None
        self._finished = True
        rep_no = len(segmenter_reps) + 1
        partial = True
        if rest_level is not None:
            if phase == "rest" or not self.judge.has_frames:
                return None
            start, depth, end = rep_start_s, float(bottom_deg), float(self._last_t)
        else:
            early, self._early = self._early, []
            raw = np.array([r for _, r, _ in early])
            if raw.size < 3 or np.all(np.isnan(raw)):
                return None
            working = self.driver_sign * raw
            rest_most = float(np.nanmin(working))
            depth = float(np.nanmax(working)) - rest_most
            if depth < enter_deg:
                return None
            partial = not whole_from_extremes(working, enter_deg, rest_max_deg)
            for (_, raw_driver, values), w in zip(early, working):
                self.judge.frame(float(w) - rest_most, raw_driver, values, None, None)
            start, end = early[0][0], early[-1][0]
        rep = self.in_progress(rep_no, start, end, depth)
        self.counted_at_end = None if partial else rep
        return self.completed(end, rep, calibrated, limits, natural, partial=partial)
