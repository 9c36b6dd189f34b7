"""The signature movement profile: how one person does one exercise, read from their recent sets, and the limits
in force, which evolve with that evidence.

Pure: it reads set summaries as the history stores them (``reps``, ``clean_reps``, ``stopped``, ``stop_metric``,
``rep_features`` with each rep's depth, tempo and per-metric peaks, ``reference`` curves) and returns figures and
decisions; the history and the commands (app/signature.py) keep and show them.

Limits evolve one way only past the calibrated one. Each watched metric's limit against the neutral is the calibrated
(safety) limit until there is evidence: at least ``min_sets`` recent completed sets with ``min_reps`` fully tracked
clean reps between them. Then the limit that evidence supports is the largest clean peak times ``peak_margin``, or
the clean peaks' median plus ``spread_k`` robust spreads, whichever is larger; never tighter than ``floor_fraction``
of the safety limit nor the smallest change that matters for the metric, never looser than the safety limit. The
limit in force moves there only when it differs by at least ``hysteresis`` of itself, so one odd set does not make
it wobble; every move is explained in one sentence. Holds have no reps, so their limits stay the calibrated ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Protocol, Sequence

import numpy as np

from formwatch.core.events import Verdict
from formwatch.core.exercises import ExerciseSpec
from formwatch.core.registry import MetricSpec
from formwatch.core.set_summary import SetSummary


class RecordedSet(Protocol):
    """A set as the history keeps it: its status (done, interrupted, running) and its summary."""

    @property
    def status(self) -> str: ...

    @property
    def summary(self) -> SetSummary: ...


@dataclass(frozen=True)
class EvolutionConfig:
    """How much evidence moves a limit, and how far; units in the names."""

    window_sets: int = 8  # the most recent completed sets the evidence is read from
    min_sets: int = 3  # completed sets with clean reps needed before a limit moves
    min_reps: int = 12  # fully tracked clean reps needed across them
    peak_margin: float = 1.25  # the limit stays this far above the largest clean peak
    spread_k: float = 4.0  # ... and this many robust spreads above the clean peaks' median
    hysteresis: float = 0.10  # a limit moves only when the new one differs by this fraction of it
    floor_fraction: float = 0.5  # a limit never tightens below this fraction of the calibrated (safety) limit


@dataclass(frozen=True)
class LimitChange:
    """One move of a limit in force, with its reason in one sentence."""

    metric: str
    old: float
    new: float
    safety: float
    sentence: str


@dataclass(frozen=True)
class MetricSignature:
    """One watched metric over the recent clean reps: typical and largest peak (worse = positive), the limit."""

    name: str
    label: str
    unit: str
    clean_reps: int
    typical_peak: float
    largest_peak: float
    spread: float
    safety_limit: float
    limit_in_force: float
    supported_limit: float  # what the evidence alone supports (NaN without enough of it)


@dataclass
class Signature:
    """What one person's sets of one exercise look like."""

    exercise: str
    profile: str | None
    sets: int = 0
    completed_sets: int = 0
    interrupted_sets: int = 0
    typical_clean_reps: float = math.nan  # median clean reps a completed set
    faulty_reps: int = 0  # reps judged a fault, over all sets (core/rep_verdicts.py; sets before verdicts: none)
    noted_reps: int = 0  # reps with a technique note
    judged_reps: int = 0  # reps with a verdict at all
    stopped_sets: int = 0
    reps_to_stop: float = math.nan  # median clean reps before a stop, over stopped sets
    ending_fault: str | None = None  # the metric that ended most stopped sets
    ending_fault_sets: int = 0
    depth_deg: float = math.nan  # median clean-rep depth
    down_s: float = math.nan
    up_s: float = math.nan
    typical_held_s: float = math.nan  # holds
    metrics: list[MetricSignature] = field(default_factory=list)
    reference: dict[str, list[float | None]] = field(default_factory=dict)  # per metric: median phase curve (bins)

    @property
    def ending_fault_label(self) -> str:
        """The ending fault in the exercise's own words ("Low back rounding" for a hinge)."""
        return next((m.label for m in self.metrics if m.name == self.ending_fault), self.ending_fault or "—")

    def to_json(self) -> dict[str, object]:
        def clean(value: object) -> object:
            if isinstance(value, float):
                return None if math.isnan(value) else round(value, 3)
            if isinstance(value, dict):
                return {k: clean(v) for k, v in value.items()}
            if isinstance(value, list):
                return [clean(v) for v in value]
            return value

        out = {k: clean(v) for k, v in self.__dict__.items() if k != "metrics"}
        out["metrics"] = [clean(dict(m.__dict__)) for m in self.metrics]
        return out


def clean_reps_of(recorded: RecordedSet) -> list[Mapping[str, Any]]:
    """The features of a set's fully tracked reps whose verdict was clean (sets from before rep verdicts: the reps
    before its stop)."""
    summary = recorded.summary
    reps = list(summary.judge.rep_features)
    if summary.judged:
        clean = {j.rep for j in summary.judged if j.verdict is Verdict.CLEAN}
        reps = [r for r in reps if r.get("rep") in clean]
    elif summary.stop is not None:
        reps = reps[:-1]
    return [r for r in reps if r.get("fully_tracked", True)]


def _median(values: Iterable[object]) -> float:
    arr = np.asarray([v for v in values if isinstance(v, (int, float)) and math.isfinite(v)], dtype=np.float64)
    return float(np.median(arr)) if arr.size else math.nan


def clean_peaks(sets: Sequence[RecordedSet], metric: MetricSpec) -> np.ndarray:
    """Each clean rep's peak of ``metric`` in the worse direction (positive = worse), over ``sets``."""
    peaks = [metric.worsening(float(rep["peaks"][metric.name])) for row in sets for rep in clean_reps_of(row)
             if metric.name in (rep.get("peaks") or {}) and rep["peaks"][metric.name] is not None]
    arr = np.asarray(peaks, dtype=np.float64)
    return arr[np.isfinite(arr)]


def supported_limit(peaks: np.ndarray, metric: MetricSpec, config: EvolutionConfig) -> float:
    """The limit the clean peaks support: above every clean rep with room to spare, never below the smallest
    change that matters for the metric."""
    median = float(np.median(peaks))
    spread = 1.4826 * float(np.median(np.abs(peaks - median)))
    return max(config.peak_margin * float(peaks.max()), median + config.spread_k * spread,
               metric.phase_min_change or 0.0)


def evidence_sets(sets: Sequence[RecordedSet], config: EvolutionConfig) -> list[RecordedSet]:
    """The recent completed sets with at least one clean rep (oldest first)."""
    done = [s for s in sets if s.status == "done" and clean_reps_of(s)]
    return done[-config.window_sets:]


def evolve_limits(spec: ExerciseSpec, sets: Sequence[RecordedSet], safety: dict[str, float],
                  in_force: dict[str, float], config: EvolutionConfig = EvolutionConfig()
                  ) -> tuple[dict[str, float], list[LimitChange]]:
    """The limits in force for the next set, and what changed since ``in_force`` (the last ones), with reasons.

    ``safety``: the calibrated limit of each watched metric (the profile's, else the metric's default). A metric
    with no safety limit is left alone: there is nothing to stay under."""
    recent = evidence_sets(sets, config)
    reps = sum(len(clean_reps_of(s)) for s in recent)
    enough = len(recent) >= config.min_sets and reps >= config.min_reps
    limits: dict[str, float] = {}
    changes: list[LimitChange] = []
    for metric in spec.watched_specs():
        cap = safety.get(metric.name)
        if cap is None or not math.isfinite(cap):
            continue
        old = in_force.get(metric.name, cap)
        new, sentence = old, ""
        peaks = clean_peaks(recent, metric) if enough else np.empty(0)
        if old > cap:
            new = cap
            sentence = (f"{metric.label} limit back to your calibrated {metric.format(cap)}: the calibration changed "
                        "and a limit is never looser than it.")
        elif peaks.size >= config.min_reps:
            target = min(max(supported_limit(peaks, metric, config), config.floor_fraction * cap), cap)
            if abs(target - old) >= config.hysteresis * old:
                new = target
                sentence = _sentence(metric, old, new, cap, peaks, len(recent))
        limits[metric.name] = new
        if new != old:
            changes.append(LimitChange(metric.name, old, new, cap, sentence))
    return limits, changes


def _sentence(metric: MetricSpec, old: float, new: float, cap: float, peaks: np.ndarray, sets: int) -> str:
    """One sentence that says what moved, why, and the bound it keeps to."""
    where = f"your last {sets} sets' {peaks.size} clean reps stayed within {metric.format(float(peaks.max()))}"
    if new < old:
        floor = " (never tighter than half your calibrated limit)" if new <= 0.5 * cap + 1e-9 else ""
        return (f"{metric.label} limit {metric.format(old)} -> {metric.format(new)}{floor}: {where}, steadier than "
                f"the calibrated {metric.format(cap)} allowed for.")
    bound = " (your calibrated limit, never looser)" if new >= cap else f" (calibrated limit {metric.format(cap)})"
    return (f"{metric.label} limit {metric.format(old)} -> {metric.format(new)}{bound}: {where}, less steady than "
            "before, so the limit gives them room again.")


def summarise(spec: ExerciseSpec, profile: str | None, sets: Sequence[RecordedSet], safety: dict[str, float],
              in_force: dict[str, float], config: EvolutionConfig = EvolutionConfig()) -> Signature:
    """The signature of ``sets`` (one person, one exercise, oldest first) with the limits in force."""
    sig = Signature(spec.name, profile, sets=len(sets))
    done = [s.summary for s in sets if s.status == "done"]
    sig.completed_sets = len(done)
    sig.interrupted_sets = sum(1 for s in sets if s.status == "interrupted")
    sig.typical_clean_reps = _median(float(s.clean_reps) for s in done)
    judged = [s.summary for s in sets if s.summary.judged]  # sets recorded since rep verdicts exist
    sig.faulty_reps = sum(s.faulty_reps for s in judged)
    sig.noted_reps = sum(s.noted_reps for s in judged)
    sig.judged_reps = sum(len(s.judged) for s in judged)
    stopped = [s for s in done if s.stop is not None]
    sig.stopped_sets = len(stopped)
    sig.reps_to_stop = _median(float(s.clean_before_stop) for s in stopped)
    faults = [s.stop.metric for s in stopped if s.stop is not None and s.stop.metric]
    if faults:
        names, counts = np.unique(np.asarray(faults), return_counts=True)
        sig.ending_fault, sig.ending_fault_sets = str(names[int(np.argmax(counts))]), int(counts.max())
    recent = evidence_sets(sets, config)
    reps = [r for s in recent for r in clean_reps_of(s)]
    sig.depth_deg = _median(r.get("depth_deg") for r in reps)
    sig.down_s = _median(r.get("down_s") for r in reps)
    sig.up_s = _median(r.get("up_s") for r in reps)
    sig.typical_held_s = _median(s.held_s for s in done if s.held_s is not None)
    for metric in spec.watched_specs():
        peaks = clean_peaks(recent, metric)
        cap = safety.get(metric.name, math.nan)
        median = float(np.median(peaks)) if peaks.size else math.nan
        sig.metrics.append(MetricSignature(
            metric.name, metric.label, metric.unit, int(peaks.size), median,
            float(peaks.max()) if peaks.size else math.nan,
            1.4826 * float(np.median(np.abs(peaks - median))) if peaks.size else math.nan,
            cap, in_force.get(metric.name, cap),
            supported_limit(peaks, metric, config) if peaks.size >= config.min_reps else math.nan))
    sig.reference = aggregate_reference([s.summary.judge.reference for s in recent])
    return sig


def aggregate_reference(references: Sequence[Mapping[str, Any] | None]) -> dict[str, list[float | None]]:
    """The median over sets of each metric's phase-matched reference curve (one value a phase bin)."""
    curves: dict[str, list[np.ndarray]] = {}
    for ref in references:
        for name, curve in ((ref or {}).get("mean") or {}).items():
            arr = np.asarray([math.nan if v is None else v for v in curve], dtype=np.float64)
            curves.setdefault(name, []).append(arr)
    out = {}
    for name, arrays in curves.items():
        same = [a for a in arrays if a.shape == arrays[0].shape]
        stacked = np.vstack(same)
        known = np.isfinite(stacked).any(axis=0)
        if known.any():
            curve = np.full(stacked.shape[1], np.nan)
            curve[known] = np.nanmedian(stacked[:, known], axis=0)
            out[name] = [None if math.isnan(v) else round(float(v), 3) for v in curve]
    return out
