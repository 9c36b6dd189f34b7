"""How much inference on a shrunk frame changes what formwatch measures: every shared clip at full resolution and
with its long side shrunk to 640 px, metric by metric (median and 95th percentile of the absolute difference).

    .venv/bin/python scripts/compare_resolution.py [--long-side 640] [--write docs/resolution.md]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED_DATA, emit, machine_line, require_shared_data  # noqa: E402

from formwatch.capture.models.provision import find_or_provision  # noqa: E402
from formwatch.capture.pose import PoseEstimator  # noqa: E402
from formwatch.capture.sources import VideoFileSource  # noqa: E402
from formwatch.core.pipeline import metrics_batch  # noqa: E402
from formwatch.core.registry import HIP_HINGE, LUMBAR_CURVE, REGISTRY, SHOULDER_ELEVATION  # noqa: E402

COMPARED = (HIP_HINGE, SHOULDER_ELEVATION, LUMBAR_CURVE)


def measure(video: Path, model: Path, long_side: int | None) -> tuple[np.ndarray, float, tuple[int, int]]:
    source = VideoFileSource(video)
    images, worlds, profiles, start = [], [], [], time.perf_counter()
    with PoseEstimator(model, inference_long_side_px=long_side) as estimator:
        for frame in source:
            sample = estimator.estimate_bgr(frame.bgr, frame.t_capture_s)
            images.append(sample.image)
            worlds.append(sample.world)
            profiles.append(sample.profile)
    seconds = time.perf_counter() - start
    size = (source.info.frame_width, source.info.frame_height)
    metrics = metrics_batch(np.stack(images), np.stack(worlds), size, profile=np.stack(profiles))
    return metrics, len(images) / seconds, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--long-side", type=int, default=640)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    require_shared_data()
    model = find_or_provision(None).path
    lines = [f"Inference on shrunk frames — {machine_line()}", "",
             f"Command: `.venv/bin/python scripts/compare_resolution.py --long-side {args.long_side}`", "",
             "| clip | size | frames/s full | frames/s shrunk | " + " | ".join(
                 f"{m} median / p95 abs diff" for m in COMPARED) + " |", "|---|---|---|---|" + "---|" * len(COMPARED)]
    for video in sorted((SHARED_DATA / "video").glob("*.mp4")):
        full, rate_full, size = measure(video, model, None)
        small, rate_small, _ = measure(video, model, args.long_side)
        cells = []
        for name in COMPARED:
            col = REGISTRY.index(name)
            diff = np.abs(full[:, col] - small[:, col])
            diff = diff[np.isfinite(diff)]
            cells.append(f"{np.median(diff):.2f} / {np.percentile(diff, 95):.2f}" if len(diff) else "—")
        lines.append(f"| {video.name} | {size[0]}x{size[1]} | {rate_full:.1f} | {rate_small:.1f} | "
                     + " | ".join(cells) + " |")
    emit(lines, args.write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
