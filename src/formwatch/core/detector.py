"""The precision-fatigue detector for one exercise: a thin orchestrator of rep segmentation, baselines, the phase
reference, rep verdicts and the exercise's rules, which answers each frame with a :class:`Judgement`.

It knows no rule in particular: the exercise names its rules (core/exercises.py), they are built from the registry
(core/rules.py) and each frame every one of them gets the same :class:`~formwatch.core.rules.FrameContext`, in
order, until one stops the set. Tracking lost pauses the detector and never stops a set. The first stop is latched
until :meth:`Detector.reset`. What happens is said as events (core/events.py); docs/detector.md explains the rules.
"""

from __future__ import annotations

import math
from dataclasses import asdict

import numpy as np

from formwatch.core.baselines import SetBaselines
from formwatch.core.breathing import BreathState
from formwatch.core.events import Event, Note, RepCounted, Stop
from formwatch.core.exercises import ExerciseSpec
from formwatch.core.judge_params import JudgeParams, shipped
from formwatch.core.plan import SetPlan, make_plan, with_population_limits
from formwatch.core.reading_gate import ReadingGate
from formwatch.core.reference import PhaseReference
from formwatch.core.registry import REGISTRY, MetricSpec
from formwatch.core.rep_verdicts import SetRepVerdicts
from formwatch.core.reps import COMPLETED, REST_LEARNED, RepRecord, RepSegmenter, SegmenterConfig
from formwatch.core.rules import FrameContext, Rule, build_rules
from formwatch.core.set_summary import JudgeFacts
from formwatch.core.verdict import DetectorConfig, GaugeReading, Judgement, State

__all__ = ["Detector", "DetectorConfig", "ExerciseSpec", "Judgement", "RepRecord"]

_NAN = math.nan
CONFIRM_HOLD_S = 5.0  # a recognised hold is confirmed after this long (a rep confirms an exercise with reps)


class Detector:
    """Feeds on one metrics row per frame (registry-indexed, relative to neutral); answers a :class:`Judgement`."""

    def __init__(self, exercise: str = "hinge", config: DetectorConfig = DetectorConfig(),
                 limits: dict[str, float] | None = None, profile_loaded: bool = False,
                 plan: SetPlan | None = None, params: JudgeParams | None = None) -> None:
        """Judge a set by ``plan`` (core/plan.py), or by a plan made from ``exercise``, ``limits`` (the safety
        limits) and ``profile_loaded`` (the metrics are already relative to a calibrated neutral); ``params``: the
        fitted values (core/judge_params.py; default: those formwatch ships)."""
        self.config = config
        self.params = params if params is not None else shipped()
        self.confirmed = True  # False: recognised, not yet confirmed by the person, a whole rep or a long hold
        self._configure(plan or make_plan(exercise, limits=limits, calibrated=profile_loaded))
        self.reset()

    def _configure(self, plan: SetPlan) -> None:
        """Rules, gauges and columns for ``plan``'s exercise; its population defaults are this judge's fitted ones."""
        self.plan = plan = with_population_limits(plan, self.params.population_limits.get(plan.exercise.name, {}))
        self.spec: ExerciseSpec = plan.exercise
        self.watched: tuple[MetricSpec, ...] = plan.judged
        self.driver: MetricSpec = REGISTRY[self.spec.driver]
        self._watched_cols = [REGISTRY.index(m) for m in self.spec.watched]
        self._driver_col = REGISTRY.index(self.spec.driver)
        self.rules: list[Rule] = list(build_rules(self.spec.rules, self.config, self.spec).values())
        self.gate = ReadingGate(self.watched, self.params)  # which readings the camera can be judged on
        self._norms = {m.name: n for m in self.watched if (n := self.params.norm(self.spec.name, m.name)) is not None}
        self.gauge_names: tuple[str, ...] = self.spec.gauge_names
        self._depth = len(self.gauge_names) > len(self.watched)  # the depth gauge and its baseline
        self.gauge_specs: tuple[MetricSpec, ...] = self.watched + ((self.driver,) if self._depth else ())

    def replace_plan(self, plan: SetPlan) -> None:
        """Judge from now on by ``plan`` (a new set, a recalibration): the set starts afresh. The exercise may not
        change here: its gauges are the recording's columns."""
        if plan.exercise.name != self.spec.name:
            raise ValueError(f"a {self.spec.name} set cannot be judged as {plan.exercise.name}: start a new recording")
        self._configure(plan)
        self.reset()

    @property
    def exercise(self) -> ExerciseSpec:
        return self.spec

    def reset(self) -> None:
        """Start a new set: forget reps, baselines learned from the set, and any latched stop."""
        cfg, plan = self.config, self.plan
        self.segmenter = RepSegmenter(self.spec, SegmenterConfig(cfg.rest_window_s, cfg.rest_still_deg, cfg.turn_deg,
                                                                 cfg.debounce_s))
        self.stop: Stop | None = None
        self.baselines = SetBaselines(plan, cfg.noise_k)  # each metric's zero, limit in force and safety limit
        for rule in self.rules:
            rule.reset()
        self.reference = PhaseReference(self.watched, cfg.reference)
        # An earlier set's reference (the plan's, from the history): the first reps' verdicts, never a stop.
        self.prior = PhaseReference.from_json(self.watched, plan.prior_reference, cfg.reference) \
            if plan.prior_reference is not None else None
        self.rep_verdicts = SetRepVerdicts(self.watched, self.spec.driver_sign, self._norms)
        self.gate.reset()
        self._excess: dict[str, tuple[float, int]] = {}  # this rep's phase deviations: (sum, count) per metric
        self._phase_limits = [_NAN] * len(self.watched)
        self.from_neutral: list[float] = [_NAN] * len(self.watched)
        self._limits: list[float] = [self.limit_of(m) for m in self.watched]
        self._stop_gauges: tuple[GaugeReading, ...] = self._gauges([_NAN] * len(self.gauge_names))
        self._last_gauges = self._stop_gauges
        self._drifting, self._last_t, self._settle_until = False, -math.inf, -math.inf
        self._started_t: float | None = None
        self._counted = 0
        self._events: list[Event] = []

    # ------------------------------------------------------------------------------- what rules read (SetState)
    @property
    def reps(self) -> list[RepRecord]:
        return self.segmenter.reps

    @property
    def baseline(self) -> dict[str, float]:
        return self.baselines.baseline

    @property
    def limits(self) -> dict[str, float]:
        return self.baselines.limits

    def safety_of(self, metric: MetricSpec) -> float:
        return self.baselines.safety_of(metric)

    def limit_of(self, metric: MetricSpec) -> float:
        """The limit in force for a watched metric (core/baselines.py)."""
        return self.baselines.limit_of(metric)

    def is_calibrated(self, name: str) -> bool:
        return self.plan.is_calibrated(name)

    def phase_limit(self, metric: MetricSpec) -> float | None:
        """The typical limit against the person's own first reps, None before they exist."""
        return self.reference.typical_limit(self.watched.index(metric)) \
            if self.spec.has_reps and self.reference.ready else None

    def held_time(self, t_s: float) -> float | None:
        """Seconds into a hold (exercises without reps), None before it starts."""
        return None if self._started_t is None or self.spec.has_reps else \
            (self.stop.t_s if self.stop is not None else t_s) - self._started_t

    # ---------------------------------------------------------------------------------------------- step
    def step(self, t_s: float, metrics: np.ndarray, breath: BreathState | None = None) -> Judgement:
        self._events = []
        if self.stop is not None:  # latched: the gauges stay as they were at the stop
            return self._judgement(t_s, State.STOPPED, "", self._stop_gauges)
        self._last_t = t_s
        values, problem = self.gate.step(t_s, metrics, [float(metrics[c]) for c in self._watched_cols])
        if problem is not None:
            self._events.append(problem)
        driver = float(metrics[self._driver_col])
        segmenter = self.segmenter
        if math.isnan(driver) and all(math.isnan(v) for v in values):  # nobody seen: pause, never stop
            segmenter.lost()
            self._settle_until = t_s + self.config.settle_s
            self._ask_rules(self._context(t_s, "", values, None, breath, judging=False, active=False))
            return self._judgement(t_s, State.PAUSED, segmenter.phase, self._gauges([_NAN] * len(self.gauge_names)))
        phase_now = None
        event = ""
        if self.spec.has_reps:
            event = segmenter.step(t_s, driver, values)
            if segmenter.phase in ("down", "up") or (self.reps and not math.isnan(segmenter.driver_deg)):
                # the rest between reps is the top of the rep (where a lockout arch shows): it is sampled too
                self.reference.add_sample(segmenter.driver_deg, segmenter.phase == "up", values)
            self._on_event(event, t_s)
            if self.reference.ready and segmenter.rest_level is not None:
                phase_now = self._phase(values)
            earlier = self._phase(values, self.prior) if phase_now is None and self.prior is not None and \
                segmenter.rest_level is not None else None
            self.rep_verdicts.frame(t_s, driver, segmenter.rest_level, segmenter.driver_deg, values,
                                    phase_now or earlier, earlier is not None)
            if segmenter.rest_level is None:
                self._read_neutral(values)
                return self._judgement(t_s, State.READY, "", self._gauges(self._deviations(values, None)))
        elif self._started_t is None:
            self._started_t = t_s
        active = not self.spec.has_reps or bool(self.reps) or segmenter.phase != "rest"
        if active:
            self._collect_baseline(values)
        self._read_neutral(values)
        judging = active and t_s >= self._settle_until
        if judging and phase_now is not None:
            self._track_excess(phase_now[0])
        self._ask_rules(self._context(t_s, event, values, phase_now, breath, judging, active))
        if self.stop is not None:
            return self._judgement(t_s, State.STOPPED, "", self._stop_gauges)
        gauges = self._last_gauges = self._gauges(self._deviations(values, phase_now))
        worst = max((g.fraction for g in gauges if not math.isnan(g.fraction)), default=0.0)
        # Hysteresis, so the banner does not flicker: drifting from 60 % of a limit, clean again below 45 %.
        self._drifting = worst >= 0.6 or (self._drifting and worst >= 0.45)
        state = (State.DRIFTING if self._drifting else State.CLEAN) if active else State.READY
        return self._judgement(t_s, state, segmenter.phase, gauges)

    def _read_neutral(self, values: list[float]) -> None:
        """This frame's deviations against the neutral (:attr:`from_neutral`, + worse, NaN: no neutral yet; the fit of
        the population limits reads it) and the limits in force, once (after what this frame taught the baselines)."""
        self.from_neutral = self.baselines.absolute(values)
        self._limits = [self.limit_of(m) for m in self.watched]

    def _context(self, t_s: float, event: str, values: list[float], phase_now: tuple[list[float], list[float]] | None,
                 breath: BreathState | None, judging: bool, active: bool) -> FrameContext:
        segmenter = self.segmenter
        return FrameContext(t_s, self, event, tuple(values), tuple(self.from_neutral), tuple(self._limits),
                            tuple(phase_now[0]) if phase_now else None, tuple(phase_now[1]) if phase_now else None,
                            segmenter.current_rep if self.spec.has_reps else 0, judging, active, segmenter.gap,
                            segmenter.bottom, breath, self.held_time(t_s))

    def _ask_rules(self, ctx: FrameContext) -> None:
        """Every rule, in the exercise's order, until one stops the set; notes are kept as events."""
        for rule in self.rules:
            answer = rule.step(ctx)
            if isinstance(answer, Note):
                self._events.append(answer)
            elif isinstance(answer, Stop) and (self.confirmed or bool(self.reps)
                                               or (self.held_time(ctx.t_s) or 0.0) >= CONFIRM_HOLD_S):
                self._latch(answer, ctx)  # a recognised exercise stops nothing before a rep or a hold confirms it
                return

    def _judgement(self, t_s: float, state: str, phase: str, gauges: tuple[GaugeReading, ...]) -> Judgement:
        rep = self.stop.rep if self.stop is not None and self.stop.rep else len(self.reps)
        return Judgement(t_s, state, rep, phase, self.segmenter.rest_level is not None or not self.spec.has_reps,
                         gauges, self.held_time(t_s), tuple(self._events), self.stop)

    def _on_event(self, event: str, t_s: float) -> None:
        segmenter = self.segmenter
        for rep in self.reps[self._counted:]:
            self._events.append(RepCounted(t_s, rep.rep, rep.depth_deg))
        self._counted = len(self.reps)
        if event == REST_LEARNED:
            if self.spec.driver_sign > 0:
                self.baselines.rest_learned(segmenter.rest_values)
            if self.rep_verdicts.rest_learned(segmenter.rest_level or 0.0, self.reps):
                self._rep_verdict(t_s)
        elif event == COMPLETED:
            last = self.reps[-1]
            self.reference.rep_done(last.depth_deg, last.fully_tracked)
            last.excess = {k: round(total / count, 3) for k, (total, count) in self._excess.items()}
            self._excess = {}
            self._rep_verdict(t_s)
            if last.fully_tracked:
                self._learn_limits()

    def _natural(self) -> dict[str, float]:
        return {m.name: self.baseline[m.name] for m in self.watched if m.natural_zero is not None
                and m.name in self.baseline}

    def _rep_verdict(self, t_s: float) -> None:
        """The last rep's verdict (core/rep_verdicts.py), against the best reference there is for it."""
        self._events.append(self.rep_verdicts.completed(t_s, self.reps[-1], self.plan.calibrated, self.limits,
                                                        self._natural()))

    def finish(self) -> tuple[Event, ...]:
        """The input ended: a rep in progress (or one phase of a lift) is judged as far as it was seen."""
        if not self.spec.has_reps or self.stop is not None:
            return ()
        s = self.segmenter
        verdict = self.rep_verdicts.finish(s.reps, s.rest_level, s.phase, s.rep_start_s, s.bottom, self.plan.calibrated,
                                           self.limits, self._natural(), self.spec.enter_deg, self.spec.rest_max_deg)
        if verdict is None or (whole := self.rep_verdicts.counted_at_end) is None:
            return (verdict,) if verdict is not None else ()
        s.reps.append(whole)  # a whole rep from the movement's own extremes
        return RepCounted(verdict.t_s, whole.rep, round(whole.depth_deg, 1)), verdict

    # --------------------------------------------------------------------------------------------- judge
    def _phase(self, values: list[float], reference: PhaseReference | None = None
               ) -> tuple[list[float], list[float]]:
        """Deviations from the person's own first reps (or ``reference``) at this phase, and the limits there."""
        ref, segmenter = reference or self.reference, self.segmenter
        x = ref.position_of(segmenter.driver_deg, segmenter.phase == "up")
        return ([ref.deviation(x, m, v) for m, v in enumerate(values)],
                [ref.limit(x, m) for m in range(len(values))])

    def _track_excess(self, deviations: list[float]) -> None:
        """Sum up the rep's phase deviations per metric: their mean over the rep is the rep's excess over the first
        reps (noise averages out; a creep raises the whole rep)."""
        for metric, deviation in zip(self.watched, deviations):
            if not math.isnan(deviation):
                total, count = self._excess.get(metric.name, (0.0, 0))
                self._excess[metric.name] = (total + deviation, count + 1)

    def _deviations(self, values: list[float], phase_now: tuple[list[float], list[float]] | None) -> list[float]:
        """What the gauges show: each deviation as a fraction of the limit it is judged against now."""
        if phase_now is not None:
            deviations, limits = phase_now
            self._phase_limits = list(limits)
        else:
            deviations, limits = self.from_neutral, self._limits
        out = [d / limit if limit > 0 else _NAN for d, limit in zip(deviations, limits)]
        if self._depth:
            name = self.driver.name
            known = self.reps and name in self.baseline and name in self.limits
            out.append((self.baseline[name] - self.reps[-1].depth_deg) / self.limits[name] if known else _NAN)
        return out

    def _gauges(self, fractions: list[float]) -> tuple[GaugeReading, ...]:
        """The gauges with the limit in force behind each: against your own first reps at this phase once they
        exist, else against the neutral; the depth gauge's against the first reps' depth."""
        limits = list(self._phase_limits if self.spec.has_reps and self.reference.ready else self._limits)
        if self._depth:
            limits.append(self.limits.get(self.driver.name, _NAN))
        return tuple(GaugeReading(name, float(f), float(v) if math.isfinite(v) else _NAN)
                     for name, f, v in zip(self.gauge_names, fractions, limits))

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
        cfg = self.config
        if force or len(self.reps) >= cfg.baseline_reps:
            self.baselines.learn()
        tracked = [r.depth_deg for r in self.reps if r.fully_tracked]
        if self._depth and len(tracked) >= cfg.baseline_reps:
            self.baselines.learn_depth(self.driver.name, tracked[: cfg.baseline_reps], cfg.depth_loss_fraction,
                                       cfg.min_depth_loss_deg)

    # ------------------------------------------------------------------------------------------- results
    def _latch(self, stop: Stop, ctx: FrameContext) -> None:
        """The set ends: latched, and the rep it ended in (or the rep a rule found past its limit) a fault."""
        self.stop = stop
        phase = (list(ctx.phase_deviations), list(ctx.phase_limits)) \
            if ctx.phase_deviations is not None and ctx.phase_limits is not None else None
        self._stop_gauges = self._gauges(self._deviations(list(ctx.values), phase))
        self._events.append(stop)
        if self.spec.has_reps and not stop.predicted and stop.rep > 0:
            self._events.append(self.rep_verdicts.stopped(stop, self.segmenter.rep_start_s))

    def facts(self) -> JudgeFacts:
        """What the summary needs of the judge at the end (core/set_summary.py)."""
        has_reps, s = self.spec.has_reps, self.segmenter
        return JudgeFacts(
            self.gauge_names, {k: round(v, 3) for k, v in self.limits.items()},
            {k: round(v, 3) for k, v in self.baselines.safety.items()},
            {k: round(v, 3) for k, v in self.baseline.items()}, tuple(sorted(self.plan.calibrated)),
            self.neutral_source(), self.reference.to_json() if has_reps else None,
            self.reference.reps_used if has_reps else None, tuple(asdict(r) for r in self.reps),
            round(h, 2) if (h := self.held_time(self._last_t)) is not None else None,
            has_reps and s.phase != "rest" and self.stop is None)

    def neutral_source(self) -> str:
        """What the watched metrics' neutral is: "profile", "set start", "first lockout" or "population"."""
        if self.plan.has_profile:
            return "profile"
        if not self.spec.has_reps:
            early = self.baselines.early
            return "set start" if early and all(n in self.baseline for n in early) else "population"
        return self.rep_verdicts.neutral_source or "population"
