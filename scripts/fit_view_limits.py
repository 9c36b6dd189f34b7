"""Measure what the camera must give for reps to be judged: the person's least size and the least frame rate — and
write them, with their provenance, to src/formwatch/data/view_limits.json (core/view_limits.py reads it).

    python scripts/fit_view_limits.py --data ../shared/data [--out src/formwatch/data/view_limits.json]

Both are found the same way: make the clip worse step by step and judge it as formwatch would, with the exercise
given; a step passes when the judge's word on it holds for at least :data:`SAME_SHARE` of the clips (or, when even
the best step falls short, for as many as the best step: the pose model run again does not always repeat itself):
the same reps counted as on the clip itself, and nothing worse said (no more faulty reps, no stop the clip itself did
not get). The least value is the smallest step from which every larger one passes.

- **Size**: side-view hinge and squat clips with reps labelled (one per source), every frame shrunk so the person
  measures N pixels in the model's picture (the pose model runs again on each); the word at full size is the
  reference. The pose model's hip angle error is printed too.
- **Frame rate**: every labelled rep clip's cached poses thinned to N frames a second.

Leave one source out: each limit refitted without each source, the spread printed (a limit that moves with one
source is not measured well).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Callable, Iterator

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "scripts"))

import numpy as np  # noqa: E402

from common import machine_line  # noqa: E402
from fit_judge import Clip, load_clips  # noqa: E402

SAME_SHARE = 0.9  # a step passes when the judge says the same on this share of clips
SIZES_PX = (30, 40, 50, 60, 70, 85, 100, 130)  # the person's size in the model's picture
RATES_FPS = (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 15.0)
REP_EXERCISES = ("hinge", "squat", "bridge", "bird-dog")
MAX_SECONDS = 15.0  # of each clip re-estimated at every size
Word = tuple[int, int, bool]  # reps counted, reps faulty, stopped


def holds(word: Word, full: Word) -> bool:
    """The worse clip's word holds: the same reps, and nothing worse said than of the clip itself."""
    return word[0] == full[0] and word[1] <= full[1] and (full[2] or not word[2])


def _no_limits(model_long_side_px: int) -> "object":
    from formwatch.core.view_limits import ViewLimits

    return ViewLimits(0.0, model_long_side_px, 0.0)


def judge_word(samples: Iterator[tuple[float, np.ndarray, np.ndarray, np.ndarray | None]],
               size_px: tuple[int, int], exercise: str, model_long_side_px: int) -> tuple[Word, np.ndarray]:
    """What the judge says of these samples (exercise given; no view limit applied) and the hip angle per frame."""
    from formwatch.core.events import Verdict
    from formwatch.core.kinematics import Col
    from formwatch.core.session import SetSession
    from formwatch.core.set_judge import SetJudge

    session = SetSession(size_px, detector=SetJudge(exercise=exercise),
                         view_limits=_no_limits(model_long_side_px))  # type: ignore[arg-type]
    hips = []
    for t, image, world, profile in samples:
        hips.append(float(session.step(t, image, world, profile).metrics[Col.HIP_HINGE_DEG]))
    s = session.summary()
    faulty = sum(j.verdict is Verdict.FAULT for j in s.judged)
    return (s.reps, faulty, s.stop is not None), np.array(hips)


def body_px(image: np.ndarray, size_px: tuple[int, int]) -> float:
    """The person's median size over a clip in its frames' pixels, as core/scene_check.py measures it."""
    sizes = []
    for frame in image:
        seen = frame[:, 3] >= 0.5
        if seen.sum() >= 2:
            xy = frame[seen, :2] * np.array(size_px)
            sizes.append(float((xy.max(axis=0) - xy.min(axis=0)).max()))
    return float(np.median(sizes)) if sizes else math.nan


# ------------------------------------------------------------------------------------------------ frame rate
def thinned(clip: Clip, fps: float | None) -> Iterator[tuple[float, np.ndarray, np.ndarray, np.ndarray | None]]:
    from formwatch.io.recording import load_recording

    rec = load_recording(clip.poses)
    next_t = -math.inf
    for i, t in enumerate(rec.t_s):
        if fps is not None and t < next_t:
            continue
        next_t = t + 1.0 / fps if fps is not None else next_t
        yield float(t), rec.image[i], rec.world[i], rec.profile[i] if rec.profile is not None else None


def rate_words(clips: list[Clip], model_long_side_px: int) -> dict[str, dict[float, bool]]:
    """clip -> rate -> whether the judge's word at that rate holds (:func:`holds`)."""
    from formwatch.io.recording import load_recording

    out: dict[str, dict[float, bool]] = {}
    for clip in clips:
        size = load_recording(clip.poses).frame_size_px
        full, _ = judge_word(thinned(clip, None), size, clip.exercise, model_long_side_px)
        out[clip.file] = {fps: holds(judge_word(thinned(clip, fps), size, clip.exercise, model_long_side_px)[0],
                                     full) for fps in RATES_FPS}
    return out


# ------------------------------------------------------------------------------------------------ size
def shrunk(video: Path, scale: float, estimator: "object") -> Iterator[tuple[float, np.ndarray, np.ndarray,
                                                                           np.ndarray | None]]:
    """The clip's frames shrunk by ``scale``, through the pose model (a fresh estimator per size)."""
    import cv2

    capture = cv2.VideoCapture(str(video))
    fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
    i = 0
    while True:
        ok, bgr = capture.read()
        if not ok or i / fps > MAX_SECONDS:
            break
        h, w = bgr.shape[:2]
        small = cv2.resize(bgr, (max(8, round(w * scale)), max(8, round(h * scale))), interpolation=cv2.INTER_AREA)
        sample = estimator.estimate_bgr(small, i / fps)  # type: ignore[attr-defined]
        yield sample.t_s, sample.image, sample.world, sample.profile
        i += 1
    capture.release()


def size_words(clips: list[Clip], data: Path, model: Path,
               model_long_side_px: int) -> tuple[dict[str, dict[int, bool]], dict[int, list[float]]]:
    """clip -> size -> the word holds (:func:`holds`); and size -> each clip's median hip angle error (deg)."""
    import cv2

    from formwatch.capture.pose import PoseEstimator

    words: dict[str, dict[int, bool]] = {}
    errors: dict[int, list[float]] = {size: [] for size in SIZES_PX}
    for clip in clips:
        video = data / "video" / clip.file
        capture = cv2.VideoCapture(str(video))
        w, h = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        capture.release()
        model_scale = min(1.0, model_long_side_px / max(w, h))
        from formwatch.io.recording import load_recording

        person_model_px = body_px(load_recording(clip.poses).image, (w, h)) * model_scale
        with PoseEstimator(model) as estimator:
            full, full_hips = judge_word(shrunk(video, 1.0, estimator), (w, h), clip.exercise, model_long_side_px)
        words[clip.file] = {}
        for size in SIZES_PX:
            scale = size / person_model_px * model_scale  # of the original frame
            if scale >= model_scale:
                words[clip.file][size] = True  # the clip itself is no bigger: nothing to shrink
                continue
            shape = (max(8, round(w * scale)), max(8, round(h * scale)))
            with PoseEstimator(model) as estimator:
                word, hips = judge_word(shrunk(video, scale, estimator), shape, clip.exercise, model_long_side_px)
            words[clip.file][size] = holds(word, full)
            n = min(len(hips), len(full_hips))
            diff = np.abs(hips[:n] - full_hips[:n])
            errors[size].append(float(np.nanmedian(diff)) if np.isfinite(diff).any() else math.inf)
            print(f"  {clip.file}: {size} px ({shape[0]}x{shape[1]}): {word} vs {full}", file=sys.stderr)
    return words, errors


# ------------------------------------------------------------------------------------------------ the fit
def least_passing(words: dict[str, dict[float, bool]] | dict[str, dict[int, bool]], steps: tuple[float, ...],
                  keep: Callable[[str], bool] = lambda _: True) -> float:
    """The smallest step from which every larger one says the same on :data:`SAME_SHARE` of the kept clips — or,
    when even the best step falls short (the pose model run again on a clip does not always say what it said the
    first time), on as many as the best step does: that is the re-estimation's own noise, not the limit's."""
    kept = [w for name, w in words.items() if keep(name)]
    if not kept:
        return math.inf
    shares = {step: sum(bool(w[step]) for w in kept) / len(kept) for step in steps}  # type: ignore[index]
    bar = min(SAME_SHARE, shares[max(steps)])
    least = math.inf
    for step in sorted(steps, reverse=True):
        if shares[step] < bar:
            break
        least = step
    return least


def loso(words: dict, steps: tuple[float, ...], clips: list[Clip]) -> list[float]:  # type: ignore[type-arg]
    source_of = {c.file: c.source for c in clips}
    return [least_passing(words, steps, lambda name, s=s: source_of[name] != s)  # type: ignore[misc]
            for s in sorted({source_of[name] for name in words})]


def size_clips(clips: list[Clip]) -> list[Clip]:
    """Side-view hinges and squats with reps labelled, one per source (the first)."""
    chosen: dict[str, Clip] = {}
    for c in clips:
        if c.exercise in ("hinge", "squat") and c.view == "side" and c.reps and c.person and c.source not in chosen:
            chosen[c.source] = c
    return list(chosen.values())


def main() -> int:
    from formwatch.capture.models.provision import find_or_provision
    from formwatch.capture.pose import INFERENCE_LONG_SIDE_PX

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=REPO / "src" / "formwatch" / "data" / "view_limits.json")
    args = parser.parse_args()
    started = time.time()
    clips = load_clips(args.data)
    model = find_or_provision(None).path
    rate_clips = [c for c in clips if c.exercise in REP_EXERCISES and c.reps and c.person]
    rates = rate_words(rate_clips, INFERENCE_LONG_SIDE_PX)
    min_fps = least_passing(rates, RATES_FPS)
    print(f"frame rate: {len(rate_clips)} clips; the word holds, by fps: "
          + ", ".join(f"{f:g}: {sum(w[f] for w in rates.values())}" for f in RATES_FPS))
    print(f"least frame rate {min_fps:g}; leave one source out: {sorted(loso(rates, RATES_FPS, rate_clips))}")
    chosen = size_clips(clips)
    sizes, errors = size_words(chosen, args.data, model, INFERENCE_LONG_SIDE_PX)
    min_px = least_passing(sizes, tuple(float(s) for s in SIZES_PX))  # type: ignore[arg-type]
    print(f"size: {len(chosen)} clips; the word holds, by px: "
          + ", ".join(f"{s}: {sum(w[s] for w in sizes.values())}" for s in SIZES_PX))
    print("hip angle's median error, deg, median over clips, by px: "
          + ", ".join(f"{s}: {np.median(e):.1f}" for s, e in errors.items() if e))
    print(f"least size {min_px:g} px; leave one source out: {sorted(loso(sizes, SIZES_PX, chosen))}")
    fitted = {"min_body_px": min_px, "model_long_side_px": INFERENCE_LONG_SIDE_PX, "min_fps": min_fps,
              "provenance": {"script": "scripts/fit_view_limits.py", "date": time.strftime("%Y-%m-%d"),
                             "machine": machine_line(), "model": model.name,
                             "size_clips": [c.file for c in chosen], "rate_clips": len(rate_clips),
                             "same_share": SAME_SHARE, "seconds": round(time.time() - started)}}
    args.out.write_text(json.dumps(fitted, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in fitted.items() if k != "provenance"}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
