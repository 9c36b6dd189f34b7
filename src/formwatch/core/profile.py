"""Personal neutral-posture profiles: ``calibration/<name>.json``, validated on load, written atomically."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field

import numpy as np

from formwatch.core.registry import HIP_EXTENSION, REGISTRY
from formwatch.core.errors import FormwatchError
from formwatch.core.errors import require_schema_version

PROFILE_SCHEMA_VERSION = 1
# The metrics a profile holds a neutral for: every metric the registry re-centres (core/registry.py).
def profile_metrics() -> dict[str, int]:
    """Metric name -> column, for every metric re-centred on the neutral."""
    return {spec.name: i for i, spec in enumerate(REGISTRY) if spec.relative}


def _neutral_span(name: str) -> float:
    """How far from zero a stored neutral or limit may be (a value beyond is a damaged or hand-broken file)."""
    low, high = REGISTRY[name].plausible
    return min(max(abs(low), abs(high)), 90.0)


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class ProfileError(FormwatchError):
    """A profile is missing, unreadable or invalid."""


@dataclass(frozen=True)
class MetricNeutral:
    neutral: float
    noise: float  # robust standard deviation (1.4826 x MAD) while holding still


@dataclass(frozen=True)
class Profile:
    """A person's neutral posture in one camera set-up, and the limits that follow from it."""

    name: str
    created: str
    camera_view: str  # "side", "oblique", "front"
    camera_roll_deg: float
    torso_length_m: float
    metrics: dict[str, MetricNeutral]
    limits: dict[str, float]
    landmarks_seen: list[str] = field(default_factory=list)
    still_window_s: tuple[float, float] = (0.0, 0.0)
    source: str = ""
    settings: dict[str, object] = field(default_factory=dict)
    schema_version: int = PROFILE_SCHEMA_VERSION

    def neutral_vector(self) -> np.ndarray:
        """Neutral values laid out as a metrics row, for the pipeline to subtract (0 where not calibrated)."""
        out = np.zeros(len(REGISTRY))
        for name, col in profile_metrics().items():
            if name in self.metrics and math.isfinite(self.metrics[name].neutral):
                out[col] = self.metrics[name].neutral
        return out

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["still_window_s"] = list(self.still_window_s)
        return data


def validate_name(name: str) -> str:
    if not _NAME.match(name or ""):
        raise ProfileError(f"profile name {name!r} is not usable: use letters, digits, '-', '_' or '.'")
    return name


def _number(data: dict[str, object], key: str, where: str, low: float, high: float) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or \
            not low <= value <= high:
        raise ProfileError(f"{where}: {key} must be a number from {low} to {high}, not {value!r}")
    return float(value)


# Metrics renamed since a profile was written: old name -> registry name (the profile still loads).
_RENAMED = {"lumbar_arch_deg": HIP_EXTENSION}


def _renamed(section: object) -> object:
    if not isinstance(section, dict):
        return section
    return {_RENAMED.get(k, k): v for k, v in section.items()}


def profile_from_json(data: object, where: str) -> Profile:
    """Validate a decoded profile (schema, types, ranges)."""
    if not isinstance(data, dict):
        raise ProfileError(f"{where} must hold a JSON object: calibrate again to replace it")
    require_schema_version(data, PROFILE_SCHEMA_VERSION, where, ProfileError, "calibrate again")
    metrics_raw = _renamed(data.get("metrics"))
    if not isinstance(metrics_raw, dict) or not metrics_raw:
        raise ProfileError(f"{where}: 'metrics' must map metric names to their neutral and noise")
    metrics = {}
    known = profile_metrics()
    for name, entry in metrics_raw.items():
        if name not in known or not isinstance(entry, dict):
            raise ProfileError(f"{where}: unknown metric {name!r} in 'metrics'")
        span = _neutral_span(name)
        metrics[name] = MetricNeutral(_number(entry, "neutral", f"{where} {name}", -span, span),
                                      _number(entry, "noise", f"{where} {name}", 0.0, span))
    limits_raw = _renamed(data.get("limits"))
    if not isinstance(limits_raw, dict):
        raise ProfileError(f"{where}: 'limits' must map metric names to limits")
    limits = {}
    for name in limits_raw:
        if name not in known:
            raise ProfileError(f"{where}: unknown metric {name!r} in 'limits'")
        limits[name] = _number(limits_raw, name, f"{where} limits", 1e-6, _neutral_span(name))
    view = data.get("camera_view")
    if view not in ("side", "oblique", "front"):
        raise ProfileError(f"{where}: camera_view must be side, oblique or front, not {view!r}")
    name = data.get("name")
    if not isinstance(name, str):
        raise ProfileError(f"{where}: name must be text")
    window = data.get("still_window_s", [0.0, 0.0])
    if not (isinstance(window, list) and len(window) == 2 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in window)):
        raise ProfileError(f"{where}: still_window_s must be [start, end] in seconds")
    seen = data.get("landmarks_seen", [])
    settings = data.get("settings", {})
    if not isinstance(seen, list) or not all(isinstance(v, str) for v in seen) or not isinstance(settings, dict):
        raise ProfileError(f"{where}: landmarks_seen must be a list of names and settings an object")
    return Profile(
        name=name, created=str(data.get("created", "")), camera_view=view,
        camera_roll_deg=_number(data, "camera_roll_deg", where, -90.0, 90.0),
        torso_length_m=_number(data, "torso_length_m", where, 0.05, 2.0),
        metrics=metrics, limits=limits, landmarks_seen=seen,
        still_window_s=(float(window[0]), float(window[1])), source=str(data.get("source", "")),
        settings=settings)


def describe(profile: Profile) -> str:
    """A human-readable summary for ``calibrate --show``."""
    lines = [f"profile {profile.name}  (created {profile.created}, from {profile.source or '?'})",
             f"  camera view {profile.camera_view}, camera roll {profile.camera_roll_deg:+.1f}°, "
             f"torso {100 * profile.torso_length_m:.0f} cm",
             f"  {'metric':30s} {'neutral':>9s} {'noise':>7s} {'limit':>7s}"]
    for name, m in profile.metrics.items():
        limit = profile.limits.get(name)
        lines.append(f"  {name:30s} {m.neutral:9.2f} {m.noise:7.2f} {limit if limit is not None else '':>7}")
    return "\n".join(lines)
