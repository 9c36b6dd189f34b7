"""What a set is judged against: one frozen plan, built by one function, replaced whole — never patched.

A review found "what this set is judged against" assembled in five places that had drifted apart: the sign of a
"rounding" metric applied in some only, a safety stop scaled by limits that had evolved, a metric missing from a
profile judged against a raw 0. The plan holds all of it once:

- the exercise and its **judged specs** (``judged_lower`` applied here, once: the hinge's lumbar curve is judged
  falling, i.e. the low back rounding);
- the **neutral** row the pipeline subtracts, where it came from, and *which* watched metrics it calibrates;
- the **safety limits**: calibrated (the profile's) or population (the registry's defaults), fixed for the set;
  the gross stop and every hard cap derive from these only;
- the **limits in force**: the safety limits, or tighter ones the person's history supports (core/signature.py);
  they sharpen technique notes and the phase-matched rule, never the safety stop;
- a reason for each limit, in words.

A new set, an in-window calibration, and later a recognised exercise each build a new plan with :func:`make_plan`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Mapping

import numpy as np

from formwatch.core.exercises import ExerciseSpec, get_exercise
from formwatch.core.profile import Profile
from formwatch.core.registry import MetricSpec

__all__ = ["POPULATION_DEFAULT", "SetPlan", "make_plan", "with_population_limits"]

POPULATION_DEFAULT = "population default"  # the reason of a limit no profile gives

_EMPTY: Mapping[str, float] = MappingProxyType({})


@dataclass(frozen=True)
class SetPlan:
    """Everything a set is judged against (see the module docstring). Build it with :func:`make_plan`."""

    exercise: ExerciseSpec
    judged: tuple[MetricSpec, ...]  # the watched metrics, each turned the way this exercise judges it
    neutral: np.ndarray | None = None  # the metrics row the pipeline subtracts (None: raw metrics)
    neutral_source: str = "population"  # "profile" or "population"
    calibrated: frozenset[str] = frozenset()  # watched metrics whose neutral (zero) the profile gives
    safety_limits: Mapping[str, float] = field(default_factory=lambda: _EMPTY)  # fixed for the set
    limits_in_force: Mapping[str, float] = field(default_factory=lambda: _EMPTY)  # never looser than the safety limits
    reasons: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    profile_name: str | None = None
    # The phase-matched reference of this person's latest clean set of the exercise (PhaseReference.to_json, from
    # the history): it judges the first reps' verdicts at the same phase before the set has its own; never a stop.
    prior_reference: Mapping[str, object] | None = None

    @property
    def has_profile(self) -> bool:
        return self.neutral_source == "profile"

    def judged_spec(self, name: str) -> MetricSpec:
        """The watched metric ``name`` as this exercise judges it."""
        for spec in self.judged:
            if spec.name == name:
                return spec
        raise KeyError(f"{self.exercise.name} does not watch {name!r}")

    def is_calibrated(self, name: str) -> bool:
        return name in self.calibrated


def _limit(value: float | None) -> float | None:
    return float(value) if value is not None and math.isfinite(value) and value > 0 else None


def make_plan(exercise: str | ExerciseSpec, profile: Profile | None = None,
              evolved: Mapping[str, float] | None = None, limits: Mapping[str, float] | None = None,
              calibrated: bool | None = None, prior_reference: Mapping[str, object] | None = None) -> SetPlan:
    """The plan of a set of ``exercise``.

    ``profile``: the person's calibration (its neutral, its calibrated metrics and their limits). ``evolved``: the
    limits in force the history supports (app/signature.py); each is clamped to be no looser than its safety
    limit. ``limits`` and ``calibrated`` build a plan without a profile object (the simulator, tests): the given
    limits are the safety limits, and ``calibrated`` says whether the metrics are already relative to a neutral.
    """
    spec = exercise if isinstance(exercise, ExerciseSpec) else get_exercise(exercise)
    judged = spec.watched_specs()
    safety: dict[str, float] = {}
    reasons: dict[str, str] = {}
    if profile is not None:
        cal = frozenset(m.name for m in judged if m.name in profile.metrics
                        and math.isfinite(profile.metrics[m.name].neutral))
        given = dict(profile.limits)
        source, neutral = "profile", profile.neutral_vector()
    else:
        cal = frozenset(m.name for m in judged) if calibrated else frozenset()
        given = dict(limits or {})
        source, neutral = ("profile" if calibrated else "population"), None
    for metric in judged:
        own = _limit(given.get(metric.name))
        if own is not None:
            safety[metric.name] = own
            reasons[metric.name] = "calibrated" if metric.name in cal or calibrated else "given"
        elif (default := _limit(metric.default_limit)) is not None:
            safety[metric.name] = default
            reasons[metric.name] = POPULATION_DEFAULT
    in_force = dict(safety)
    for name, value in (evolved or {}).items():
        tighter = _limit(value)
        if name in safety and tighter is not None and tighter < safety[name]:
            in_force[name] = tighter
            reasons[name] = f"evolved from your history (safety limit {safety[name]:g})"
    return SetPlan(spec, judged, neutral, source, cal, MappingProxyType(safety), MappingProxyType(in_force),
                   MappingProxyType(reasons), profile.name if profile is not None else None, prior_reference)


def with_population_limits(plan: SetPlan, limits: Mapping[str, float]) -> SetPlan:
    """``plan`` with each population default it holds replaced by the fitted one of ``limits`` (the judge's fitted
    values, core/judge_params.py, by metric): the registry's default stands only where nothing was fitted. A new plan;
    the judge applies it to every plan it is given, so the live judge, a replay and a cross-validated fold each judge
    a first set by their own fitted values."""
    fitted = {name: limit for name, given in limits.items()
              if plan.reasons.get(name) == POPULATION_DEFAULT and (limit := _limit(given)) is not None}
    if not fitted:
        return plan
    return replace(plan, safety_limits=MappingProxyType({**plan.safety_limits, **fitted}),
                   limits_in_force=MappingProxyType({**plan.limits_in_force, **fitted}))
