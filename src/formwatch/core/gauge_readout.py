"""What the detector's gauges read each frame, and the limits behind them: the screen's bars and metrics.csv.

A mixin of :class:`~formwatch.core.detector.Detector` (it reads the detector's state, changes none of it), kept
apart so that the detector's module stays about judging.
"""

from __future__ import annotations

import math
from typing import Any

from formwatch.core.verdict import Verdict

__all__ = ["GaugeReadout"]


class GaugeReadout:
    """Gauge deviations (fractions of their limits), the limits in force, and the metrics.csv verdict columns."""

    def _deviations(self, values: list[float]) -> tuple[float, ...]:
        """What the gauges show: each deviation as a fraction of the limit it is judged against now."""
        if self.spec.has_reps and self.reference.ready:
            deviations, limits = self._phase_now or self._phase(values)
        else:
            deviations, limits = self.baselines.absolute(values), [self.limit_of(m) for m in self.watched]
        out = [d / limit if limit > 0 else math.nan for d, limit in zip(deviations, limits)]
        if self.depth_rule is not None:
            name = self.driver.name
            if self.reps and name in self.baseline and name in self.limits:
                out.append((self.baseline[name] - self.reps[-1].depth_deg) / self.limits[name])
            else:
                out.append(math.nan)
        return tuple(out)

    def _static_limits(self) -> tuple[float, ...]:
        """The limits against the neutral, in the metric's units (NaN before they are known)."""
        out = [self.limit_of(m) for m in self.watched]
        if self.depth_rule is not None:
            out.append(self.limits.get(self.driver.name, math.nan))
        return tuple(v if math.isfinite(v) else math.nan for v in out)

    def gauge_limits(self) -> tuple[float, ...]:
        """The limit in force behind each gauge this frame: against your own first reps at this phase once they
        exist, else against the neutral; the depth gauge's against the first reps' depth."""
        if self.spec.has_reps and self.reference.ready:
            return self._last_limits[: len(self.watched)] + self._static_limits()[len(self.watched):]
        return self._static_limits()

    def row(self, verdict: Verdict) -> list[Any]:
        """This frame's verdict as metrics.csv values: rep, state, phase, then each gauge's deviation and limit."""
        pairs = zip(verdict.deviations, self.gauge_limits())
        return [verdict.rep, verdict.state, verdict.phase] + [value for pair in pairs for value in pair]

