"""Rules behind one hook: each frame, every rule of the exercise sees a :class:`FrameContext` and answers a
:class:`~formwatch.core.events.Stop`, a :class:`~formwatch.core.events.Note` or ``None``.

A rule is a small class with its own settings, a ``step(ctx)`` and a ``reset()`` (a new set), registered by name
with :func:`register_rule`; an exercise names the rules it uses (``ExerciseSpec.rules``) and the detector
(core/detector.py) builds them and calls them in that order — it knows nothing of any rule in particular. The
context says what happened this frame (``event``: a rep's turn or end), the readings and their deviations against
the neutral and against the person's own first reps at the same phase, and lets a rule read the set so far through
:class:`SetState`. All thresholds are in seconds and real units, never frames (docs/detector.md). The built-in
rules are in core/rule_blocks.py.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from typing import Callable, Iterator, Mapping, Protocol, Sequence

from formwatch.core.breathing import BreathState
from formwatch.core.events import Note, Stop
from formwatch.core.registry import MetricSpec
from formwatch.core.reps import RepRecord

__all__ = ["Debounce", "FrameContext", "Rule", "RuleFactory", "SetState", "build_rules", "register_rule",
           "registered_rule", "rule_names"]


class SetState(Protocol):
    """What a rule may read of the set in progress (the detector provides it)."""

    @property
    def watched(self) -> tuple[MetricSpec, ...]: ...

    @property
    def driver(self) -> MetricSpec: ...

    @property
    def reps(self) -> Sequence[RepRecord]: ...

    @property
    def baseline(self) -> Mapping[str, float]: ...

    @property
    def limits(self) -> Mapping[str, float]: ...

    def safety_of(self, metric: MetricSpec) -> float: ...

    def is_calibrated(self, name: str) -> bool: ...

    def phase_limit(self, metric: MetricSpec) -> float | None: ...


@dataclass(frozen=True)
class FrameContext:
    """One frame as the rules see it. Deviations are in the metrics' units, positive = worse, NaN where unknown;
    ``phase_deviations``/``phase_limits`` exist once the person's own first reps made a reference."""

    t_s: float
    state: SetState
    event: str  # the rep segmenter's word this frame: "", "rest learned", "turned", "completed"
    values: tuple[float, ...]  # the watched metrics' readings
    absolute: tuple[float, ...]  # against the neutral (the baseline)
    limits: tuple[float, ...]  # the limits in force against the neutral
    phase_deviations: tuple[float, ...] | None
    phase_limits: tuple[float, ...] | None
    rep: int  # the rep in progress (1-based), or the last completed one while resting; 0 in a hold
    judging: bool  # the set is under way, tracking is on and settled: per-frame limits apply
    active: bool  # the set is under way (a hold has started, or a rep)
    gap: bool  # tracking was lost during the rep in progress
    bottom_deg: float  # the rep in progress's depth so far (degrees of the driver from rest)
    breath: BreathState | None = None
    held_s: float | None = None  # time into a hold


class Rule(Protocol):
    """A stop rule: ``step`` every frame, ``reset`` at a new set."""

    def step(self, ctx: FrameContext) -> Stop | Note | None: ...

    def reset(self) -> None: ...


class Debounce:
    """A deviation past its limit for longer than ``debounce_s`` (a one-frame spike never counts). A dip back under
    the limit shorter than :data:`DIP_S` does not restart the count: one frame of noise ends it at 15 fps as at
    60 fps alike, so the stop comes at the same moment whatever the camera's frame rate."""

    DIP_S = 0.1

    def __init__(self, debounce_s: float) -> None:
        self.debounce_s = debounce_s
        self._over_since: dict[str, float] = {}
        self._under_since: dict[str, float] = {}

    def reset(self) -> None:
        self._over_since.clear()
        self._under_since.clear()

    def forget(self, metric: MetricSpec) -> None:
        """Start the count for ``metric`` afresh (after a crossing was taken as a note, not a stop)."""
        self._over_since.pop(metric.name, None)
        self._under_since.pop(metric.name, None)

    def over(self, t_s: float, metrics: tuple[MetricSpec, ...], deviations: Sequence[float],
             limits: Sequence[float]) -> int | None:
        """The index of the first metric that has stayed past its limit for ``debounce_s``, or None."""
        for i, (metric, deviation, limit) in enumerate(zip(metrics, deviations, limits)):
            name = metric.name
            if not deviation > limit:  # NaN (not measured, no reference yet) is never over
                under = self._under_since.setdefault(name, t_s)
                if t_s - under >= self.DIP_S or name not in self._over_since:
                    self._over_since.pop(name, None)
                continue
            self._under_since.pop(name, None)
            since = self._over_since.setdefault(name, t_s)
            if t_s - since >= self.debounce_s:
                return i
        return None


def finite(value: float) -> bool:
    return not math.isnan(value) and not math.isinf(value)


# ------------------------------------------------------------------------------------------------- the registry
# name -> factory(detector config, exercise spec) -> a rule, or None where it does not apply.
RuleFactory = Callable[..., "Rule | None"]
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
    from formwatch.core import rule_blocks  # noqa: F401 - the built-in rules register themselves

    return tuple(_RULES)


def build_rules(names: tuple[str, ...], config: object, spec: object) -> dict[str, Rule]:
    """The rules ``names`` for a set of ``spec`` with the detector's ``config``, in that order (None dropped)."""
    known = rule_names()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown rules {unknown}; known: {', '.join(known)}")
    built = {name: _RULES[name](config, spec) for name in names}
    return {name: rule for name, rule in built.items() if rule is not None}
