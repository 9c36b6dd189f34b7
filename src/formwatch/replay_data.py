"""Everything a replay shows, loaded from a recording directory (no Qt): poses, metric traces, reps, limits, stop.

When ``metrics.csv`` is missing (a recording made elsewhere) or a profile is given, the traces are recomputed
through the same session the live path uses.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from formwatch.core.filters import zero_phase_smooth
from formwatch.core.kinematics import COLUMN_NAMES
from formwatch.core.session import SetSession
from formwatch.recording import Recording, RecordingError, load_recording

TRACE_METRICS = ("hip_hinge_deg", "shoulder_elevation_cm", "lumbar_arch_deg")


@dataclass
class ReplayData:
    recording: Recording
    t_s: np.ndarray
    traces: dict[str, np.ndarray]  # metric name -> (T,) values
    summary: dict[str, Any]
    stop: dict[str, Any] | None
    reps: list[dict[str, Any]] = field(default_factory=list)
    video_path: Path | None = None

    def limit_line(self, metric: str) -> float | None:
        """Where a trace crosses its limit (baseline + limit), in the trace's own units; None if not limited."""
        limits, baseline = self.summary.get("limits", {}), self.summary.get("baseline", {})
        if metric == "hip_hinge_deg":
            if metric in limits and metric in baseline:
                return baseline[metric] - limits[metric]  # depth below this counts as lost
            return None
        if metric in limits:
            return baseline.get(metric, 0.0) + limits[metric]
        return None

    def index_at(self, t_s: float) -> int:
        return int(np.clip(np.searchsorted(self.t_s, t_s), 0, len(self.t_s) - 1))


def _read_metrics_csv(path: Path, frames: int) -> dict[str, np.ndarray] | None:
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except OSError:
        return None
    if len(rows) < 2 or len(rows) - 1 != frames:
        return None
    header = rows[0]
    out = {}
    for name in ("t_s",) + TRACE_METRICS:
        if name not in header:
            return None
        i = header.index(name)
        out[name] = np.array([float(r[i]) if i < len(r) and r[i] else math.nan for r in rows[1:]])
    return out


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}


def load_replay(path: Path, neutral: np.ndarray | None = None, detector: Any = None,
                smooth_hz: float | None = None) -> ReplayData:
    """Load a recording for replay; recompute traces when metrics.csv is absent or a new neutral is given.

    ``smooth_hz``: also smooth the stored traces with the zero-phase filter (no lag, for review only).
    """
    recording = load_recording(path)
    if len(recording.t_s) == 0:
        raise RecordingError(f"{path} holds no frames: nothing to replay")
    summary = _read_json(Path(path) / "summary.json")
    metrics = None if neutral is not None or detector is not None else _read_metrics_csv(
        Path(path) / "metrics.csv", len(recording.t_s))
    if metrics is None:
        session = SetSession(recording.frame_size_px, neutral=neutral, detector=detector)
        rows = np.stack([session.step(float(t), recording.image[i], recording.world[i]).metrics
                         for i, t in enumerate(recording.t_s)])
        metrics = {name: rows[:, COLUMN_NAMES.index(name)] for name in TRACE_METRICS}
        summary = {**summary, **session.summary()}
    stop = recording.meta.get("stop") or summary.get("stop")
    video = Path(path) / "video.mp4"
    traces = {m: metrics[m] for m in TRACE_METRICS}
    if smooth_hz:
        traces = {m: zero_phase_smooth(recording.t_s, v, smooth_hz) for m, v in traces.items()}
    return ReplayData(recording, recording.t_s, traces, summary, stop,
                      summary.get("rep_features", []), video if video.is_file() else None)


def export_csv(data: ReplayData, destination: Path) -> Path:
    """The traces as CSV: t_s and one column per metric."""
    with open(destination, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(("t_s",) + TRACE_METRICS)
        for i, t in enumerate(data.t_s):
            writer.writerow([f"{t:.4f}"] + ["" if math.isnan(data.traces[m][i]) else f"{data.traces[m][i]:.4f}"
                                            for m in TRACE_METRICS])
    return destination
