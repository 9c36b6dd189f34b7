"""The judge on the labelled clips filmed the other way round: each clip mirrored left to right (the person faces
the other way, as the next user's laptop may see them), its poses estimated anew, and judged by the judge fitted
without the clip's own source on the clips as filmed — scored as scripts/evaluate_judge.py scores, and compared clip
by clip with the clip as filmed.

    python scripts/evaluate_mirror.py --data ../shared/data [--write docs/mirror-evaluation.md]

A mirrored clip is footage nothing was fitted on, with a known answer: the same as the clip's. Every difference is
the judge reading a person differently for the side they face (a facing-signed angle, the silhouette's back found
on the wrong side, the pose model's own asymmetry). The mirrored videos and their poses are derived data, kept in
the pose cache (app/pose_cache.py), never beside the clips. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "scripts"))

from common import machine_line  # noqa: E402
from evaluate_judge import Outcome, analyse, scores  # noqa: E402
from fit_judge import Clip, fit, load_clips  # noqa: E402


def mirrored_video(video: Path, into: Path) -> Path:
    """``video`` mirrored left to right, written once into ``into`` (same frame rate and size)."""
    import cv2

    out = into / f"mirrored_{video.stem}.mp4"
    if out.is_file():
        return out
    reader = cv2.VideoCapture(str(video))
    fps = reader.get(cv2.CAP_PROP_FPS) or 30.0
    size = (int(reader.get(cv2.CAP_PROP_FRAME_WIDTH)), int(reader.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    scratch = out.with_suffix(".part.mp4")
    writer = cv2.VideoWriter(str(scratch), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    while True:
        ok, frame = reader.read()
        if not ok:
            break
        writer.write(cv2.flip(frame, 1))
    reader.release()
    writer.release()
    scratch.replace(out)
    return out


def mirrored(clips: list[Clip], data: Path) -> dict[str, Clip]:
    """Each clip with a person in view, its poses those of its mirrored video, by file name."""
    from formwatch.app.pose_cache import cache_dir, cached_poses
    from formwatch.capture.models.provision import find_or_provision

    model = find_or_provision(None).path
    into = cache_dir() / "mirrored-videos"
    into.mkdir(parents=True, exist_ok=True)
    out = {}
    for clip in clips:
        if clip.person:
            video = mirrored_video(data / "video" / clip.file, into)
            out[clip.file] = replace(clip, poses=cached_poses(video, model))
    return out


def differences(as_filmed: Outcome, flipped: Outcome) -> list[str]:
    """What the mirrored clip's analysis says differently, in words."""
    said = []
    if (as_filmed.exercise, as_filmed.abstained) != (flipped.exercise, flipped.abstained):
        def word(o: Outcome) -> str:
            return "asked" if o.abstained else (o.exercise or "none of these")
        said.append(f"recognised {word(as_filmed)} → {word(flipped)}")
    if as_filmed.reps != flipped.reps:
        said.append(f"reps {as_filmed.reps} → {flipped.reps}")
    if as_filmed.flagged != flipped.flagged or as_filmed.stopped != flipped.stopped:
        said.append(f"\"{as_filmed.said or 'nothing said'}\" → \"{flipped.said or 'nothing said'}\"")
    return said


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--write", type=Path, help="write the report as Markdown here")
    args = parser.parse_args()
    clips = load_clips(args.data)
    flipped_clips = mirrored(clips, args.data)
    pairs: list[tuple[Outcome, Outcome]] = []
    for source in sorted({c.source for c in clips}):
        params = fit([c for c in clips if c.source != source])
        for clip in (c for c in clips if c.source == source and c.file in flipped_clips):
            pairs.append((analyse(clip, params), analyse(flipped_clips[clip.file], params)))
    filmed, flipped = scores([a for a, _ in pairs]), scores([b for _, b in pairs])
    changed = [(a, d) for a, b in pairs if (d := differences(a, b))]
    lines = [f"Mirrored clips — {machine_line()}", "",
             "Command: `.venv/bin/python scripts/evaluate_mirror.py --data ../shared/data`", "",
             f"{len(pairs)} labelled clips with a person in view, each judged as filmed and mirrored left to right, "
             "by the judge fitted without its source (leave one source out).", "",
             "| score | as filmed | mirrored |", "|---|---|---|"]
    lines += [f"| {k} | {filmed[k]} | {flipped[k]} |" for k in filmed]
    lines += ["", f"Clips whose analysis differs when mirrored: {len(changed)} of {len(pairs)}", ""]
    lines += [f"- {a.clip.file}: " + "; ".join(d) for a, d in changed] or ["- none"]
    text = "\n".join(lines)
    print(text)
    if args.write:
        args.write.write_text(text + "\n", encoding="utf-8")
    print(json.dumps({"clips": len(pairs), "same": len(pairs) - len(changed),
                      **{f"mirrored_{k}": flipped[k] for k in ("correct_flagged", "faulty_flagged", "correct_stopped",
                                                                "recognised", "none_of_these", "reps_exact")}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
