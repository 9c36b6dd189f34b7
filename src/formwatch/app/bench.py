"""``formwatch bench``: the numbers, measured on this machine and printed (never asserted by tests).

- ``step_us``: one frame through the live step (One Euro filter + all metrics, the trunk's from a silhouette
  profile included), p50 / p95 microseconds.
- ``session_step_us``: the whole per-frame path after pose — that step, the breathing, the judge and the record.
- ``trunk_profile_us``: measuring the trunk profile from a 1280x720 soft mask and the landmarks (core/silhouette.py).
- ``chest_flow_us``: the optical-flow chest signal (capture/chest_flow.py) on a drawn 1280x720 breathing trunk, per
  frame: what it would add to the live path (measured, not yet in it: docs/breathing.md).
- ``kinematics_batch_frames_per_s``: a whole ``(T, 33, 4)`` recording through the metrics at once.
- ``pose_ms``: MediaPipe inference in VIDEO mode on a real clip with the segmentation mask and the trunk profile
  (what live and analyze run); ``pose_ms_landmarks_only`` the same without the mask, for comparison.
- ``live``: that clip played as a 30 fps camera through the full live path (capture thread, latest-frame mailbox,
  pose, step, detector, recorder), headless: processed fraction and capture-to-verdict latency.
- ``rss_growth_mb``: memory growth over ten minutes of frames through the live runner and recorder.
- ``analyze_x_realtime``: ``formwatch analyze`` of a 1280x720 clip, seconds of video per second of work (model load
  and writing the recording included).
- ``folder``, ``folder_vs_analyze``, ``startup_s``: a folder of 20 short clips cut from that clip, analysed with
  ``--jobs`` = cores, and what a command pays before its first frame (app/bench_folder.py).
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

from formwatch.app.bench_core import (_percentiles, bench_batch, bench_chest_flow, bench_following,
                                      bench_session_step, bench_step, bench_trunk_profile)


def bench_pose(video: Path, model: Path, frames: int = 200, silhouette: bool = True, people: int | None = None
               ) -> dict[str, float]:
    """MediaPipe VIDEO-mode inference time per frame on a real clip (with the mask and trunk profile, or not; with
    the once-a-second search for other people, or ``people=1``: without), and its mean (the search is one frame in
    thirty: it shows in the mean and the max, not the median)."""
    from formwatch.capture.pose import MAX_PEOPLE, PoseEstimator
    from formwatch.capture.sources import VideoFileSource

    timings = []
    with PoseEstimator(model, silhouette=silhouette, num_poses=people or MAX_PEOPLE) as estimator:
        for frame in VideoFileSource(video):
            start = time.perf_counter()
            estimator.estimate(frame, frame.t_capture_s)
            timings.append(time.perf_counter() - start)
            if len(timings) >= frames:
                break
    return {**_percentiles(timings[5:], 1e3), "mean": round(1e3 * float(np.mean(timings[5:])), 3)}


def default_clip() -> Path:
    """A real clip from ../shared/data when present, else a built-in clip rendered from the demo set."""
    import os

    shared = Path(os.environ.get("FORMWATCH_SHARED_DATA", "../shared/data")) / "video" / "formfit_deadlift.mp4"
    if shared.is_file():
        return shared
    return render_builtin_clip(Path(tempfile.gettempdir()) / "formwatch-bench-clip.avi")


def render_builtin_clip(path: Path, seconds: float = 12.0, size: tuple[int, int] = (640, 360)) -> Path:
    """The demo's simulated person drawn as a thick skeleton into a video (a stand-in when no real clip exists)."""
    import cv2

    from formwatch.sim.demo import DEMO_SCENARIO
    from formwatch.core.landmarks import SKELETON_EDGES
    from formwatch.sim.scenarios import generate

    t, image, _ = generate(DEMO_SCENARIO)
    width, height = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), DEMO_SCENARIO.fps, (width, height))
    for i in range(min(len(t), int(seconds * DEMO_SCENARIO.fps))):
        frame = np.full((height, width, 3), 235, np.uint8)
        xy = (image[i, :, :2] * (width, height)).astype(int)
        for a, b in SKELETON_EDGES:
            cv2.line(frame, tuple(map(int, xy[a])), tuple(map(int, xy[b])), (60, 60, 60), 9)
        cv2.circle(frame, tuple(map(int, xy[0])), max(14, height // 25), (60, 60, 60), -1)
        writer.write(frame)
    writer.release()
    return path


def bench_live(video: Path, model: Path, camera_fps: float = 30.0, out_dir: Path | None = None) -> dict[str, object]:
    """The clip played as a camera through the full live path, headless; capture-to-verdict latency."""
    from formwatch.core.detector import Detector
    from formwatch.core.session import SetSession
    from formwatch.app.live import LiveRunner
    from formwatch.capture.pose import PoseEstimator
    from formwatch.io.recording import RecordingWriter
    from formwatch.capture.sources import PacedVideoSource

    source = PacedVideoSource(video, fps=camera_fps)
    size = (source.info.frame_width, source.info.frame_height)
    session = SetSession(size, detector=Detector("hinge"))
    with tempfile.TemporaryDirectory(prefix="formwatch-bench-") as tmp, PoseEstimator(model) as estimator:
        writer = RecordingWriter(Path(out_dir or tmp) / "rec", {"fps": camera_fps, "frame_width": size[0],
                                                                "frame_height": size[1]}, session.schema)
        runner = LiveRunner(source, estimator, session, writer)
        source.start()
        runner.run()
        source.stop()
        stats = runner.stats
        summary = dict(runner.finish().live or {})
    return {"camera_fps": camera_fps, "silhouette": True, "frames": stats.processed + stats.dropped, **summary}


def analyze_clip() -> Path:
    """The 1280x720 clip ``analyze_x_realtime`` and the folder figures are measured on."""
    shared = Path(os.environ.get("FORMWATCH_SHARED_DATA", "../shared/data")) / "video" / "formfit_curl.mp4"
    return shared if shared.is_file() else render_builtin_clip(
        Path(tempfile.gettempdir()) / "formwatch-bench-720p.avi", size=(1280, 720))


def bench_analyze(model: Path, lanes: int | None = None) -> dict[str, object]:
    """``formwatch analyze`` of a 1280x720 clip (silhouette on): video seconds analysed per second of work, with the
    clip in ``lanes`` stretches at once (default: one a core)."""
    from formwatch.app.analyze import analyze, default_lanes

    clip = analyze_clip()
    with tempfile.TemporaryDirectory(prefix="formwatch-bench-") as tmp:
        start = time.perf_counter()
        result = analyze(clip, Path(tmp) / "rec", model, progress=False, lanes=lanes)
        seconds = time.perf_counter() - start
    video_s = result.summary.duration_s + 1.0 / (result.summary.fps or 30.0)
    return {"clip": str(clip), "model": model.name, "lanes": lanes or default_lanes(),
            "frames": result.summary.frames, "video_s": round(video_s, 2), "wall_s": round(seconds, 2),
            "x_realtime": round(video_s / seconds, 2)}


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def bench_rss_growth(minutes: float = 10.0, fps: float = 30.0) -> dict[str, float]:
    """Memory growth over ``minutes`` of frames through the live runner and recorder (pose from the demo set)."""
    from formwatch.core.detector import Detector
    from formwatch.sim.scenarios import Scenario, generate
    from formwatch.core.session import SetSession
    from formwatch.app.live import FakeEstimator, LiveRunner
    from formwatch.io.recording import RecordingWriter
    from formwatch.capture.sources import Frame, ScheduledSource

    t, image, world = generate(Scenario(fps=fps, reps=int(minutes * 60 / 3.0)))
    session = SetSession((1280, 720), detector=Detector("hinge"))
    with tempfile.TemporaryDirectory(prefix="formwatch-bench-") as tmp:
        writer = RecordingWriter(Path(tmp) / "rec", {"fps": fps, "frame_width": 1280, "frame_height": 720},
                                 session.schema)

        no_camera = ScheduledSource(t, (1280, 720))  # never started: frames are handed to process() directly
        runner = LiveRunner(no_camera, FakeEstimator(image, world), session, writer)
        warm = min(1000, len(t) // 10)
        before = 0.0
        for i in range(len(t)):
            if i == warm:
                before = rss_mb()
            runner.process(Frame(i, 1000.0 + t[i], None, float(t[i])))
        after = rss_mb()
        runner.finish()
    return {"minutes_of_frames": minutes, "frames": len(t), "rss_before_mb": round(before, 1),
            "rss_after_mb": round(after, 1), "growth_mb": round(after - before, 2)}


def machine() -> dict[str, object]:
    import os

    return {"date": time.strftime("%Y-%m-%d"), "python": platform.python_version(),
            "cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(), "numpy": np.__version__}


def _stage(number: int, total: int, what: str) -> None:
    """Which measurement is running, for a person at a terminal (the figures alone go to stdout)."""
    import sys

    if sys.stderr.isatty():
        sys.stderr.write(f"\r[{number}/{total}] {what} ...{' ' * 20}")
        sys.stderr.flush()


def run(as_json: bool, video: Path | None = None, model: Path | None = None, quick: bool = False
        ) -> dict[str, object]:
    total = 3 + (6 if model is not None else 0) + (0 if quick else 1)
    _stage(1, total, "one frame through the step")
    results: dict[str, object] = {"machine": machine(), "step_us": bench_step(),
                                  "session_step_us": bench_session_step(), "following_us": bench_following()}
    _stage(2, total, "a recording through the metrics")
    results["kinematics_batch_frames_per_s"] = round(bench_batch())
    _stage(3, total, "the trunk profile from a mask")
    results["trunk_profile_us"] = bench_trunk_profile()
    results["chest_flow_us"] = bench_chest_flow()
    if model is not None:
        clip = video or default_clip()
        results["clip"] = str(clip)
        _stage(4, total, "the pose model, with the silhouette")
        results["pose_ms"] = bench_pose(clip, model)
        _stage(5, total, "the pose model, landmarks only; one person, no search for others")
        results["pose_ms_landmarks_only"] = bench_pose(clip, model, silhouette=False)
        one = results["pose_ms_one_person"] = bench_pose(clip, model, people=1)
        pose = results["pose_ms"]
        assert isinstance(pose, dict)
        results["people_search_ms_per_frame"] = round(pose["mean"] - one["mean"], 3)
        _stage(6, total, "analyze of a 1280x720 clip")
        analysis = bench_analyze(model)
        results["analyze_x_realtime"] = analysis["x_realtime"]
        results["analyze"] = analysis
        results["analyze_one_lane"] = bench_analyze(model, lanes=1)
        lite = model.with_name("pose_landmarker_lite.task")
        if lite.is_file() and lite != model:  # measured when provisioned (formwatch models --model-size lite)
            results["analyze_lite"] = bench_analyze(lite)
        _stage(7, total, "a folder of 20 short clips")
        from formwatch.app.bench_folder import bench_folder, bench_startup

        folder = bench_folder(model, analyze_clip())
        results["folder"] = folder
        folder_x, one_x = folder.get("x_realtime"), analysis["x_realtime"]
        if isinstance(folder_x, float) and isinstance(one_x, float):
            results["folder_vs_analyze"] = round(folder_x / one_x, 2)
        _stage(8, total, "start-up before the first frame")
        startup = bench_startup(model)
        results["startup"], results["startup_s"] = startup, startup["startup_s"]
        _stage(9, total, "the live path at 30 fps")
        results["live"] = bench_live(clip, model)
    if not quick:
        _stage(total, total, "ten minutes of frames for memory growth")
        rss = bench_rss_growth()
        results["rss_growth_mb"] = rss["growth_mb"]
        results["rss"] = rss
    import sys

    if sys.stderr.isatty():
        sys.stderr.write("\n")
    if as_json:
        from formwatch.io.jsonfiles import dumps_strict

        print(dumps_strict(results, indent=2))
    else:
        print(format_table(results))
    return results


def format_table(results: dict[str, object]) -> str:
    m = results["machine"]
    assert isinstance(m, dict)
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
