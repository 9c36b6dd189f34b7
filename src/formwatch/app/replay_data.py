"""Everything a replay shows, loaded from a recording directory (no Qt): poses, metric traces, reps, the stop, and
each frame's verdict (state, rep, every gauge's deviation and the limit in force) exactly as it was recorded live.

When ``metrics.csv`` is missing (a recording made elsewhere) or a profile is given, the traces and verdicts are
recomputed through the same set driver the live path uses.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from formwatch.core.driver import SetDriver, samples_of
from formwatch.core.filters import zero_phase_smooth
from formwatch.core.exercises import gauge_specs
from formwatch.core.registry import REGISTRY, Worse
from formwatch.core.record import FrameColumns, FrameVerdicts, RecordSchema
from formwatch.core.session import SetSession
from formwatch.io.recording import Recording, RecordingError, load_recording


def trace_metrics() -> tuple[str, ...]:
    """The metrics replay draws and exports: every form metric in the registry."""
    return tuple(spec.name for spec in REGISTRY.form_metrics)


@dataclass
class ReplayData:
    recording: Recording
    t_s: np.ndarray
    traces: dict[str, np.ndarray]  # metric name -> (T,) values
    summary: dict[str, Any]
    stop: dict[str, Any] | None
    reps: list[dict[str, Any]] = field(default_factory=list)
    video_path: Path | None = None
    verdicts: FrameVerdicts | None = None
    # breath_rate_bpm, breath_amplitude, breath_held_s per frame (NaN where breathing was not readable)
    breathing: dict[str, np.ndarray] = field(default_factory=dict)

    def has_breathing(self) -> bool:
        rate = self.breathing.get("breath_rate_bpm")
        return rate is not None and bool(np.isfinite(rate).any())

    def limit_line(self, metric: str) -> float | None:
        """Where a trace crosses its limit (baseline +/- limit, by the way it gets worse), in the trace's units;
        None if not limited."""
        limits, baseline = self.summary.get("limits", {}), self.summary.get("baseline", {})
        if metric not in limits or metric not in REGISTRY:
            return None
        spec = gauge_specs(self.summary.get("exercise") or "", (metric,))[0]  # as the set was judged
        if spec.worse is Worse.LOWER:
            return baseline[metric] - limits[metric] if metric in baseline else None
        return baseline.get(metric, 0.0) + limits[metric]

    def title(self) -> str:
        """One line for an exported picture: what, when, whose, how many reps, the verdict."""
        meta, summary = self.recording.meta, self.summary
        exercise = summary.get("exercise") or meta.get("exercise") or "no exercise chosen"
        when = str(meta.get("created", ""))[:16].replace("T", " ")
        profile = (meta.get("profile") or {}).get("name")
        who = f"profile {profile}" if profile else "no profile"
        reps = summary.get("reps")
        count = f"{reps} rep{'s' if reps != 1 else ''}" if isinstance(reps, int) and exercise != "plank" else (
            f"held {summary.get('held_s') or 0:.0f} s" if exercise == "plank" else "")
        verdict = f"STOP at {self.stop['t_s']:.1f} s: {self.stop.get('headline') or self.stop['reason']}" \
            if self.stop else "no stop"
        return " · ".join(part for part in (exercise, when, who, count, verdict) if part)

    def index_at(self, t_s: float) -> int:
        return int(np.clip(np.searchsorted(self.t_s, t_s), 0, len(self.t_s) - 1))


def _read_metrics_csv(path: Path, frames: int
                      ) -> tuple[dict[str, np.ndarray], FrameVerdicts | None, dict[str, np.ndarray]] | None:
    """The recorded traces, per-frame verdicts and breathing, decoded by the schema they were written with
    (core/record.py); None when the file is absent or does not match the poses."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except OSError:
        return None
    if len(rows) < 2 or len(rows) - 1 != frames or "t_s" not in rows[0]:
        return None
    header, body = rows[0], rows[1:]
    columns = RecordSchema.from_header(header, REGISTRY.names).decode(header, body)
    return _traces(columns), columns.verdicts, columns.breathing


def _traces(columns: FrameColumns) -> dict[str, np.ndarray]:
    return {name: columns.metrics[name] for name in trace_metrics() if name in columns.metrics}


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}


class _Collector:
    """A driver sink that keeps every frame's record row, as the recording writer would write it."""

    def __init__(self) -> None:
        self.rows: list[list[Any]] = []

    def on_frame(self, sample: Any, result: Any, row: list[Any], bgr: Any = None) -> None:
        self.rows.append(row)


def _recompute(recording: Recording, neutral: np.ndarray | None, detector: Any
               ) -> tuple[dict[str, np.ndarray], FrameVerdicts | None, dict[str, Any], dict[str, np.ndarray]]:
    session = SetSession(recording.frame_size_px, neutral=neutral, detector=detector)
    collector = _Collector()
    SetDriver(session, [collector]).run(samples_of(recording.t_s, recording.image, recording.world,
                                                   recording.profile))
    schema = session.schema  # decoded exactly as metrics.csv would be
    columns = schema.decode(schema.header, [[t, *row] for t, row in zip(recording.t_s.tolist(), collector.rows)])
    return _traces(columns), columns.verdicts, session.summary(), columns.breathing


def load_replay(path: Path, neutral: np.ndarray | None = None, detector: Any = None,
                smooth_hz: float | None = None) -> ReplayData:
    """Load a recording for replay; recompute traces when metrics.csv is absent or a new neutral is given.

    ``smooth_hz``: also smooth the stored traces with the zero-phase filter (no lag, for review only).
    """
    recording = load_recording(path)
    if len(recording.t_s) == 0:
        raise RecordingError(f"{path} holds no frames: nothing to replay")
    summary = _read_json(Path(path) / "summary.json")
    stored = None if neutral is not None or detector is not None else _read_metrics_csv(
        Path(path) / "metrics.csv", len(recording.t_s))
    if stored is None or len(stored[0]) < len(trace_metrics()):
        traces, verdicts, recomputed, breathing = _recompute(recording, neutral, detector)
        summary = {**summary, **recomputed}
    else:
        traces, verdicts, breathing = stored
    stop = recording.meta.get("stop") or summary.get("stop")
    video = Path(path) / "video.mp4"
    if smooth_hz:
        traces = {m: zero_phase_smooth(recording.t_s, v, smooth_hz) for m, v in traces.items()}
    return ReplayData(recording, recording.t_s, traces, summary, stop,
                      summary.get("rep_features", []), video if video.is_file() else None, verdicts, breathing)


def export_csv(data: ReplayData, destination: Path) -> Path:
    """The traces as CSV: t_s and one column per metric."""
    from formwatch.io.outputs import atomic_output

    names = tuple(data.traces)
    with atomic_output(destination, "--export-csv") as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(("t_s",) + names)
        for i, t in enumerate(data.t_s):
            writer.writerow([f"{t:.4f}"] + ["" if math.isnan(data.traces[m][i]) else f"{data.traces[m][i]:.4f}"
                                            for m in names])
    return destination
