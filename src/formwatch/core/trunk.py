"""Metrics of the trunk's own shape, from the silhouette profile (core/silhouette.py).

Each edge (back, front) is split at mid-trunk; a least-squares line through each half's edge points gives its
tangent, and the angle between the two tangents is the edge's bend. Only stations with a trusted edge count; a
half with fewer than ``MIN_STATIONS`` of them gives NaN, never a guess. Shape-polymorphic: profiles
``(..., 4, N_STATIONS)`` in, values ``(...)`` out; both axes are in torso lengths, so the angles are true angles.

- ``lumbar_curve_deg`` — the back edge's bend, lower half (sacrum and lumbar spine) against upper half (thoracic):
  positive = the low back hollows (extension: arching, sagging hips), negative = it rounds (flexion).
- ``rib_flare_deg`` — the front edge's bend, abdomen against lower ribcage: positive = the ribs push forward of the
  abdomen line.
"""

from __future__ import annotations

import math

import numpy as np

from formwatch.core.silhouette import BACK, BACK_CONF, FRONT, FRONT_CONF, N_STATIONS, STATIONS

MIN_CONFIDENCE = 0.5  # an edge point below this contrast is not used
LOWER = np.arange(0, N_STATIONS // 2)  # hip line to mid-trunk
UPPER = np.arange(N_STATIONS // 2, N_STATIONS)  # mid-trunk to shoulder line
ABDOMEN = np.arange(1, N_STATIONS // 2)  # the front edge's lowest station is the groin crease: left out
RIBS = np.arange(N_STATIONS // 2, N_STATIONS - 3)  # the top of the front edge meets the arms and the neck
MIN_STATIONS = 5
_RAD_TO_DEG = 180.0 / np.pi


def _slope(distance: np.ndarray, confidence: np.ndarray, stations: np.ndarray) -> np.ndarray:
    """Least-squares slope of edge distance against station (both in torso lengths) over trusted points."""
    y = distance[..., stations]
    w = (np.isfinite(y) & (confidence[..., stations] >= MIN_CONFIDENCE)).astype(np.float64)
    s = STATIONS[stations]
    n = w.sum(-1)
    safe_n = np.maximum(n, 1.0)
    y0 = np.where(w > 0, y, 0.0)
    s_mean = (w * s).sum(-1) / safe_n
    y_mean = (w * y0).sum(-1) / safe_n
    ds = (s - s_mean[..., None]) * w
    slope = (ds * (y0 - y_mean[..., None])).sum(-1) / np.maximum((ds * ds).sum(-1), 1e-12)
    return np.where(n >= MIN_STATIONS, slope, np.nan)


def _bend_deg(distance: np.ndarray, confidence: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    high_slope, low_slope = _slope(distance, confidence, high), _slope(distance, confidence, low)
    return np.asarray((np.arctan(high_slope) - np.arctan(low_slope)) * _RAD_TO_DEG)


def _slope_weights(stations: np.ndarray) -> np.ndarray:
    """The least-squares slope over a full set of stations as one weight per station (a linear operator)."""
    s = STATIONS[stations]
    w = np.zeros(N_STATIONS)
    w[stations] = (s - s.mean()) / ((s - s.mean()) ** 2).sum()
    return w


# One frame with every station trusted (the common case) needs only this (2*K, 4) product: the slopes of the back's
# lower and upper halves and of the front's abdomen and ribs. Anything else takes the masked path above.
_FULL_SLOPES = np.zeros((2 * N_STATIONS, 4))
_FULL_SLOPES[:N_STATIONS, 0], _FULL_SLOPES[:N_STATIONS, 1] = _slope_weights(LOWER), _slope_weights(UPPER)
_FULL_SLOPES[N_STATIONS:, 2], _FULL_SLOPES[N_STATIONS:, 3] = _slope_weights(ABDOMEN), _slope_weights(RIBS)
_USED = [np.concatenate([LOWER, UPPER]), np.concatenate([ABDOMEN, RIBS])]
_USED_FLAT = np.concatenate([_USED[0], N_STATIONS + _USED[1]])  # stations outside the fits may be NaN: skip them
_USED_SLOPES = _FULL_SLOPES[_USED_FLAT]


def trunk_shape(profile: np.ndarray) -> tuple[float, float]:
    """(lumbar curve, rib flare) of one profile ``(4, K)``, degrees: the two metrics of the trunk's shape, computed
    together (one product when every station is trusted, the masked least squares otherwise)."""
    if bool((profile[BACK_CONF:].reshape(-1)[_USED_FLAT] >= MIN_CONFIDENCE).all()):
        b_low, b_up, f_low, f_up = (profile[:2].reshape(-1)[_USED_FLAT] @ _USED_SLOPES).tolist()
        return ((math.atan(b_up) - math.atan(b_low)) * _RAD_TO_DEG, (math.atan(f_up) - math.atan(f_low)) * _RAD_TO_DEG)
    return (float(_bend_deg(profile[BACK], profile[BACK_CONF], LOWER, UPPER)),
            float(_bend_deg(profile[FRONT], profile[FRONT_CONF], ABDOMEN, RIBS)))


def _per_profile(profile: np.ndarray, output: int) -> np.ndarray | float:
    """``trunk_shape``'s ``output`` for one profile or each of ``(..., 4, K)`` (the same formula, frame after frame)."""
    profile = np.asarray(profile, dtype=np.float64)
    if profile.ndim == 2:
        return trunk_shape(profile)[output]
    out = np.empty(profile.shape[:-2])
    for index in np.ndindex(out.shape):
        out[index] = trunk_shape(profile[index])[output]
    return out


def lumbar_curve_deg(profile: np.ndarray) -> np.ndarray | float:
    """The back edge's bend (positive = hollowing / extension, negative = rounding / flexion)."""
    return _per_profile(profile, 0)


def rib_flare_deg(profile: np.ndarray) -> np.ndarray | float:
    """The front edge's bend (positive = the lower ribs push forward of the abdomen line)."""
    return _per_profile(profile, 1)
