"""Evaluate the precision-fatigue detector: false stops on clean synthetic sets, detection delay per metric, and
the verdicts on the real clips in ../shared/data/video.

    .venv/bin/python scripts/evaluate_detector.py [--clean 100] [--drift 30] [--write docs/detector-evaluation.md]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED_DATA, emit, machine_line, poses_of  # noqa: E402

from formwatch.app.analyze import analyze  # noqa: E402
from formwatch.core.detector import Detector  # noqa: E402
from formwatch.sim.evaluation import DRIFTS, PROFILE_LIMITS, run_harness  # noqa: E402

# clip -> (exercise, label, reps counted by hand on the frames / hip-angle traces, what a physiotherapist expects)
CLIPS = {
    "formfit_deadlift.mp4": ("hinge", "correct", "2 pulls (from the floor)", "no stop (clean conventional deadlift)"),
    "gymtracker_deadlift2.mp4": ("hinge", "correct", "2 pulls (from the floor)", "no stop"),
    "entrenamiento2_rdl.mp4": ("hinge", "correct", "1 (+1 partial, cut by the end card)", "no stop"),
    "kaiakol_data_videos_pushup_correct_001.mp4": ("plank", "correct", "1 push-up (held as a plank)",
                                                   "no stop (push-ups labelled correct)"),
    "kaiakol_data_videos_pushup_incorrect_001.mp4": ("plank", "incorrect: hips sag", "3 push-ups (held as a plank)",
                                                     "STOP on the low back / hips (sag)"),
    "kaiakol_data_plank_correct_plank_correct_001.mp4": ("plank", "correct", "hold", "no stop"),
    "myguides_glute-bridge.mp4": ("bridge", "demonstration", "3 (the last may be partial)", "no stop"),
    "myguides_bird-dog.mp4": ("bird-dog", "demonstration", "6 reaches (3 a side)", "no stop"),
    "formfit_curl.mp4": ("hinge", "correct", "0 hinges (standing curls)", "no stop (standing curl, no hinge reps)"),
}
# clip -> the exercise recognition should find (None: none of these; push-ups: a plank or none)
RECOGNISE = {"formfit_deadlift.mp4": ("hinge",), "gymtracker_deadlift2.mp4": ("hinge",),
             "entrenamiento2_rdl.mp4": ("hinge",), "kaiakol_data_videos_pushup_correct_001.mp4": ("plank", None),
             "kaiakol_data_videos_pushup_incorrect_001.mp4": ("plank", None),
             "kaiakol_data_plank_correct_plank_correct_001.mp4": ("plank",), "myguides_glute-bridge.mp4": ("bridge",),
             "myguides_bird-dog.mp4": ("bird-dog",), "formfit_curl.mp4": (None,),
             "beproj_sample_shoulder_shrug.mp4": (None,)}


def analyze_clip(path: Path, tag: str, detector: object) -> dict:
    """The clip's cached poses analysed afresh with ``detector``: its summary."""
    import shutil

    poses = poses_of(path)
    out = poses.parent / f"{poses.name}-{tag}"
    if out.exists():
        shutil.rmtree(out)
    return analyze(poses, out, detector=detector, progress=False).summary


def rep_words(summary) -> str:
    """Every rep's verdict in a few words: "1 clean, 2 note (lumbar_curve_deg 13.1)"."""
    words = [f"{r.rep} {r.verdict.value}" + (f" ({r.metric} {r.deviation:+g})" if r.metric else "")
             for r in summary.judged]
    return ", ".join(words) or "—"


def recognition_rows() -> list[dict]:
    """Each shared clip analysed with the exercise recognised (--exercise auto), against what it shows."""
    from formwatch.core.set_judge import SetJudge
    from formwatch.core.wording import recognition_why

    rows = []
    for clip, wanted in RECOGNISE.items():
        path = SHARED_DATA / "video" / clip
        if not path.is_file():
            continue
        s = analyze_clip(path, "auto", SetJudge())
        rows.append({"clip": clip, "wanted": wanted, "found": s.exercise, "right": s.exercise in wanted,
                     "confidence": s.recognition.confidence if s.recognition else None,
                     "why": recognition_why(s.recognition), "reps": rep_words(s), "stopped": s.stopped,
                     "correct": not CLIPS.get(clip, ("", "correct"))[1].startswith("incorrect")})
    return rows


def real_clip_verdicts() -> list[dict]:
    rows = []
    video_dir = SHARED_DATA / "video"
    for clip, (exercise, label, by_hand, expected) in CLIPS.items():
        path = video_dir / clip
        if not path.is_file():
            continue
        from formwatch.core.wording import note_sentence, set_amount, stop_reason

        s = analyze_clip(path, exercise, Detector(exercise))
        partial = " + a partial" if s.partial_rep else ""
        rows.append({"clip": clip, "exercise": exercise, "expected": expected, "label": label, "by_hand": by_hand,
                     "reps_detail": rep_words(s),
                     "counted": f"{s.reps}{partial}" if exercise != "plank" else "hold",
                     "notes": "; ".join(note_sentence(n, s.exercise) for n in s.technique_notes), "reps": s.reps,
                     "verdict": f"STOP at {s.stop.t_s:.2f} s: {stop_reason(s.stop, s.exercise)}" if s.stop else
                     f"no stop, {set_amount(s)}"})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clean", type=int, default=100, help="clean synthetic sets")
    parser.add_argument("--drift", type=int, default=30, help="synthetic sets per drifting metric")
    parser.add_argument("--write", type=Path, help="write the report as Markdown here")
    args = parser.parse_args()

    report = run_harness(args.clean, args.drift)
    lines = [f"Detector evaluation — {machine_line()}", "",
             f"Command: `.venv/bin/python scripts/evaluate_detector.py --clean {args.clean} --drift {args.drift}`",
             "", f"Limits (as from a profile): {json.dumps(PROFILE_LIMITS)}; depth: 15 % of the first reps' depth "
             "(at least 10°).", "",
             f"**False stops: {report.false_stops} of {report.clean_sets} clean sets** (15/30/60 fps, landmark "
             "noise 1–3 mm, a one-frame 5 cm shrug spike in every third set, 1 s of lost tracking in every fourth).",
             "", "| drifting metric | sets | stopped on it | missed | other metric | median delay after the limit "
             "crossing | min | max |", "|---|---|---|---|---|---|---|---|"]
    for metric in DRIFTS:
        d = np.asarray(report.delays_s[metric])
        n = len(d) + report.missed[metric] + report.wrong_metric[metric]
        lines.append(f"| {metric} | {n} | {len(d)} | {report.missed[metric]} | {report.wrong_metric[metric]} | "
                     f"{np.median(d):+.2f} s | {d.min():+.2f} s | {d.max():+.2f} s |" if len(d) else
                     f"| {metric} | {n} | 0 | {report.missed[metric]} | {report.wrong_metric[metric]} | — | — | — |")
    lines += ["", "A negative delay is a stop *before* the limit is crossed: the drift rule predicted that the next "
              "rep would cross it and ended the set clean.", ""]
    if SHARED_DATA.is_dir():
        lines += ["Real clips (no profile: each set judged against its own first reps, or its first seconds for a "
                  "hold; reps counted by hand on the frames and the hip-angle traces):", "",
                  "| clip | label | exercise | reps by hand | formwatch counts | expected | verdict | every rep | "
                  "technique notes |", "|---|---|---|---|---|---|---|---|---|"]
        for row in real_clip_verdicts():
            lines.append(f"| {row['clip']} | {row['label']} | {row['exercise']} | {row['by_hand']} | {row['counted']} | "
                         f"{row['expected']} | {row['verdict']} | {row['reps_detail']} | {row['notes'] or '—'} |")
        recognised = recognition_rows()
        right = sum(r["right"] for r in recognised)
        lines += ["", f"Exercise recognised with no --exercise (`--exercise auto`): **{right} of {len(recognised)}** "
                  "clips right.", "", "| clip | should be | recognised | confidence | from | every rep |",
                  "|---|---|---|---|---|---|"]
        for r in recognised:
            wanted = " or ".join(w or "none of these" for w in r["wanted"])
            lines.append(f"| {r['clip']} | {wanted} | {r['found'] or 'none of these'} | {r['confidence']} | "
                         f"{r['why']} | {r['reps']} |")
        lines += ["", "Last line: " + json.dumps({"recognised": right, "clips": len(recognised),
                                                  "clean_clips_with_a_fault": sum(
                                                      "fault" in r["reps"] for r in recognised if r["correct"]),
                                                  "clean_clips_stopped": sum(
                                                      r["stopped"] for r in recognised if r["correct"])})]
    emit(lines, args.write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
