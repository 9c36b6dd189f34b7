"""A set as the history gives it back: when, where from, its status and its :class:`SetSummary` — the same shape
summary.json holds, so every reader of the history reads the same facts (and words them through core/wording.py).

Rows written before the summary was kept (schema 4 and older) are read into a summary as far as their columns go;
their stop sentence, written then, is kept as ``legacy_reason`` (their numbers were never stored).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from formwatch.core.events import Against, Recognised, RepJudged, Stop, Verdict
from formwatch.core.set_summary import BreathingSummary, JudgeFacts, SetSummary

__all__ = ["HistorySet", "LimitMove", "set_from_row"]


@dataclass(frozen=True)
class LimitMove:
    """A move of a limit in force, as the history keeps it: when, whose, which metric, old and new, and why."""

    at: str
    profile: str
    exercise: str
    metric: str
    old: float
    new: float
    safety: float
    sentence: str

    def to_json(self) -> dict[str, object]:
        return {"at": self.at, "profile": self.profile, "exercise": self.exercise, "metric": self.metric,
                "old": self.old, "new": self.new, "safety": self.safety, "sentence": self.sentence}


@dataclass(frozen=True)
class HistorySet:
    """One row of the history."""

    id: int
    started: str
    ended: str | None
    status: str  # running, done, interrupted
    source: str  # live, analyze, routine
    profile: str | None
    recording: str | None
    summary: SetSummary
    legacy_reason: str | None = None  # the stop's sentence of a row written before the summary was kept

    def why_ended(self) -> str:
        """The stop's sentence, "no stop", or the status (the words of today, for rows that have the facts)."""
        from formwatch.core.wording import why_ended

        if self.legacy_reason and self.summary.stop is not None:
            return self.legacy_reason
        return why_ended(self.summary, self.status)

    def to_json(self) -> dict[str, object]:
        """The row as ``history --json`` prints it: the set's facts under ``summary``."""
        return {"id": self.id, "started": self.started, "ended": self.ended, "status": self.status,
                "source": self.source, "profile": self.profile, "recording": self.recording,
                "summary": self.summary.to_json(), **({"legacy_reason": self.legacy_reason}
                                                      if self.legacy_reason else {})}


def _json(text: object, default: object) -> object:
    try:
        return json.loads(text) if isinstance(text, str) and text else default
    except json.JSONDecodeError:
        return default


def set_from_row(row: Mapping[str, object]) -> HistorySet:
    """A history row (sqlite3.Row as a dict) as a :class:`HistorySet`."""
    raw = _json(row.get("summary"), None)
    legacy = None
    if isinstance(raw, dict):
        summary = SetSummary.from_json(raw)
    else:
        summary = _legacy_summary(row)
        legacy = str(row["stop_reason"]) if row.get("stop_reason") else None
    return HistorySet(int(row["id"]), str(row["started"]), _str(row.get("ended")), str(row["status"]),  # type: ignore
                      str(row["source"]), _str(row.get("profile")), _str(row.get("recording")), summary, legacy)


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _num(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _legacy_summary(row: Mapping[str, object]) -> SetSummary:
    """What an older row's columns say, as a summary (reps, rep verdicts, the stop's rule and metric, notes)."""
    exercise = _str(row.get("exercise"))
    judged = []
    details = _json(row.get("reps_detail"), [])
    for item in details if isinstance(details, list) else []:
        if isinstance(item, dict) and item.get("verdict") in ("clean", "note", "fault"):
            judged.append(RepJudged(float(item.get("t_end_s") or 0.0), int(item.get("rep") or 0),
                                    float(item.get("t_start_s") or 0.0), float(item.get("t_end_s") or 0.0),
                                    Verdict(item["verdict"]), item.get("metric"), _num(item.get("deviation")),
                                    partial=bool(item.get("partial"))))
    stop = None
    if row.get("stopped"):
        stop = Stop(0.0, 0, str(row.get("stop_metric") or ""), math.nan, math.nan, str(row.get("stop_rule") or ""),
                    Against.NEUTRAL)
    recognition = Recognised(0.0, exercise, 1.0, str(row.get("exercise_source") or "given")) if exercise else None
    features = _json(row.get("rep_features"), [])
    reference = _json(row.get("reference"), None)
    limits = _json(row.get("limits"), {})
    judge = JudgeFacts(limits=MappingProxyType({str(k): float(v) for k, v in limits.items()
                                                if isinstance(v, (int, float))} if isinstance(limits, dict) else {}),
                       reference=reference if isinstance(reference, dict) else None,
                       rep_features=tuple(MappingProxyType(f) for f in features if isinstance(f, dict))
                       if isinstance(features, list) else (),
                       held_s=_num(row.get("held_s")))
    return SetSummary(judged_set=exercise is not None, exercise=exercise, recognition=recognition,
                      reps=int(_num(row.get("reps")) or 0), judged=tuple(judged), stop=stop,
                      held_s=_num(row.get("held_s")), duration_s=_num(row.get("duration_s")) or 0.0,
                      breathing=BreathingSummary(rate_bpm=_num(row.get("breath_rate_bpm"))), judge=judge,
                      truncated=bool(row.get("truncated")))
