"""A set as a C3D file, written by ezc3d (the kept reader/writer biomechanics labs use, in the ``[lab]`` extra):
the 33 landmarks as points in mm, every metric and the breath as analog channels at the same rate, and an event
for each rep's start and end and for the stop."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from formwatch.core.errors import FormwatchError

__all__ = ["write_c3d"]


def write_c3d(path: Path, rate_hz: float, markers_mm: np.ndarray, marker_names: Sequence[str],
              analogs: Mapping[str, np.ndarray], events: Sequence[tuple[float, str, str]]) -> None:
    """``markers_mm`` (T, M, 3), NaN where unseen; ``analogs`` name -> (T,) at the same rate; ``events`` (seconds
    from the first frame, label, description)."""
    try:
        import ezc3d
    except ImportError:
        raise FormwatchError("C3D needs ezc3d: pip install 'formwatch[lab]' (or pip install ezc3d)") from None
    c3d = ezc3d.c3d()
    frames = markers_mm.shape[0]
    points = np.ones((4, len(marker_names), frames))
    points[:3] = np.transpose(markers_mm, (2, 1, 0))  # (3, markers, frames); NaN stays NaN: not seen
    c3d["parameters"]["POINT"]["RATE"]["value"] = np.array([rate_hz])
    c3d["parameters"]["POINT"]["LABELS"]["value"] = list(marker_names)
    c3d["parameters"]["POINT"]["UNITS"]["value"] = ["mm"]
    c3d["data"]["points"] = points
    names = list(analogs)
    c3d["parameters"]["ANALOG"]["RATE"]["value"] = np.array([rate_hz])
    c3d["parameters"]["ANALOG"]["LABELS"]["value"] = names
    c3d["parameters"]["ANALOG"]["UNITS"]["value"] = [_unit(n) for n in names]
    c3d["data"]["analogs"] = np.stack([analogs[n] for n in names])[np.newaxis].astype(np.float64)
    for seconds, label, what in events:
        seconds = max(0.0, seconds)
        c3d.add_event([int(seconds // 60), seconds % 60], context="General", label=label, description=what)
    c3d.write(str(path))


def _unit(name: str) -> str:
    for suffix, unit in (("_deg", "deg"), ("_cm", "cm"), ("_m", "m"), ("_bpm", "1/min"), ("_s", "s")):
        if name.endswith(suffix):
            return unit
    return ""
