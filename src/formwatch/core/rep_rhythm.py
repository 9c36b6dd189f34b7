"""Breathing through the reps: the rep's own rhythm taken out of the chest signal.

During a rep the trunk's front edge moves with the posture itself (the belly folds as the hips hinge), at the rep's
cadence, which lies inside the breathing band; so the chest signal is modelled as a smooth function of the driver
metric (the hinge, squat or bridge angle) plus breathing: ``chest = a + b u + c u^2 + breath`` with ``u`` the driver
in right angles. The coefficients are fitted causally by recursive least squares that forgets over ``memory_s``
(the relation drifts as the person shifts in the frame), and the a-priori residual — what the posture does not
explain — is the breathing, read by core/breathing.py like a still chest. Breathing that is not locked to the reps
survives the fit (it is uncorrelated with the posture over several reps); breathing locked one-to-one to the reps is
absorbed by it, and the monitor then says breathing cannot be read rather than guessing.

O(1) a sample: a 3x3 update in plain floats.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class RepRhythmConfig:
    memory_s: float = 30.0  # the fit forgets with this time constant
    warmup_s: float = 3.0  # no residual before the fit has seen this much
    initial_variance: float = 1e4  # the fit's prior uncertainty per coefficient (signal units squared)


class RepRhythm:
    """Feed ``residual(t_s, chest, driver_deg)``; NaN in, or before the fit has settled, gives NaN out."""

    def __init__(self, config: RepRhythmConfig = RepRhythmConfig()) -> None:
        self.config = config
        self.reset()

    def reset(self) -> None:
        self.theta = [0.0, 0.0, 0.0]
        v = self.config.initial_variance
        self.p = [[v, 0.0, 0.0], [0.0, v, 0.0], [0.0, 0.0, v]]
        self._t: float | None = None
        self._first_t: float | None = None

    def residual(self, t_s: float, chest: float, driver_deg: float) -> float:
        if chest != chest or driver_deg != driver_deg:
            return math.nan
        if self._first_t is None:
            self._first_t = t_s
            self.theta[0] = chest
        dt = t_s - self._t if self._t is not None and t_s > self._t else 0.0
        self._t = t_s
        forget = math.exp(-dt / self.config.memory_s)
        u = driver_deg / 90.0
        phi = (1.0, u, u * u)
        p = self.p
        p_phi = [p[i][0] * phi[0] + p[i][1] * phi[1] + p[i][2] * phi[2] for i in range(3)]
        denominator = forget + phi[0] * p_phi[0] + phi[1] * p_phi[1] + phi[2] * p_phi[2]
        gain = [v / denominator for v in p_phi]
        error = chest - (self.theta[0] * phi[0] + self.theta[1] * phi[1] + self.theta[2] * phi[2])
        self.theta = [self.theta[i] + gain[i] * error for i in range(3)]
        self.p = [[(p[i][j] - gain[i] * p_phi[j]) / forget for j in range(3)] for i in range(3)]
        return error if t_s - self._first_t >= self.config.warmup_s else math.nan
