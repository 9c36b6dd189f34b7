"""OpenSim's text files: ``.trc`` markers and ``.mot`` (storage) columns, written as OpenSim's own readers expect
(``TRCFileAdapter``, ``STOFileAdapter``) — plain text, no OpenSim needed to write them.

A frame where nobody was found keeps its row with empty marker fields (``.trc``) or NaN (``.mot``): a gap a
biomechanist sees and fills as they choose, never a jump to the origin.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

__all__ = ["write_mot", "write_trc"]


def _number(value: float, digits: int) -> str:
    return "" if math.isnan(value) else f"{value:.{digits}f}"


def write_trc(path: Path, t_s: np.ndarray, markers_mm: np.ndarray, names: Sequence[str], rate_hz: float,
              file_name: str | None = None) -> None:
    """``markers_mm`` (T, M, 3) in millimetres, Y up, NaN where unseen; ``t_s`` (T,) seconds from the first frame;
    ``file_name`` the name the header gives (the file's own by default)."""
    frames, count = markers_mm.shape[:2]
    lines = [f"PathFileType\t4\t(X/Y/Z)\t{file_name or path.name}",
             "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
             f"{rate_hz:.4f}\t{rate_hz:.4f}\t{frames}\t{count}\tmm\t{rate_hz:.4f}\t1\t{frames}",
             "Frame#\tTime\t" + "\t".join(f"{name}\t\t" for name in names).rstrip("\t"),
             "\t\t" + "\t".join(f"X{i}\tY{i}\tZ{i}" for i in range(1, count + 1)),
             ""]
    for frame in range(frames):
        fields = [str(frame + 1), f"{t_s[frame]:.5f}"]
        fields += [_number(float(v), 3) for v in markers_mm[frame].reshape(-1)]
        lines.append("\t".join(fields) + "\t")  # a closing tab: OpenSim's reader drops the line's last empty field
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_mot(path: Path, t_s: np.ndarray, columns: Mapping[str, np.ndarray], header_notes: Sequence[str] = (),
              in_degrees: bool = True, title: str | None = None) -> None:
    """Columns (each (T,)) beside ``time``; ``header_notes``: lines before ``endheader`` saying the units and codes."""
    names = list(columns)
    lines = [title or path.stem, "version=1", f"nRows={len(t_s)}", f"nColumns={len(names) + 1}",
             f"inDegrees={'yes' if in_degrees else 'no'}", *header_notes, "endheader", "\t".join(["time", *names])]
    matrix = np.column_stack([np.asarray(t_s, np.float64)] + [np.asarray(columns[n], np.float64) for n in names])
    for row in matrix:
        lines.append("\t".join("NaN" if math.isnan(v) else f"{v:.6f}" for v in row))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
