"""Recognition of single phases: each labelled hinge and squat clip cut in halves (the first half, the second), each
half recognised as the recogniser would live, by a recogniser fitted without the clip's own source.

    python scripts/evaluate_phases.py --data ../shared/data

Labelled footage we do not have holds single phases of a lift (only the lowering, only the lockout); the shared clips
are whole sets, and every value of the recogniser was fitted on whole clips. Halves are footage nothing was tuned on:
how often a half is named right, named wrong, called none of these, or asked about. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "scripts"))

from common import machine_line  # noqa: E402
from fit_judge import (NONE, Clip, fit_hold_still, fit_recognition, fit_side_view, load_clips,  # noqa: E402
                       recognised_as, series, windows_along)

PHASED = ("hinge", "squat")  # the exercises whose clips are cut in halves


def half_windows(clip: Clip, first: bool) -> list[dict[str, float]]:
    """The recogniser's windows over one half of the clip, every EVALUATE_EVERY_S, as live."""
    from formwatch.core.recognition import EVALUATE_EVERY_S

    t, rows = series(clip)
    keep = t <= 0.5 * (t[0] + t[-1]) if first else t >= 0.5 * (t[0] + t[-1])
    return windows_along(t[keep], rows[keep], EVALUATE_EVERY_S) if keep.sum() >= 3 else []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    clips = load_clips(args.data)
    counts = {"right": 0, "wrong": 0, "none_of_these": 0, "asked": 0}
    for source in sorted({c.source for c in clips}):
        held = [c for c in clips if c.source == source and c.person and c.exercise in PHASED]
        if not held:
            continue
        train = [c for c in clips if c.source != source]
        side_view, still = fit_side_view(train), fit_hold_still(train)
        model = fit_recognition(train, still, side_view)
        for clip in held:
            for first in (True, False):
                windows = half_windows(clip, first)
                if not windows:
                    continue
                said = recognised_as(model, windows, model.bar, still, side_view)
                kind = "asked" if said is None else "none_of_these" if said == NONE else \
                    "right" if said == clip.exercise else "wrong"
                counts[kind] += 1
                print(f"{clip.file} {'first' if first else 'second'} half: {said or 'asked'}")
    print(machine_line())
    print(json.dumps({"halves": sum(counts.values()), "cv": "leave-one-source-out", **counts}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
