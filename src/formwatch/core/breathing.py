"""Breathing from a chest or belly signal, causally, one sample at a time: rate, depth, a held breath, strain.

The input is any scalar that moves with breathing: the silhouette's front edge (:func:`front_extent`, in torso
lengths, in the trunk's own frame so that whole-body sway cancels) or a depth camera's chest displacement. Real
signals are noisy — at 2-3 m a depth camera's chest signal carries white noise several times the breath itself —
so nothing here looks for individual breaths in the raw signal:

- the signal is **band-limited** to breathing by a first-order high-pass at ``low_hz`` and two first-order low-passes
  at ``high_hz`` (timed by the data's own timestamps, so any frame rate and a dropped frame are fine);
- ``rate_bpm`` is the **spectral peak** (0.1-0.7 Hz) of the last ``rate_window_s`` of signal, Hann-windowed,
  zero-padded and refined by a parabola through the peak, updated every ``rate_every_s``;
- ``amplitude`` is the band's RMS over the last ``hold_window_s`` (x 2 sqrt 2: peak-to-trough of a sine);
- ``held`` — no breathing movement — when the **speed** of the low-passed signal (its RMS over the last
  ``hold_window_s``) falls below a threshold set between this person's recent breathing and what white noise alone
  would give (its size estimated from the signal's content above ``noise_hz``), for longer than the longest natural
  pause seen in their breathing so far (times ``pause_margin``). Speed, not the band's level: when a breath stops
  half-way, the level stays off its mean and a high-pass filter takes seconds to forget it; the speed drops at once.
  Differentiating lifts the noise, so where the speed is too noisy the band's level is used instead (with a stricter
  bar, ``level_min_snr``), and where both are, no held breath is ever called. A pause learned from the person's own
  breathing keeps the end-of-exhale rests of slow paced breathing from being called holds;
- ``strained``: faster (``rate_up``) and shallower (``depth_down``) than the calm reference.

Honest only while the trunk itself is still (holds, rests): the caller marks other samples invalid; rep cadence
(0.2-0.5 Hz) lies inside the breathing band. docs/breathing.md has the method, its limits and its figures.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from formwatch.core.silhouette import FRONT, FRONT_CONF, N_STATIONS

MIN_CONFIDENCE = 0.5
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
    rate_window_s: float = 30.0
    rate_every_s: float = 1.0
    min_rate_bpm: float = 6.0
    subharmonic_share: float = 0.35  # the fundamental is taken when it holds this share of a harmonic's power
    max_rate_bpm: float = 42.0
    calm_s: float = 15.0  # the first seconds of valid signal are the calm reference
    hold_window_s: float = 2.5
    hold_fraction: float = 0.30  # held below noise + this share of (recent breathing - noise), speed RMS
    min_quiet_s: float = 0.3  # ... for at least this long,
    pause_margin: float = 2.0  # ... and this many times the longest natural pause seen so far,
    max_quiet_s: float = 4.0  # ... but never longer than this (a 5 s hold limit must still be reachable)
    min_snr: float = 2.0  # a held breath is only called when the calm breathing stood this far above the noise
    level_min_snr: float = 5.0  # ... and this far, for the band's level when the speed is too noisy to read
    reference_s: float = 20.0  # a held breath is a drop against the breathing of the last this-many seconds
    rate_up: float = 1.3  # strained: faster than the calm rate by this factor ...
    depth_down: float = 0.6  # ... and shallower than this share of the calm amplitude
    max_gap_s: float = 1.0  # a longer gap in the samples starts the signal afresh (the calm reference stays)


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
    readable: bool = True  # the calm breathing stood far enough above the noise for a held breath to be called


class BreathingMonitor:
    """Feed ``step(t_s, value, valid)``; NaN or ``valid=False`` marks a sample where breathing cannot be read."""

    def __init__(self, config: BreathingConfig = BreathingConfig()) -> None:
        self.config = config
        self.calm_rate_bpm = math.nan
        self.calm_rms = math.nan
        self.noise_rms = math.nan
        self.calm_speed = math.nan  # RMS speed of the low-passed signal while breathing calmly
        self.noise_speed = math.nan  # ... of white noise of the measured size through the same filters
        self.hold_signal: str | None = None  # what a held breath is read from: "speed", "level", or None (unreadable)
        self.longest_pause_s = 0.0  # the longest quiet spell that ended in breathing (a natural pause)
        self._calm_high: list[float] = []
        self._calm_rates: list[float] = []
        self._calm: list[tuple[float, float, float]] = []  # (t, band RMS, speed RMS) of the calm breathing
        self._restart()

    def _restart(self) -> None:
        self._t: float | None = None
        self._hp_mean = math.nan
        self._lp1 = self._lp2 = 0.0
        self._slow1 = self._slow2 = math.nan  # the raw signal low-passed (no high-pass): its speed is the motion
        self._speed = _MeanSquare()  # speed over the hold window
        self._noise_mean = math.nan
        self._raw: deque[tuple[float, float]] = deque()  # (t, high-passed) over the rate window
        self._band = _MeanSquare()  # band-passed signal over the hold window
        self._rate = math.nan
        self._next_rate_t = -math.inf
        self._started_t: float | None = None
        self._quiet_since: float | None = None
        self._held_last = False
        self._recent: deque[tuple[float, float]] = deque()  # (t, hold signal) while breathing: the reference
        self._recent_median = math.nan
        self._recent_due_t = -math.inf

    @staticmethod
    def _alpha(cutoff_hz: float, dt: float) -> float:
        return 1.0 - math.exp(-2.0 * math.pi * cutoff_hz * dt)

    def step(self, t_s: float, value: float, valid: bool = True) -> BreathState:
        cfg = self.config
        if not valid or value != value:
            return self._state(t_s, False, math.nan, math.nan)
        if self._t is None or t_s - self._t > cfg.max_gap_s or t_s <= self._t:
            self._restart()
            self._t, self._hp_mean, self._noise_mean, self._started_t = t_s, value, value, t_s
            self._slow1 = self._slow2 = value
            return self._state(t_s, True, math.nan, math.nan)
        dt, self._t = t_s - self._t, t_s
        self._hp_mean += self._alpha(cfg.low_hz, dt) * (value - self._hp_mean)
        high_passed = value - self._hp_mean
        self._lp1 += self._alpha(cfg.high_hz, dt) * (high_passed - self._lp1)
        self._lp2 += self._alpha(cfg.high_hz, dt) * (self._lp1 - self._lp2)
        before = self._slow2
        self._slow1 += self._alpha(cfg.high_hz, dt) * (value - self._slow1)
        self._slow2 += self._alpha(cfg.high_hz, dt) * (self._slow1 - self._slow2)
        self._speed.push(t_s, (self._slow2 - before) / dt, cfg.hold_window_s)
        self._noise_mean += self._alpha(cfg.noise_hz, dt) * (value - self._noise_mean)
        above_noise_hz = value - self._noise_mean  # what is left above noise_hz
        _push(self._raw, t_s, high_passed, cfg.rate_window_s)
        self._band.push(t_s, self._lp2, cfg.hold_window_s)
        rms, speed = self._band.rms(), self._speed.rms()
        settled = t_s - self._started_t >= cfg.hold_window_s + 1.0 / cfg.low_hz / 2
        if settled and t_s >= self._next_rate_t:
            self._next_rate_t = t_s + cfg.rate_every_s
            self._rate = self._spectral_rate()
        if settled:
            self._learn_calm(t_s, rms, speed, above_noise_hz)
        state = self._state(t_s, True, rms if settled else math.nan, speed if settled else math.nan)
        if settled and not state.held and self._quiet_since is None and self.hold_signal is not None:
            _push(self._recent, t_s, speed if self.hold_signal == "speed" else rms, cfg.reference_s)
            if t_s >= self._recent_due_t:  # the reference's median, refreshed a few times a second, not every frame
                self._recent_median = float(np.median(np.fromiter((v for _, v in self._recent), float)))
                self._recent_due_t = t_s + 0.25
        return state

    def _spectral_rate(self) -> float:
        """The breathing band's spectral peak over the rate window, in breaths a minute."""
        cfg = self.config
        t = np.fromiter((p[0] for p in self._raw), float)
        x = np.fromiter((p[1] for p in self._raw), float)
        if len(t) < 16 or t[-1] - t[0] < 0.5 * cfg.rate_window_s:
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

    def _learn_calm(self, t_s: float, rms: float, speed: float, above_noise_hz: float) -> None:
        """The first ``calm_s`` of settled signal: breathing RMS in the band, its speed, the noise's share of both
        and the longest natural pause."""
        cfg = self.config
        if self.calm_rms == self.calm_rms:
            return
        self._calm.append((t_s, rms, speed))
        self._calm_high.append(above_noise_hz)
        if self._rate == self._rate:
            self._calm_rates.append(self._rate)
        if t_s - self._started_t < cfg.calm_s + cfg.hold_window_s:
            return
        dt = self._band.mean_interval()
        nyquist = 0.5 / dt if dt > 0 else cfg.noise_hz * 2
        # White noise spreads evenly: the band (low_hz..high_hz) holds this share of what lies above noise_hz.
        share = (cfg.high_hz - cfg.low_hz) / max(nyquist - cfg.noise_hz, 1e-9)
        self.noise_rms = float(np.std(self._calm_high)) * math.sqrt(share)
        series = np.asarray(self._calm)
        self.calm_rms = float(np.median(series[:, 1]))
        residual_gain, speed_gain = _white_noise_gains(dt, cfg)
        self.noise_speed = float(np.std(self._calm_high)) / residual_gain * speed_gain
        self.calm_speed = float(np.median(series[:, 2]))
        # A held breath is read from the speed where breathing stands clear of the noise in it (fast, few false
        # holds), else from the band's level (slower: the level lingers after a breath stops), else not at all.
        if self.calm_speed >= cfg.min_snr * self.noise_speed:
            self.hold_signal, column = "speed", 2
        elif self.calm_rms >= cfg.level_min_snr * self.noise_rms:
            self.hold_signal, column = "level", 1
        else:
            return
        calm, noise = self._hold_reference()
        threshold = noise + cfg.hold_fraction * max(calm - noise, 0.0)
        quiet_since = None
        for t, v in series[:, [0, column]]:  # natural pauses in the calm breathing
            if v < threshold:
                quiet_since = t if quiet_since is None else quiet_since
                self.longest_pause_s = max(self.longest_pause_s, t - quiet_since)
            else:
                quiet_since = None
        if self._calm_rates:
            self.calm_rate_bpm = float(np.median(self._calm_rates))

    def _hold_reference(self) -> tuple[float, float]:
        """The calm breathing and the noise, in the units of the signal a held breath is read from."""
        if self.hold_signal == "speed":
            return self.calm_speed, self.noise_speed
        return self.calm_rms, self.noise_rms

    def _state(self, t_s: float, valid: bool, rms: float, speed: float) -> BreathState:
        cfg = self.config
        quiet = False
        value = speed if self.hold_signal == "speed" else rms
        if valid and self.hold_signal is not None and value == value:
            calm, noise = self._hold_reference()
            # Against the breathing of the last seconds (breaths grow shallower or deeper over a set; the calm
            # start only says whether breathing can be read at all).
            recent = self._recent_median if self._recent_median == self._recent_median else calm
            quiet = value < noise + cfg.hold_fraction * max(recent - noise, 0.0)
        needed_s = min(max(cfg.min_quiet_s, cfg.pause_margin * self.longest_pause_s), cfg.max_quiet_s)
        held = False
        if quiet:
            if self._quiet_since is None:
                self._quiet_since = t_s  # when the motion went quiet
            held = t_s - self._quiet_since >= needed_s
        else:
            if self._quiet_since is not None and valid and not self._held_last:
                self.longest_pause_s = max(self.longest_pause_s, t_s - self._quiet_since)  # a pause, not a hold
            self._quiet_since = None
        self._held_last = held
        amplitude = 2.0 * math.sqrt(2.0) * rms if rms == rms else math.nan
        relative = rms / self.calm_rms if rms == rms and self.calm_rms == self.calm_rms and self.calm_rms > 0 \
            else math.nan
        rate = self._rate if valid else math.nan
        strained = valid and rate == rate and self.calm_rate_bpm == self.calm_rate_bpm and \
            rate > cfg.rate_up * self.calm_rate_bpm and relative < cfg.depth_down
        # The speed's RMS over the window goes quiet when most of the window is still: the breath stopped about
        # 0.8 of a window earlier (measured on drawn breaths stopped at every phase, tests/test_breathing.py); the
        # level's RMS about half a window earlier.
        lag_s = (0.8 if self.hold_signal == "speed" else 0.5) * cfg.hold_window_s
        held_s = t_s - self._quiet_since + lag_s if held and self._quiet_since is not None else 0.0
        readable = self.calm_rms != self.calm_rms or self.hold_signal is not None
        return BreathState(t_s, valid, rate, amplitude, relative, held, held_s, strained, readable)


def _white_noise_gains(dt: float, cfg: BreathingConfig) -> tuple[float, float]:
    """For unit white noise sampled every ``dt``: the std of what is left above ``noise_hz`` (how the noise is
    measured) and the RMS speed after the two low-passes (what a held breath leaves). Exact: a linear filter's
    output variance for white noise is the sum of its squared impulse response; the gains depend on the frame rate,
    so they are computed for it."""
    a_noise, a_low = 1.0 - math.exp(-2 * math.pi * cfg.noise_hz * dt), 1.0 - math.exp(-2 * math.pi * cfg.high_hz * dt)
    n = np.arange(int(math.ceil(40.0 / min(a_noise, a_low))))  # long enough for (1 - a)^n to vanish
    residual = -a_noise * (1.0 - a_noise) ** n  # x minus its exponential mean ...
    residual[0] += 1.0  # ... the sample itself included
    two_low = a_low ** 2 * (n + 1) * (1.0 - a_low) ** n  # two one-pole low-passes in a row
    speed = np.diff(two_low, prepend=0.0) / dt
    return float(np.sqrt(np.sum(residual ** 2))), float(np.sqrt(np.sum(speed ** 2)))


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
