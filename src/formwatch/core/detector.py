"""The precision-fatigue detector: segment reps, end the set the moment form degrades, never cry wolf.

Rules (all in seconds and real units, never frames; docs/detector.md):

- **limit**: a form metric beyond its limit (personal, from the profile; else learned from the set's first clean
  reps) for longer than ``debounce_s``. Catches a shrug or an arch as it happens.
- **drift**: a per-rep feature (peak shoulder elevation, peak lumbar arch, loss of depth) worsening rep after rep;
  the set ends when the *next* rep is predicted to cross the limit, so it ends clean rather than one rep late.
- **tempo**: the working (up) phase slowing: mean velocity ``depth / up time`` down by ``tempo_loss_fraction`` from
  the best rep, on two reps in a row (velocity-based training stops at about 20 % loss).

Tracking lost pauses the detector; it never stops a set by itself. The first stop is latched until :meth:`reset`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from formwatch.core.kinematics import Col
from formwatch.core.reps import (COMPLETED, EXERCISES, REST_LEARNED, TURNED, ExerciseSpec, RepRecord, RepSegmenter,
                                 SegmenterConfig)

__all__ = ["EXERCISES", "Detector", "DetectorConfig", "ExerciseSpec", "RepRecord", "StopEvent", "Verdict",
           "reason_sentence"]

METRICS = ("shoulder_elevation_cm", "lumbar_arch_deg", "hip_hinge_deg")
PROFILE_LIMIT_METRICS = ("shoulder_elevation_cm", "lumbar_arch_deg")  # limits a profile sets for the limit rule
_COL = {"shoulder_elevation_cm": Col.SHOULDER_ELEVATION_CM, "lumbar_arch_deg": Col.LUMBAR_ARCH_DEG,
        "hip_hinge_deg": Col.HIP_HINGE_DEG}


@dataclass(frozen=True)
class DetectorConfig:
    """Stop-rule settings; units in the names. docs/detector.md explains each and how to tune it."""

    debounce_s: float = 0.2
    min_limit_shoulder_elevation_cm: float = 2.0  # smallest change worth stopping for
    min_limit_lumbar_arch_deg: float = 8.0
    depth_loss_fraction: float = 0.15  # drift rule on depth: loss from the first reps' depth
    min_depth_loss_deg: float = 10.0
    noise_k: float = 4.0  # a learned limit is max(noise_k x noise, min limit)
    baseline_reps: int = 2  # the set's first reps, taken as its clean reference
    trend_reps: int = 3  # the drift rule looks at this many last reps
    turn_deg: float = 2.0  # a rep has turned once the angle is back this far (or 5 % of its depth) from its peak
    tempo_loss_fraction: float = 0.20
    tempo_consecutive_reps: int = 2
    rest_window_s: float = 0.8  # still time needed to learn (or re-learn) the rest level
    rest_still_deg: float = 8.0  # the driver's range within that window to count as still
    drift_rule: bool = True
    tempo_rule: bool = True


@dataclass(frozen=True)
class StopEvent:
    """Why and when the set ended; ``reason`` is the sentence the user reads."""

    t_s: float
    rep: int
    metric: str
    value: float
    limit: float
    reason: str
    rule: str
    clean_reps: int


@dataclass(frozen=True)
class Verdict:
    """The detector's word on one frame. ``deviations``: value / limit of each watched metric (1.0 = at limit)."""

    t_s: float
    state: str  # "ready", "clean", "drifting", "paused", "stopped"
    rep: int  # completed reps
    phase: str  # "rest", "down", "up", ""
    deviations: tuple[float, float, float]  # shoulder, arch, depth loss — as fractions of their limits
    stop: StopEvent | None = None


_PHRASES = {
    "shoulder_elevation_cm": ("Shoulders crept up", " cm", 1),
    "lumbar_arch_deg": ("Low back arched", "°", 0),
    "hip_hinge_deg": ("Hinge depth dropped", "°", 0),
    "tempo": ("Reps slowed", " %", 0),
}


def reason_sentence(metric: str, value: float, rep: int, clean: int, rule: str, limit: float,
                    held_s: float | None = None) -> str:
    """The sentence a person reads across the room (``held_s``: time into a hold, for exercises without reps)."""
    label, unit, digits = _PHRASES[metric]
    amount = f"{value:.{digits}f}{unit}"
    clean_part = f"{clean} clean rep{'s' if clean != 1 else ''}." if rep else ""
    where = f" at rep {rep}" if rep else (f" after {held_s:.0f} s of the hold" if held_s is not None else "")
    if rule == "drift":
        return (f"{label} {amount}{where} and worsening; the next rep would pass {limit:.{digits}f}{unit} — set "
                f"ended. {clean_part}").strip()
    return f"{label} {amount}{where} — set ended. {clean_part}".strip()


class Detector:
    """Feeds on one metrics row per frame (``Col``-indexed, relative to neutral); returns a :class:`Verdict`."""

    columns = ("rep", "state")

    def __init__(self, exercise: str = "hinge", config: DetectorConfig = DetectorConfig(),
                 limits: dict[str, float] | None = None, profile_loaded: bool = False) -> None:
        if exercise not in EXERCISES:
            raise ValueError(f"unknown exercise {exercise!r}; choose one of {', '.join(EXERCISES)}")
        self.spec = EXERCISES[exercise]
        self.config = config
        self.profile_loaded = profile_loaded
        self.given_limits = dict(limits or {})
        self.reset()

    def reset(self) -> None:
        """Start a new set: forget reps, baselines learned from the set, and any latched stop."""
        cfg = self.config
        self.segmenter = RepSegmenter(self.spec, SegmenterConfig(cfg.rest_window_s, cfg.rest_still_deg, cfg.turn_deg,
                                                                 cfg.debounce_s))
        self.stop: StopEvent | None = None
        self._stop_deviations: tuple[float, float, float] = (math.nan,) * 3
        self._last_deviations: tuple[float, float, float] = (math.nan,) * 3
        self.limits: dict[str, float] = dict(self.given_limits)
        # With a profile the metrics are already relative to neutral; arch has a natural zero (straight body).
        self.baseline: dict[str, float] = {"lumbar_arch_deg": 0.0}
        if self.profile_loaded:
            self.baseline["shoulder_elevation_cm"] = 0.0
        self._over_since: dict[str, float | None] = {m: None for m in METRICS}
        self._early_shoulder: list[float] = []
        self._slow_reps = 0
        self._drifting = False
        self._last_t = -math.inf
        self._started_t: float | None = None

    @property
    def reps(self) -> list[RepRecord]:
        return self.segmenter.reps

    @property
    def rest_level(self) -> float | None:
        return self.segmenter.rest_level

    # ----------------------------------------------------------------------------------------------------- step
    def step(self, t_s: float, metrics: np.ndarray) -> Verdict:
        if self.stop is not None:  # latched: the gauges stay as they were at the stop
            return Verdict(t_s, "stopped", len(self.reps), "", self._stop_deviations, self.stop)
        self._last_t = t_s
        shoulder = float(metrics[Col.SHOULDER_ELEVATION_CM])
        arch = float(metrics[Col.LUMBAR_ARCH_DEG])
        hinge = float(metrics[Col.HIP_HINGE_DEG])
        segmenter = self.segmenter
        if math.isnan(hinge) and math.isnan(shoulder):  # nobody seen: pause, never stop
            for m in self._over_since:
                self._over_since[m] = None
            segmenter.lost()
            return Verdict(t_s, "paused", len(self.reps), segmenter.phase, (math.nan,) * 3)

        if self.spec.has_reps:
            event = segmenter.step(t_s, hinge, shoulder, arch)
            if event == REST_LEARNED and not self.profile_loaded and self.spec.driver_sign > 0 \
                    and segmenter.rest_arch is not None:
                # No profile: the set's own standing posture is the arch reference (its first clean reps).
                self.baseline["lumbar_arch_deg"] = segmenter.rest_arch
            elif event == TURNED:
                self._check_depth(t_s)
            elif event == COMPLETED:
                self._rep_completed(t_s)
            if self.stop is not None:  # a rule decided at a rep's turn or end
                return Verdict(t_s, "stopped", len(self.reps), "", self._stop_deviations, self.stop)
            if segmenter.rest_level is None:
                return Verdict(t_s, "ready", 0, "", self._deviations(metrics))
        elif self._started_t is None:
            self._started_t = t_s

        active = not self.spec.has_reps or self.reps or segmenter.phase != "rest"
        if active:
            self._collect_baseline(shoulder)
            stop = self._limit_rule(t_s, {"shoulder_elevation_cm": shoulder, "lumbar_arch_deg": arch})
            if stop is not None:
                return self._latch(stop, metrics)
        deviations = self._last_deviations = self._deviations(metrics)
        worst = max((d for d in deviations if not math.isnan(d)), default=0.0)
        # Hysteresis, so the banner does not flicker: drifting from 60 % of a limit, clean again below 45 %.
        self._drifting = worst >= 0.6 or (self._drifting and worst >= 0.45)
        state = "drifting" if self._drifting else "clean"
        return Verdict(t_s, state if active else "ready", len(self.reps), segmenter.phase, deviations)

    def _check_depth(self, t_s: float) -> None:
        """Limit rule on depth, at the turn: this rep came up short of the set's first reps by more than the limit."""
        base, limit = self.baseline.get("hip_hinge_deg"), self.limits.get("hip_hinge_deg")
        if base is None or limit is None or self.stop is not None or self.segmenter.gap:
            return  # a rep seen only in part (tracking lost) says nothing about depth
        lost = base - self.segmenter.bottom
        if lost > limit:
            rep = len(self.reps) + 1
            self._latch(StopEvent(t_s, rep, "hip_hinge_deg", round(lost, 2), round(limit, 2),
                                  reason_sentence("hip_hinge_deg", lost, rep, rep - 1, "limit", limit), "limit",
                                  rep - 1), None)

    def _rep_completed(self, t_s: float) -> None:
        """A rep ended: learn from it, then ask the drift and tempo rules."""
        if not self.reps[-1].fully_tracked:
            return  # neither a reference nor evidence of drift or slowing
        self._learn_limits()
        for enabled, rule in ((self.config.drift_rule, self._drift_rule), (self.config.tempo_rule, self._tempo_rule)):
            stop = rule(t_s) if enabled else None
            if stop is not None:
                self._latch(stop, None)
                return

    # ------------------------------------------------------------------------------------------------- limits
    def _collect_baseline(self, shoulder: float) -> None:
        if "shoulder_elevation_cm" not in self.baseline and not math.isnan(shoulder):
            self._early_shoulder.append(shoulder)
            if not self.spec.has_reps and len(self._early_shoulder) >= 30:
                self._learn_limits(force=True)

    def _learn_limits(self, force: bool = False) -> None:
        """From the set's first clean reps: the shoulder baseline and, without a profile, the limits."""
        cfg = self.config
        if "shoulder_elevation_cm" not in self.baseline and (force or len(self.reps) >= cfg.baseline_reps):
            values = np.asarray(self._early_shoulder)
            if len(values):
                median = float(np.median(values))
                self.baseline["shoulder_elevation_cm"] = median
                noise = 1.4826 * float(np.median(np.abs(values - median)))
                self.limits.setdefault("shoulder_elevation_cm",
                                       max(cfg.noise_k * noise, cfg.min_limit_shoulder_elevation_cm))
        self.limits.setdefault("lumbar_arch_deg", cfg.min_limit_lumbar_arch_deg)
        self.limits.setdefault("shoulder_elevation_cm", cfg.min_limit_shoulder_elevation_cm)
        tracked = [r for r in self.reps if r.fully_tracked]
        if len(tracked) >= cfg.baseline_reps and "hip_hinge_deg" not in self.baseline:
            depth = float(np.mean([r.depth_deg for r in tracked[: cfg.baseline_reps]]))
            self.baseline["hip_hinge_deg"] = depth
            self.limits.setdefault("hip_hinge_deg", max(cfg.depth_loss_fraction * depth, cfg.min_depth_loss_deg))

    def _limit_rule(self, t_s: float, values: dict[str, float]) -> StopEvent | None:
        for metric in self.spec.watched:
            base = self.baseline.get(metric)
            limit = self.limits.get(metric, self._default_limit(metric))
            value = values[metric]
            if base is None or math.isnan(value) or value - base <= limit:
                self._over_since[metric] = None
                continue
            since = self._over_since[metric]
            if since is None:
                self._over_since[metric] = t_s
            elif t_s - since >= self.config.debounce_s:
                rep = self._current_rep()
                clean = rep - 1 if rep else 0
                dev = value - base
                held = t_s - self._started_t if self._started_t is not None and not self.spec.has_reps else None
                return StopEvent(t_s, rep, metric, round(dev, 2), round(limit, 2),
                                 reason_sentence(metric, dev, rep, clean, "limit", limit, held), "limit", clean)
        return None

    def _default_limit(self, metric: str) -> float:
        return {"shoulder_elevation_cm": self.config.min_limit_shoulder_elevation_cm,
                "lumbar_arch_deg": self.config.min_limit_lumbar_arch_deg}.get(metric, math.inf)

    def _current_rep(self) -> int:
        return self.segmenter.current_rep if self.spec.has_reps else 0

    def _drift_rule(self, t_s: float) -> StopEvent | None:
        cfg = self.config
        n = cfg.trend_reps
        tracked = [r for r in self.reps if r.fully_tracked]
        if len(tracked) < max(cfg.baseline_reps + 1, n):
            return None
        recent = tracked[-n:]
        features = {
            "shoulder_elevation_cm": [r.peak_shoulder_elevation_cm for r in recent],
            "hip_hinge_deg": [-r.depth_deg for r in recent],  # worsening = shallower
        }
        for metric, series in features.items():
            limit = self.limits.get(metric)
            base = self.baseline.get(metric)
            if limit is None or base is None or any(math.isnan(v) or math.isinf(v) for v in series):
                continue
            base_signed = -base if metric == "hip_hinge_deg" else base
            devs = np.asarray(series) - base_signed
            if not np.all(np.diff(devs) > 0):
                continue  # not worsening rep after rep
            slope = float(np.polyfit(np.arange(n), devs, 1)[0])
            predicted = devs[-1] + slope
            if predicted >= limit and devs[-1] >= 0.5 * limit:
                rep = len(self.reps)
                already_over = devs[-1] >= limit  # this rep itself was past the limit: it was not clean
                clean = rep - 1 if already_over else rep
                rule = "limit" if already_over else "drift"
                return StopEvent(t_s, rep, metric, round(float(devs[-1]), 2), round(limit, 2),
                                 reason_sentence(metric, float(devs[-1]), rep, clean, rule, limit), "drift", clean)
        return None

    def _tempo_rule(self, t_s: float) -> StopEvent | None:
        cfg = self.config
        velocities = [r.depth_deg / r.up_s for r in self.reps if r.up_s > 0 and r.fully_tracked]
        if len(velocities) < cfg.baseline_reps + 1:
            return None
        loss = 1.0 - velocities[-1] / max(velocities)
        self._slow_reps = self._slow_reps + 1 if loss >= cfg.tempo_loss_fraction else 0
        if self._slow_reps >= cfg.tempo_consecutive_reps:
            rep = len(self.reps)
            clean = rep - cfg.tempo_consecutive_reps
            return StopEvent(t_s, rep, "tempo", round(100 * loss, 1), round(100 * cfg.tempo_loss_fraction, 1),
                             reason_sentence("tempo", 100 * loss, rep, clean, "limit", 0), "tempo", clean)
        return None

    @property
    def held_s(self) -> float | None:
        """Seconds into a hold (exercises without reps), None before it starts."""
        if self._started_t is None:
            return None
        return (self.stop.t_s if self.stop is not None else self._last_t) - self._started_t

    # ----------------------------------------------------------------------------------------------- results
    def _latch(self, stop: StopEvent, metrics: np.ndarray | None) -> Verdict:
        self.stop = stop
        devs = self._deviations(metrics) if metrics is not None else self._last_deviations
        self._stop_deviations = devs
        return Verdict(stop.t_s, "stopped", len(self.reps), "", devs, stop)

    def _deviations(self, metrics: np.ndarray | None) -> tuple[float, float, float]:
        if metrics is None:
            return (math.nan,) * 3
        out = []
        for metric in ("shoulder_elevation_cm", "lumbar_arch_deg"):
            if metric not in self.spec.watched:
                out.append(math.nan)  # not judged for this exercise: no gauge
                continue
            base, limit = self.baseline.get(metric), self.limits.get(metric, self._default_limit(metric))
            value = float(metrics[_COL[metric]])
            out.append((value - base) / limit if base is not None and limit > 0 else math.nan)
        if self.reps and "hip_hinge_deg" in self.baseline and "hip_hinge_deg" in self.limits:
            out.append((self.baseline["hip_hinge_deg"] - self.reps[-1].depth_deg) / self.limits["hip_hinge_deg"])
        else:
            out.append(math.nan)
        return out[0], out[1], out[2]

    def row(self, verdict: Verdict) -> list[Any]:
        return [verdict.rep, verdict.state]

    def summary(self) -> dict[str, Any]:
        return {
            "exercise": self.spec.name,
            "reps": len(self.reps),
            "stopped": self.stop is not None,
            "stop": asdict(self.stop) if self.stop else None,
            "clean_reps": self.stop.clean_reps if self.stop else len(self.reps),
            "held_s": round(self.held_s, 2) if self.held_s is not None else None,
            "limits": {k: round(v, 3) for k, v in self.limits.items()},
            "baseline": {k: round(v, 3) for k, v in self.baseline.items()},
            "rep_features": [asdict(r) for r in self.reps],
        }
