"""``formwatch bench``: the numbers, measured on this machine and printed (never asserted by tests).

- ``step_us``: one frame through the live step (One Euro filter + all metrics), p50 / p95 microseconds.
- ``kinematics_batch_frames_per_s``: a whole ``(T, 33, 4)`` recording through the metrics at once.
- ``pose_ms`` (with ``--pose``): MediaPipe inference alone in VIDEO mode on a real clip.
"""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np

from formwatch.core.pipeline import Pipeline, metrics_batch
from formwatch.core.synth import skeleton


def _percentiles(samples: list[float], scale: float) -> dict[str, float]:
    arr = np.asarray(samples) * scale
    return {"p50": round(float(np.median(arr)), 3), "p95": round(float(np.percentile(arr, 95)), 3),
            "max": round(float(arr.max()), 3)}


def bench_step(frames: int = 5000) -> dict[str, float]:
    """Per-frame live step time on a synthetic hinge set with noise (float32 input, as from MediaPipe)."""
    rng = np.random.default_rng(1)
    t = np.arange(frames) / 30.0
    image, world = skeleton(hinge_deg=45 + 40 * np.sin(t), shrug_m=0.01 * np.sin(0.3 * t))
    image = (image + rng.normal(0, 0.002, image.shape)).astype(np.float32)
    world = (world + rng.normal(0, 0.002, world.shape)).astype(np.float32)
    pipeline = Pipeline((1280, 720))
    timings = []
    clock = time.perf_counter
    for i in range(frames):
        start = clock()
        pipeline.step(t[i], image[i], world[i])
        timings.append(clock() - start)
    return _percentiles(timings[100:], 1e6)


def bench_batch(frames: int = 100_000, repeats: int = 5) -> float:
    """Frames per second of the metrics over a whole recording at once (median of ``repeats``)."""
    t = np.arange(frames) / 30.0
    image, world = skeleton(hinge_deg=45 + 40 * np.sin(t))
    image, world = image.astype(np.float32), world.astype(np.float32)
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        metrics_batch(image, world, (1280, 720))
        rates.append(frames / (time.perf_counter() - start))
    return float(np.median(rates))


def bench_pose(video: Path, model: Path, frames: int = 200) -> dict[str, float]:
    """MediaPipe VIDEO-mode inference time per frame on a real clip."""
    from formwatch.pose import PoseEstimator
    from formwatch.sources import VideoFileSource

    timings = []
    with PoseEstimator(model) as estimator:
        for frame in VideoFileSource(video):
            start = time.perf_counter()
            estimator.estimate_bgr(frame.bgr, frame.t_capture_s)
            timings.append(time.perf_counter() - start)
            if len(timings) >= frames:
                break
    return _percentiles(timings[5:], 1e3)


def machine() -> dict[str, Any]:
    import os

    return {"date": time.strftime("%Y-%m-%d"), "python": platform.python_version(),
            "cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(), "numpy": np.__version__}


def run(as_json: bool, pose_video: Path | None = None, model: Path | None = None, extra: dict | None = None
        ) -> dict[str, Any]:
    results: dict[str, Any] = {"machine": machine(), "step_us": bench_step(),
                               "kinematics_batch_frames_per_s": round(bench_batch())}
    if pose_video is not None and model is not None:
        results["pose_ms"] = bench_pose(pose_video, model)
    results.update(extra or {})
    if as_json:
        print(json.dumps(results, indent=2))
    else:
        print(format_table(results))
    return results


def format_table(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [f"formwatch bench  {m['date']}  python {m['python']}  numpy {m['numpy']}  {m['cores']} cores",
             f"{'measure':44s} {'p50':>10s} {'p95':>10s} {'max':>10s}"]
    for key, value in results.items():
        if key == "machine":
            continue
        if isinstance(value, dict) and "p50" in value:
            lines.append(f"{key:44s} {value['p50']:10.3f} {value['p95']:10.3f} {value.get('max', float('nan')):10.3f}")
        elif isinstance(value, dict):
            for sub, v in value.items():
                if isinstance(v, dict):
                    lines.append(f"{key + '.' + sub:44s} {v.get('p50', 0):10.3f} {v.get('p95', 0):10.3f} "
                                 f"{v.get('max', 0):10.3f}")
                else:
                    lines.append(f"{key + '.' + sub:44s} {v!s:>10s}")
        else:
            lines.append(f"{key:44s} {value:>10,}" if isinstance(value, int) else f"{key:44s} {value!s:>10s}")
    return "\n".join(lines)
