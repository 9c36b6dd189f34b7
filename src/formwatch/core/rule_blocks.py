"""The built-in rules (core/rules.py has the hook they share). Each reads one frame's :class:`FrameContext` and
answers a stop, a technique note or nothing; docs/detector.md says why each threshold is what it is.

- ``gross``: a rep exercise, far past the safety limit from the neutral (before the person's reference exists too);
- ``phase``: a rep exercise, past the limit against the person's own first reps at the same phase;
- ``limit``: against the neutral — a hold's stop; in a rep set before its reference, a technique note where the
  neutral is known (calibrated, or a population zero), never a stop;
- ``depth``: at a rep's turn, shallower than the first reps by more than the limit;
- ``drift``: after a rep, a feature worsening rep after rep, stopped before the next rep would cross the limit;
- ``tempo``: after a rep, the working phase slowed against the set's fastest rep, on consecutive reps;
- ``breath``: a hold, a breath held too long or breathing strained.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from formwatch.core.events import BREATH, TEMPO, Against, Note, Stop
from formwatch.core.reps import COMPLETED, TURNED
from formwatch.core.rules import Debounce, FrameContext, register_rule

__all__ = ["BreathRule", "DepthRule", "DriftRule", "GrossRule", "NeutralLimitRule", "PhaseRule", "TempoRule"]


class GrossRule:
    """A rep past ``gross_factor`` safety limits from the neutral ends the set at once, even in the first reps
    (the safety limits only: limits that evolved tighter never scale it)."""

    def __init__(self, debounce_s: float, gross_factor: float) -> None:
        self.debounce = Debounce(debounce_s)
        self.gross_factor = gross_factor

    def reset(self) -> None:
        self.debounce.reset()

    def step(self, ctx: FrameContext) -> Stop | Note | None:
        if not ctx.judging:
            self.debounce.reset()
            return None
        watched = ctx.state.watched
        gross = [self.gross_factor * ctx.state.safety_of(m) for m in watched]
        i = self.debounce.over(ctx.t_s, watched, ctx.absolute, gross)
        if i is None:
            return None
        return Stop(ctx.t_s, ctx.rep, watched[i].name, round(ctx.absolute[i], 2), round(ctx.limits[i], 2), "gross",
                    Against.GROSS, calibrated=ctx.state.is_calibrated(watched[i].name)
                    or watched[i].natural_zero is None)


class PhaseRule:
    """Against the person's own first reps at the same phase: past the limit for ``debounce_s``."""

    def __init__(self, debounce_s: float) -> None:
        self.debounce = Debounce(debounce_s)

    def reset(self) -> None:
        self.debounce.reset()

    def step(self, ctx: FrameContext) -> Stop | Note | None:
        if not ctx.judging or ctx.phase_deviations is None or ctx.phase_limits is None:
            self.debounce.reset()
            return None
        watched = ctx.state.watched
        i = self.debounce.over(ctx.t_s, watched, ctx.phase_deviations, ctx.phase_limits)
        if i is None:
            return None
        return Stop(ctx.t_s, ctx.rep, watched[i].name, round(ctx.phase_deviations[i], 2),
                    round(ctx.phase_limits[i], 2), "phase", Against.OWN_REPS)


class NeutralLimitRule:
    """Against the neutral. A hold: past the limit for ``debounce_s`` ends it. A rep set, before the person's own
    reference exists: a note where the neutral is known (calibrated, or a population zero) — the way this person
    moves, said once — never a stop; without a known neutral the set's own baseline mixes in how the reading moves
    with the rep itself, which is no technique point."""

    def __init__(self, debounce_s: float, has_reps: bool) -> None:
        self.debounce = Debounce(debounce_s)
        self.has_reps = has_reps
        self._noted: set[str] = set()

    def reset(self) -> None:
        self.debounce.reset()
        self._noted.clear()

    def step(self, ctx: FrameContext) -> Stop | Note | None:
        if not ctx.judging or ctx.phase_deviations is not None:
            self.debounce.reset()
            return None
        watched = ctx.state.watched
        i = self.debounce.over(ctx.t_s, watched, ctx.absolute, ctx.limits)
        if i is None:
            return None
        metric = watched[i]
        known = ctx.state.is_calibrated(metric.name) or metric.natural_zero is not None
        if not self.has_reps:
            return Stop(ctx.t_s, 0, metric.name, round(ctx.absolute[i], 2), round(ctx.limits[i], 2), "limit",
                        Against.NEUTRAL, calibrated=ctx.state.is_calibrated(metric.name)
                        or metric.natural_zero is None, held_s=ctx.held_s)
        self.debounce.forget(metric)
        if not known or metric.name in self._noted:
            return None
        self._noted.add(metric.name)
        against = Against.PROFILE if ctx.state.is_calibrated(metric.name) else Against.POPULATION_ZERO
        return Note(ctx.t_s, ctx.rep, metric.name, round(ctx.absolute[i], 2), round(ctx.limits[i], 2), against)


@dataclass
class DepthRule:
    """At a rep's turn: it came up short of the set's first reps' depth by more than the limit."""

    def reset(self) -> None:
        return None

    def step(self, ctx: FrameContext) -> Stop | Note | None:
        if ctx.event != TURNED or ctx.gap:  # a rep seen only in part says nothing about depth
            return None
        driver = ctx.state.driver.name
        base, limit = ctx.state.baseline.get(driver), ctx.state.limits.get(driver)
        if base is None or limit is None:
            return None
        lost = base - ctx.bottom_deg
        if lost <= limit:
            return None
        return Stop(ctx.t_s, len(ctx.state.reps) + 1, driver, round(lost, 2), round(limit, 2), "depth",
                    Against.FIRST_REPS_DEPTH)


@dataclass
class DriftRule:
    """After a fully tracked rep: a per-rep feature worsening rep after rep; stops when the *next* rep is predicted
    to cross the limit (or this one already did)."""

    trend_reps: int = 3
    baseline_reps: int = 2

    def reset(self) -> None:
        return None

    def step(self, ctx: FrameContext) -> Stop | Note | None:
        reps = ctx.state.reps
        if ctx.event != COMPLETED or not reps or not reps[-1].fully_tracked:
            return None
        n = self.trend_reps
        tracked = [r for r in reps if r.fully_tracked]
        if len(tracked) < max(self.baseline_reps + 1, n):
            return None
        recent = tracked[-n:]
        state = ctx.state
        # Form metrics: each rep's excess over the person's own first reps at the same phase (a pattern they had
        # from the start is no drift); depth: how much shallower than the first reps.
        series: list[tuple[str, list[float], float | None]] = [
            (m.name, [r.excess.get(m.name, math.nan) for r in recent], state.phase_limit(m))
            for m in state.watched if m.trend]
        driver = state.driver.name
        if driver in state.baseline:
            series.append((driver, [state.baseline[driver] - r.depth_deg for r in recent], state.limits.get(driver)))
        for metric, values, limit in series:
            devs = np.asarray(values, dtype=np.float64)
            if limit is None or not np.all(np.isfinite(devs)) or not np.all(np.diff(devs) > 0):
                continue  # not worsening rep after rep
            predicted = devs[-1] + float(np.diff(devs).min())  # at its slowest step so far: one sudden rep is
            # no trend to extrapolate (a demo squat's one shallower rep after two alike predicted a 20 deg loss)
            if predicted >= limit and devs[-1] >= 0.5 * limit:
                already_over = bool(devs[-1] >= limit)  # this rep itself was past the limit: it was not clean
                return Stop(ctx.t_s, len(reps), metric, round(float(devs[-1]), 2), round(limit, 2), "drift",
                            Against.TREND, predicted=not already_over)
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

    def step(self, ctx: FrameContext) -> Stop | Note | None:
        reps = ctx.state.reps
        if ctx.event != COMPLETED or not reps or not reps[-1].fully_tracked:
            return None
        velocities = [r.depth_deg / r.up_s for r in reps if r.up_s > 0 and r.fully_tracked]
        if len(velocities) < self.baseline_reps + 1:
            return None
        loss = 1.0 - velocities[-1] / max(velocities)
        self._slow_reps = self._slow_reps + 1 if loss >= self.loss_fraction else 0
        if self._slow_reps < self.consecutive_reps:
            return None
        return Stop(ctx.t_s, len(reps), TEMPO, round(100 * loss, 2), round(100 * self.loss_fraction, 2), "tempo",
                    Against.BEST_TEMPO)


@dataclass
class BreathRule:
    """In a hold, a breath held beyond ``hold_limit_s`` (or strained breathing) ends the set: bracing by holding
    the breath is the body running out of ways to keep the position. The "keep breathing" cue is on screen (and
    spoken) ``warned_s`` before the stop."""

    hold_limit_s: float = 5.0
    warned_s: float = 2.0

    def __post_init__(self) -> None:
        self._held_since_t: float | None = None  # when the held breath was declared (declared in breaths, late)

    def reset(self) -> None:
        self._held_since_t = None

    def step(self, ctx: FrameContext) -> Stop | Note | None:
        breath = ctx.breath
        if breath is None or not ctx.active:
            return None
        if not breath.held:
            self._held_since_t = None
        elif self._held_since_t is None:
            self._held_since_t = ctx.t_s
        warned = self._held_since_t is not None and ctx.t_s - self._held_since_t >= self.warned_s
        if breath.held and breath.held_s > self.hold_limit_s and warned:
            return Stop(ctx.t_s, 0, BREATH, round(breath.held_s, 1), self.hold_limit_s, "breath_held",
                        Against.BREATH, held_s=ctx.held_s)
        if breath.strained:
            return Stop(ctx.t_s, 0, BREATH, round(breath.rate_bpm, 1), self.hold_limit_s, "breath_strained",
                        Against.BREATH, held_s=ctx.held_s)
        return None


register_rule("depth", lambda cfg, spec: DepthRule() if spec.has_reps else None)
register_rule("drift", lambda cfg, spec: DriftRule(cfg.trend_reps, cfg.baseline_reps)
              if cfg.drift_rule and spec.has_reps else None)
register_rule("tempo", lambda cfg, spec: TempoRule(cfg.tempo_loss_fraction, cfg.tempo_consecutive_reps,
                                                   cfg.baseline_reps) if cfg.tempo_rule and spec.has_reps else None)
register_rule("gross", lambda cfg, spec: GrossRule(cfg.debounce_s, cfg.gross_factor) if spec.has_reps else None)
register_rule("phase", lambda cfg, spec: PhaseRule(cfg.phase_debounce_s) if spec.has_reps else None)
register_rule("limit", lambda cfg, spec: NeutralLimitRule(cfg.debounce_s, spec.has_reps))
# A held or strained breath ends a hold; in a rep set it is a cue, never a stop.
register_rule("breath", lambda cfg, spec: None if spec.has_reps else BreathRule(spec.breath_hold_limit_s))
