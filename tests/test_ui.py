"""The Qt shell offscreen: the worker in a real QThread ends the set; the overlay and replay hold the right state."""

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PyQt6")

from formwatch.core.detector import Detector  # noqa: E402
from formwatch.core.wording import stop_reason  # noqa: E402
from formwatch.core.registry import HIP_EXTENSION, HIP_HINGE, LUMBAR_CURVE, REGISTRY, SHOULDER_ELEVATION  # noqa: E402
from formwatch.sim.scenarios import Scenario, generate  # noqa: E402
from formwatch.core.session import SetSession  # noqa: E402
from formwatch.app.live import FakeEstimator, LiveRunner  # noqa: E402
from formwatch.io.recording import RecordingWriter  # noqa: E402
from formwatch.capture.sources import ScheduledSource  # noqa: E402
from formwatch.core.view_limits import ViewLimits  # noqa: E402

SCREENSHOTS = Path(__file__).resolve().parents[1] / "tests" / "screenshots"
SHRUG = Scenario(drift_metric="shoulder_elevation_cm", drift_onset_rep=4, reps=6, yaw_deg=25.0)


def make_runner(tmp_path, scenario=SHRUG, speed=6.0, delay_s=0.0):
    t, image, world = generate(scenario)
    # The 'camera' runs ``speed`` times faster than life, so how many of its frames the worker takes (and so the
    # frame rate the set is judged at) depends on the machine: no least frame rate here (tests/test_scene_check.py).
    session = SetSession((1280, 720), detector=Detector("hinge"), view_limits=ViewLimits(0.0, 640, 0.0))
    writer = RecordingWriter(tmp_path / "rec", {"fps": scenario.fps, "frame_width": 1280, "frame_height": 720},
                             session.schema)
    return LiveRunner(ScheduledSource(t, (1280, 720), speed), FakeEstimator(image, world, delay_s), session, writer)


def test_worker_in_a_real_qthread_emits_the_stop(qtbot, tmp_path):
    from formwatch.ui.worker import LiveWorker

    # At twice life's pace the worker keeps up with the camera even on a loaded machine: taking every third frame
    # or fewer, a rep's deepest frame can be skipped and the depth rule, not the shoulders, stop the set first.
    runner = make_runner(tmp_path, speed=2.0)
    worker = LiveWorker(runner)
    results = []
    worker.result.connect(results.append)
    with qtbot.waitSignal(worker.stopped, timeout=20000) as blocker:
        worker.start()
    stop = blocker.args[0]
    assert stop.metric == "shoulder_elevation_cm" and "Shoulders" in stop_reason(stop, "hinge")
    assert worker.worker_thread.isRunning()
    summary = worker.stop()
    assert summary.stopped and summary.live["processed"] > 100
    assert (tmp_path / "rec" / "poses.npz").is_file()


def test_slow_worker_drops_frames_instead_of_queueing(qtbot, tmp_path):
    from formwatch.ui.worker import LiveWorker

    runner = make_runner(tmp_path, Scenario(reps=3), speed=2.0, delay_s=0.03)  # 60 fps camera, 33 fps worker
    worker = LiveWorker(runner)
    with qtbot.waitSignal(worker.ended, timeout=20000):
        worker.start()
    summary = worker.stop()
    live = summary.live
    # Newest frame only, no backlog: every frame was either processed or counted as dropped, never queued (the
    # latency this buys is measured by `formwatch bench`, not asserted here: a test never leans on the machine).
    assert live["dropped"] > 0 and live["processed"] + live["dropped"] == len(generate(Scenario(reps=3))[0])


def test_live_window_overlay_follows_results_and_shows_the_stop(qtbot, tmp_path):
    from formwatch.ui.live_window import LiveWindow

    runner = make_runner(tmp_path)
    window = LiveWindow(runner, (1280, 720), new_writer=lambda: RecordingWriter(
        tmp_path / "rec2", {"fps": 30.0, "frame_width": 1280, "frame_height": 720}, runner.session.schema))
    qtbot.addWidget(window)
    window.show()
    # The overlay follows the results (which states it catches depends on how busy this machine is: only the
    # newest result is painted; the words of each state are test_view_model_words').
    qtbot.waitUntil(lambda: window.overlay.view.state in ("clean", "drifting", "stopped"), timeout=15000)
    assert window.overlay.view.gauges  # watched metrics have gauges
    qtbot.waitUntil(lambda: window.stop_event is not None, timeout=20000)
    qtbot.waitUntil(lambda: window.overlay.view.summary != "", timeout=5000)
    view = window.overlay.view
    assert view.state == "stopped" and view.banner.startswith("STOP — Shoulders crept up")
    assert view.fault_metric == SHOULDER_ELEVATION
    assert view.gauges[0].name == SHOULDER_ELEVATION
    # The gauge shows the limit it was judged against: the person's own first reps at this phase (k spreads, at
    # least 0.6 cm), which is tighter than the 2 cm against the standing neutral.
    assert view.gauges[0].fraction >= 0.6 and 0.5 <= view.gauges[0].limit < 2.0
    assert window.sound.played == 1
    # The shrug starts at rep 4: at least three clean reps were counted, and the counter shows the rep the set
    # ended in, as the stop panel does.
    assert view.rep == window.stop_event.rep and len(runner.session.judge.inner.reps) >= 3
    SCREENSHOTS.mkdir(exist_ok=True)
    window.grab().save(str(SCREENSHOTS / "live_stop.png"))
    window.new_set()
    qtbot.waitUntil(lambda: (tmp_path / "rec" / "summary.json").is_file(), timeout=5000)  # first set finalised
    window.close()
    assert (tmp_path / "rec2" / "meta.json").is_file()


def record(state="drifting", exercise="hinge", metrics=None, gauges=(), phase="down", **fields):
    from formwatch.core.frame_record import FrameRecord

    metrics = np.zeros(len(REGISTRY)) if metrics is None else metrics
    return FrameRecord(5.0, metrics, exercise=exercise, state=state, rep=5, phase=phase, rest_known=True,
                       gauges=gauges, **fields)


def test_view_model_words():
    from formwatch.core.verdict import GaugeReading
    from formwatch.ui.view_model import LiveStatus, view

    gauges = tuple(GaugeReading(n, f, v) for n, f, v in ((SHOULDER_ELEVATION, 0.8, 2.0), (HIP_EXTENSION, 0.1, 8.0),
                                                          (LUMBAR_CURVE, 0.2, 12.0), (HIP_HINGE, math.nan, math.nan)))
    state = view(record(gauges=gauges), LiveStatus(30.0, 12.0, 0.2))
    assert state.banner == "Careful — shoulders creeping up" and state.fault_metric == SHOULDER_ELEVATION
    assert [g.name for g in state.gauges] == [SHOULDER_ELEVATION, HIP_EXTENSION, LUMBAR_CURVE, HIP_HINGE]
    assert state.gauges[2].label == "Low back rounding"  # the hinge judges the low back rounding, not arching
    assert state.dropped_fraction == pytest.approx(0.2)  # said on screen: above 10 % of camera frames dropped
    assert state.gauges[0].limit == 2.0 and state.gauges[0].reading == "1.6 cm of 2.0 cm"
    assert math.isnan(state.gauges[3].limit) and state.gauges[3].reading == "—"  # depth unknown before any rep
    # Seen from the front, the banner says so instead of a generic message.
    from formwatch.core.kinematics import compute_metrics
    from formwatch.sim.synth import skeleton

    metrics = np.full(len(REGISTRY), np.nan)
    metrics[: len(compute_metrics(*skeleton(hinge_deg=20, yaw_deg=90), (1280, 720)))] = compute_metrics(
        *skeleton(hinge_deg=20, yaw_deg=90), (1280, 720))
    assert view(record("ready", metrics=metrics)).banner.startswith("Ready — the camera sees you from the front")


def test_replay_curves_hold_the_recording_and_cursor_follows_seeking(qtbot, tmp_path):
    from formwatch.cli.demo import run_headless
    from formwatch.app.replay_data import load_replay
    from formwatch.ui.replay_window import ReplayWindow

    run_headless(tmp_path / "demo")
    data = load_replay(tmp_path / "demo")
    window = ReplayWindow(data)
    qtbot.addWidget(window)
    window.show()
    for metric, curve in window.curves.items():
        x, y = curve.getData()
        np.testing.assert_allclose(x, data.t_s)
        np.testing.assert_allclose(y, data.traces[metric], equal_nan=True)
    window.seek_time(10.0)
    assert window.cursors["hip_hinge_deg"].value() == pytest.approx(10.0, abs=1 / 30)
    assert window.slider.value() == data.index_at(10.0)
    window.slider.setValue(30)
    assert window.cursors["shoulder_elevation_cm"].value() == pytest.approx(data.t_s[30])
    window.seek_time(data.stop.t_s + 0.01)
    assert window.overlay.view.state == "stopped"
    png = window.export_png(tmp_path / "traces.png")
    assert png.stat().st_size > 10_000
    from PyQt6.QtGui import QImage

    from formwatch.ui.replay_window import EXPORT_WIDTH_PX

    picture = QImage(str(png))  # 1366 wide, as tall as every trace needs
    assert picture.width() == EXPORT_WIDTH_PX and picture.height() >= window.traces_height_px() - 2
    plots = [item for item in window.plots.ci.items if hasattr(item, "vb")]
    window.plots.resize(EXPORT_WIDTH_PX, window.traces_height_px())
    window.plots.resizeEvent(None)
    assert plots and min(plot.vb.height() for plot in plots) >= 120  # each trace's plot area, as exported
    SCREENSHOTS.mkdir(exist_ok=True)
    window.grab().save(str(SCREENSHOTS / "replay.png"))


def test_demo_without_any_display_prints_the_stop(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1] / "src")
    result = subprocess.run([sys.executable, "-m", "formwatch", "demo", "--out", str(tmp_path / "d")],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "STOP" in result.stdout and "Shoulders crept up" in result.stdout


def test_camera_lost_pauses_keeps_the_recording_and_resumes(qtbot, tmp_path):
    from formwatch.ui.live_window import LiveWindow

    runner = make_runner(tmp_path, Scenario(reps=2), speed=8.0)
    t, image, world = generate(Scenario(reps=2))
    writers = iter(range(2, 10))
    window = LiveWindow(runner, (1280, 720),
                        new_writer=lambda: RecordingWriter(tmp_path / f"rec{next(writers)}",
                                                           {"fps": 30.0, "frame_width": 1280, "frame_height": 720},
                                                           runner.session.schema),
                        make_source=lambda: ScheduledSource(t, (1280, 720), 8.0))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.ended_reason != "", timeout=20000)  # the 'camera' ran out of frames
    assert "recording kept" in window.overlay.view.banner and "R: resume" in window.overlay.view.banner
    from formwatch.io.recording import load_recording

    first = load_recording(tmp_path / "rec")  # finalised or not, everything processed is on disk
    assert len(first.t_s) > 50
    reps_before = len(runner.session.judge.inner.reps)
    window.resume()
    qtbot.waitUntil(lambda: window.ended_reason == "" and runner.writer.frames > 20, timeout=20000)
    assert len(runner.session.judge.inner.reps) >= reps_before  # the same set goes on
    window.close()
    assert (tmp_path / "rec" / "summary.json").is_file() and (tmp_path / "rec2" / "summary.json").is_file()


def test_calibration_in_the_window_saves_and_applies_the_profile(tmp_path):
    from formwatch.core.session import SetSession
    from formwatch.sim.synth import skeleton
    from formwatch.app.live_calibration import CalibrationCapture

    capture = CalibrationCapture("me", (1280, 720), tmp_path / "cal", countdown_s=1.0, hold_s=3.0)
    session = SetSession((1280, 720), detector=Detector("hinge"))
    image, world = skeleton(hinge_deg=np.full(150, 4.0))
    done = False
    for i in range(150):
        if capture.feed(i / 30, image[i], world[i]):
            done = True
            capture.apply(session)
            break
    assert done and capture.error == "" and (tmp_path / "cal" / "me.json").is_file()
    assert "Calibrated" in capture.message
    assert session.pipeline.neutral[0] == pytest.approx(4.0, abs=0.5)
    plan = session.judge.inner.plan
    assert plan.has_profile and plan.safety_limits["shoulder_elevation_cm"] >= 2.0


def test_calibration_in_the_window_refuses_with_the_instruction(tmp_path):
    from formwatch.sim.synth import skeleton
    from formwatch.app.live_calibration import CalibrationCapture

    capture = CalibrationCapture("me", (1280, 720), tmp_path / "cal", countdown_s=0.5, hold_s=3.0)
    image, world = skeleton(hinge_deg=np.full(150, 4.0), yaw_deg=90)
    for i in range(150):
        if capture.feed(i / 30, image[i], world[i]):
            break
    assert "turn side-on" in capture.message and not (tmp_path / "cal" / "me.json").exists()


def test_ctrl_c_closes_the_window_and_finalises_the_recording(tmp_path):
    import signal
    import time

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"))
    # --screenshot forces the window even offscreen; --exit-after far away so only Ctrl-C ends it
    proc = subprocess.Popen([sys.executable, "-m", "formwatch", "demo", "--out", str(tmp_path / "d"),
                             "--screenshot", str(tmp_path / "s.png"), "--exit-after", "60"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (tmp_path / "d" / "poses-00002.npz").exists():
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert (tmp_path / "d" / "summary.json").is_file() and (tmp_path / "d" / "poses.npz").is_file()


def test_replay_can_smooth_traces_without_moving_them(tmp_path):
    from formwatch.cli.demo import run_headless
    from formwatch.app.replay_data import export_csv, load_replay

    run_headless(tmp_path / "demo")
    raw = load_replay(tmp_path / "demo")
    smooth = load_replay(tmp_path / "demo", smooth_hz=2.0)
    r, s = raw.traces["shoulder_elevation_cm"], smooth.traces["shoulder_elevation_cm"]
    assert np.nanstd(np.diff(s)) < 0.5 * np.nanstd(np.diff(r))  # less jitter
    lag = np.argmax(np.correlate(s - np.nanmean(s), r - np.nanmean(r), "full")) - (len(r) - 1)
    assert lag == 0  # no lag
    rows = export_csv(smooth, tmp_path / "m.csv").read_text().splitlines()
    assert rows[0] == "t_s,hip_hinge_deg,shoulder_elevation_cm,hip_extension_deg,lumbar_curve_deg"
    assert len(rows) == len(r) + 1


def test_the_breathing_cue_follows_the_movement():
    from formwatch.core.cues import pacing
    from formwatch.core.frame_record import BreathReading

    def cue(exercise, phase, breath=BreathReading()):
        return pacing(record("clean", exercise, phase=phase, breath=breath)).text

    assert cue("hinge", "up") == "Breathe out as you rise"
    assert cue("squat", "down") == "Breathe in as you lower"
    assert cue("bridge", "down") == "Breathe out as you reach"
    assert cue("hinge", "rest") == ""
    assert cue("plank", "", BreathReading(True, 11.2, 1.0)) == "Breathe slowly: 6 breaths a minute · now 11"
    held = BreathReading(True, 11.2, 1.0, 3.4)
    # A held breath comes first, in a hold and between reps alike: a cue on screen (and spoken), not a stop.
    assert cue("plank", "", held) == "Keep breathing: breath held 3 s — breathe out slowly"
    assert cue("hinge", "rest", held).startswith("Keep breathing")
    assert cue("hinge", "up", BreathReading(True, 11.2, 1.0, 1.0)) == "Breathe out as you rise"  # a short pause


def history_rows(*sets):
    """HistorySet rows of hinge-like sets: (exercise, reps judged, clean, stopped metric or None), started now."""
    import time

    from formwatch.core.events import Against, RepJudged, Stop, Verdict
    from formwatch.core.set_summary import SetSummary
    from formwatch.io.history_rows import HistorySet

    today = time.strftime("%Y-%m-%dT%H:%M:%S")
    rows = []
    for i, (exercise, reps, clean, metric) in enumerate(sets):
        judged = tuple(RepJudged(float(r), r, 0.0, 1.0, Verdict.CLEAN if r <= clean else Verdict.FAULT)
                       for r in range(1, reps + 1))
        stop = Stop(9.0, reps, metric, 3.0, 2.0, "phase", Against.OWN_REPS) if metric else None
        rows.append(HistorySet(i, today, None, "done", "analyze", None, None,
                               SetSummary(judged_set=True, exercise=exercise, reps=reps, judged=judged, stop=stop)))
    return rows


def test_the_progress_view_draws_the_history(qtbot):
    from formwatch.app.report import series
    from formwatch.ui.charts import ProgressWindow

    rows = history_rows(*(("hinge", 8, 7, m) for m in ("shoulder_elevation_cm", None)))
    window = ProgressWindow(series(rows), len(rows))
    qtbot.addWidget(window)
    assert set(window.plots) == {"Sets per day", "Clean reps per set", "Why sets ended"}
    assert "streak 1 day" in window.plots["Sets per day"].titleLabel.text
    curve = window.plots["Clean reps per set"].listDataItems()[0]
    assert list(curve.getData()[1]) == [7, 7]


def test_the_progress_legend_never_covers_a_point(qtbot):
    """Three exercises whose first sets sit at the top of the chart, where the legend goes: the chart leaves the
    legend its own headroom."""
    from PyQt6.QtCore import QPointF

    from formwatch.app.report import series
    from formwatch.ui.charts import ProgressWindow

    rows = history_rows(*((e, 10, c, None) for e in ("hinge", "squat", "bridge") for c in (10, 9, 6, 4)))
    window = ProgressWindow(series(rows), len(rows))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    plot = window.plots["Clean reps per set"]
    legend = plot.legend.sceneBoundingRect()
    for item in plot.listDataItems():
        xs, ys = item.getData()
        for x, y in zip(xs, ys):
            point = plot.vb.mapViewToScene(QPointF(float(x), float(y)))
            assert not legend.adjusted(-6, -6, 6, 6).contains(point), (x, y, legend, point, plot.vb.sceneBoundingRect())
