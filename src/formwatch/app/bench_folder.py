"""``formwatch bench``'s folder figures: a clinic's folder of short clips against one long clip, and start-up.

- ``folder``: ``formwatch analyze DIR --jobs <cores>`` over ``clips`` short clips (1-5 s each) cut from the same
  clip ``analyze_x_realtime`` is measured on (a real 1280x720 clip from ../shared/data when present, else the
  rendered one), so the two speeds compare like for like: ``{"clips", "video_s", "wall_s", "x_realtime"}``.
- ``startup``: what ``formwatch analyze CLIP`` pays before its first analysed frame: the imports (a fresh
  interpreter importing the analyze command) and, in process, the model's load and first inference.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLIP_SECONDS = (1.0, 2.0, 3.0, 4.0, 5.0)  # the short clips' lengths, in turn


def cut_clips(source: Path, folder: Path, count: int) -> list[Path]:
    """``count`` clips of 1-5 s (in turn) cut from ``source`` at staggered starts, as MJPG .avi files."""
    import cv2

    capture = cv2.VideoCapture(str(source))
    fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    height, width = frames[0].shape[:2]
    paths = []
    for i in range(count):
        length = int(CLIP_SECONDS[i % len(CLIP_SECONDS)] * fps)
        start = (i * 37) % max(1, len(frames) - length)  # staggered, wrapping round the source
        path = folder / f"clip{i:02d}.avi"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (width, height))
        for j in range(length):
            writer.write(frames[(start + j) % len(frames)])
        writer.release()
        paths.append(path)
    return paths


def bench_folder(model: Path, source: Path, clips: int = 20, jobs: int | None = None) -> dict[str, object]:
    """The folder analysed as ``formwatch analyze DIR --jobs N`` does it (app/folder.py), start-up included."""
    from formwatch.app.analyze import default_lanes
    from formwatch.app.folder import FolderJob, analyze_folder

    jobs = jobs or default_lanes()
    with tempfile.TemporaryDirectory(prefix="formwatch-bench-folder-") as tmp:
        folder = Path(tmp) / "clips"
        folder.mkdir()
        cut_clips(source, folder, clips)
        start = time.perf_counter()
        outcomes = analyze_folder(folder, Path(tmp) / "out", FolderJob(model=str(model)), jobs, progress=False)
        wall_s = time.perf_counter() - start
    done = [o for o in outcomes if o.error is None]
    fps = next((float(o.summary.get("fps") or 30.0) for o in done if o.summary), 30.0)
    video_s = sum(float(o.summary.get("duration_s") or 0.0) + 1.0 / fps for o in done if o.summary)
    return {"clips": len(done), "jobs": jobs, "video_s": round(video_s, 2), "wall_s": round(wall_s, 2),
            "x_realtime": round(video_s / wall_s, 2) if wall_s > 0 else None}


def bench_startup(model: Path) -> dict[str, float]:
    """Seconds before ``formwatch analyze CLIP`` analyses its first frame: imports, then model load and warm-up."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).resolve().parents[2])] +
                                                      [p for p in [os.environ.get("PYTHONPATH")] if p]))
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import formwatch.cli.main, formwatch.cli.analyze, "
                        "formwatch.app.analyze, formwatch.capture.pose, mediapipe"], env=env, check=True)
        runs.append(time.perf_counter() - start)
    import numpy as np

    from formwatch.capture.pose import PoseEstimator

    start = time.perf_counter()
    with PoseEstimator(model) as estimator:
        estimator.estimate_bgr(np.zeros((360, 640, 3), np.uint8), 0.0)
        first = time.perf_counter() - start
    imports = sorted(runs)[1]
    return {"imports_s": round(imports, 3), "model_first_frame_s": round(first, 3),
            "startup_s": round(imports + first, 3)}
