"""Live smoothing without lag (One Euro filter) and zero-phase smoothing for stored traces.

The One Euro filter (Casiez, Roussel & Vogel, CHI 2012) is a low-pass filter whose cutoff rises with speed: slow
movement (holding a posture) is smoothed hard, so jitter disappears; fast movement (a rep) passes with little lag.
It is driven by the data's own timestamps, never the clock, so 15 fps and 60 fps behave alike.

Tuning (from the paper): set ``beta = 0`` and lower ``min_cutoff_hz`` until jitter at rest is acceptable, then raise
``beta`` until fast movements no longer lag. Units: ``min_cutoff_hz`` and ``derivative_cutoff_hz`` in hertz;
``beta`` in 1 / (signal unit per second), so it depends on what is filtered (here: normalised image coordinates
and metres, both of order 1 per second during a rep).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class OneEuroConfig:
    """Defaults tuned on real clips for landmark arrays (normalised image units and metres)."""

    min_cutoff_hz: float = 1.5  # smoothing at rest: lower = smoother, more lag when starting to move
    beta: float = 8.0  # speed coefficient: higher = less lag during fast movement, more jitter
    derivative_cutoff_hz: float = 1.0  # smoothing of the speed estimate itself


class OneEuroFilter:
    """One Euro filter over an array of any fixed shape; state lives in preallocated arrays.

    ``step(t_s, x)`` returns the filtered array (a view of internal state: copy it to keep it). A NaN anywhere in
    ``x`` (no detection) resets the filter and returns NaN; the next valid sample starts afresh. Time must strictly
    increase; otherwise ``ValueError``.
    """

    def __init__(self, shape: tuple[int, ...], config: OneEuroConfig = OneEuroConfig()) -> None:
        self.config = config
        self._x = np.full(shape, np.nan)
        self._dx = np.zeros(shape)
        self._scratch = np.empty(shape)
        self._alpha = np.empty(shape)
        self._t_s: float | None = None
        self._primed = False

    def reset(self) -> None:
        """Forget the past: the next sample passes through unchanged."""
        self._primed = False
        self._x.fill(np.nan)

    def step(self, t_s: float, x: np.ndarray) -> np.ndarray:
        """Filter one sample taken at ``t_s`` seconds (a dozen array operations, no allocation).

        NaN elements (not measured this frame) come out NaN and restart on their own when measured again; the
        rest of the array keeps its smoothing.
        """
        if self._t_s is not None and not t_s > self._t_s:
            raise ValueError(f"time must be strictly increasing: got {t_s} s after {self._t_s} s")
        dt = t_s - self._t_s if self._t_s is not None else 0.0
        self._t_s = t_s
        if not self._primed or not math.isfinite(float(np.add.reduce(x, axis=None))):
            return self._step_with_gaps(x, dt)
        self._smooth(x, dt)
        return self._x

    def _smooth(self, x: np.ndarray, dt: float) -> None:
        cfg = self.config
        delta = np.subtract(x, self._x, out=self._scratch)
        # Speed, low-passed at a fixed cutoff: dx <- dx + a_d (delta / dt - dx).
        a_d = _alpha(cfg.derivative_cutoff_hz, dt)
        self._dx *= 1.0 - a_d
        self._dx += np.multiply(delta, a_d / dt, out=self._alpha)
        # Cutoff rises with speed; alpha = g / (1 + g) with g = 2 pi dt (min_cutoff + beta |dx|).
        g = np.abs(self._dx, out=self._alpha)
        g *= 2.0 * math.pi * dt * cfg.beta
        g += 2.0 * math.pi * dt * cfg.min_cutoff_hz
        delta *= g
        g += 1.0
        delta /= g
        self._x += delta

    def _step_with_gaps(self, x: np.ndarray, dt: float) -> np.ndarray:
        """Slow path: some elements missing now or before. Fresh elements pass through; missing ones go NaN."""
        x = np.asarray(x, dtype=np.float64)
        fresh = np.isnan(self._x) | ~np.isfinite(self._dx)
        if dt > 0 and not fresh.all():
            self._smooth(np.where(fresh, self._x, x), dt)
        self._x[fresh] = x[fresh]
        self._dx[fresh] = 0.0
        missing = ~np.isfinite(x)
        self._x[missing] = np.nan
        self._dx[missing] = 0.0
        self._primed = not np.isnan(self._x).any()
        return self._x


# For angles in degrees: speeds of 5-50 deg/s during a rep, so beta is scaled down by that much against the landmarks'.
DEGREES_CONFIG = OneEuroConfig(min_cutoff_hz=1.5, beta=0.15, derivative_cutoff_hz=1.0)


class ScalarOneEuro:
    """The same One Euro filter for a handful of separate scalars, on Python floats (a few microseconds a frame,
    where the array filter's dozen NumPy calls would cost more than the maths). NaN resets that value's state."""

    def __init__(self, count: int, config: OneEuroConfig = DEGREES_CONFIG) -> None:
        self.config = config
        self._x = [math.nan] * count
        self._dx = [0.0] * count
        self._t_s: float | None = None

    def step(self, t_s: float, values: list[float]) -> list[float]:
        """Filter one sample of each value taken at ``t_s`` seconds; returns the filtered values."""
        cfg = self.config
        dt = t_s - self._t_s if self._t_s is not None else 0.0
        self._t_s = t_s
        out = []
        for i, x in enumerate(values):
            previous = self._x[i]
            if x != x or previous != previous or dt <= 0.0:  # NaN now or before: start afresh
                self._x[i], self._dx[i] = x, 0.0
                out.append(x)
                continue
            a_d = _alpha(cfg.derivative_cutoff_hz, dt)
            dx = self._dx[i] + a_d * ((x - previous) / dt - self._dx[i])
            a = _alpha(cfg.min_cutoff_hz + cfg.beta * abs(dx), dt)
            self._dx[i] = dx
            self._x[i] = previous + a * (x - previous)
            out.append(self._x[i])
        return out


def _alpha(cutoff_hz: float, dt_s: float) -> float:
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt_s)


def zero_phase_smooth(t_s: np.ndarray, values: np.ndarray, cutoff_hz: float = 3.0) -> np.ndarray:
    """Zero-phase smoothing of stored traces ``(T, ...)``: a forward-backward first-order low-pass.

    For replay and analysis only (it needs the future). NaN gaps split the trace; each piece is smoothed alone.
    """
    values = np.asarray(values, dtype=np.float64)
    out = np.array(values, copy=True)
    if len(t_s) < 3:
        return out
    dt = np.median(np.diff(t_s))
    a = _alpha(cutoff_hz, dt)
    valid = ~np.isnan(values.reshape(len(values), -1)).any(axis=1)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], valid.astype(np.int8), [0]])))
    for start, stop in zip(edges[::2], edges[1::2]):
        piece = out[start:stop]
        for i in range(1, len(piece)):
            piece[i] = piece[i - 1] + a * (piece[i] - piece[i - 1])
        for i in range(len(piece) - 2, -1, -1):
            piece[i] = piece[i + 1] + a * (piece[i] - piece[i + 1])
    return out
