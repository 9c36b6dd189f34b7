"""What summary.json (and the history, the report, the terminal) says of a judged set, from its detector."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

__all__ = ["detector_summary", "neutral_source"]


def neutral_source(detector: Any) -> str:
    """What the watched metrics' neutral is: "profile", "set start", "first lockout" or "population"."""
    if detector.plan.has_profile:
        return "profile"
    if not detector.spec.has_reps:
        early = detector.baselines.early
        return "set start" if early and all(n in detector.baseline for n in early) else "population"
    return detector.rep_verdicts.neutral_source or "population"


def detector_summary(detector: Any) -> dict[str, Any]:
    """The set's summary: reps, stop, limits, what it was judged against, and every rep's verdict."""
    d, stop = detector, detector.stop
    has_reps = d.spec.has_reps
    return {
        "exercise": d.spec.name,
        "reps": len(d.reps),
        "stopped": stop is not None,
        "stop": asdict(stop) if stop else None,
        "clean_reps": stop.clean_reps if stop else len(d.reps),
        "held_s": round(d.held_s, 2) if d.held_s is not None else None,
        "watched": list(d.gauge_names),
        "limits": {k: round(v, 3) for k, v in d.limits.items()},
        "safety_limits": {k: round(v, 3) for k, v in d.safety.items()},
        "neutral_source": neutral_source(d),
        "exercise_source": "given",
        "exercise_confidence": None,
        "calibrated": sorted(d.plan.calibrated),
        "reference_reps": d.reference.reps_used if has_reps else None,
        "reference": d.reference.to_json() if has_reps else None,
        "technique_notes": list(d.notes.values()),
        "partial_rep": has_reps and d.segmenter.phase != "rest" and stop is None,
        "baseline": {k: round(v, 3) for k, v in d.baseline.items()},
        "rep_features": [asdict(r) for r in d.reps],
        **d.rep_verdicts.summary(),
    }
