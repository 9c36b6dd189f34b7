"""Every rep a verdict — clean, a note or a fault — with the metric, how far, and the limit it was judged by.

A rep is judged at its end, from its own frames, against the best reference there is for it:

1. **your own reps** at the same phase (the phase-matched reference, once the set's first clean reps made it):
   past the limit for a quarter of the rep is a *fault*;
2. **your calibrated neutral** (a profile): the rep's bottom against it, by the calibrated limit: a *fault*;
3. **population bands** (no profile, a first set): the rep's bottom against the set's own neutral — the standing
   posture before the first rep, or else the rep's own lockout — allowed the band a correct rep stays within
   (:data:`POPULATION_BANDS`); metrics with a population zero (hip extension) by their default limit. Past it is a
   *note*: how this person moves, said from rep 1, never a stop.

The bottom is where the driver is past ``bottom_fraction`` of the rep's depth: a reading that swings with the
movement (the low back reads 2.5-8.5° lower at the bottom of the correct deadlifts and RDL in ../shared/data than
standing) is compared where it swings least against where a fault shows most.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping, Sequence

import numpy as np

from formwatch.core.events import Against, RepJudged, Verdict
from formwatch.core.registry import MetricSpec
from formwatch.core.reps import RepRecord

__all__ = ["POPULATION_BANDS", "RepJudge", "SetRepVerdicts"]

# How much worse than the set's own neutral a correct rep's bottom reads, at most, by exercise and metric (in the
# metric's units, 'positive is worse' as the exercise judges it). The low back: 2.5-8.5° lower at the bottom of the
# three correct hinges in ../shared/data/video (formfit, gymtracker, the RDL), so 12° leaves 3.5° to spare; a 15°
# rounding (the simulator's faulty back) passes it. Shoulders fall at the bottom of a hinge (0.8-1.9 cm): their
# population limit (2 cm) holds. Ribs: the front edge is hidden at the bottom of every shared hinge: 10°.
POPULATION_BANDS: Mapping[str, Mapping[str, float]] = {
    "hinge": {"lumbar_curve_deg": 12.0, "shoulder_elevation_cm": 2.0, "rib_flare_deg": 10.0},
    "squat": {"lumbar_curve_deg": 12.0, "shoulder_elevation_cm": 2.0, "rib_flare_deg": 10.0},
    "bridge": {"lumbar_curve_deg": 12.0, "shoulder_elevation_cm": 2.0, "rib_flare_deg": 12.0},
    # Reaching an arm forward lifts its shoulder blade by nature (3.3-4.0 cm on the shared bird-dog): the
    # shoulders of a bird-dog are judged against your own reps only.
    "bird-dog": {"lumbar_curve_deg": 12.0, "rib_flare_deg": 12.0},
}

# Below this reading at the bottom of a rep the low back is rounded whatever the neutral: the correct shared
# hinges read 8.3-16.0° there (medians; the lowest tenth of their frames -5.4°). Judged when nothing better is known
# too (a clip that is one phase of a lift, never standing).
POPULATION_FLOORS: Mapping[str, Mapping[str, float]] = {
    "hinge": {"lumbar_curve_deg": -5.0}, "squat": {"lumbar_curve_deg": -5.0}}

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
    driver_deg: float
    values: Sequence[float]
    phase_dev: Sequence[float] | None
    phase_limit: Sequence[float] | None


def _percentile(values: list[float], q: float) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return float(np.percentile(finite, q)) if finite else math.nan


class RepJudge:
    """Collects a rep's frames and gives the rep its verdict at its end."""

    def __init__(self, exercise: str, watched: tuple[MetricSpec, ...], bottom_fraction: float = 0.6) -> None:
        self.watched = watched
        self.bands = POPULATION_BANDS.get(exercise, {})
        self.floors = POPULATION_FLOORS.get(exercise, {})
        self.neutral_against = Against.SET_START
        self.own_against = Against.OWN_REPS
        self.bottom_fraction = bottom_fraction
        self._frames: list[_Frame] = []
        self.verdicts: list[RepJudged] = []

    @property
    def has_frames(self) -> bool:
        """Whether a rep in progress has frames (not yet judged)."""
        return bool(self._frames)

    def frame(self, driver_deg: float, values: Sequence[float], phase_dev: Sequence[float] | None,
              phase_limit: Sequence[float] | None) -> None:
        """One frame of the rep in progress (its driver in degrees from rest, the watched metrics' readings)."""
        self._frames.append(_Frame(driver_deg, values, phase_dev, phase_limit))

    def rep_done(self, t_s: float, rep: RepRecord, neutral: Mapping[str, float], calibrated: frozenset[str],
                 limits: Mapping[str, float], natural: Mapping[str, float], partial: bool = False) -> RepJudged:
        """The verdict of ``rep``. ``neutral``: each metric's reading standing before the set (or at its first
        lockout; 0 for calibrated metrics); ``limits``: the limits in force; ``natural``: the zero of metrics with
        a population zero."""
        frames, self._frames = self._frames, []
        depth = float(rep.depth_deg)
        driver = np.array([f.driver_deg for f in frames]) if frames else np.zeros(0)
        bottom = driver >= self.bottom_fraction * depth
        top = driver <= 0.25 * depth
        found: dict[str, _Judgement] = {}
        for m, metric in enumerate(self.watched):
            judgement = self._judge_metric(m, metric, frames, bottom, top, rep, neutral, calibrated, limits, natural)
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
            MappingProxyType({k: j.against for k, j in found.items()}), partial)
        self.verdicts.append(verdict)
        return verdict

    def _judge_metric(self, m: int, metric: MetricSpec, frames: list[_Frame], bottom: np.ndarray, top: np.ndarray,
                      rep: RepRecord, neutral: Mapping[str, float], calibrated: frozenset[str],
                      limits: Mapping[str, float], natural: Mapping[str, float]) -> _Judgement | None:
        """The worse of the judgement against your own reps (fatigue) and against the neutral (technique) — a back
        rounded the same way in every rep stays a note though it matches your own reps."""
        found = [j for j in (self._against_own(m, frames),
                             self._against_neutral(m, metric, frames, bottom, top, rep, neutral, calibrated, limits,
                                                   natural),
                             self._against_floor(m, metric, frames, bottom, calibrated)) if j is not None]
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

    def _against_floor(self, m: int, metric: MetricSpec, frames: list[_Frame], bottom: np.ndarray,
                       calibrated: frozenset[str]) -> _Judgement | None:
        """Against the population floor of the raw reading at the bottom (no profile: the reading is raw)."""
        floor = self.floors.get(metric.name)
        if floor is None or metric.name in calibrated or not frames:
            return None
        at_bottom = np.array([f.values[m] for f in frames])[bottom]
        if at_bottom.size == 0 or np.all(np.isnan(at_bottom)):
            return None
        past = metric.worsening(float(np.nanmedian(at_bottom)) - floor)
        band = self.bands.get(metric.name, 10.0)
        return _Judgement(1.0 + past / band, past, floor, False, Against.POPULATION_FLOOR)

    def _against_neutral(self, m: int, metric: MetricSpec, frames: list[_Frame], bottom: np.ndarray,
                         top: np.ndarray, rep: RepRecord, neutral: Mapping[str, float], calibrated: frozenset[str],
                         limits: Mapping[str, float], natural: Mapping[str, float]) -> _Judgement | None:
        """Against the neutral: your profile's (a fault), else the set's own within the population band (a note);
        a metric with a population zero by its held worst over the rep."""
        fault = metric.name in calibrated
        if metric.name in natural:
            peak = rep.peaks.get(metric.name, math.nan)
            limit = limits.get(metric.name, metric.default_limit or math.nan)
            if math.isnan(peak) or not limit or math.isnan(limit):
                return None
            deviation = metric.worsening(peak - natural[metric.name])
            return _Judgement(deviation / limit, deviation, limit, fault,
                              Against.PROFILE if fault else Against.POPULATION_ZERO)
        values = np.array([f.values[m] for f in frames]) if frames else np.zeros(0)
        at_bottom = values[bottom] if values.size else values
        if at_bottom.size == 0 or np.all(np.isnan(at_bottom)):
            return None
        if fault:
            base, against, limit = 0.0, Against.PROFILE, limits.get(metric.name, math.nan)
        else:
            limit = self.bands.get(metric.name, math.nan)
            if metric.name in neutral:
                base, against = neutral[metric.name], self.neutral_against
            else:
                at_top = values[top]
                if at_top.size == 0 or np.all(np.isnan(at_top)):
                    return None
                base, against = float(np.nanmedian(at_top)), Against.REP_LOCKOUT
        if not limit or math.isnan(limit):
            return None
        deviation = metric.worsening(float(np.nanmedian(at_bottom)) - base)
        return _Judgement(deviation / limit, deviation, limit, fault, against)


class SetRepVerdicts:
    """The detector's side of rep verdicts: the set's own neutral, each rep's frames (including those seen before
    the rest was known: a deadlift's first pull from the floor), and the verdicts in order."""

    MAX_EARLY = 4000  # frames kept until the rest is known (over a minute at 60 fps)

    def __init__(self, exercise: str, watched: tuple[MetricSpec, ...], driver_sign: float) -> None:
        self.judge = RepJudge(exercise, watched)
        self.watched = watched
        self.driver_sign = driver_sign
        self.neutral: dict[str, float] = {}
        self.neutral_source: str | None = None  # "set start" or "first lockout" once learned
        self._early: list[tuple[float, float, Sequence[float]]] = []  # (t, raw driver, values) before the rest
        self._last_t = 0.0
        self._finished = False

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
        self.judge.frame(driver_deg, values, *(phase or (None, None)))

    def rest_learned(self, rest_level: float, rest_values: Mapping[str, float], reps: Sequence[RepRecord]) -> bool:
        """The rest is known: the set's neutral (the first time), and the frames seen before it replayed as the
        rep already counted from them, if any (True: that rep now waits for its verdict)."""
        if self.neutral_source is None:
            self.neutral = dict(rest_values)
            self.neutral_source = "first lockout" if reps else "set start"
            self.judge.neutral_against = Against.FIRST_LOCKOUT if reps else Against.SET_START
        early, self._early = self._early, []
        if reps and not self.judge.verdicts:
            first = reps[0]
            for t_s, raw, values in early:
                if first.start_s - 0.5 <= t_s <= first.end_s:
                    self.judge.frame(self.driver_sign * (raw - rest_level), values, None, None)
            return True
        return False

    def completed(self, t_s: float, rep: RepRecord, calibrated: frozenset[str], limits: Mapping[str, float],
                  natural: Mapping[str, float], partial: bool = False) -> RepJudged:
        """The rep's verdict."""
        return self.judge.rep_done(t_s, rep, self.neutral, calibrated, limits, natural, partial)

    def in_progress(self, rep_no: int, start_s: float, t_s: float, depth_deg: float) -> RepRecord:
        """The rep in progress as a record, for a verdict before its end (the input ended, the set stopped)."""
        return RepRecord(rep_no, round(start_s, 3), round(t_s, 3), round(t_s, 3), depth_deg, 0.0, 0.0, {})

    def finish(self, segmenter_reps: Sequence[RepRecord], rest_level: float | None, phase: str, rep_start_s: float,
               bottom_deg: float, calibrated: frozenset[str], limits: Mapping[str, float],
               natural: Mapping[str, float], enter_deg: float) -> RepJudged | None:
        """The input ended: a rep in progress — or a clip that is one phase of a lift, never at rest — is judged
        as far as it was seen (``partial`` in its verdict)."""
        if self._finished:
            return None
        self._finished = True
        rep_no = len(segmenter_reps) + 1
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
            for (_, _, values), w in zip(early, working):
                self.judge.frame(float(w) - rest_most, values, None, None)
            start, end = early[0][0], early[-1][0]
        rep = self.in_progress(rep_no, start, end, depth)
        return self.completed(end, rep, calibrated, limits, natural, partial=True)
