"""Fit a personal neutral posture from a few seconds of standing still: the stillest window of at least 2 s.

From that window: each metric's neutral (median) and noise (1.4826 x MAD), the camera view, the camera roll, the
torso length and which landmarks were reliably seen. Refuses, with an instruction and writing nothing, when nobody
is found, part of the body is out of view, the person never holds still, or the view is wrong for the exercise.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from formwatch.core.kinematics import Col, View
from formwatch.core.landmarks import Lm
from formwatch.core.driver import metrics_of
from formwatch.core.pipeline import PipelineConfig
from formwatch.core.session import SetSession
from formwatch.core.exercises import get_exercise
from formwatch.core.profile import MetricNeutral, Profile, profile_metrics, validate_name
from formwatch.core.registry import HIP_HINGE, REGISTRY, SHOULDER_ELEVATION, TRUNK_INCLINE
from formwatch.core.errors import FormwatchError


class CalibrationError(FormwatchError):
    """Calibration refused; the message says what the person should do."""


@dataclass(frozen=True)
class CalibrationConfig:
    """Settings of the fit; units in the names (docs/calibration.md)."""

    window_s: float = 2.0  # a window is still when every metric's 10-90 % spread stays within its still_tolerance
    min_detected_fraction: float = 0.5
    min_visibility: float = 0.5
    noise_k: float = 4.0  # limit = max(noise_k x noise, the metric's min_limit in the registry)
    min_limits: dict[str, float] = field(default_factory=dict)  # per-metric overrides of the registry's min_limit
    max_upright_deg: float = 30.0  # neutral is standing: the hinge and trunk incline must be within this


BODY_PARTS: dict[str, tuple[Lm, ...]] = {
    "head": (Lm.NOSE, Lm.LEFT_EAR, Lm.RIGHT_EAR),
    "shoulders": (Lm.LEFT_SHOULDER, Lm.RIGHT_SHOULDER),
    "hips": (Lm.LEFT_HIP, Lm.RIGHT_HIP),
    "knees": (Lm.LEFT_KNEE, Lm.RIGHT_KNEE),
    "ankles": (Lm.LEFT_ANKLE, Lm.RIGHT_ANKLE),
}
_VIEW_NAMES = {View.FRONT: "front", View.OBLIQUE: "oblique", View.SIDE: "side"}


def fit_profile(
    name: str,
    t_s: np.ndarray,
    image: np.ndarray,
    world: np.ndarray,
    frame_size_px: tuple[int, int],
    exercise: str = "hinge",
    source: str = "",
    config: CalibrationConfig = CalibrationConfig(),
    pipeline_config: PipelineConfig = PipelineConfig(),
    profile: np.ndarray | None = None,
) -> Profile:
    """Fit a :class:`Profile` from poses ``(T, 33, 4)`` (and trunk profiles ``(T, 4, K)`` when the silhouette was
    measured), or raise :class:`CalibrationError` saying what to do."""
    validate_name(name)
    t_s = np.asarray(t_s, dtype=np.float64)
    if len(t_s) < 2 or t_s[-1] - t_s[0] < config.window_s:
        raise CalibrationError(f"calibration needs at least {config.window_s:.0f} s of video of you standing still; "
                               "record a longer clip")
    detected = ~np.isnan(image[:, :, 0]).all(axis=1)
    if detected.mean() < config.min_detected_fraction:
        raise CalibrationError("nobody found in most of the video: stand 2-3 m from the camera, whole body in view, "
                               "in good light")
    metrics = metrics_of(SetSession(frame_size_px, pipeline_config), t_s, image, world, profile)

    seen = _parts_seen(image[detected], config.min_visibility)
    missing = [part for part, ok in seen.items() if not ok]
    if missing:
        raise CalibrationError(f"your {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not in view: "
                               "step back until your whole body, head to ankles, is in the picture")
    view = View(int(np.nanmedian(metrics[detected, Col.VIEW])))
    if get_exercise(exercise).view == "side" and view == View.FRONT:
        raise CalibrationError(f"the camera sees you from the front; {exercise} needs a side view: turn side-on to "
                               "the camera and calibrate again")

    upright = (np.abs(metrics[:, Col.HIP_HINGE_DEG]) <= config.max_upright_deg) & \
        (np.abs(metrics[:, Col.TRUNK_INCLINE_DEG]) <= config.max_upright_deg)
    start, stop, score = _stillest_window(t_s, metrics, detected & upright, config)
    if start < 0 and _stillest_window(t_s, metrics, detected, config)[2] <= 1.0:
        raise CalibrationError("you held still only while bent over or lying down: your neutral is taken standing, "
                               "even for planks and bridges — stand upright and relaxed, side-on, and hold still "
                               "until the countdown ends")
    if start < 0 or score > 1.0:
        how_much = f" (the stillest moment moved {score:.1f}x too much)" if np.isfinite(score) else ""
        raise CalibrationError(f"you never held still for {config.window_s:.0f} s{how_much}: stand relaxed, "
                               "side-on, and hold still until the countdown ends")
    window = slice(start, stop)

    neutrals: dict[str, MetricNeutral] = {}
    for metric, col in profile_metrics().items():
        values = metrics[window, col]
        values = values[~np.isnan(values)]
        if len(values) < 0.5 * (stop - start):
            continue
        median = float(np.median(values))
        neutrals[metric] = MetricNeutral(round(median, 3), round(1.4826 * float(np.median(np.abs(values - median))),
                                                                 4))
    if SHOULDER_ELEVATION not in neutrals or HIP_HINGE not in neutrals:
        raise CalibrationError("shoulders, hips and knees must be clearly seen: face sideways to the camera, "
                               "whole body in view, in good light")
    min_limits = {s.name: config.min_limits.get(s.name, s.min_limit) for s in REGISTRY.form_metrics
                  if s.min_limit is not None}
    limits = {name: max(config.noise_k * neutrals[name].noise, floor) for name, floor in min_limits.items()
              if name in neutrals}
    roll = neutrals.get(TRUNK_INCLINE, MetricNeutral(0.0, 0.0)).neutral
    return Profile(
        name=name, created=time.strftime("%Y-%m-%dT%H:%M:%S%z"), camera_view=_VIEW_NAMES[view],
        camera_roll_deg=round(roll, 2), torso_length_m=round(float(np.nanmedian(metrics[window, Col.TORSO_LENGTH_M])), 3),
        metrics=neutrals, limits={k: round(v, 3) for k, v in limits.items()},
        landmarks_seen=[part for part, ok in seen.items() if ok],
        still_window_s=(round(float(t_s[start]), 3), round(float(t_s[stop - 1]), 3)), source=source,
        settings={"noise_k": config.noise_k, "exercise": exercise, "min_limits": min_limits})


def _stillest_window(t_s: np.ndarray, metrics: np.ndarray, detected: np.ndarray, config: CalibrationConfig
                     ) -> tuple[int, int, float]:
    """(start, stop, score) of the window of at least ``window_s`` whose metrics move least; score <= 1 is still."""
    # Metrics this recording never measured (no silhouette in an older recording) do not count.
    tolerances = [(REGISTRY.index(s.name), s.still_tolerance, s.compute is None) for s in REGISTRY.form_metrics
                  if s.still_tolerance is not None and not np.isnan(metrics[:, REGISTRY.index(s.name)]).all()]
    best = (-1, -1, np.inf)
    ends = np.searchsorted(t_s, t_s + config.window_s)
    step = max(1, int(len(t_s) / max(t_s[-1] - t_s[0], 1e-9) / 8))  # about 8 candidate starts a second
    for start in range(0, len(t_s), step):
        stop = int(ends[start])
        if stop >= len(t_s) + 1 or t_s[min(stop, len(t_s)) - 1] - t_s[start] < config.window_s * 0.95:
            break
        if detected[start:stop].mean() < 0.9:
            continue
        score = 0.0
        for col, tol, required in tolerances:
            values = metrics[start:stop, col]
            values = values[~np.isnan(values)]
            if len(values) < 0.5 * (stop - start):
                if not required:
                    continue  # the silhouette's edge was hidden here: it neither proves nor spoils stillness
                score = np.inf
                break
            spread = float(np.percentile(values, 90) - np.percentile(values, 10))
            score = max(score, spread / tol)
        if score < best[2]:
            best = (start, stop, score)
    return best


def _parts_seen(image: np.ndarray, min_visibility: float) -> dict[str, bool]:
    """Whether each body part was reliably seen (better side's median visibility) and inside the picture."""
    out = {}
    for part, lms in BODY_PARTS.items():
        vis = np.nanmedian(image[:, list(lms), 3], axis=0)
        xy = np.nanmedian(image[:, list(lms), :2], axis=0)
        inside = ((xy > -0.02) & (xy < 1.02)).all(axis=1)
        out[part] = bool(np.any((vis >= min_visibility) & inside))
    return out
