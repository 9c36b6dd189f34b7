"""The kinematics core on real data: traces of real clips (PNG), the silhouette's trunk profile drawn on frames of
every clip, the trunk-shape metrics clip by clip, and how well the landmark hip-extension angle separates labelled
faulty from correct frames (ROC AUC).

    .venv/bin/python scripts/real_data_report.py [--write docs/real-data.md] [--images docs/images]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED_DATA, emit, machine_line, poses_of, require_shared_data  # noqa: E402

from formwatch.app.replay_data import load_replay  # noqa: E402
from formwatch.core.kinematics import Col, compute_metrics  # noqa: E402
from formwatch.core.landmarks import Lm  # noqa: E402
from formwatch.core.pipeline import metrics_batch  # noqa: E402
from formwatch.core.silhouette import edge_points  # noqa: E402
from formwatch.core.trunk import lumbar_curve_deg, rib_flare_deg  # noqa: E402
from formwatch.io.recording import load_recording  # noqa: E402

ASPECT_ASSUMED = (1280, 720)  # the labelled CSVs hold normalised coordinates of videos of unknown size


def roc_auc(positive: np.ndarray, negative: np.ndarray) -> float:
    """Area under the ROC curve = P(score of a faulty frame > score of a correct one), ties counted half."""
    positive, negative = positive[~np.isnan(positive)], negative[~np.isnan(negative)]
    scores = np.concatenate([positive, negative])
    ranks = np.empty(len(scores))
    order = np.argsort(scores, kind="mergesort")
    sorted_scores = scores[order]
    ranks[order] = np.arange(1, len(scores) + 1)
    for value in np.unique(sorted_scores):  # average ranks of ties
        tie = scores == value
        ranks[tie] = ranks[tie].mean()
    return float((ranks[: len(positive)].sum() - len(positive) * (len(positive) + 1) / 2)
                 / (len(positive) * len(negative)))


def load_labelled(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Labels (N,) and image landmarks (N, 33, 4) from an Exercise-Correction CSV; absent landmarks are NaN."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    labels = np.array([r[0] for r in body])
    poses = np.full((len(body), 33, 4), np.nan)
    values = np.array([[float(v) for v in r[1:]] for r in body])
    for name in {h.rsplit("_", 1)[0] for h in header[1:]}:
        lm = Lm[name.upper()]
        for c, channel in enumerate("xyzv"):
            poses[:, lm, c] = values[:, header.index(f"{name}_{channel}") - 1]
    return labels, poses


def arch_scores(poses: np.ndarray) -> np.ndarray:
    metrics = compute_metrics(poses, np.full_like(poses, np.nan), ASPECT_ASSUMED)
    return metrics[:, Col.HIP_EXTENSION_DEG]


def auc_rows() -> list[tuple[str, str, int, int, float]]:
    folder = SHARED_DATA / "landmarks" / "ngo_exercise_correction"
    out = []
    for name, fault, kind in (("plank_model__test.csv", "L", "plank: hips sag (L) vs correct (C)"),
                              ("plank_model__test.csv", "H", "plank: hips high (H) vs correct (C), on -arch"),
                              ("bicep_model__test.csv", "L", "bicep curl: leaning back (L) vs correct (C)"),
                              ("bicep_model__backup__dataset_side.csv", "L",
                               "bicep curl, side: leaning back (L) vs correct (C)"),
                              ("bicep_model__backup__dataset_front.csv", "L",
                               "bicep curl, front: leaning back (L) vs correct (C)")):
        path = folder / name
        if not path.is_file():
            continue
        labels, poses = load_labelled(path)
        score = arch_scores(poses) * (-1.0 if fault == "H" else 1.0)  # hips high is flexion: the other way
        pos, neg = score[labels == fault], score[labels == "C"]
        out.append((name, kind, int((~np.isnan(pos)).sum()), int((~np.isnan(neg)).sum()), roc_auc(pos, neg)))
    return out


def profile_strip(video: Path, recording: Path, destination: Path, tiles: int = 4, height_px: int = 300) -> None:
    """Frames of a clip with the measured back (red) and front (green) edges and the hip-shoulder line drawn."""
    import cv2

    rec = load_recording(recording)
    valid = np.flatnonzero(~np.isnan(rec.profile[:, 0]).all(axis=1)) if rec.profile is not None else np.array([])
    picks = valid[np.linspace(0, len(valid) - 1, tiles).astype(int)] if len(valid) >= tiles else valid
    capture = cv2.VideoCapture(str(video))
    images = []
    for index in picks:
        capture.set(cv2.CAP_PROP_POS_FRAMES, int(index))
        ok, bgr = capture.read()
        if not ok:
            continue
        h, w = bgr.shape[:2]
        edges = edge_points(rec.profile[index], rec.image[index], (w, h)) * np.array([w, h])
        hip = rec.image[index, [Lm.LEFT_HIP, Lm.RIGHT_HIP], :2].mean(0) * (w, h)
        shoulder = rec.image[index, [Lm.LEFT_SHOULDER, Lm.RIGHT_SHOULDER], :2].mean(0) * (w, h)
        radius = max(2, int(round(h / 180)))
        cv2.line(bgr, tuple(int(v) for v in hip), tuple(int(v) for v in shoulder), (255, 255, 255), radius)
        for side, colour in ((0, (40, 40, 235)), (1, (60, 200, 60))):
            for x, y in edges[side]:
                if np.isfinite(x):
                    cv2.circle(bgr, (int(x), int(y)), radius + 1, colour, -1)
        curve = float(lumbar_curve_deg(rec.profile[index]))
        label = f"t {rec.t_s[index]:.1f} s  curve {curve:+.0f}" if np.isfinite(curve) else f"t {rec.t_s[index]:.1f} s"
        cv2.putText(bgr, label, (10, int(h * 0.08)), cv2.FONT_HERSHEY_SIMPLEX, h / 500, (0, 140, 255), radius)
        images.append(cv2.resize(bgr, (int(w * height_px / h), height_px)))
    if images:
        cv2.imwrite(str(destination), np.hstack(images))


def trunk_rows(video_dir: Path, images: Path) -> list[str]:
    """Per clip: how often the silhouette gave each trunk metric, its spread, and its correlation with the hinge."""
    rows = ["| clip | frames | lumbar curve valid | p10 / p50 / p90 | r with hip hinge | rib flare valid | "
            "p10 / p50 / p90 |", "|---|---|---|---|---|---|---|"]
    pictures = []
    for video in sorted(video_dir.glob("*.mp4")):
        recording = poses_of(video)
        rec = load_recording(recording)
        if rec.profile is None:
            continue
        curve, flare = lumbar_curve_deg(rec.profile), rib_flare_deg(rec.profile)
        hinge = metrics_batch(rec.image, rec.world, rec.frame_size_px)[:, Col.HIP_HINGE_DEG]
        both = np.isfinite(curve) & np.isfinite(hinge)
        r = np.corrcoef(curve[both], hinge[both])[0, 1] if both.sum() > 10 else np.nan

        def spread(x: np.ndarray) -> str:
            return " / ".join(f"{v:+.0f}°" for v in np.nanpercentile(x, [10, 50, 90])) if np.isfinite(x).any() \
                else "—"

        rows.append(f"| {video.name} | {len(curve)} | {100 * np.isfinite(curve).mean():.0f} % | {spread(curve)} | "
                    f"{r:+.2f} | {100 * np.isfinite(flare).mean():.0f} % | {spread(flare)} |")
        png = images / "local" / "profiles" / f"{video.stem}.png"
        png.parent.mkdir(parents=True, exist_ok=True)
        profile_strip(video, recording, png)
        pictures.append(f"- `docs/images/local/profiles/{video.stem}.png`")
    return rows + ["", "The profiles drawn on frames of every clip are written to `docs/images/local/profiles/` when "
                   "the report runs, to look at; they are not committed, because the clips' owners gave no licence "
                   "to redistribute their footage (../shared/data/README.md):", ""] + pictures + [""]


def trace_png(recording: Path, destination: Path, title: str) -> None:
    """The replay window's traces exported offscreen."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from formwatch.ui.live_window import qt_app
    from formwatch.ui.replay_window import ReplayWindow

    app = qt_app()  # keep a reference while the window lives
    window = ReplayWindow(load_replay(recording))
    window.setWindowTitle(title)
    window.export_png(destination)
    window.close()
    del window, app


def count_peaks(values: np.ndarray, t: np.ndarray, rise: float, min_gap_s: float = 0.8) -> int:
    """Peaks rising at least ``rise`` above the surrounding troughs (hysteresis count)."""
    v = values[~np.isnan(values)]
    low, count, armed = np.inf, 0, True
    for x in v:
        low = min(low, x)
        if armed and x - low >= rise:
            count += 1
            armed = False
            high = x
        elif not armed:
            high = max(high, x)
            if high - x >= rise:
                armed, low = True, x
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path)
    parser.add_argument("--images", type=Path, default=Path("docs/images"))
    args = parser.parse_args()
    require_shared_data()
    args.images.mkdir(parents=True, exist_ok=True)
    video = SHARED_DATA / "video"
    lines = [f"Real-data report — {machine_line()}", "",
             "Command: `.venv/bin/python scripts/real_data_report.py --write docs/real-data.md`", ""]

    dead = poses_of(video / "formfit_deadlift.mp4")
    data = load_replay(dead)
    hinge = data.traces["hip_hinge_deg"]
    trace_png(dead, args.images / "deadlift_traces.png", "formfit_deadlift.mp4")
    standing = hinge[hinge < np.nanpercentile(hinge, 25)]
    lines += ["## formfit_deadlift.mp4 (side view, conventional deadlift)", "",
              "![deadlift traces](images/deadlift_traces.png)", "",
              f"- hip hinge: standing (lowest quarter of frames) median {np.nanmedian(standing):+.1f}°, "
              f"bottom of the lift {np.nanmax(hinge):.0f}° (deep flexion); "
              f"{count_peaks(-hinge, data.t_s, 60)} lockouts between the floor positions.",
              f"- shoulder elevation: {np.nanpercentile(data.traces['shoulder_elevation_cm'], 5):+.1f} to "
              f"{np.nanpercentile(data.traces['shoulder_elevation_cm'], 95):+.1f} cm (5th–95th percentile): raw, "
              "against the population neutral.", ""]

    shrug = poses_of(video / "beproj_sample_shoulder_shrug.mp4")
    sdata = load_replay(shrug)
    elev = sdata.traces["shoulder_elevation_cm"]
    trace_png(shrug, args.images / "shrug_traces.png", "beproj_sample_shoulder_shrug.mp4")
    lines += ["## beproj_sample_shoulder_shrug.mp4 (front view, dumbbell shrugs)", "",
              "![shrug traces](images/shrug_traces.png)", "",
              f"- shoulder elevation: {count_peaks(elev, sdata.t_s, 2.0)} peaks rising at least 2 cm; "
              f"range {np.nanpercentile(elev, 5):+.1f} to {np.nanpercentile(elev, 95):+.1f} cm. Hinge and arch "
              f"are NaN in {100 * np.isnan(sdata.traces['hip_hinge_deg']).mean():.0f} % of frames: a front view "
              "cannot see them (by design).", ""]

    lines += ["## Push-ups: hips sagging (labelled incorrect) against correct", "",
              "| clip | frames | hip extension median | p90 | lumbar curve median | p90 |", "|---|---|---|---|---|---|"]
    for clip in ("kaiakol_data_videos_pushup_correct_001.mp4", "kaiakol_data_videos_pushup_incorrect_001.mp4"):
        traces = load_replay(poses_of(video / clip)).traces
        a, c = traces["hip_extension_deg"], traces["lumbar_curve_deg"]
        lines.append(f"| {clip} | {len(a)} | {np.nanmedian(a):+.1f}° | {np.nanpercentile(a, 90):+.1f}° | "
                     f"{np.nanmedian(c):+.1f}° | {np.nanpercentile(c, 90):+.1f}° |")
    lines += ["", "## The trunk's own shape, from the silhouette", "",
              "Each clip analysed with the segmentation mask on; the lumbar curve is the back edge's bend (positive = "
              "hollowing, negative = rounding), the rib flare the front edge's. `r` is the Pearson correlation of the "
              "lumbar curve with the hip hinge over the clip's frames: the old landmark 'arch' was exactly minus the "
              "hinge (r = -1). Absolute values differ between people and postures (body shape, clothing): the "
              "detector judges them against the person's own neutral or first reps, never against a population "
              "zero. Red: back edge; green: front edge; white: hips to shoulders.", ""]
    lines += trunk_rows(video, args.images)
    lines += ["## Labelled landmarks: does the landmark hip-extension angle separate faulty from correct frames?", "",
              f"ROC AUC of `hip_extension_deg` (higher = more extended), frames assumed {ASPECT_ASSUMED[0]}x"
              f"{ASPECT_ASSUMED[1]}. The bicep files hold no knee landmarks, so the proxy falls back to the trunk's "
              "lean back from vertical. These files hold landmarks only, no video: the silhouette metrics cannot be "
              "scored on them.", "", "| file | comparison | faulty frames | correct frames | AUC |",
              "|---|---|---|---|---|"]
    for name, kind, npos, nneg, auc in auc_rows():
        lines.append(f"| {name} | {kind} | {npos} | {nneg} | {auc:.3f} |")
    lines += ["", "plank_model__kaggle.csv holds only correct frames, so it has no AUC. Frames are not independent "
              "(consecutive frames of a few videos), so these AUCs say the angle ranks these recordings' faulty "
              "frames above their correct ones; they overstate how well it generalises to new people and cameras."]
    emit(lines, args.write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
