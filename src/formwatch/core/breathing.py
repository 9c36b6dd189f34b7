"""Breathing from a chest or belly signal, causally, one sample at a time: rate, depth, a held breath, strain.

The input is any scalar that moves with breathing: the silhouette's front edge (:func:`front_extent`, in torso
lengths, in the trunk's own frame so that whole-body sway cancels) or a depth camera's chest displacement. Real
signals are noisy — at 2-3 m a depth camera's chest signal carries white noise several times the breath itself —
so nothing here looks for individual breaths in the raw signal:

- the signal is **band-limited** to breathing by a first-order high-pass at ``low_hz`` and two first-order low-passes
  at ``high_hz`` (timed by the data's own timestamps, so any frame rate and a dropped frame are fine);
- ``rate_bpm`` is the **spectral peak** (0.1-0.7 Hz) of the last ``rate_window_s`` of signal, Hann-windowed,
  zero-padded and refined by a parabola through the peak, updated every ``rate_every_s``;
- ``amplitude`` is the band's RMS over the last ``depth_window_s`` (x 2 sqrt 2: peak-to-trough of a sine);
- ``held``: the breathing's envelope at the person's own rate has fallen against their own recent breathing for
  half a breath (core/breath_hold.py: the decision is counted in breaths, not seconds); the noise it is judged
  against is sized from the signal's content above ``noise_hz``, and where breathing does not stand clear of it no
  held breath is ever called (``readable`` false);
- ``strained``: faster (``rate_up``) and shallower (``depth_down``) than the calm reference.

Honest only while the trunk itself is still (holds, rests), or once the rep's own rhythm is taken out of the signal
(core/rep_rhythm.py); the caller marks other samples invalid. docs/breathing.md has the method, its limits and its
figures.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from formwatch.core.breath_hold import BreathHoldConfig, BreathHoldDetector, HoldReading
from formwatch.core.silhouette import FRONT, FRONT_CONF, N_STATIONS

MIN_CONFIDENCE = 0.5
HELD_CUE_S = 2.0  # a breath held this long is a cue on screen and in the voice, before any stop
_FRONT_STATIONS = np.arange(2, N_STATIONS - 4)  # belly and lower chest: away from the groin crease, arms and neck


def front_extent(profile: np.ndarray | None) -> float:
    """How far the trunk's front edge stands out from the hip-shoulder line, averaged over belly and lower chest
    (torso lengths); NaN when fewer than half those stations are trusted."""
    if profile is None:
        return math.nan
    distance = profile[FRONT, _FRONT_STATIONS]
    trusted = profile[FRONT_CONF, _FRONT_STATIONS] >= MIN_CONFIDENCE
    if trusted.sum() < len(_FRONT_STATIONS) // 2:
        return math.nan
    return float(distance[trusted].mean())


@dataclass(frozen=True)
class BreathingConfig:
    """Settings; units in the names. Tuned on the 48 paced recordings in ../shared/data/breathing (docs/breathing.md)."""

    low_hz: float = 0.1  # high-pass: slower drift is posture, not breath
    high_hz: float = 0.6  # low-pass (twice): faster wobble is noise (breathing is 6-36 /min)
    noise_hz: float = 1.5  # above this the signal is taken as noise, to size the noise inside the band
    noise_s: float = 20.0  # ... as a running mean square over about this long
    rate_window_s: float = 30.0
    min_rate_window_s: float = 10.0  # a first rate from this much signal (two breaths at 12 a minute)
    rate_every_s: float = 1.0
    min_rate_bpm: float = 6.0
    subharmonic_share: float = 0.35  # the fundamental is taken when it holds this share of a harmonic's power
    max_rate_bpm: float = 42.0
    calm_s: float = 15.0  # the first seconds of valid signal are the calm reference
    depth_window_s: float = 2.5  # the band's RMS (depth) over this long
    rate_up: float = 1.3  # strained: faster than the calm rate by this factor ...
    depth_down: float = 0.6  # ... and shallower than this share of the calm amplitude
    max_gap_s: float = 1.0  # a longer gap in the samples starts the signal afresh (the calm reference stays)
    hold: BreathHoldConfig = field(default_factory=BreathHoldConfig)


@dataclass(frozen=True)
class BreathState:
    t_s: float
    valid: bool
    rate_bpm: float
    amplitude: float  # peak-to-trough estimate, the signal's units
    relative_amplitude: float  # against the calm reference
    held: bool
    held_s: float  # seconds since the breathing stopped (0 when not held)
    strained: bool
    readable: bool = True  # breathing stands far enough above the noise for a held breath to be called


class BreathingMonitor:
    """Feed ``step(t_s, value, valid)``; NaN or ``valid=False`` marks a sample where breathing cannot be read."""

    def __init__(self, config: BreathingConfig = BreathingConfig()) -> None:
        self.config = config
        self.calm_rate_bpm = math.nan
        self.calm_rms = math.nan
        self.hold = BreathHoldDetector(config.hold)
        self._calm_rms: list[float] = []
        self._calm_rates: list[float] = []
        self._noise_sq = self._noise_sigma = math.nan
        self._residual_gains: dict[float, float] = {}
        self._restart()

    def _restart(self) -> None:
        self._t: float | None = None
        self._hp_mean = math.nan
        self._lp1 = self._lp2 = 0.0
        self._noise_mean = math.nan
        self._raw: deque[tuple[float, float]] = deque()  # (t, high-passed) over the rate window
        self._band = _MeanSquare()  # band-passed signal over the depth window
        self._rate = math.nan
        self._next_rate_t = -math.inf
        self._started_t: float | None = None
        self.hold.reset()

    @staticmethod
    def _alpha(cutoff_hz: float, dt: float) -> float:
        return 1.0 - math.exp(-2.0 * math.pi * cutoff_hz * dt)

    @property
    def noise_sigma(self) -> float:
        """The white noise's size per sample, the signal's units (NaN before any): from its content above noise_hz."""
        return self._noise_sigma

    def step(self, t_s: float, value: float, valid: bool = True) -> BreathState:
        cfg = self.config
        if not valid or value != value:
            return self._state(t_s, False, math.nan, None)
        if self._t is None or t_s - self._t > cfg.max_gap_s or t_s <= self._t:
            self._restart()
            self._t, self._hp_mean, self._noise_mean, self._started_t = t_s, value, value, t_s
            self.hold.step(t_s, value, math.nan, math.nan)
            return self._state(t_s, True, math.nan, None)
        dt, self._t = t_s - self._t, t_s
        self._hp_mean += self._alpha(cfg.low_hz, dt) * (value - self._hp_mean)
        high_passed = value - self._hp_mean
        self._lp1 += self._alpha(cfg.high_hz, dt) * (high_passed - self._lp1)
        self._lp2 += self._alpha(cfg.high_hz, dt) * (self._lp1 - self._lp2)
        self._noise_mean += self._alpha(cfg.noise_hz, dt) * (value - self._noise_mean)
        self._learn_noise(value - self._noise_mean, dt)  # what is left above noise_hz
        _push(self._raw, t_s, high_passed, cfg.rate_window_s)
        self._band.push(t_s, self._lp2, cfg.depth_window_s)
        rms = self._band.rms()
        started = self._started_t if self._started_t is not None else t_s
        settled = t_s - started >= cfg.depth_window_s + 1.0 / cfg.low_hz / 2
        if settled and t_s >= self._next_rate_t:
            self._next_rate_t = t_s + cfg.rate_every_s
            self._rate = self._spectral_rate()
        if settled:
            self._learn_calm(t_s, rms)
        reading = self.hold.step(t_s, value, self._rate, self._noise_sigma)
        return self._state(t_s, True, rms if settled else math.nan, reading)

    def _learn_noise(self, above_noise_hz: float, dt: float) -> None:
        """A running mean square of the content above noise_hz, turned into white noise's size per sample (the
        exact gain of that measurement for this frame interval)."""
        cfg = self.config
        square = above_noise_hz * above_noise_hz
        if self._noise_sq != self._noise_sq:
            self._noise_sq = square
        else:
            self._noise_sq += (1.0 - math.exp(-dt / cfg.noise_s)) * (square - self._noise_sq)
        key = round(dt, 3)
        gain = self._residual_gains.get(key)
        if gain is None:
            gain = self._residual_gains[key] = _residual_gain(max(key, 1e-3), cfg.noise_hz)
        self._noise_sigma = math.sqrt(self._noise_sq) / gain

    def _spectral_rate(self) -> float:
        """The breathing band's spectral peak over the rate window, in breaths a minute."""
        cfg = self.config
        t = np.fromiter((p[0] for p in self._raw), float)
        x = np.fromiter((p[1] for p in self._raw), float)
        if len(t) < 16 or t[-1] - t[0] < cfg.min_rate_window_s:
            return math.nan
        n = len(t)
        dt = (t[-1] - t[0]) / (n - 1)
        uniform = np.interp(t[0] + dt * np.arange(n), t, x)
        uniform = (uniform - uniform.mean()) * np.hanning(n)
        padded = 8 * int(2 ** math.ceil(math.log2(n)))
        power = np.abs(np.fft.rfft(uniform, padded)) ** 2
        freq = np.fft.rfftfreq(padded, dt)
        band = np.flatnonzero((freq >= cfg.min_rate_bpm / 60) & (freq <= cfg.max_rate_bpm / 60))
        k = int(band[np.argmax(power[band])])
        # A breath that is not a pure sine puts power at twice and three times its rate: prefer the fundamental when
        # the peak's half or third frequency (still a breathing rate) carries a good share of its power.
        for n in (3, 2):
            j = int(round(k / n))
            if freq[j] >= cfg.min_rate_bpm / 60 and power[max(j - 2, 0):j + 3].max() >= cfg.subharmonic_share * power[k]:
                k = max(j - 2, 0) + int(np.argmax(power[max(j - 2, 0):j + 3]))
                break
        if 0 < k < len(power) - 1:  # a parabola through the peak and its neighbours (on log power)
            a, b, c = np.log(power[k - 1:k + 2] + 1e-30)
            offset = 0.5 * (a - c) / (a - 2 * b + c) if a - 2 * b + c != 0 else 0.0
            return float((freq[k] + offset * (freq[1] - freq[0])) * 60.0)
        return float(freq[k] * 60.0)

    def _learn_calm(self, t_s: float, rms: float) -> None:
        """The first ``calm_s`` of settled signal: the calm depth and rate, what strain is judged against."""
        cfg = self.config
        if self.calm_rms == self.calm_rms:
            return
        self._calm_rms.append(rms)
        if self._rate == self._rate:
            self._calm_rates.append(self._rate)
        if self._started_t is None or t_s - self._started_t < cfg.calm_s + cfg.depth_window_s:
            return
        self.calm_rms = float(np.median(self._calm_rms))
        if self._calm_rates:
            self.calm_rate_bpm = float(np.median(self._calm_rates))

    def _state(self, t_s: float, valid: bool, rms: float, reading: HoldReading | None) -> BreathState:
        cfg = self.config
        amplitude = 2.0 * math.sqrt(2.0) * rms if rms == rms else math.nan
        relative = rms / self.calm_rms if rms == rms and self.calm_rms == self.calm_rms and self.calm_rms > 0 \
            else math.nan
        rate = self._rate if valid else math.nan
        strained = valid and rate == rate and self.calm_rate_bpm == self.calm_rate_bpm and \
            rate > cfg.rate_up * self.calm_rate_bpm and relative < cfg.depth_down
        still = reading.still_since_s if reading is not None and reading.held else None
        held = still is not None
        held_s = t_s - still if still is not None else 0.0
        readable = reading.readable if reading is not None else True
        return BreathState(t_s, valid, rate, amplitude, relative, held, held_s, strained, readable)


def _residual_gain(dt: float, noise_hz: float) -> float:
    """For unit white noise sampled every ``dt``: the std of what is left above ``noise_hz`` (the sample minus its
    one-pole mean: how the noise is measured). Exact: a linear filter's output variance for white noise is the sum
    of its squared impulse response; it depends on the frame rate, so it is computed for it."""
    a = 1.0 - math.exp(-2 * math.pi * noise_hz * dt)
    n = np.arange(int(math.ceil(40.0 / a)))  # long enough for (1 - a)^n to vanish
    residual = -a * (1.0 - a) ** n
    residual[0] += 1.0  # the sample itself
    return float(np.sqrt(np.sum(residual ** 2)))


class _MeanSquare:
    """(t, value) pairs over a trailing time span with their running sum of squares: RMS in O(1) a sample."""

    def __init__(self) -> None:
        self.items: deque[tuple[float, float]] = deque()
        self.sum_sq = 0.0
        self._pushes = 0

    def __len__(self) -> int:
        return len(self.items)

    def push(self, t_s: float, value: float, span_s: float) -> None:
        self.items.append((t_s, value))
        self.sum_sq += value * value
        while t_s - self.items[0][0] > span_s:
            _, old = self.items.popleft()
            self.sum_sq -= old * old
        self._pushes += 1
        if self._pushes % 1024 == 0:  # wash out rounding now and then
            self.sum_sq = sum(v * v for _, v in self.items)

    def rms(self) -> float:
        return math.sqrt(max(self.sum_sq, 0.0) / len(self.items))

    def mean_interval(self) -> float:
        return (self.items[-1][0] - self.items[0][0]) / max(len(self.items) - 1, 1)


def _push(window: deque[tuple[float, float]], t_s: float, value: float, span_s: float) -> None:
    window.append((t_s, value))
    while t_s - window[0][0] > span_s:
        window.popleft()
