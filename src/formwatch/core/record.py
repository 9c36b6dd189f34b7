"""The one schema that lays frame records out in ``metrics.csv`` and reads them back unchanged.

A row is the frame's time, every registry metric, the breath, and — when the set is judged — the exercise, the
state, the rep and its phase, whether the rest is known, seconds into a hold, the frame's events (JSON, usually
empty) and each gauge's deviation (fraction of its limit) and limit in force. Numbers are written exactly
(``repr``: a float reads back as the same float), so a replay decodes the very records live made;
:class:`RecordSchema` is built from the columns a set writes (``SetSession.schema``) or from a file's header.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from formwatch.core.events import Event, event_from_json, event_to_json
from formwatch.core.frame_record import BreathReading, EventFold, FrameRecord, exercise_gauges, read_only
from formwatch.core.registry import REGISTRY
from formwatch.core.verdict import GaugeReading

__all__ = ["BREATH_COLUMNS", "RecordSchema", "as_number", "cell"]

BREATH_COLUMNS = ("breath_rate_bpm", "breath_amplitude", "breath_held_s", "breath_strained")
_JUDGED_COLUMNS = ("exercise", "state", "rep", "phase", "rest_known", "held_s", "events")
Cell = str | float | int


def as_number(value: object) -> float:
    """A cell or field as a float: numbers as they are, text parsed, empty / None / unparsable as NaN."""
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value) if value not in ("", None) else math.nan  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def cell(value: object) -> str:
    """A value as metrics.csv writes it: floats exactly (``repr``), NaN and infinities empty."""
    if isinstance(value, (float, np.floating)):
        return repr(float(value)) if math.isfinite(value) else ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return "" if value is None else str(value)


@dataclass(frozen=True)
class RecordSchema:
    """The columns of ``metrics.csv``: ``t_s``, the metrics, the breath, then the judge's (when judged)."""

    metric_names: tuple[str, ...]
    gauge_names: tuple[str, ...] = ()
    judged: bool = False

    @classmethod
    def from_header(cls, header: Sequence[str]) -> "RecordSchema":
        """The schema a file was written with, from its header."""
        present = tuple(name for name in header if name in REGISTRY)
        gauges = tuple(name[: -len("_dev")] for name in header if name.endswith("_dev"))
        return cls(present, gauges, "state" in header)

    @staticmethod
    def current(header: Sequence[str]) -> bool:
        """Whether a file's header is of this schema (older recordings are recomputed from their poses)."""
        return "t_s" in header and all(c in header for c in BREATH_COLUMNS) and \
            ("state" not in header or all(c in header for c in _JUDGED_COLUMNS))

    @property
    def header(self) -> tuple[str, ...]:
        judged = (_JUDGED_COLUMNS + tuple(f"{g}_{kind}" for g in self.gauge_names for kind in ("dev", "limit"))
                  if self.judged else ())
        return ("t_s",) + self.metric_names + BREATH_COLUMNS + judged

    def encode(self, record: FrameRecord) -> list[str]:
        """One frame's row in :attr:`header` order."""
        b = record.breath
        values: list[object] = [record.t_s, *record.metrics.tolist()[: len(self.metric_names)]]
        values += [b.rate_bpm, b.amplitude, b.held_s, b.strained] if b.valid else [math.nan] * 3 + [""]
        if self.judged:
            events = json.dumps([event_to_json(e) for e in record.events], separators=(",", ":")) \
                if record.events else ""
            values += [record.exercise, record.state, record.rep, record.phase, record.rest_known, record.held_s,
                       events]
            by_name = {g.name: g for g in record.gauges}
            for name in self.gauge_names:
                gauge = by_name.get(name)
                values += [gauge.fraction, gauge.limit] if gauge is not None else [math.nan, math.nan]
        return [cell(v) for v in values]

    def decode(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[FrameRecord]:
        """Rows from the file laid out by ``header`` back into the records that were written."""
        where = {name: i for i, name in enumerate(header)}
        registry = {name: i for i, name in enumerate(REGISTRY.names)}
        metric_cols = [(registry[n], where[n]) for n in self.metric_names if n in registry and n in where]
        fold = EventFold()
        records = []
        for row in rows:
            def get(name: str) -> str:
                i = where.get(name)
                return row[i] if i is not None and i < len(row) else ""

            metrics = np.full(len(REGISTRY), np.nan)
            for target, source in metric_cols:
                metrics[target] = as_number(row[source]) if source < len(row) else math.nan
            held = as_number(get("breath_held_s"))
            breath = BreathReading(True, as_number(get("breath_rate_bpm")), as_number(get("breath_amplitude")),
                                   held, get("breath_strained") == "1") if not math.isnan(held) else BreathReading()
            if not self.judged:
                records.append(FrameRecord(as_number(get("t_s")), read_only(metrics), breath))
                continue
            events: tuple[Event, ...] = tuple(event_from_json(e) for e in json.loads(get("events"))) \
                if get("events") else ()
            fold.add(events)
            exercise = get("exercise") or None
            gauges = tuple(GaugeReading(g, as_number(get(f"{g}_dev")), as_number(get(f"{g}_limit")))
                           for g in self.gauge_names)
            held_s = as_number(get("held_s"))
            records.append(FrameRecord(
                as_number(get("t_s")), read_only(metrics), breath, exercise, get("state"), int(as_number(get("rep"))),
                get("phase"), get("rest_known") == "1", exercise_gauges(exercise, gauges),
                None if math.isnan(held_s) else held_s, events, fold.recognition, fold.line, fold.stop,
                fold.view_problem))
        return records
