"""``formwatch export``: a recording as the files a lab and a clinic open — OpenSim's ``.trc`` markers and ``.mot``
columns, a ``.c3d`` (markers, metrics as analog channels, rep and stop events) and a per-rep ``.csv``.

Everything comes from the recording as it was judged: the poses, every frame's record read back from metrics.csv
(app/replay_data.py) and the set's one summary; nothing is judged again.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formwatch.app.replay_data import load_replay
from formwatch.core.events import RepJudged, Verdict
from formwatch.core.landmarks import Lm
from formwatch.core.registry import REGISTRY
from formwatch.core.set_summary import SetSummary
from formwatch.core.errors import FormwatchError
from formwatch.io.opensim_files import write_mot, write_trc
from formwatch.io.outputs import atomic_output

__all__ = ["FORMATS", "MARKER_NAMES", "REP_COLUMNS", "SetExport", "VERDICT_CODES", "export_set", "rep_events", "rep_rows",
           "set_export"]

FORMATS = ("trc", "mot", "c3d", "csv")
MARKER_NAMES = tuple(lm.name for lm in Lm)  # MediaPipe's 33 landmarks, in its order
VERDICT_CODES = {None: 0, Verdict.CLEAN: 1, Verdict.NOTE: 2, Verdict.FAULT: 3}
REP_COLUMNS = ("set", "rep", "t_start_s", "t_end_s", "verdict", "metric", "deviation", "limit", "judged_against",
               "partial")
_Y_UP = np.array([1.0, -1.0, -1.0])  # MediaPipe's world frame has Y down: turned 180 deg about X (right-handed)


@dataclass(frozen=True)
class SetExport:
    """One recorded set, ready to write: seconds from its first frame, markers (T, 33, 3) in mm with Y up (NaN where
    nobody was found), each metric and the breath (T,), the rep and the latest rep's verdict code (T,)."""

    name: str
    t0_s: float  # the recording's own time of its first frame (the summary's times are in that clock)
    t_s: np.ndarray
    rate_hz: float
    markers_mm: np.ndarray
    columns: dict[str, np.ndarray]
    summary: SetSummary


def _measured_metrics() -> tuple[str, ...]:
    """The registry's metrics that measure something (a unit): not the view, facing or quality codes."""
    return tuple(spec.name for spec in REGISTRY if spec.unit.strip())


def set_export(recording: Path) -> SetExport:
    data = load_replay(recording)
    t_s = data.t_s - data.t_s[0]
    rate_hz = (len(t_s) - 1) / float(t_s[-1]) if len(t_s) > 1 and t_s[-1] > 0 else float(
        data.recording.meta.get("fps") or 30.0)
    world = data.recording.world[:, :, :3].astype(np.float64)
    markers_mm = world * _Y_UP * 1000.0
    names = _measured_metrics()
    index = [REGISTRY.index(n) for n in names]
    matrix = np.array([r.metrics[index] for r in data.records], dtype=np.float64)
    columns = {n: matrix[:, i] for i, n in enumerate(names)}
    columns["breath_rate_bpm"] = np.array([r.breath.rate_bpm for r in data.records])
    columns["breath_held_s"] = np.array([r.breath.held_s if r.breath.valid else np.nan for r in data.records])
    columns["rep"] = np.array([r.rep for r in data.records], dtype=np.float64)
    columns["verdict"] = np.array([VERDICT_CODES[r.line.verdict if isinstance(r.line, RepJudged) else None]
                                   for r in data.records], dtype=np.float64)
    return SetExport(Path(recording).name, float(data.t_s[0]), t_s, rate_hz, markers_mm, columns, data.summary)


def rep_rows(summary: SetSummary, set_name: str) -> list[dict[str, object]]:
    """One row per judged rep, the partial last one included: the table a clinician pastes into a spreadsheet."""
    return [{"set": set_name, "rep": rep.rep, "t_start_s": round(rep.t_start_s, 3), "t_end_s": round(rep.t_end_s, 3),
             "verdict": rep.verdict.value, "metric": rep.metric or "",
             "deviation": "" if rep.deviation is None else round(rep.deviation, 3),
             "limit": "" if rep.limit is None else round(rep.limit, 3),
             "judged_against": rep.against.value if rep.against is not None else "", "partial": int(rep.partial)}
            for rep in summary.judged]


def rep_events(exported: SetExport) -> list[tuple[float, str, str]]:
    """(seconds from the first frame, label, verdict or rule) of each rep's start and end and of the stop."""
    events = []
    for rep in exported.summary.judged:
        events.append((rep.t_start_s - exported.t0_s, f"Rep {rep.rep} start", rep.verdict.value))
        events.append((rep.t_end_s - exported.t0_s, f"Rep {rep.rep} end", rep.verdict.value))
    if exported.summary.stop is not None:
        events.append((exported.summary.stop.t_s - exported.t0_s, "Stop", exported.summary.stop.rule))
    return sorted(events)


_MOT_NOTES = ("units: *_deg degrees, *_cm centimetres, *_m metres, breath_rate_bpm breaths a minute, "
              "breath_held_s seconds; as judged (relative to the neutral where a profile was used)",
              "rep: the rep in progress (0 before the first); verdict: the latest judged rep's, "
              "0 none yet, 1 clean, 2 note, 3 fault")


def export_set(exported: SetExport, fmt: str, out_dir: Path) -> Path:
    """Write a loaded set (:func:`set_export`, read once for every format) as ``fmt`` into ``out_dir``
    (``<recording name>.<fmt>``); the path written."""
    if fmt not in FORMATS:
        raise FormwatchError(f"--format {fmt}: choose one of {', '.join(FORMATS)}")
    target = out_dir / f"{exported.name}.{fmt}"
    with atomic_output(target, "--out") as tmp:
        if fmt == "trc":
            write_trc(tmp, exported.t_s, exported.markers_mm, MARKER_NAMES, exported.rate_hz, target.name)
        elif fmt == "mot":
            write_mot(tmp, exported.t_s, exported.columns, _MOT_NOTES, title=exported.name)
        elif fmt == "c3d":
            from formwatch.io.c3d_file import write_c3d

            write_c3d(tmp, exported.rate_hz, exported.markers_mm, MARKER_NAMES, exported.columns,
                      rep_events(exported))
        else:
            with open(tmp, "w", newline="", encoding="utf-8") as f:
                writer = csv.DictWriter(f, REP_COLUMNS)
                writer.writeheader()
                writer.writerows(rep_rows(exported.summary, exported.name))
    return target
