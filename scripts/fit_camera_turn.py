"""Fit the limb verticality below which the camera reads as on its side, and score it leaving one source out —
writes src/formwatch/data/camera_turn.json with its provenance (core/camera_turn.py reads it).

    python scripts/fit_camera_turn.py --data ../shared/data [--out src/formwatch/data/camera_turn.json]

The data: every labelled clip of ../shared/data/video with a person in view, its cached poses as they are (the
camera upright) and turned 90° either way (the image landmarks rotated: the pose model's joints on a turned picture
are the turned joints, within 1–4° on formfit_deadlift, tests/test_real_room.py). Upright, every clip must read
upright; turned, the clips of people on their feet (hinges, squats, and the other exercises done standing) must read
turned — a clip lying down turned 90° looks like someone standing, and is not scored.

The limit is midway between the least median verticality any upright clip's window reaches and the typical turned
standing clip's (its median): none of these upright clips is called turned, with a margin for footage unlike them; under
leave-one-source-out each source's clips are scored with the limit fitted on the others: the upright clips called
turned, and the turned standing clips said within 2 s (said as formwatch says it: core/view_latch.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "scripts"))

import numpy as np  # noqa: E402

from common import machine_line  # noqa: E402
from fit_judge import Clip, load_clips, recognition_windows  # noqa: E402
from formwatch.core.camera_turn import CameraTurnCheck, TurnLimit  # noqa: E402
from formwatch.core.view_latch import ViewLatch  # noqa: E402
from formwatch.io.recording import load_recording  # noqa: E402

SAID_WITHIN_S = 2.0  # the bar: a turned camera said within this long of the person being seen
STANDING_SHARE = 0.5  # a clip of another exercise counts as done standing when its trunk is upright this often
TURNS = (0, 1, -1)  # quarter turns: as filmed, clockwise, counter-clockwise


def turned(image: np.ndarray, frame_size_px: tuple[int, int], quarter: int) -> tuple[np.ndarray, tuple[int, int]]:
    """Normalised image landmarks ``(T, 33, 4)`` as a camera turned a quarter clockwise (1) or counter-clockwise
    (-1) would see them, and that picture's size."""
    if quarter == 0:
        return image, frame_size_px
    out = image.copy()
    x, y = image[..., 0], image[..., 1]
    out[..., 0], out[..., 1] = (1.0 - y, x) if quarter == 1 else (y, 1.0 - x)
    return out, (frame_size_px[1], frame_size_px[0])


def standing(clip: Clip) -> bool:
    """Done on the feet: a hinge or squat, or another exercise whose trunk is upright most of the time."""
    if clip.exercise in ("hinge", "squat"):
        return True
    shares = np.array([w.get("upright_share", np.nan) for w in recognition_windows(clip)])
    shares = shares[np.isfinite(shares)]
    return clip.exercise == "none" and shares.size > 0 and bool(np.median(shares) >= STANDING_SHARE)


def verticalities(clip: Clip, quarter: int) -> tuple[np.ndarray, np.ndarray]:
    """The clip's frame times and each frame's window median verticality (NaN: too few limbs seen), turned."""
    rec = load_recording(clip.poses)
    image, size = turned(rec.image, rec.frame_size_px, quarter)
    check = CameraTurnCheck(size, TurnLimit(-np.inf))
    values = np.empty(len(rec.t_s))
    for i, (t, frame) in enumerate(zip(rec.t_s, image)):
        check.step(float(t), frame)
        values[i] = check.verticality
    return rec.t_s, values


def said_at(t_s: np.ndarray, values: np.ndarray, limit: float) -> float | None:
    """When formwatch would say the camera is turned (seconds from the clip's first frame), None if never."""
    latch = ViewLatch("camera_turned")
    for t, v in zip(t_s, values):
        if (event := latch.step(float(t), bool(v < limit), float(v), limit)) and event.active:
            return float(t - t_s[0])
    return None


def fit_limit(upright: list[np.ndarray], turned_standing: list[np.ndarray]) -> float:
    """Midway between the least window median any upright clip reaches and the median turned standing clip's
    median: a margin both ways, for footage unlike these clips."""
    least_upright = min(float(np.nanmin(v)) for v in upright if np.isfinite(v).any())
    typical_turned = float(np.median([np.nanmedian(v) for v in turned_standing if np.isfinite(v).any()]))
    return round(0.5 * (least_upright + typical_turned), 3)


def limit_from(series: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]], clips: list[Clip]) -> float:
    """The limit fitted on ``clips``."""
    return fit_limit([series[(c.file, 0)][1] for c in clips],
                     [series[(c.file, q)][1] for c in clips for q in TURNS[1:] if (c.file, q) in series])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=REPO / "src" / "formwatch" / "data" / "camera_turn.json")
    args = parser.parse_args()
    clips = [c for c in load_clips(args.data) if c.person]
    series = {(c.file, q): verticalities(c, q) for c in clips for q in TURNS if q == 0 or standing(c)}
    rows = []
    for source in sorted({c.source for c in clips}):
        limit = limit_from(series, [c for c in clips if c.source != source])
        for c in (c for c in clips if c.source == source):
            up = said_at(*series[(c.file, 0)], limit)
            turns = [said_at(*series[(c.file, q)], limit) for q in TURNS[1:] if (c.file, q) in series]
            rows.append((source, c.file, limit, up, turns))
    print("| source | clip | limit (others) | upright: said turned at | turned: said at (s) |")
    print("|---|---|---|---|---|")
    for source, file, limit, up, turns in rows:
        said = ", ".join("never" if s is None else f"{s:.1f}" for s in turns) or "(lying: not scored)"
        print(f"| {source} | {file} | {limit:.3f} | {'—' if up is None else f'{up:.1f} s'} | {said} |")
    turned_said = [s for *_, turns in rows for s in turns]
    scores = {"clips": len(clips), "sources": len({c.source for c in clips}), "cv": "leave-one-source-out",
              "upright_called_turned": round(sum(up is not None for *_, up, _ in rows) / len(rows), 3),
              "turned_clips": len(turned_said),
              "turned_said_within_2s": round(sum(s is not None and s <= SAID_WITHIN_S for s in turned_said)
                                             / max(1, len(turned_said)), 3),
              "turned_said": round(sum(s is not None for s in turned_said) / max(1, len(turned_said)), 3)}
    limit = limit_from(series, clips)
    fitted = {"max_limb_verticality": limit,
              "provenance": {"script": "scripts/fit_camera_turn.py", "command": "python scripts/fit_camera_turn.py "
                             "--data ../shared/data", "date": time.strftime("%Y-%m-%d"), "machine": machine_line(),
                             "clips": len(clips), "sources": scores["sources"], "loso": scores}}
    args.out.write_text(json.dumps(fitted, indent=1) + "\n", encoding="utf-8")
    print(f"limit {limit} (all clips) -> {args.out}")
    print(json.dumps(scores))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
