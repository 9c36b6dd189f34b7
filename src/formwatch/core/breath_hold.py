"""A held breath decided in the person's own breaths: the breathing's envelope at their own rate against their own
recent baseline, sequentially.

Why not a fixed number of seconds: at 10-15 breaths a minute one breath lasts 4-6 s, so a chest still for 3 s is
often the normal rest after breathing out; and where the sensor's noise is as large as the breath (a depth camera
at 2-3 m, a silhouette edge from far away) no 3 s window can tell a held breath from noise. So:

- **envelope**: the chest signal (high-passed) is demodulated at the person's current breathing rate (a lock-in:
  multiplied by a cosine and a sine of the running phase, each averaged over ``window_breaths`` breath periods);
  ``4 (I^2 + Q^2)`` is the squared amplitude of the breath's fundamental in that window. A boxcar one period long
  nulls the twice-the-rate term exactly, and its bandwidth (1 / window) keeps most of the sensor's noise out;
- **baseline**: the median of that envelope over the last ``baseline_s`` of breathing (moments already quiet are
  left out, so a hold never lowers its own bar);
- **noise floor**: what white noise of the measured size (from the signal's content above ``noise_hz``) gives the
  same envelope, ``4 sigma^2 / n``; the envelope is judged as the share of the baseline's breathing above that floor;
- **decision**: quiet while the breath's amplitude is below ``quiet_amplitude`` of the baseline's; held once quiet
  for ``quiet_breaths`` breath periods in a row (a run-length sequential test: one shallow breath is not a hold). Movement (the envelope several
  times its baseline) never counts as quiet and never enters the baseline;
- **readable**: the baseline breathing must stand ``min_snr`` times above the noise floor, or nothing is called.

All O(1) a sample but the baseline's median (a few times a second). Measured on the 48 real chest recordings in
../shared/data/breathing: docs/breathing.md.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class BreathHoldConfig:
    """Settings, in breath periods where they are about breathing; units in the names."""

    window_breaths: float = 1.0  # the lock-in's averaging window: one period nulls the twice-the-rate term
    quiet_amplitude: float = 0.35  # quiet: the breath's amplitude below this share of the baseline's (camera apnea
    # detectors' 'envelope below 0.35 of its running mean'); compared as power, its square
    quiet_breaths: float = 0.5  # held: quiet this many breath periods in a row
    baseline_s: float = 30.0  # the person's own recent breathing
    min_baseline_breaths: float = 1.5  # no decision before this much baseline
    min_snr: float = 5.0  # the baseline's power stands this many times above the noise floor, or nothing is called
    movement_factor: float = 6.0  # an envelope this many times the baseline is movement, not breathing
    high_pass_hz: float = 0.05  # slower drift is posture


@dataclass(frozen=True)
class HoldReading:
    """One sample's decision: quiet now, held (quiet long enough), since when the breath has been still, and
    whether breathing stands clear enough of the noise to be judged at all."""

    quiet: bool
    held: bool
    still_since_s: float | None
    readable: bool
    share: float  # the envelope's breathing power as a share of the baseline's (NaN before a baseline)


class BreathHoldDetector:
    """Feed ``step(t_s, value, rate_bpm, noise_sigma)`` for each valid sample; ``reset()`` after a gap."""

    def __init__(self, config: BreathHoldConfig = BreathHoldConfig()) -> None:
        self.config = config
        self._history: deque[tuple[float, float]] = deque()  # (t, envelope power) of breathing: the baseline
        self.baseline = math.nan
        self._baseline_due_t = -math.inf
        self.reset()

    def reset(self) -> None:
        """Forget the signal (after a gap); the baseline's history is kept."""
        self._t: float | None = None
        self._mean = math.nan
        self._phase = 0.0
        self._window: deque[tuple[float, float, float]] = deque()
        self._sum_i = self._sum_q = 0.0
        self._quiet_since: float | None = None
        self._pushes = 0

    def step(self, t_s: float, value: float, rate_bpm: float, noise_sigma: float) -> HoldReading:
        cfg = self.config
        if self._t is None or t_s <= self._t:
            self._t, self._mean = t_s, value
            return HoldReading(False, False, None, True, math.nan)
        dt, self._t = t_s - self._t, t_s
        self._mean += (1.0 - math.exp(-2.0 * math.pi * cfg.high_pass_hz * dt)) * (value - self._mean)
        if not rate_bpm == rate_bpm or rate_bpm <= 0:
            return HoldReading(False, False, None, True, math.nan)
        f_hz = rate_bpm / 60.0
        self._phase = (self._phase + 2.0 * math.pi * f_hz * dt) % (2.0 * math.pi)
        x = value - self._mean
        ci, cq = x * math.cos(self._phase), x * math.sin(self._phase)
        window = self._window
        window.append((t_s, ci, cq))
        self._sum_i += ci
        self._sum_q += cq
        span_s = cfg.window_breaths / f_hz
        while len(window) > 1 and t_s - window[0][0] > span_s:
            _, a, b = window.popleft()
            self._sum_i -= a
            self._sum_q -= b
        self._pushes += 1
        if self._pushes % 1024 == 0:  # wash out rounding now and then
            self._sum_i, self._sum_q = sum(w[1] for w in window), sum(w[2] for w in window)
        n = len(window)
        if t_s - window[0][0] < 0.9 * span_s:  # the window is still filling
            return HoldReading(False, False, None, True, math.nan)
        power = 4.0 * ((self._sum_i / n) ** 2 + (self._sum_q / n) ** 2)
        floor = 4.0 * noise_sigma ** 2 / n if noise_sigma == noise_sigma else 0.0
        self._refresh_baseline(t_s, rate_bpm)
        baseline = self.baseline
        if not baseline == baseline:
            self._remember(t_s, power)
            return HoldReading(False, False, None, True, math.nan)
        readable = baseline >= cfg.min_snr * floor
        share = (power - floor) / max(baseline - floor, 1e-30)
        moving = power > cfg.movement_factor * baseline
        quiet = readable and not moving and share < cfg.quiet_amplitude ** 2
        if quiet:
            if self._quiet_since is None:
                self._quiet_since = t_s
        else:
            self._quiet_since = None
            if not moving:
                self._remember(t_s, power)
        quiet_since = self._quiet_since
        held = quiet_since is not None and t_s - quiet_since >= cfg.quiet_breaths / f_hz
        # The breath stopped about a window before the envelope went quiet: the boxcar's memory.
        still_since = quiet_since - (1.0 - cfg.quiet_amplitude) * span_s if held and quiet_since is not None else None
        return HoldReading(quiet, held, still_since, readable, share)

    def _remember(self, t_s: float, power: float) -> None:
        history = self._history
        history.append((t_s, power))
        while t_s - history[0][0] > self.config.baseline_s:
            history.popleft()

    def _refresh_baseline(self, t_s: float, rate_bpm: float) -> None:
        """The baseline's median, refreshed four times a second (not every frame) once it spans enough time."""
        if t_s < self._baseline_due_t or not self._history:
            return
        self._baseline_due_t = t_s + 0.25
        if self._history[-1][0] - self._history[0][0] >= self.config.min_baseline_breaths * 60.0 / rate_bpm:
            self.baseline = float(np.median(np.fromiter((p for _, p in self._history), float)))
