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
from dataclasses import asdict, dataclass, field
from types import SimpleNamespace
from typing import Any, Mapping

import numpy as np

from formwatch.core.registry import MetricSpec

__all__ = ["POPULATION_BANDS", "RepJudge", "RepVerdict"]

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
class RepVerdict:
    """One rep's word. ``deviation`` is in the metric's units (positive = worse), ``limits`` the limit in force
    for each judged metric during the rep, ``judged_by`` what each was judged against."""

    rep: int
    t_start_s: float
    t_end_s: float
    verdict: str  # "clean", "note", "fault"
    metric: str | None
    deviation: float | None
    limits: dict[str, float] = field(default_factory=dict)
    judged_by: dict[str, str] = field(default_factory=dict)
    deviations: dict[str, float] = field(default_factory=dict)  # each judged metric's, in its units
    partial: bool = False  # the input ended inside this rep (or held one phase of a lift): judged as far as seen

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _percentile(values: list[float], q: float) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return float(np.percentile(finite, q)) if finite else math.nan


class RepJudge:
    """Collects a rep's frames and gives the rep its verdict at its end."""

    def __init__(self, exercise: str, watched: tuple[MetricSpec, ...], bottom_fraction: float = 0.6) -> None:
        self.watched = watched
        self.bands = POPULATION_BANDS.get(exercise, {})
        self.floors = POPULATION_FLOORS.get(exercise, {})
        self.neutral_words = "your standing posture at the set's start"
        self.own_words = "your first reps at the same phase"
        self.bottom_fraction = bottom_fraction
        self._frames: list[tuple[float, list[float], list[float] | None, list[float] | None]] = []
        self.verdicts: list[RepVerdict] = []

    @property
    def has_frames(self) -> bool:
        """Whether a rep in progress has frames (not yet judged)."""
        return bool(self._frames)

    def frame(self, driver_deg: float, values: list[float], phase_dev: list[float] | None,
              phase_limit: list[float] | None) -> None:
        """One frame of the rep in progress (its driver in degrees from rest, the watched metrics' readings)."""
        self._frames.append((driver_deg, values, phase_dev, phase_limit))

    def rep_done(self, rep: Any, neutral: Mapping[str, float], calibrated: frozenset[str],
                 limits: Mapping[str, float], natural: Mapping[str, float]) -> RepVerdict:
        """The verdict of ``rep`` (a RepRecord). ``neutral``: each metric's reading standing before the set (or at
        its first lockout; 0 for calibrated metrics); ``limits``: the limits in force; ``natural``: the zero of
        metrics with a population zero."""
        frames, self._frames = self._frames, []
        depth = float(rep.depth_deg)
        driver = np.array([f[0] for f in frames]) if frames else np.zeros(0)
        bottom = driver >= self.bottom_fraction * depth
        top = driver <= 0.25 * depth
        over: list[tuple[bool, float, str, float]] = []  # (a fault?, ratio, metric, deviation) past their limit
        rep_limits: dict[str, float] = {}
        judged_by: dict[str, str] = {}
        deviations: dict[str, float] = {}
        for m, metric in enumerate(self.watched):
            found = self._judge_metric(m, metric, frames, bottom, top, rep, neutral, calibrated, limits, natural)
            if found is None:
                continue
            ratio, deviation, limit, kind, by = found
            rep_limits[metric.name] = round(limit, 3)
            judged_by[metric.name] = by
            deviations[metric.name] = round(deviation, 2)
            if ratio >= 1.0:
                over.append((kind == "fault", ratio, metric.name, round(deviation, 2)))
        fault, _, name, deviation = max(over) if over else (False, 0.0, None, None)  # a fault outranks a note
        verdict = RepVerdict(rep.rep, rep.start_s, rep.end_s, ("fault" if fault else "note") if over else "clean",
                             name, deviation, rep_limits, judged_by, deviations, bool(getattr(rep, "partial", False)))
        self.verdicts.append(verdict)
        return verdict

    def _judge_metric(self, m: int, metric: MetricSpec, frames: list[Any], bottom: np.ndarray, top: np.ndarray,
                      rep: Any, neutral: Mapping[str, float], calibrated: frozenset[str],
                      limits: Mapping[str, float], natural: Mapping[str, float]
                      ) -> tuple[float, float, float, str, str] | None:
        """(ratio to the limit, deviation, limit, "fault" or "note", judged against) of one metric, or None: the
        worse of the judgement against your own reps (fatigue) and against the neutral (technique) — a back
        rounded the same way in every rep stays a note though it matches your own reps."""
        found = [j for j in (self._against_own(m, frames),
                             self._against_neutral(m, metric, frames, bottom, top, rep, neutral, calibrated, limits,
                                                   natural),
                             self._against_floor(m, metric, frames, bottom, calibrated)) if j is not None]
        if not found:
            return None
        over = [j for j in found if j[0] >= 1.0]
        if over:  # a fault outranks a note, then the larger excess
            return max(over, key=lambda j: (j[3] == "fault", j[0]))
        return max(found, key=lambda j: j[0])

    def _against_own(self, m: int, frames: list[Any]) -> tuple[float, float, float, str, str] | None:
        """Against your own reps at the same phase: past the limit for a quarter of the rep is a fault."""
        own = [(f[2][m], f[3][m]) for f in frames if f[2] is not None and f[3] is not None]
        ratios = [d / lim for d, lim in own if lim > 0 and not math.isnan(d) and not math.isnan(lim)]
        limit = _percentile([lim for _, lim in own], 50)
        if not ratios or math.isnan(limit):
            return None
        ratio = _percentile(ratios, 100 * (1 - FAULT_FRACTION))  # >= 1 when a quarter of the rep is past it
        return ratio, ratio * limit, limit, "fault", self.own_words

    def _against_floor(self, m: int, metric: MetricSpec, frames: list[Any], bottom: np.ndarray,
                       calibrated: frozenset[str]) -> tuple[float, float, float, str, str] | None:
        """Against the population floor of the raw reading at the bottom (no profile: the reading is raw)."""
        floor = self.floors.get(metric.name)
        if floor is None or metric.name in calibrated or not frames:
            return None
        at_bottom = np.array([f[1][m] for f in frames])[bottom]
        if at_bottom.size == 0 or np.all(np.isnan(at_bottom)):
            return None
        past = metric.worsening(float(np.nanmedian(at_bottom)) - floor)
        band = self.bands.get(metric.name, 10.0)
        return 1.0 + past / band, past, floor, "note", f"the population floor {floor:g} at the bottom of a rep"

    def _against_neutral(self, m: int, metric: MetricSpec, frames: list[Any], bottom: np.ndarray,
                         top: np.ndarray, rep: Any, neutral: Mapping[str, float], calibrated: frozenset[str],
                         limits: Mapping[str, float], natural: Mapping[str, float]
                         ) -> tuple[float, float, float, str, str] | None:
        """Against the neutral: your profile's (a fault), else the set's own within the population band (a note);
        a metric with a population zero by its held worst over the rep."""
        kind = "fault" if metric.name in calibrated else "note"
        if metric.name in natural:
            peak = rep.peaks.get(metric.name, math.nan)
            limit = limits.get(metric.name, metric.default_limit or math.nan)
            if math.isnan(peak) or not limit or math.isnan(limit):
                return None
            deviation = metric.worsening(peak - natural[metric.name])
            return deviation / limit, deviation, limit, kind, "your profile" if kind == "fault" else "population zero"
        values = np.array([f[1][m] for f in frames]) if frames else np.zeros(0)
        at_bottom = values[bottom] if values.size else values
        if at_bottom.size == 0 or np.all(np.isnan(at_bottom)):
            return None
        if kind == "fault":
            base, by, limit = 0.0, "your profile", limits.get(metric.name, math.nan)
        else:
            limit = self.bands.get(metric.name, math.nan)
            if metric.name in neutral:
                base, by = neutral[metric.name], self.neutral_words
            else:
                at_top = values[top]
                if at_top.size == 0 or np.all(np.isnan(at_top)):
                    return None
                base, by = float(np.nanmedian(at_top)), "the rep's own lockout"
            by = f"{by}, population band {limit:g}"
        if not limit or math.isnan(limit):
            return None
        deviation = metric.worsening(float(np.nanmedian(at_bottom)) - base)
        return deviation / limit, deviation, limit, kind, by


class SetRepVerdicts:
    """The detector's side of rep verdicts: the set's own neutral, each rep's frames (including those seen before
    the rest was known: a deadlift's first pull from the floor), and the technique notes the verdicts give."""

    MAX_EARLY = 4000  # frames kept until the rest is known (over a minute at 60 fps)

    def __init__(self, exercise: str, watched: tuple[MetricSpec, ...], driver_sign: float) -> None:
        self.judge = RepJudge(exercise, watched)
        self.watched = watched
        self.driver_sign = driver_sign
        self.neutral: dict[str, float] = {}
        self.neutral_source: str | None = None  # "set start" or "first lockout" once learned
        self._early: list[tuple[float, float, list[float]]] = []  # (t, raw driver, values) before the rest
        self.last_line = ""  # "Rep 3: low back rounded 12° — keep your chest proud"
        self._last_t = 0.0
        self._finished = False

    @property
    def verdicts(self) -> list[RepVerdict]:
        return self.judge.verdicts

    def frame(self, t_s: float, raw_driver: float, rest_level: float | None, driver_deg: float,
              values: list[float], phase: tuple[list[float], list[float]] | None, earlier_sets: bool = False) -> None:
        """One frame; ``phase``: its deviations and limits at the same phase against your own reps (this set's, or
        with ``earlier_sets`` your latest clean set's)."""
        self._last_t = t_s
        if phase is not None:
            self.judge.own_words = ("your earlier sets at the same phase" if earlier_sets
                                    else "your first reps at the same phase")
        if rest_level is None:
            if len(self._early) < self.MAX_EARLY:
                self._early.append((t_s, raw_driver, values))
            return
        self.judge.frame(driver_deg, values, *(phase or (None, None)))

    def rest_learned(self, rest_level: float, rest_values: Mapping[str, float], reps: list[Any]) -> bool:
        """The rest is known: the set's neutral (the first time), and the frames seen before it replayed as the
        rep already counted from them, if any (True: that rep now waits for its verdict)."""
        if self.neutral_source is None:
            self.neutral = dict(rest_values)
            self.neutral_source = "first lockout" if reps else "set start"
            self.judge.neutral_words = ("your posture at the first lockout" if reps else
                                        "your posture at the set's start")
        early, self._early = self._early, []
        if reps and not self.judge.verdicts:
            first = reps[0]
            for t_s, raw, values in early:
                if first.start_s - 0.5 <= t_s <= first.end_s:
                    self.judge.frame(self.driver_sign * (raw - rest_level), values, None, None)
            return True
        return False

    def completed(self, rep: Any, calibrated: frozenset[str], limits: Mapping[str, float],
                  natural: Mapping[str, float], notes: dict[str, str]) -> RepVerdict:
        """The rep's verdict; a note or a fault also becomes the set's technique note for that metric (once)."""
        verdict = self.judge.rep_done(rep, self.neutral, calibrated, limits, natural)
        self.last_line = ""
        if verdict.metric is not None:
            metric = next(m for m in self.watched if m.name == verdict.metric)
            amount = metric.format(verdict.deviation or 0.0)
            self.last_line = f"Rep {rep.rep}: {metric.phrase.lower()} {amount} — {metric.advice.split(':')[0]}"
            if metric.name not in notes:
                notes[metric.name] = (f"{metric.phrase} {amount} at rep {rep.rep} (judged against "
                                      f"{verdict.judged_by.get(metric.name, 'its limit')}): a technique point. "
                                      f"{metric.advice}.")
        return verdict

    def finish(self, segmenter: Any, calibrated: frozenset[str], limits: Mapping[str, float],
               natural: Mapping[str, float], notes: dict[str, str], enter_deg: float) -> None:
        """The input ended: a rep in progress — or a clip that is one phase of a lift, never at rest — is judged
        as far as it was seen (``partial`` in its verdict)."""
        if self._finished:
            return
        self._finished = True
        rep_no = len(segmenter.reps) + 1
        if segmenter.rest_level is not None:
            if segmenter.phase == "rest" or not self.judge.has_frames:
                return
            start, depth, end = segmenter.rep_start_s, float(segmenter.bottom), float(self._last_t)
        else:
            early, self._early = self._early, []
            raw = np.array([r for _, r, _ in early])
            if raw.size < 3 or np.all(np.isnan(raw)):
                return
            working = self.driver_sign * raw
            rest_most = float(np.nanmin(working))
            depth = float(np.nanmax(working)) - rest_most
            if depth < enter_deg:
                return
            for (t_s, _, values), w in zip(early, working):
                self.judge.frame(float(w) - rest_most, values, None, None)
            start, end = early[0][0], early[-1][0]
        rep = SimpleNamespace(rep=rep_no, start_s=round(start, 3), end_s=round(end, 3), depth_deg=depth, peaks={},
                              partial=True)
        self.completed(rep, calibrated, limits, natural, notes)

    def summary(self) -> dict[str, Any]:
        verdicts = self.judge.verdicts
        return {"reps_detail": [v.to_json() for v in verdicts],
                "faulty_reps": sum(v.verdict == "fault" for v in verdicts),
                "noted_reps": sum(v.verdict == "note" for v in verdicts)}
