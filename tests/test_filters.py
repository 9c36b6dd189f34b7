"""One Euro filter conformance and the zero-phase smoother."""

import math

import numpy as np
import pytest

from formwatch.core.filters import OneEuroConfig, OneEuroFilter, zero_phase_smooth


def reference_one_euro(ts, xs, cfg):
    """Scalar One Euro, written from the paper (Casiez et al., 2012), as the conformance reference."""

    def alpha(fc, dt):
        tau = 1.0 / (2 * math.pi * fc)
        return 1.0 / (1.0 + tau / dt)

    out, x_hat, dx_hat, t_prev = [], None, 0.0, None
    for t, x in zip(ts, xs):
        if x_hat is None:
            x_hat = x
        else:
            dt = t - t_prev
            dx = (x - x_hat) / dt
            dx_hat = dx_hat + alpha(cfg.derivative_cutoff_hz, dt) * (dx - dx_hat)
            fc = cfg.min_cutoff_hz + cfg.beta * abs(dx_hat)
            x_hat = x_hat + alpha(fc, dt) * (x - x_hat)
        t_prev = t
        out.append(x_hat)
    return np.array(out)


def test_matches_scalar_reference_on_irregular_timestamps():
    rng = np.random.default_rng(7)
    ts = np.cumsum(rng.uniform(1 / 60, 1 / 12, 400))  # jittery 12-60 fps
    signal = np.sin(2 * ts) + rng.normal(0, 0.02, (3, len(ts)))  # three channels
    cfg = OneEuroConfig(min_cutoff_hz=1.0, beta=3.0, derivative_cutoff_hz=1.0)
    f = OneEuroFilter((3,), cfg)
    got = np.array([f.step(t, signal[:, i]).copy() for i, t in enumerate(ts)])
    for ch in range(3):
        np.testing.assert_allclose(got[:, ch], reference_one_euro(ts, signal[ch], cfg), rtol=0, atol=1e-12)


def test_constant_input_is_a_fixed_point():
    f = OneEuroFilter((33, 3))
    x = np.random.default_rng(0).normal(size=(33, 3))
    for i in range(50):
        y = f.step(i / 30, x)
    np.testing.assert_array_equal(y, x)


def test_smooths_jitter_at_rest_and_follows_fast_moves():
    rng = np.random.default_rng(1)
    ts = np.arange(300) / 30
    noisy = 0.01 * rng.normal(size=300)
    f = OneEuroFilter(())
    out = np.array([float(f.step(t, np.array(x))) for t, x in zip(ts, noisy)])
    assert out[30:].std() < 0.5 * noisy[30:].std()
    step = np.where(ts > 5, 1.0, 0.0)
    f = OneEuroFilter(())
    out = np.array([float(f.step(t, np.array(x))) for t, x in zip(ts, step)])
    assert out[np.searchsorted(ts, 5.2)] > 0.8  # within 0.2 s of a jump, most of the way there


@pytest.mark.parametrize("t2", [1.0, 0.5])
def test_non_increasing_time_raises(t2):
    f = OneEuroFilter((2,))
    f.step(1.0, np.zeros(2))
    with pytest.raises(ValueError, match="strictly increasing"):
        f.step(t2, np.zeros(2))


def test_gaps_reset_cleanly_element_by_element():
    f = OneEuroFilter((2,))
    for i in range(10):
        f.step(i / 30, np.zeros(2))
    out = f.step(11 / 30, np.array([np.nan, 1.0]))
    assert np.isnan(out[0]) and 0.0 < out[1] < 1.0  # the measured element keeps its smoothing
    out = f.step(12 / 30, np.array([5.0, 1.0]))
    assert out[0] == 5.0  # the returning element starts afresh, with no lag from before the gap
    assert np.isnan(f.step(13 / 30, np.full(2, np.nan))).all()  # nobody found: all NaN
    np.testing.assert_array_equal(f.step(14 / 30, np.array([2.0, 3.0])), [2.0, 3.0])


def test_zero_phase_smoother_has_no_lag_and_respects_gaps():
    ts = np.arange(600) / 30
    clean = np.sin(ts)
    noisy = clean + np.random.default_rng(2).normal(0, 0.05, len(ts))
    noisy[300:310] = np.nan
    out = zero_phase_smooth(ts, noisy, cutoff_hz=2.0)
    assert np.isnan(out[300:310]).all()
    ok = ~np.isnan(out)
    assert np.abs(out[ok] - clean[ok])[20:-20].mean() < 0.5 * np.abs(noisy[ok] - clean[ok])[20:-20].mean()
    lag = np.argmax(np.correlate(out[20:290] - out[20:290].mean(), clean[20:290] - clean[20:290].mean(), "full"))
    assert lag - (270 - 1) == 0


def test_the_scalar_one_euro_matches_the_array_filter():
    from formwatch.core.filters import DEGREES_CONFIG, ScalarOneEuro

    rng = np.random.default_rng(3)
    t = np.arange(300) / 30.0
    series = np.column_stack([20 * np.sin(t) + rng.normal(0, 1, len(t)), 5 * np.cos(2 * t)])
    array_filter, scalar_filter = OneEuroFilter((2,), DEGREES_CONFIG), ScalarOneEuro(2, DEGREES_CONFIG)
    for i, ti in enumerate(t):
        expected = array_filter.step(ti, series[i]).copy()
        np.testing.assert_allclose(scalar_filter.step(ti, series[i].tolist()), expected, rtol=1e-9, atol=1e-9)
    # A missing value (NaN) comes out NaN and restarts that value alone: the next sample passes through unchanged.
    gap = scalar_filter.step(t[-1] + 1 / 30, [float("nan"), 1.0])
    assert np.isnan(gap[0]) and not np.isnan(gap[1])
    assert scalar_filter.step(t[-1] + 2 / 30, [3.0, 1.0])[0] == 3.0
