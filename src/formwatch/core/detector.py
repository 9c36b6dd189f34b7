"""The precision-fatigue detector: segment reps, end the set the moment form degrades, never cry wolf.

The exercise spec (``core/exercises.py``) says which metrics are watched and which stop rules apply; the rules are
small blocks in ``core/rules.py`` (limit, depth, drift, tempo). This module keeps the set's state: the reps, the
baseline each metric is judged against and the limits in force. Tracking lost pauses the detector; it never stops a
set by itself. The first stop is latched until :meth:`Detector.reset`. docs/detector.md explains every rule.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from formwatch.core.exercises import ExerciseSpec
from formwatch.core.baselines import SetBaselines
from formwatch.core.gauge_readout import GaugeReadout
from formwatch.core.verdict import DetectorConfig, Verdict
from formwatch.core.plan import SetPlan, make_plan
from formwatch.core.registry import REGISTRY, MetricSpec
from formwatch.core.reps import COMPLETED, REST_LEARNED, TURNED, RepRecord, RepSegmenter, SegmenterConfig
from formwatch.core.reference import PhaseReference
from formwatch.core.rep_verdicts import SetRepVerdicts
from formwatch.core.rules import LimitRule, StopEvent, build_rules, make_stop, reason_sentence
from formwatch.core.set_summary import detector_summary

__all__ = ["Detector", "DetectorConfig", "ExerciseSpec", "RepRecord", "StopEvent", "Verdict", "reason_sentence"]


class Detector(GaugeReadout):
    """Feeds on one metrics row per frame (registry-indexed, relative to neutral); returns a :class:`Verdict`."""

    def __init__(self, exercise: str = "hinge", config: DetectorConfig = DetectorConfig(),
                 limits: dict[str, float] | None = None, profile_loaded: bool = False,
                 plan: SetPlan | None = None) -> None:
        """Judge a set by ``plan`` (core/plan.py), or by a plan made from ``exercise``, ``limits`` (the safety
        limits) and ``profile_loaded`` (the metrics are already relative to a calibrated neutral)."""
        self.config = config
        self._configure(plan or make_plan(exercise, limits=limits, calibrated=profile_loaded))
        self.reset()

    def _configure(self, plan: SetPlan) -> None:
        """Rules, gauges and columns for ``plan``'s exercise."""
        config = self.config
        self.plan = plan
        self.spec = plan.exercise
        self.watched: tuple[MetricSpec, ...] = plan.judged
        self.driver = REGISTRY[self.spec.driver]
        self._watched_cols = [REGISTRY.index(m) for m in self.spec.watched]
        self._driver_col = REGISTRY.index(self.spec.driver)
        # The rules the exercise names, from the registry (core/rules.py); the gross and phase limits are the
        # detector's own judging of every rep exercise, always on.
        built = build_rules(self.spec.rules, config, self.spec)
        self.limit_rule = built.get("limit")
        self.gross_rule = LimitRule(config.debounce_s)
        self.breath_rule = built.get("breath")
        self.phase_rule = LimitRule(config.phase_debounce_s)
        self.depth_rule = built.get("depth")
        self.rep_rules: list[Any] = [rule for rule in built.values() if hasattr(rule, "on_rep")]
        # Gauges: every watched metric, then the depth lost when the depth rule is on.
        self.gauge_specs: tuple[MetricSpec, ...] = self.watched + ((self.driver,) if self.depth_rule else ())
        self.gauge_names: tuple[str, ...] = tuple(s.name for s in self.gauge_specs)
        self.columns: tuple[str, ...] = ("rep", "state", "phase") + tuple(
            f"{n}_{kind}" for n in self.gauge_names for kind in ("dev", "limit"))

    def replace_plan(self, plan: SetPlan) -> None:
        """Judge from now on by ``plan`` (a new set, a recalibration): the set starts afresh. The exercise may not
        change here: its gauges are the recording's columns."""
        if plan.exercise.name != self.spec.name:
            raise ValueError(f"a {self.spec.name} set cannot be judged as {plan.exercise.name}: start a new recording")
        self._configure(plan)
        self.reset()

    @property
    def profile_loaded(self) -> bool:
        """Whether the watched metrics' neutral comes from a calibration (for what the screen says)."""
        return self.plan.has_profile

    def reset(self) -> None:
        """Start a new set: forget reps, baselines learned from the set, and any latched stop."""
        cfg, plan = self.config, self.plan
        self.segmenter = RepSegmenter(self.spec, SegmenterConfig(cfg.rest_window_s, cfg.rest_still_deg, cfg.turn_deg,
                                                                 cfg.debounce_s))
        self.stop: StopEvent | None = None
        nan = (math.nan,) * len(self.gauge_names)
        self._stop_deviations: tuple[float, ...] = nan
        self._last_deviations: tuple[float, ...] = nan
        self.baselines = SetBaselines(plan, cfg.noise_k)  # each metric's zero, limit in force and safety limit
        self.baseline, self.limits, self.safety = self.baselines.baseline, self.baselines.limits, self.baselines.safety
        for rule in [self.limit_rule, self.gross_rule, self.phase_rule] + self.rep_rules:
            if rule is not None and hasattr(rule, "reset"):
                rule.reset()
        self.reference = PhaseReference(self.watched, cfg.reference)
        # An earlier set's reference (the plan's, from the history): the first reps' verdicts, never a stop.
        self.prior = PhaseReference.from_json(self.watched, plan.prior_reference, cfg.reference) \
            if plan.prior_reference is not None else None
        self.notes: dict[str, str] = {}  # technique notes: patterns present from the first reps
        self.rep_verdicts = SetRepVerdicts(self.spec.name, self.watched, self.spec.driver_sign)  # every rep's word
        self._phase_now: tuple[list[float], list[float]] | None = None
        self._excess: dict[str, tuple[float, int]] = {}  # this rep's phase deviations: (sum, count) per metric
        self._last_limits: tuple[float, ...] = self._static_limits()
        self._drifting = False
        self._last_t = -math.inf
        self._settle_until = -math.inf
        self._started_t: float | None = None

    # ------------------------------------------------------------------------------------------ context
    @property
    def reps(self) -> list[RepRecord]:
        return self.segmenter.reps

    @property
    def rest_level(self) -> float | None:
        return self.segmenter.rest_level

    def limit_of(self, metric: MetricSpec) -> float:
        """The limit in force for a watched metric (core/baselines.py)."""
        return self.baselines.limit_of(metric)

    def phase_limit(self, metric: MetricSpec) -> float | None:
        """The typical limit against the person's own first reps (median over the phase bins), None before."""
        if not self.spec.has_reps or not self.reference.ready:
            return None
        m = self.watched.index(metric)
        limits = [self.reference.limit(b + 0.5, m) for b in range(self.reference.config.bins)]
        finite = [v for v in limits if not math.isnan(v)]
        return float(np.median(finite)) if finite else None

    def current_rep(self) -> int:
        return self.segmenter.current_rep if self.spec.has_reps else 0

    def held_time(self, t_s: float) -> float | None:
        return t_s - self._started_t if self._started_t is not None and not self.spec.has_reps else None

    @property
    def held_s(self) -> float | None:
        """Seconds into a hold (exercises without reps), None before it starts."""
        if self._started_t is None:
            return None
        return (self.stop.t_s if self.stop is not None else self._last_t) - self._started_t

    # ---------------------------------------------------------------------------------------------- step
    def step(self, t_s: float, metrics: np.ndarray, breath: Any = None) -> Verdict:
        if self.stop is not None:  # latched: the gauges stay as they were at the stop
            return Verdict(t_s, "stopped", len(self.reps), "", self._stop_deviations, self.stop)
        self._last_t = t_s
        values = [float(metrics[c]) for c in self._watched_cols]
        driver = float(metrics[self._driver_col])
        segmenter = self.segmenter
        if math.isnan(driver) and all(math.isnan(v) for v in values):  # nobody seen: pause, never stop
            for rule in (self.limit_rule, self.gross_rule, self.phase_rule):
                if rule is not None:
                    rule.reset()
            segmenter.lost()
            self._settle_until = t_s + self.config.settle_s
            return Verdict(t_s, "paused", len(self.reps), segmenter.phase, (math.nan,) * len(self.gauge_names))

        self._phase_now = None
        if self.spec.has_reps:
            event = segmenter.step(t_s, driver, values)
            if segmenter.phase in ("down", "up") or (self.reps and not math.isnan(segmenter.driver_deg)):
                # the rest between reps is the top of the rep (where a lockout arch shows): it is sampled too
                self.reference.add_sample(segmenter.driver_deg, segmenter.phase == "up", values)
            self._on_event(event, t_s)
            if self.reference.ready and segmenter.rest_level is not None:
                self._phase_now = self._phase(values)
            earlier = self._phase(values, self.prior) if self._phase_now is None and self.prior is not None and \
                segmenter.rest_level is not None else None
            self.rep_verdicts.frame(t_s, driver, segmenter.rest_level, segmenter.driver_deg, values,
                                    self._phase_now or earlier, earlier is not None)
            if self.stop is not None:  # a rule decided at a rep's turn or end
                return Verdict(t_s, "stopped", len(self.reps), "", self._stop_deviations, self.stop)
            if segmenter.rest_level is None:
                return Verdict(t_s, "ready", 0, "", self._deviations(values))
        elif self._started_t is None:
            self._started_t = t_s

        active = not self.spec.has_reps or self.reps or segmenter.phase != "rest"
        if active:
            self._collect_baseline(values)
            stop = self._judge(t_s, values) if t_s >= self._settle_until else None

            if stop is None and self.breath_rule is not None and breath is not None:
                stop = self.breath_rule.on_frame(t_s, breath, self.held_time(t_s))
            if stop is not None:
                return self._latch(stop, values)
        deviations = self._last_deviations = self._deviations(values)
        worst = max((d for d in deviations if not math.isnan(d)), default=0.0)
        # Hysteresis, so the banner does not flicker: drifting from 60 % of a limit, clean again below 45 %.
        self._drifting = worst >= 0.6 or (self._drifting and worst >= 0.45)
        state = "drifting" if self._drifting else "clean"
        return Verdict(t_s, state if active else "ready", len(self.reps), segmenter.phase, deviations)

    def _on_event(self, event: str, t_s: float) -> None:
        segmenter = self.segmenter
        if event == REST_LEARNED:
            if self.spec.driver_sign > 0:
                self.baselines.rest_learned(segmenter.rest_values)
            if self.rep_verdicts.rest_learned(segmenter.rest_level, segmenter.rest_values, self.reps):
                self._rep_verdict()
        elif event == TURNED and self.depth_rule is not None and not segmenter.gap:
            # A rep seen only in part (tracking lost) says nothing about depth.
            stop = self.depth_rule.on_turn(self, t_s, self.driver.name, segmenter.bottom)
            if stop is not None:
                self._latch(stop, None)
        elif event == COMPLETED:
            self.reference.rep_done(self.reps[-1].depth_deg, self.reps[-1].fully_tracked)
            self.reps[-1].excess = {k: round(total / count, 3) for k, (total, count) in self._excess.items()}
            self._excess = {}
            self._rep_verdict()
        if event == COMPLETED and self.reps[-1].fully_tracked:
            self._learn_limits()
            for rule in self.rep_rules:
                stop = rule.on_rep(self, t_s, self.driver.name)
                if stop is not None:
                    self._latch(stop, None)
                    return

    def _natural(self) -> dict[str, float]:
        return {m.name: self.baseline[m.name] for m in self.watched if m.natural_zero is not None
                and m.name in self.baseline}

    def _rep_verdict(self) -> None:
        """The last rep's verdict (core/rep_verdicts.py), against the best reference there is for it."""
        self.rep_verdicts.completed(self.reps[-1], self.plan.calibrated, self.limits, self._natural(), self.notes)

    def finish(self) -> None:
        """The input ended: a rep in progress (or one phase of a lift) is judged as far as it was seen."""
        if self.spec.has_reps and self.stop is None:
            self.rep_verdicts.finish(self.segmenter, self.plan.calibrated, self.limits, self._natural(), self.notes,
                                     self.spec.enter_deg)

    # --------------------------------------------------------------------------------------------- judge
    def _phase(self, values: list[float], reference: PhaseReference | None = None
               ) -> tuple[list[float], list[float]]:
        """Deviations from the person's own first reps (or ``reference``) at this phase, and the limits there."""
        ref, segmenter = reference or self.reference, self.segmenter
        x = ref.position_of(segmenter.driver_deg, segmenter.phase == "up")
        return ([ref.deviation(x, m, v) for m, v in enumerate(values)],
                [ref.limit(x, m) for m in range(len(values))])

    def _judge(self, t_s: float, values: list[float]) -> StopEvent | None:
        """The limit rules of this frame. Holds: against the neutral. Reps: against the person's own first reps at
        the same phase once they exist; before that a crossing is a technique note (a pattern from the first rep,
        not fatigue), and only a gross one (past ``gross_factor`` limits) ends the set."""
        absolute = self.baselines.absolute(values)
        limits = [self.limit_of(m) for m in self.watched]
        if not self.spec.has_reps or self.limit_rule is None:
            self._last_limits = self._static_limits()
            i = self.limit_rule.over(t_s, self.watched, absolute, limits) if self.limit_rule is not None else None
            return self._stop(t_s, i, absolute, limits, "limit") if i is not None else None
        # The gross stop derives from the safety limits only: limits that evolved tighter never scale it.
        gross = [self.config.gross_factor * self.baselines.safety_of(m) for m in self.watched]
        i = self.gross_rule.over(t_s, self.watched, absolute, gross)
        if i is not None:
            return self._stop(t_s, i, absolute, limits, "gross")
        if self.reference.ready:
            deviations, phase_limits = self._phase_now or self._phase(values)
            self._last_limits = tuple(phase_limits) + self._last_limits[len(phase_limits):]
            self._track_excess(t_s, deviations)
            i = self.phase_rule.over(t_s, self.watched, deviations, phase_limits)
            return self._stop(t_s, i, deviations, phase_limits, "phase") if i is not None else None
        i = self.limit_rule.over(t_s, self.watched, absolute, limits)
        if i is not None and (self.plan.is_calibrated(self.watched[i].name) or self.watched[i].natural_zero is not None):
            # Only against a known neutral: without one the set's own baseline mixes in how the reading moves
            # with the rep itself, which is no technique point.
            self._note(i, absolute[i])
        elif i is not None:
            self.limit_rule.forget(self.watched[i])
        return None

    def _track_excess(self, t_s: float, deviations: list[float]) -> None:
        """Sum up the rep's phase deviations per metric: their mean over the rep is the rep's excess over the first
        reps (noise averages out; a creep raises the whole rep)."""
        for metric, deviation in zip(self.watched, deviations):
            if not math.isnan(deviation):
                total, count = self._excess.get(metric.name, (0.0, 0))
                self._excess[metric.name] = (total + deviation, count + 1)

    def _stop(self, t_s: float, i: int, deviations: list[float], limits: list[float], rule: str) -> StopEvent:
        rep = self.current_rep()
        stop = make_stop(t_s, rep, self.watched[i], deviations[i], limits[i], "limit", rep - 1 if rep else 0,
                         sentence_rule=rule if rule != "limit" else None, held_s=self.held_time(t_s))
        if not self.plan.is_calibrated(self.watched[i].name) and rule != "phase" and \
                self.watched[i].natural_zero is not None:
            stop = replace(stop, reason=f"{stop.reason} (No profile: judged against population defaults; "
                                        "calibrate for limits of your own.)")
        return stop

    def _note(self, i: int, deviation: float) -> None:
        """A watched metric past its limit in the first reps: the way this person moves, said once, not a stop."""
        metric = self.watched[i]
        self.limit_rule.forget(metric)  # type: ignore[union-attr]
        if metric.name not in self.notes:
            rep = self.current_rep()
            self.notes[metric.name] = (f"{metric.phrase} {metric.format(deviation)} from rep {rep}, before any "
                                       f"fatigue: a technique point. {metric.advice}.")

    # -------------------------------------------------------------------------------------------- limits
    def _collect_baseline(self, values: list[float]) -> None:
        """The readings of metrics still learning their zero; a hold learns them after its first seconds."""
        waiting = self.baselines.collect(values)
        if waiting and not self.spec.has_reps and self._started_t is not None and \
                self._last_t - self._started_t >= self.config.hold_baseline_s:
            self._learn_limits(force=True)

    def _learn_limits(self, force: bool = False) -> None:
        """After the set's first clean reps (or a hold's first seconds): the zeros and limits the set learns for
        itself (core/baselines.py), and the depth the depth rule holds it to."""
        if force or len(self.reps) >= self.config.baseline_reps:
            self.baselines.learn()
        if self.depth_rule is not None:
            self.depth_rule.learn(self, self.driver.name)

    # ------------------------------------------------------------------------------------------- results
    def _latch(self, stop: StopEvent, values: list[float] | None) -> Verdict:
        self.stop = stop
        self._stop_deviations = self._deviations(values) if values is not None else self._last_deviations
        return Verdict(stop.t_s, "stopped", len(self.reps), "", self._stop_deviations, stop)

    def summary(self) -> dict[str, Any]:
        """What summary.json says of the set (core/set_summary.py)."""
        return detector_summary(self)
