"""What a set did, in the words every screen, table and report uses: reps for rep exercises, seconds for holds.

A plank has no reps: "0 reps, 0 clean" in the history, the report, the Progress view and the signature said
nothing true about it. One function decides the words, so the places cannot drift apart.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

from formwatch.core.exercises import get_exercise
from formwatch.core.record import as_number
from formwatch.core.rules import seconds_text

__all__ = ["is_hold", "hold_seconds", "rep_words", "set_amount"]


def is_hold(exercise: str | None) -> bool:
    """Whether ``exercise`` is held (a plank), not done in reps; unknown or none: False."""
    if not exercise:
        return False
    try:
        return not get_exercise(exercise).has_reps
    except ValueError:
        return False


def hold_seconds(row: Mapping[str, Any]) -> tuple[float, float]:
    """(clean, total) seconds of a hold: held until the stop or the end, and the whole set's length."""
    clean, total = as_number(row.get("held_s")), as_number(row.get("duration_s"))
    if math.isnan(total) or (not math.isnan(clean) and total < clean):
        total = clean
    return clean, total


def set_amount(row: Mapping[str, Any]) -> str:
    """"8 of 10 reps clean", "10 reps, all clean", "held 28 s clean of 32 s", "held 30 s, all clean" or "—"."""
    if is_hold(row.get("exercise")):
        clean, total = hold_seconds(row)
        if math.isnan(clean):
            return "—"
        if row.get("stopped") and total - clean >= 0.5:
            return f"held {seconds_text(clean)} clean of {seconds_text(total)}"
        return f"held {seconds_text(clean)}, all clean"
    reps, clean_reps = row.get("reps"), row.get("clean_reps")
    if reps is None:
        return "—"
    said = rep_words(row)  # every rep's own verdict (core/rep_verdicts.py), when the set has them
    if clean_reps is None or clean_reps == reps:
        return f"{reps} rep{'s' if reps != 1 else ''}" + (said or (", all clean" if reps else ""))
    return f"{clean_reps} of {reps} reps clean" + said


def rep_words(row: Mapping[str, Any]) -> str:
    """", 2 faulty, 1 with a note" from the set's rep verdicts; "" when every rep was clean or none was judged."""
    faulty, noted = row.get("faulty_reps") or 0, row.get("noted_reps") or 0
    parts = [f"{faulty} faulty"] * bool(faulty) + [f"{noted} with a note"] * bool(noted)
    return ", " + ", ".join(parts) if parts else ""
