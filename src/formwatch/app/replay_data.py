"""Everything a replay shows, loaded from a recording directory (no Qt): poses, every frame's record exactly as it
was made live, the set's summary, and the traces with the limit each frame was judged by.

The records are decoded from ``metrics.csv`` by the schema that wrote them (core/record.py), so the replay's
overlay — ``view(record)``, the same function live used — shows what live showed. A recording made elsewhere
(no metrics.csv), one written before this schema, or a replay asked to judge with a profile, is recomputed through
the same set driver the live path uses.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formwatch.core.driver import SetDriver
from formwatch.core.exercises import judged_spec
from formwatch.core.filters import zero_phase_smooth
from formwatch.core.frame_record import FrameRecord
from formwatch.core.record import BREATH_COLUMNS, RecordSchema
from formwatch.core.registry import HIP_HINGE, REGISTRY, Worse
from formwatch.core.sample import PoseSample
from formwatch.core.session import SetSession
from formwatch.core.set_judge import SetJudge
from formwatch.core.set_summary import SetSummary
from formwatch.core.events import Stop
from formwatch.core.wording import is_hold, seconds_text, stop_headline
from formwatch.io.recording import Recording, RecordingError, load_recording


def trace_metrics(exercise: str | None = None) -> tuple[str, ...]:
    """The metrics replay draws and exports: a rep exercise's driver, then its watched metrics (a hold: only those),
    or every form metric when no exercise was judged."""
    if exercise:
        from formwatch.core.exercises import get_exercise

        try:
            spec = get_exercise(exercise)
            return tuple(dict.fromkeys(((spec.driver,) if spec.has_reps else ()) + spec.watched))
        except ValueError:
            pass
    return tuple(spec.name for spec in REGISTRY.form_metrics)


@dataclass
class ReplayData:
    recording: Recording
    t_s: np.ndarray
    records: list[FrameRecord]
    summary: SetSummary
    traces: dict[str, np.ndarray]  # metric name -> (T,) values
    video_path: Path | None = None
    recomputed: bool = False

    @property
    def stop(self) -> Stop | None:
        return self.summary.stop

    @property
    def exercise(self) -> str | None:
        return self.summary.exercise

    @property
    def reps(self) -> list[tuple[int, float, float]]:
        """(rep, start_s, end_s) of every whole rep."""
        return [(int(str(r["rep"])), float(str(r["start_s"])), float(str(r["end_s"])))
                for r in self.summary.judge.rep_features]

    @property
    def breathing(self) -> dict[str, np.ndarray]:
        """breath_rate_bpm and breath_held_s per frame (NaN where breathing was not readable)."""
        rate = np.array([r.breath.rate_bpm if r.breath.valid else np.nan for r in self.records])
        held = np.array([r.breath.held_s if r.breath.valid else np.nan for r in self.records])
        return {BREATH_COLUMNS[0]: rate, BREATH_COLUMNS[2]: held}

    def has_breathing(self) -> bool:
        return bool(np.isfinite(self.breathing[BREATH_COLUMNS[0]]).any())

    def limit_trace(self, metric: str) -> np.ndarray | None:
        """Where each frame's reading would have reached its limit, in the trace's units: the reading moved by the
        rest of its gauge's allowance (against the neutral or the person's own reps at that phase, whichever the
        frame was judged by); the depth limit the first reps' depth less its limit. None when not judged."""
        judge = self.summary.judge
        if metric == HIP_HINGE:
            if metric in judge.baseline and metric in judge.limits:
                return np.full(len(self.t_s), judge.baseline[metric] - judge.limits[metric])
            return None
        spec = judged_spec(self.exercise, metric)
        if spec.worse is Worse.BOTH or metric not in self.traces:
            return None
        direction = 1.0 if spec.worse is Worse.HIGHER else -1.0
        out = np.full(len(self.t_s), np.nan)
        column = REGISTRY.index(metric)
        for i, record in enumerate(self.records):
            for gauge in record.gauges:
                if gauge.name == metric:
                    out[i] = record.metrics[column] + direction * gauge.limit * (1.0 - gauge.fraction)
        return out if np.isfinite(out).any() else None

    def title(self) -> str:
        """One line for an exported picture: what, when, whose, how many reps, the verdict."""
        from formwatch.core.wording import set_amount, why_ended

        meta, summary = self.recording.meta, self.summary
        exercise = summary.exercise or meta.get("exercise") or "no exercise chosen"
        when = str(meta.get("created", ""))[:16].replace("T", " ")
        profile = (meta.get("profile") or {}).get("name")
        who = f"profile {profile}" if profile else "no profile"
        done = set_amount(summary) if summary.judged_set else ""
        stop = summary.stop
        verdict = f"STOP at {seconds_text(stop.t_s)}: {stop_headline(stop, summary.exercise)}" if stop \
            else why_ended(summary)
        return " · ".join(part for part in (exercise, when, who, done, verdict) if part)

    def index_at(self, t_s: float) -> int:
        return int(np.clip(np.searchsorted(self.t_s, t_s), 0, len(self.t_s) - 1))


def _read_records(path: Path, frames: int) -> list[FrameRecord] | None:
    """The recorded frames, decoded by the schema they were written with; None when the file is absent, of an
    older schema, or does not match the poses."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    if len(rows) < 2 or len(rows) - 1 != frames or not RecordSchema.current(rows[0]):
        return None
    header = rows[0]
    try:
        return RecordSchema.from_header(header).decode(header, rows[1:])
    except (ValueError, KeyError, json.JSONDecodeError):
        return None


def _read_summary(path: Path) -> SetSummary | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return SetSummary.from_json(data) if isinstance(data, dict) else None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValueError, TypeError):
        return None


class _Collector:
    """A driver sink that keeps every frame's record."""

    def __init__(self) -> None:
        self.records: list[FrameRecord] = []

    def on_record(self, sample: PoseSample, record: FrameRecord, bgr: np.ndarray | None = None) -> None:
        self.records.append(record)


def recompute(recording: Recording, neutral: np.ndarray | None, judge: SetJudge | None
              ) -> tuple[list[FrameRecord], SetSummary]:
    """Every frame's record and the summary, through the same driver the live path uses."""
    session = SetSession(recording.frame_size_px, neutral=neutral, detector=judge)
    collector = _Collector()
    SetDriver(session, [collector]).run(recording.samples())
    return collector.records, session.summary()


def load_replay(path: Path, neutral: np.ndarray | None = None, detector: SetJudge | None = None,
                smooth_hz: float | None = None) -> ReplayData:
    """Load a recording for replay; recompute when metrics.csv is absent or older, or a judge or neutral is given.

    ``smooth_hz``: also smooth the traces with the zero-phase filter (no lag, for review only).
    """
    recording = load_recording(path)
    if len(recording.t_s) == 0:
        raise RecordingError(f"{path} holds no frames: nothing to replay")
    summary = _read_summary(Path(path) / "summary.json")
    records = None if neutral is not None or detector is not None else _read_records(
        Path(path) / "metrics.csv", len(recording.t_s))
    recomputed = records is None or summary is None
    if recomputed:
        if detector is None and (summary is None or summary.judged_set):
            exercise = summary.exercise if summary is not None else recording.meta.get("exercise")
            detector = SetJudge(exercise=exercise if isinstance(exercise, str) and exercise != "auto" else None)
        records, summary = recompute(recording, neutral, detector)
    assert records is not None and summary is not None
    names = [m for m in trace_metrics(summary.exercise) if m in REGISTRY]
    columns = [REGISTRY.index(m) for m in names]
    matrix = np.array([r.metrics[columns] for r in records]) if records else np.zeros((0, len(names)))
    traces = {m: matrix[:, i].astype(np.float64) for i, m in enumerate(names)}
    if smooth_hz:
        traces = {m: zero_phase_smooth(recording.t_s, v, smooth_hz) for m, v in traces.items()}
    video = Path(path) / "video.mp4"
    return ReplayData(recording, recording.t_s, records, summary, traces, video if video.is_file() else None,
                      recomputed)


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


def breath_hold_limit_s(exercise: str | None) -> float | None:
    """The exercise's breath-hold limit when it judges breathing (holds), else None."""
    if not is_hold(exercise):
        return None
    from formwatch.core.exercises import get_exercise

    spec = get_exercise(exercise or "")
    return spec.breath_hold_limit_s if "breath" in spec.rules else None
