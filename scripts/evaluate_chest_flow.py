"""What optical flow over the chest adds to the silhouette's front edge, on the shared clips' still stretches.

    .venv/bin/python scripts/evaluate_chest_flow.py [--video-dir ../shared/data/video] [--write docs/chest-flow.md]

For each clip of a hold or a floor exercise: its MediaPipe poses (analysed once, then cached), the video's frames read
again in order, and per frame both chest signals in torso lengths — the front edge (core/breathing.front_extent)
and the optical-flow displacement (capture/chest_flow.py). Still stretches are where the trunk's incline stays within
4 deg over a second (as breathing is read in a hold). Per clip: seconds still, each signal's frame-to-frame noise
(the median absolute first difference, torso lengths), the two signals' correlation inside the breathing band
(0.1-0.7 Hz, over the still frames), and each one's spectral rate where a stretch is at least 10 s long; and the
flow's cost per frame (median, microseconds). The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, machine_line, poses_of  # noqa: E402

from formwatch.core.breathing import BreathingMonitor, front_extent  # noqa: E402

CLIPS = ("kaiakol_data_plank_correct_plank_correct_001.mp4", "kaiakol_data_videos_pushup_correct_001.mp4",
         "kaiakol_data_videos_pushup_incorrect_001.mp4", "myguides_glute-bridge.mp4", "myguides_bird-dog.mp4")
STILL_DEG = 4.0


def still_mask(t: np.ndarray, incline: np.ndarray) -> np.ndarray:
    """Frames whose trunk incline stayed within STILL_DEG over the second before them."""
    out = np.zeros(len(t), bool)
    for i in range(len(t)):
        window = incline[(t > t[i] - 1.0) & (t <= t[i])]
        out[i] = t[i] - t[0] >= 1.0 and np.isfinite(window).all() and np.ptp(window) <= STILL_DEG
    return out


def band(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """0.1-0.7 Hz by FFT masking (offline, for comparing the two signals only)."""
    x = np.where(np.isfinite(x), x, np.nanmean(x))
    dt = float(np.median(np.diff(t)))
    spectrum = np.fft.rfft(x - x.mean())
    freq = np.fft.rfftfreq(len(x), dt)
    spectrum[(freq < 0.1) | (freq > 0.7)] = 0
    return np.fft.irfft(spectrum, len(x))


def rate_of(t: np.ndarray, x: np.ndarray) -> float:
    monitor = BreathingMonitor()
    rates = [monitor.step(float(a), float(b)).rate_bpm for a, b in zip(t, x)]
    finite = [r for r in rates if r == r]
    return round(float(np.median(finite)), 1) if finite else float("nan")


def longest_run(mask: np.ndarray) -> tuple[int, int]:
    best, start = (0, 0), None
    for i, m in enumerate(np.append(mask, False)):
        if m and start is None:
            start = i
        elif not m and start is not None:
            best = max(best, (start, i), key=lambda r: r[1] - r[0])
            start = None
    return best


def main() -> int:
    import cv2

    from formwatch.capture.chest_flow import ChestFlow
    from formwatch.io.recording import load_recording

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video-dir", type=Path,
                        default=Path(__file__).resolve().parents[1].parent / "shared" / "data" / "video")
    parser.add_argument("--write", type=Path, help="also write the report as Markdown here")
    args = parser.parse_args()
    if not args.video_dir.is_dir():
        raise SystemExit(f"no clips at {args.video_dir}: pass --video-dir DIR")
    rows, costs, results = [], [], []
    for name in CLIPS:
        video = args.video_dir / name
        if not video.is_file():
            continue
        recording = load_recording(poses_of(video))
        with open(recording.path / "metrics.csv", newline="") as f:
            incline = np.array([float(r["trunk_incline_deg"] or "nan") for r in csv.DictReader(f)])
        t = recording.t_s
        edge = np.array([front_extent(p) for p in recording.profile]) if recording.profile is not None else \
            np.full(len(t), np.nan)
        flow, chest = np.full(len(t), np.nan), ChestFlow()
        capture = cv2.VideoCapture(str(video))
        for i in range(len(t)):
            ok, bgr = capture.read()
            if not ok:
                break
            gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
            started = time.perf_counter()
            flow[i] = chest.step(gray, recording.image[i])
            costs.append((time.perf_counter() - started) * 1e6)
        capture.release()
        still = still_mask(t, incline) & np.isfinite(edge) & np.isfinite(flow)
        noise = {k: float(np.nanmedian(np.abs(np.diff(v[still])))) if still.sum() > 2 else float("nan")
                 for k, v in (("edge", edge), ("flow", flow))}
        corr = float("nan")
        if still.sum() > 30:
            a, b = band(np.where(still, edge, np.nan), t)[still], band(np.where(still, flow, np.nan), t)[still]
            corr = float(np.corrcoef(a, b)[0, 1])
        i, j = longest_run(still)
        long_enough = t[j - 1] - t[i] >= 10.0 if j > i else False
        rates = (rate_of(t[i:j], edge[i:j]), rate_of(t[i:j], flow[i:j])) if long_enough else (None, None)
        still_s = float(still.sum() * np.median(np.diff(t)))
        results.append({"clip": name, "still_s": round(still_s, 1), "edge_noise": round(noise["edge"], 5),
                        "flow_noise": round(noise["flow"], 5), "band_correlation": round(corr, 2),
                        "rate_edge_bpm": rates[0], "rate_flow_bpm": rates[1]})
        rows.append(f"| {name} | {still_s:.1f} s (longest {t[j - 1] - t[i] if j > i else 0:.1f} s) | "
                    f"{noise['edge']:.5f} | {noise['flow']:.5f} | {corr:.2f} | "
                    f"{rates[0] if rates[0] is not None else '—'} / {rates[1] if rates[1] is not None else '—'} |")
    cost = float(np.median(costs)) if costs else float("nan")
    lines = [f"Chest flow against the front edge — {machine_line()}", "",
             "Command: `.venv/bin/python scripts/evaluate_chest_flow.py`", "",
             f"Optical flow per frame (patch warp, DIS ultrafast, weighting): median **{cost:.0f} µs**.", "",
             "| clip | still | edge noise (torso lengths / frame) | flow noise | band correlation | rate edge / flow |",
             "|---|---|---|---|---|---|", *rows]
    emit(lines, args.write)
    print(json.dumps({"clips": results, "flow_us_per_frame_median": round(cost, 1)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
