"""One frame's record and the one schema that lays it out in ``metrics.csv`` and reads it back.

A frame's record is its time, every registry metric, the breath (rate, depth, seconds held) and — with an exercise —
the detector's verdict: rep, state, phase, and each gauge's deviation (fraction of its limit) and the limit in force.
:class:`RecordSchema` is built from the columns a set writes (``SetSession.schema``); the recording writer writes
``schema.header`` and ``schema.encode(t_s, result)``; replay decodes the file, or rows recomputed in memory, with the
same schema — so "replay shows what live showed" holds by construction, and a column's name is spelled in one place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

__all__ = ["BREATH_COLUMNS", "FrameColumns", "FrameVerdicts", "RecordSchema", "as_number"]

BREATH_COLUMNS = ("breath_rate_bpm", "breath_amplitude", "breath_held_s")
_VERDICT_COLUMNS = ("rep", "state", "phase")
_TEXT_COLUMNS = frozenset(("state", "phase"))


@dataclass
class FrameVerdicts:
    """Per-frame verdict columns: state and rep, and for each gauge its deviation (fraction of the limit) and the
    limit in force, as the live overlay showed them."""

    state: list[str]
    rep: np.ndarray
    gauge_names: tuple[str, ...]
    deviations: dict[str, np.ndarray]
    limits: dict[str, np.ndarray]


@dataclass
class FrameColumns:
    """A whole set's records, column by column."""

    t_s: np.ndarray
    metrics: dict[str, np.ndarray]  # every registry metric present in the file
    breathing: dict[str, np.ndarray]
    verdicts: FrameVerdicts | None


def as_number(value: Any) -> float:
    """A cell or field as a float: numbers as they are, text parsed, empty / None / unparsable as NaN."""
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value) if value not in ("", None) else math.nan
    except (TypeError, ValueError):
        return math.nan


@dataclass(frozen=True)
class RecordSchema:
    """The columns of ``metrics.csv``: ``t_s``, the metrics, the breath, then the verdict's (when judged)."""

    metric_names: tuple[str, ...]
    gauge_names: tuple[str, ...] = ()
    judged: bool = False

    @classmethod
    def from_header(cls, header: Sequence[str], metric_names: Sequence[str]) -> "RecordSchema":
        """The schema a file was written with, from its header (older files: whatever subset they hold)."""
        present = tuple(name for name in metric_names if name in header)
        gauges = tuple(name[: -len("_dev")] for name in header if name.endswith("_dev"))
        return cls(present, gauges, "state" in header)

    @property
    def header(self) -> tuple[str, ...]:
        verdict = (_VERDICT_COLUMNS + tuple(f"{g}_{kind}" for g in self.gauge_names for kind in ("dev", "limit"))
                   if self.judged else ())
        return ("t_s",) + self.metric_names + BREATH_COLUMNS + verdict

    def encode(self, t_s: float, metrics: Sequence[float], breath: Any, verdict_values: Sequence[Any]) -> list[Any]:
        """One frame's row in :attr:`header` order (``verdict_values``: the detector's rep, state, phase, gauges)."""
        values: list[Any] = [t_s, *metrics]
        if breath is not None and breath.valid:
            values += [breath.rate_bpm, breath.amplitude, breath.held_s]
        else:
            values += [math.nan] * len(BREATH_COLUMNS)
        return values + list(verdict_values)

    def decode(self, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> FrameColumns:
        """Rows (strings from the file, or values in memory) laid out by ``header`` back into columns."""
        where = {name: i for i, name in enumerate(header)}

        def column(name: str) -> np.ndarray:
            i = where[name]
            return np.array([as_number(r[i]) if i < len(r) else math.nan for r in rows])

        verdicts = None
        if self.judged and "state" in where:
            i = where["state"]
            verdicts = FrameVerdicts([str(r[i]) if i < len(r) else "" for r in rows], column("rep"),
                                     self.gauge_names, {g: column(f"{g}_dev") for g in self.gauge_names},
                                     {g: column(f"{g}_limit") for g in self.gauge_names if f"{g}_limit" in where})
        return FrameColumns(column("t_s") if "t_s" in where else np.arange(len(rows), dtype=float),
                            {name: column(name) for name in self.metric_names if name in where},
                            {name: column(name) for name in BREATH_COLUMNS if name in where}, verdicts)
