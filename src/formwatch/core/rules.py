"""Stop rules as small blocks, each with its own configuration; an exercise lists the rules it uses.

Every rule reads the set's state through a :class:`SetContext` (the detector) and answers with a
:class:`StopEvent` or ``None``. Hooks: ``on_frame`` (every frame while the set is active), ``on_turn`` (a rep has
just turned, its depth known) and ``on_rep`` (a fully tracked rep has just completed). All thresholds are in
seconds and real units, never frames (docs/detector.md).
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Protocol

import numpy as np

from formwatch.core.registry import REGISTRY, MetricSpec


@dataclass(frozen=True)
class StopEvent:
    """Why and when the set ended; ``reason`` is the sentence the user reads, ``advice`` what to do next time."""

    t_s: float
    rep: int
    metric: str
    value: float
    limit: float
    reason: str
    rule: str
    clean_reps: int
    advice: str = ""
    headline: str = ""  # what and how much, for a banner: "Shoulders crept up 0.8 cm"
    judged: str = ""  # what it was judged against: "phase" (your first reps), "gross", "limit" (neutral), "drift"...


TEMPO = "tempo"  # the pseudo-metric of the tempo rule


def _spec(metric: MetricSpec | str) -> MetricSpec | None:
    if isinstance(metric, MetricSpec):
        return metric
    return REGISTRY[metric] if metric in REGISTRY else None


def _wording(metric: MetricSpec | str) -> tuple[str, str, int]:
    spec = _spec(metric)
    if spec is None:  # the tempo rule's pseudo-metric
        return "Reps slowed", " %", 0
    return spec.phrase or spec.label, spec.unit, spec.digits


def seconds_text(seconds: float) -> str:
    """Seconds as the user reads them everywhere (banner, counter, summary): tenths below 10 s."""
    return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"


def headline(metric: MetricSpec | str, value: float) -> str:
    label, unit, digits = _wording(metric)
    return f"{label} {value:.{digits}f}{unit}"


def reason_sentence(metric: MetricSpec | str, value: float, rep: int, clean: int, rule: str, limit: float,
                    held_s: float | None = None) -> str:
    """The sentence a person reads across the room (``held_s``: time into a hold, for exercises without reps)."""
    label, unit, digits = _wording(metric)
    amount = f"{value:.{digits}f}{unit}"
    clean_part = f"{clean} clean rep{'s' if clean != 1 else ''}." if rep else ""
    where = f" at rep {rep}" if rep else (f" after {seconds_text(held_s)} of the hold" if held_s is not None else "")
    if rule == "phase":
        return f"{label} {amount} more than in your first reps{where} — set ended. {clean_part}".strip()
    if rule == "gross":
        return (f"{label} {amount}{where}, far past the usual limit — set ended. {clean_part}").strip()
    if rule == "drift":
        return (f"{label} {amount}{where} and worsening; the next rep would pass {limit:.{digits}f}{unit} — set "
                f"ended. {clean_part}").strip()
    return f"{label} {amount}{where} — set ended. {clean_part}".strip()


def make_stop(t_s: float, rep: int, metric: MetricSpec | str, value: float, limit: float, rule: str, clean: int,
              sentence_rule: str | None = None, held_s: float | None = None) -> StopEvent:
    """A StopEvent with its sentence and the metric's advice (``metric``: its spec as the exercise judges it)."""
    spec = _spec(metric)
    advice = spec.advice if spec is not None else "Rest, then start a fresh set with fewer reps"
    name = spec.name if spec is not None else str(metric)
    return StopEvent(t_s, rep, name, round(float(value), 2), round(float(limit), 2),
                     reason_sentence(metric, value, rep, clean, sentence_rule or rule, limit, held_s), rule, clean,
                     advice, headline(metric, value), sentence_rule or rule)


class SetContext(Protocol):
    """What rules read of the set in progress (the detector provides it)."""

    watched: tuple[MetricSpec, ...]
    baseline: dict[str, float]
    limits: dict[str, float]

    @property
    def reps(self) -> list: ...

    def limit_of(self, metric: MetricSpec) -> float: ...

    def current_rep(self) -> int: ...

    def held_time(self, t_s: float) -> float | None: ...

    def phase_limit(self, metric: MetricSpec) -> float | None: ...


@dataclass
class LimitRule:
    """A deviation past its limit for longer than ``debounce_s`` (a one-frame spike never counts). The detector
    hands it deviations and limits: against the neutral (holds, the first reps), against the person's own first reps
    at the same phase, or gross ones; it says what the crossing means."""

    debounce_s: float = 0.2

    def __post_init__(self) -> None:
        self._over_since: dict[str, float] = {}

    def reset(self) -> None:
        self._over_since.clear()

    def over(self, t_s: float, metrics: tuple[MetricSpec, ...], deviations: list[float], limits: list[float]
             ) -> int | None:
        """The index of the first metric that has stayed past its limit for ``debounce_s``, or None."""
        for i, (metric, deviation, limit) in enumerate(zip(metrics, deviations, limits)):
            if not deviation > limit:  # NaN (not measured, no reference yet) is never over
                self._over_since.pop(metric.name, None)
                continue
            since = self._over_since.setdefault(metric.name, t_s)
            if t_s - since >= self.debounce_s:
                return i
        return None

    def forget(self, metric: MetricSpec) -> None:
        """Start the debounce for ``metric`` afresh (after a crossing was taken as a note, not a stop)."""
        self._over_since.pop(metric.name, None)


@dataclass
class DepthRule:
    """At a rep's turn: it came up short of the set's first reps' depth by more than the limit."""

    loss_fraction: float = 0.15  # of the first reps' depth
    min_loss_deg: float = 10.0
    baseline_reps: int = 2

    def learn(self, ctx: SetContext, driver: str) -> None:
        tracked = [r for r in ctx.reps if r.fully_tracked]
        if len(tracked) >= self.baseline_reps and driver not in ctx.baseline:
            depth = float(np.mean([r.depth_deg for r in tracked[: self.baseline_reps]]))
            ctx.baseline[driver] = depth
            ctx.limits.setdefault(driver, max(self.loss_fraction * depth, self.min_loss_deg))

    def on_turn(self, ctx: SetContext, t_s: float, driver: str, bottom_deg: float) -> StopEvent | None:
        base, limit = ctx.baseline.get(driver), ctx.limits.get(driver)
        if base is None or limit is None:
            return None
        lost = base - bottom_deg
        if lost <= limit:
            return None
        rep = len(ctx.reps) + 1
        return make_stop(t_s, rep, driver, lost, limit, "limit", rep - 1)


@dataclass
class DriftRule:
    """A per-rep feature worsening rep after rep; stops when the *next* rep is predicted to cross the limit."""

    trend_reps: int = 3
    baseline_reps: int = 2

    def on_rep(self, ctx: SetContext, t_s: float, driver: str) -> StopEvent | None:
        n = self.trend_reps
        tracked = [r for r in ctx.reps if r.fully_tracked]
        if len(tracked) < max(self.baseline_reps + 1, n):
            return None
        recent = tracked[-n:]
        # Form metrics: each rep's excess over the person's own first reps at the same phase (a pattern they had
        # from the start is no drift); depth: how much shallower than the first reps.
        series: list[tuple[MetricSpec | str, list[float], float | None]] = [
            (m, [r.excess.get(m.name, math.nan) for r in recent], ctx.phase_limit(m)) for m in ctx.watched if m.trend]
        if driver in ctx.baseline:
            series.append((driver, [ctx.baseline[driver] - r.depth_deg for r in recent], ctx.limits.get(driver)))
        for metric, values, limit in series:
            devs = np.asarray(values, dtype=np.float64)
            if limit is None or not np.all(np.isfinite(devs)) or not np.all(np.diff(devs) > 0):
                continue  # not worsening rep after rep
            predicted = devs[-1] + float(np.polyfit(np.arange(n), devs, 1)[0])
            if predicted >= limit and devs[-1] >= 0.5 * limit:
                rep = len(ctx.reps)
                already_over = devs[-1] >= limit  # this rep itself was past the limit: it was not clean
                return make_stop(t_s, rep, metric, float(devs[-1]), limit, "drift", rep - 1 if already_over else rep,
                                 sentence_rule="limit" if already_over else "drift")
        return None


@dataclass
class TempoRule:
    """The working phase slowing: mean velocity ``depth / up time`` down by ``loss_fraction`` from the best rep,
    on ``consecutive_reps`` reps in a row (velocity-based training stops at about 20 % loss)."""

    loss_fraction: float = 0.20
    consecutive_reps: int = 2
    baseline_reps: int = 2

    def __post_init__(self) -> None:
        self._slow_reps = 0

    def reset(self) -> None:
        self._slow_reps = 0

    def on_rep(self, ctx: SetContext, t_s: float, driver: str) -> StopEvent | None:
        velocities = [r.depth_deg / r.up_s for r in ctx.reps if r.up_s > 0 and r.fully_tracked]
        if len(velocities) < self.baseline_reps + 1:
            return None
        loss = 1.0 - velocities[-1] / max(velocities)
        self._slow_reps = self._slow_reps + 1 if loss >= self.loss_fraction else 0
        if self._slow_reps < self.consecutive_reps:
            return None
        rep = len(ctx.reps)
        return make_stop(t_s, rep, TEMPO, 100 * loss, 100 * self.loss_fraction, TEMPO, rep - self.consecutive_reps,
                         sentence_rule="limit")


@dataclass
class BreathRule:
    """In a hold, a breath held beyond ``hold_limit_s`` (or strained breathing) ends the set: bracing by holding the
    breath is the body running out of ways to keep the position."""

    hold_limit_s: float = 5.0
    warned_s: float = 2.0  # the "keep breathing" cue is on screen (and spoken) this long before the stop
    _held_since_t: float | None = None  # when the held breath was declared (it is declared in breaths, late)

    def on_frame(self, t_s: float, breath: Any, held_s: float | None) -> StopEvent | None:
        if not breath.held:
            self._held_since_t = None
        elif self._held_since_t is None:
            self._held_since_t = t_s
        warned = self._held_since_t is not None and t_s - self._held_since_t >= self.warned_s
        if breath.held and breath.held_s > self.hold_limit_s and warned:
            where = f" after {seconds_text(held_s)} of the hold" if held_s is not None else ""
            return StopEvent(t_s, 0, "breath", round(breath.held_s, 1), self.hold_limit_s,
                             f"Breath held {seconds_text(breath.held_s)}{where} — set ended.", "breath", 0,
                             "Breathe out slowly through pursed lips and keep breathing through the hold",
                             f"Breath held {seconds_text(breath.held_s)}")
        if breath.strained:
            where = f" after {seconds_text(held_s)} of the hold" if held_s is not None else ""
            return StopEvent(t_s, 0, "breath", round(breath.rate_bpm, 1), self.hold_limit_s,
                             f"Breathing strained ({breath.rate_bpm:.0f} a minute, shallow){where} — set ended.",
                             "breath", 0, "Rest until your breathing is calm, then hold for less time",
                             "Breathing strained")
        return None


# ------------------------------------------------------------------------------------------------- the registry
# name -> factory(detector config, exercise spec) -> a rule, or None where it does not apply. An exercise names its
# rules (ExerciseSpec.rules); the detector builds them from here and calls each at the hooks it has: ``on_rep``
# after every fully tracked rep, ``on_turn`` at a rep's turn (depth), ``on_frame`` with the breath (holds). A new
# rule is a class with those hooks and one ``register_rule`` call, in a file of its own.
RuleFactory = Callable[[Any, Any], Any]
_RULES: dict[str, RuleFactory] = {}


def register_rule(name: str, factory: RuleFactory) -> RuleFactory:
    if name in _RULES:
        raise ValueError(f"rule {name!r} is registered already")
    _RULES[name] = factory
    return factory


@contextlib.contextmanager
def registered_rule(name: str, factory: RuleFactory) -> Iterator[RuleFactory]:
    """Register ``factory`` as rule ``name`` for a ``with`` block (tests, plug-ins trying a rule)."""
    register_rule(name, factory)
    try:
        yield factory
    finally:
        del _RULES[name]


def rule_names() -> tuple[str, ...]:
    return tuple(_RULES)


def build_rules(names: tuple[str, ...], config: Any, spec: Any) -> dict[str, Any]:
    """The rules ``names`` for a set of ``spec`` with the detector's ``config``, in that order (None dropped)."""
    unknown = [n for n in names if n not in _RULES]
    if unknown:
        raise ValueError(f"{spec.name}: unknown rules {unknown}; known: {', '.join(_RULES)}")
    built = {name: _RULES[name](config, spec) for name in names}
    return {name: rule for name, rule in built.items() if rule is not None}


register_rule("limit", lambda cfg, spec: LimitRule(cfg.debounce_s))
register_rule("drift", lambda cfg, spec: DriftRule(cfg.trend_reps, cfg.baseline_reps) if cfg.drift_rule else None)
register_rule("depth", lambda cfg, spec: DepthRule(cfg.depth_loss_fraction, cfg.min_depth_loss_deg, cfg.baseline_reps)
              if spec.has_reps else None)
register_rule("tempo", lambda cfg, spec: TempoRule(cfg.tempo_loss_fraction, cfg.tempo_consecutive_reps,
                                                   cfg.baseline_reps) if cfg.tempo_rule else None)
# A held or strained breath ends a hold; in a rep set it is a cue (ui/view_model.pacing_cue), never a stop.
register_rule("breath", lambda cfg, spec: None if spec.has_reps else BreathRule(spec.breath_hold_limit_s))
