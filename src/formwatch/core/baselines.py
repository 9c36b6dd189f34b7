"""What each watched metric of a set is measured from, and the limits it is held to — per metric, per set.

The plan (core/plan.py) says which metrics are calibrated and their limits; what the plan cannot know the set
learns for itself: a metric with a natural zero and no calibration takes the set's own standing posture (the rest
before the first rep), and a metric with neither takes the median of its first clean reps (or first seconds of a
hold) as its zero and ``noise_k`` times their spread as its limit. The detector reads deviations from here; the
rules read ``baseline`` and ``limits`` through the detector.
"""

from __future__ import annotations

import math

import numpy as np

from formwatch.core.plan import POPULATION_DEFAULT, SetPlan
from formwatch.core.registry import MetricSpec

__all__ = ["SetBaselines"]


class SetBaselines:
    """The baseline (zero), the limit in force and the safety limit of each watched metric, for one set."""

    def __init__(self, plan: SetPlan, noise_k: float) -> None:
        self.plan = plan
        self.noise_k = noise_k
        self.watched: tuple[MetricSpec, ...] = plan.judged
        self.limits: dict[str, float] = dict(plan.limits_in_force)  # notes, the phase rule
        self.safety: dict[str, float] = dict(plan.safety_limits)  # the gross stop
        # A calibrated metric is already relative to its neutral; one with a natural zero starts there; the others
        # learn their baseline from the set's first reps (or first seconds of a hold).
        self.baseline: dict[str, float] = {}
        for m in self.watched:
            if plan.is_calibrated(m.name):
                self.baseline[m.name] = 0.0
            elif m.natural_zero is not None:
                self.baseline[m.name] = m.natural_zero
        self.early: dict[str, list[float]] = {m.name: [] for m in self.watched if m.name not in self.baseline}
        for name in self.early:  # a metric learning its baseline learns its limit with it, from the set's noise
            if plan.reasons.get(name) == POPULATION_DEFAULT:
                self.limits.pop(name, None)
                self.safety.pop(name, None)

    def limit_of(self, metric: MetricSpec) -> float:
        """The limit in force (the plan's, or the set's own once learned), else the metric's default; inf: none."""
        default = metric.default_limit if metric.default_limit is not None else math.inf
        return self.limits.get(metric.name, default)

    def safety_of(self, metric: MetricSpec) -> float:
        """The safety limit: calibrated or population, fixed for the set (else the set's own learned limit); never
        an evolved one."""
        return self.safety.get(metric.name, self.limit_of(metric))

    def absolute(self, values: list[float]) -> list[float]:
        """Each watched metric's deviation from its baseline, positive = worse; NaN where no baseline yet."""
        out = []
        for metric, value in zip(self.watched, values):
            base = self.baseline.get(metric.name)
            out.append(metric.worsening(value - base) if base is not None else math.nan)
        return out

    def rest_learned(self, rest_values: dict[str, float]) -> None:
        """The set's standing posture is the zero of each uncalibrated metric with a natural zero — unless it reads
        on the better side of that zero: hips still flexed at the rest (a deadlift set up over the bar) are no
        reference for "past straight", and would make the lockout's straight hips read as pushed past it."""
        for metric in self.watched:
            if metric.natural_zero is not None and metric.name in rest_values \
                    and not self.plan.is_calibrated(metric.name):
                rest = rest_values[metric.name]
                self.baseline[metric.name] = rest if metric.worsening(rest - metric.natural_zero) > 0 \
                    else metric.natural_zero

    def collect(self, values: list[float]) -> bool:
        """Keep this frame's readings of the metrics still learning; True while any has readings but no zero."""
        waiting = False
        for metric, value in zip(self.watched, values):
            early = self.early.get(metric.name)
            if early is not None and metric.name not in self.baseline:
                if not math.isnan(value):
                    early.append(value)
                waiting = waiting or bool(early)
        return waiting

    def learn(self) -> None:
        """Zeros of the metrics still learning, from what was collected; their limits from its spread (at least
        the metric's minimum, at most its maximum)."""
        for metric in self.watched:
            early = self.early.get(metric.name)
            if early and metric.name not in self.baseline:
                values = np.asarray(early)
                median = float(np.median(values))
                self.baseline[metric.name] = median
                noise = 1.4826 * float(np.median(np.abs(values - median)))
                learned = max(self.noise_k * noise, metric.min_limit or 0.0)
                self.limits.setdefault(metric.name, min(learned, metric.max_limit or math.inf))

    def learn_depth(self, driver: str, depths: list[float], loss_fraction: float, min_loss_deg: float) -> None:
        """The depth of the set's first fully tracked reps, and how much shallower a rep may go (the depth rule's
        baseline and limit), once ``depths`` holds them."""
        if depths and driver not in self.baseline:
            depth = float(np.mean(depths))
            self.baseline[driver] = depth
            self.limits.setdefault(driver, max(loss_fraction * depth, min_loss_deg))

