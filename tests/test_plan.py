"""One plan per set (core/plan.py): the judged sign applied once and used everywhere, safety limits that evolved
limits never scale, calibration per metric, in-window calibration with the silhouette, and a screen made from the
worker's record only. Each test here failed on 91ed110."""

import math
from types import SimpleNamespace

import numpy as np
import pytest

from formwatch.core.detector import Detector
from formwatch.core.events import Against, RepJudged, Stop, Verdict
from formwatch.core.plan import make_plan
from formwatch.core.set_summary import JudgeFacts, SetSummary
from formwatch.core.profile import MetricNeutral, Profile
from formwatch.core.registry import HIP_EXTENSION, LUMBAR_CURVE, REGISTRY, RIB_FLARE, SHOULDER_ELEVATION
from formwatch.sim.evaluation import _synthetic_neutral
from formwatch.sim.scenarios import Scenario, generate

PROFILE_LIMITS = {SHOULDER_ELEVATION: 2.0, HIP_EXTENSION: 8.0}


def profile_without(*missing: str) -> Profile:
    """A calibrated profile (standing neutral 0 for each re-centred metric) lacking ``missing`` metrics."""
    metrics = {s.name: MetricNeutral(0.0, 0.1) for s in REGISTRY if s.relative and s.name not in missing}
    return Profile("me", "2026-12-01T08:00:00", "side", 0.0, 0.5, metrics, dict(PROFILE_LIMITS))


def rows(t_s: np.ndarray, **columns: np.ndarray) -> np.ndarray:
    """Metrics rows ``(T, columns)`` with the given columns filled (others NaN)."""
    out = np.full((len(t_s), len(REGISTRY)), np.nan)
    for name, values in columns.items():
        out[:, REGISTRY.index(name)] = values
    return out


def hinge_reps(reps: int = 6, period_s: float = 3.0, lead_s: float = 2.0, fps: float = 30.0) -> tuple[np.ndarray, ...]:
    """Time, and a hinge angle going 0 -> 70 deg -> 0 once a period after a still lead-in."""
    t = np.arange(int((lead_s + reps * period_s + 1.5) * fps)) / fps
    phase = np.clip((t - lead_s) / period_s, 0, reps)
    hinge = np.where((t > lead_s) & (t < lead_s + reps * period_s), 35.0 - 35.0 * np.cos(2 * np.pi * phase), 0.0)
    return t, hinge, np.sin(np.pi * (phase % 1.0)) * ((t > lead_s) & (t < lead_s + reps * period_s))


# ---------------------------------------------------------------------------------------------- judged lower
def test_a_hinge_reps_lumbar_peak_is_its_most_rounded_moment():
    """The hinge judges the low back rounding (the curve falling): a rep's peak is its lowest reading."""
    t, hinge, depth = hinge_reps(reps=3)
    lumbar = 3.0 - 15.0 * depth  # +3 deg standing, 12 deg rounded at the bottom
    detector = Detector("hinge", limits=PROFILE_LIMITS, profile_loaded=True)
    for ti, row in zip(t, rows(t, hip_hinge_deg=hinge, shoulder_elevation_cm=np.zeros_like(t),
                               hip_extension_deg=np.zeros_like(t), lumbar_curve_deg=lumbar)):
        detector.step(float(ti), row)
    assert len(detector.reps) == 3
    assert all(r.peaks[LUMBAR_CURVE] == pytest.approx(-12.0, abs=0.5) for r in detector.reps)


def test_limits_evolve_from_the_rounding_extreme():
    """Clean reps rounding 4 deg at most support a tighter rounding limit (5 deg), not one from the arching side."""
    from formwatch.core.exercises import get_exercise
    from formwatch.core.signature import evolve_limits

    reps = [{"rep": i + 1, "depth_deg": 70.0, "down_s": 1.0, "up_s": 1.2, "fully_tracked": True,
             "peaks": {SHOULDER_ELEVATION: 0.2, HIP_EXTENSION: 1.0, LUMBAR_CURVE: -4.0 + 0.1 * (i % 3)}}
            for i in range(6)]
    clean = tuple(RepJudged(float(r["rep"]), r["rep"], 0.0, 1.0, Verdict.CLEAN) for r in reps)
    summary = SetSummary(judged_set=True, exercise="hinge", reps=6, judged=clean,
                         judge=JudgeFacts(rep_features=tuple(reps)))
    sets = [SimpleNamespace(status="done", summary=summary)] * 4
    limits, changes = evolve_limits(get_exercise("hinge"), sets, {LUMBAR_CURVE: 10.0}, {})
    assert limits[LUMBAR_CURVE] == pytest.approx(5.0, abs=0.2) and changes[0].metric == LUMBAR_CURVE


def test_replay_draws_the_hinges_lumbar_limit_on_the_rounding_side():
    """Each frame's limit on the trace: the reading moved by the rest of its gauge's allowance, downwards for the
    hinge (it judges rounding: the curve falling), upwards for the plank."""
    from formwatch.app.replay_data import ReplayData
    from formwatch.core.frame_record import FrameRecord
    from formwatch.core.verdict import GaugeReading

    metrics = np.full(len(REGISTRY), np.nan)
    metrics[REGISTRY.index(LUMBAR_CURVE)] = -3.0  # rounded 5 deg from a +2 deg neutral: half of a 10 deg limit
    record = FrameRecord(0.0, metrics, gauges=(GaugeReading(LUMBAR_CURVE, 0.5, 10.0),))
    for exercise, line in (("hinge", -8.0), ("plank", 2.0)):
        data = SimpleNamespace(exercise=exercise, traces={LUMBAR_CURVE: np.array([-3.0])}, t_s=np.array([0.0]),
                               records=[record], summary=SetSummary(exercise=exercise))
        assert ReplayData.limit_trace(data, LUMBAR_CURVE)[0] == pytest.approx(line)


def test_the_report_names_a_hinge_stop_on_the_low_back_as_rounding():
    from formwatch.app.report import series

    from formwatch.io.history_rows import HistorySet

    stop = Stop(12.0, 4, LUMBAR_CURVE, 7.0, 5.0, "phase", Against.OWN_REPS)

    def row(exercise):
        return HistorySet(1, "2026-12-01T08:00:00", None, "done", "analyze", None, None,
                          SetSummary(judged_set=True, exercise=exercise, reps=4, stop=stop))

    assert series([row("hinge")]).reasons == [("Low back rounding", 1)]
    assert series([row("plank")]).reasons == [("Low back arch", 1)]


# ------------------------------------------------------------------------------------------ safety vs in force
def test_the_safety_stop_never_scales_with_limits_that_evolved():
    plan = make_plan("hinge", profile_without(), evolved={SHOULDER_ELEVATION: 1.0})
    assert plan.safety_limits[SHOULDER_ELEVATION] == 2.0 and plan.limits_in_force[SHOULDER_ELEVATION] == 1.0
    assert "evolved" in plan.reasons[SHOULDER_ELEVATION]
    loose = make_plan("hinge", profile_without(), evolved={SHOULDER_ELEVATION: 3.0})
    assert loose.limits_in_force[SHOULDER_ELEVATION] == 2.0  # never looser than calibrated


def test_after_limits_evolved_a_shoulder_rise_that_moves_with_every_rep_is_not_stopped():
    """Four clean sets tightened the shoulders' limit in force to 1.0 cm; a clean set whose shoulder reading rises
    2.5 cm with the movement in every rep (arms forward at the bottom) is a note, never a stop: 10 reps."""
    plan = make_plan("hinge", limits=PROFILE_LIMITS, calibrated=True, evolved={SHOULDER_ELEVATION: 1.0})
    t, image, world = generate(Scenario(shoulder_bottom_cm=2.5, seed=11))
    from formwatch.core.session import SetSession

    detector = Detector(plan=plan)
    session = SetSession((1280, 720), detector=detector, neutral=_synthetic_neutral())
    for i in range(len(t)):
        if session.step(float(t[i]), image[i], world[i]).stop is not None:
            break
    assert detector.stop is None and len(detector.reps) == 10
    assert SHOULDER_ELEVATION in {n.metric for n in session.summary().technique_notes}


def test_four_clean_sets_then_a_rising_shoulder_set_through_the_commands(tmp_path):
    """The same, end to end: calibrate, four clean hinge sets with the profile into the history (the limit moves
    to 1.0 cm), then the set whose shoulders rise 2.5 cm with every rep: no stop, 10 reps."""
    import json
    import sys
    from pathlib import Path

    from conftest import run_formwatch, write_synthetic_recording

    sys.path.insert(0, str(Path(__file__).parent))
    from test_calibration import sway_then_still

    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    still = write_synthetic_recording(tmp_path / "still", *sway_then_still())
    assert run_formwatch(["calibrate", "--profile", "me", "--recording", str(still)], home, work).returncode == 0
    for seed in range(4):
        rec = write_synthetic_recording(tmp_path / f"set{seed}", *generate(Scenario(reps=6, seed=seed)))
        assert run_formwatch(["analyze", str(rec), "--exercise", "hinge", "--profile", "me"], home,
                             work).returncode == 0
    rising = write_synthetic_recording(tmp_path / "rising", *generate(Scenario(shoulder_bottom_cm=2.5, seed=11)))
    result = run_formwatch(["analyze", str(rising), "--exercise", "hinge", "--profile", "me"], home, work)
    assert result.returncode == 0 and "No stop: " in result.stdout, result.stdout + result.stderr
    last = json.loads(run_formwatch(["history", "--json"], home, work).stdout)["sets"][-1]["summary"]
    assert last["judge"]["limits"][SHOULDER_ELEVATION] == 1.0  # judged with the evolved limit in force, not stopped
    assert last["reps"] == 10 and last["stop"] is None and len(last["judged"]) == 10


# ----------------------------------------------------------------------------------------- calibration per metric
def test_a_metric_missing_from_the_profile_learns_its_zero_from_the_set_not_from_a_raw_zero():
    """A plank with a profile made without the silhouette: this person's back reads +12 deg (a neutral back reads
    -18..+22). Judged from a raw 0 it was 'arched 12 deg' and stopped at once; now its zero is the hold's start."""
    plan = make_plan("plank", profile_without(LUMBAR_CURVE, RIB_FLARE))
    assert LUMBAR_CURVE not in plan.calibrated and HIP_EXTENSION in plan.calibrated
    detector = Detector(plan=plan)
    t = np.arange(20 * 30) / 30
    rng = np.random.default_rng(3)
    data = rows(t, hip_hinge_deg=np.zeros_like(t), hip_extension_deg=rng.normal(0, 0.3, len(t)),
                lumbar_curve_deg=12.0 + rng.normal(0, 0.5, len(t)))
    for ti, row in zip(t, data):
        detector.step(float(ti), row)
    assert detector.stop is None and detector.baseline[LUMBAR_CURVE] == pytest.approx(12.0, abs=0.5)
    assert detector.baseline[HIP_EXTENSION] == 0.0  # the calibrated one is relative to its neutral already


def test_in_window_calibration_fits_the_silhouette_too(tmp_path):
    from formwatch.app.live_calibration import CalibrationCapture
    from formwatch.core.session import SetSession
    from formwatch.core.silhouette import trunk_profile
    from formwatch.sim.synth import skeleton
    from formwatch.sim.torso import TorsoShape, torso_mask

    mask, torso_image = torso_mask(TorsoShape(back_bend_deg=12.0), tilt_deg=0.0)
    trunk = trunk_profile(mask, torso_image)
    capture = CalibrationCapture("me", (1280, 720), tmp_path / "cal", exercise="plank", countdown_s=1.0, hold_s=3.0)
    session = SetSession((1280, 720), detector=Detector("plank"))
    image, world = skeleton(hinge_deg=np.full(150, 4.0))
    for i in range(150):
        if capture.feed(i / 30, image[i], world[i], trunk):
            capture.apply(session)
            break
    assert capture.error == "", capture.error
    lumbar = capture.profile.metrics[LUMBAR_CURVE].neutral
    assert math.isfinite(lumbar) and abs(lumbar) > 5.0  # the drawn back's own curve, not 0
    assert session.pipeline.neutral[REGISTRY.index(LUMBAR_CURVE)] == pytest.approx(lumbar)
    assert LUMBAR_CURVE in session.judge.inner.plan.calibrated


# ---------------------------------------------------------------------------------------------- the record
def test_the_window_paints_from_the_workers_record_only(qtbot, tmp_path):
    """The GUI thread never reads the detector: the overlay state travels with each result, made in the worker."""
    pytest.importorskip("PyQt6")
    from formwatch.app.live import FakeEstimator, LiveRunner
    from formwatch.capture.sources import Frame
    from formwatch.core.session import SetSession
    from formwatch.io.recording import RecordingWriter
    from formwatch.ui.live_window import LiveWindow

    t, image, world = generate(Scenario(reps=2))
    session = SetSession((1280, 720), detector=Detector("hinge"))
    writer = RecordingWriter(tmp_path / "rec", {"fps": 30.0, "frame_width": 1280, "frame_height": 720},
                             session.schema)
    source = SimpleNamespace(mailbox=SimpleNamespace(dropped=0, get=lambda timeout_s: None), ended_reason="",
                             start=lambda: None, stop=lambda: None)
    runner = LiveRunner(source, FakeEstimator(image, world), session, writer)
    window = LiveWindow.__new__(LiveWindow)  # the window's hand-over, without starting a worker thread
    window.runner = runner
    from formwatch.core.cues import CuePolicy

    window.cues, window.voice = CuePolicy(), None
    live = None
    for i in range(90):
        live = runner.process(Frame(i, 100.0 + t[i], np.zeros((8, 8, 3), np.uint8), float(t[i])))
        live.view = window._view_in_worker(live)
    assert live.view is not None and live.view.gauges  # made where the detector lives
    runner.finish()

    class Untouchable:
        def __getattr__(self, name):
            raise AssertionError(f"the GUI thread read session.{name}")

    shown = []
    window._slot_lock, window._latest, window._pending = __import__("threading").Lock(), live, True
    window.ended_reason, window.voice = "", None
    window.overlay = SimpleNamespace(set_frame=lambda *a: None, set_view=shown.append)
    runner.session = Untouchable()
    window._take_result()
    assert shown == [live.view]


# ------------------------------------------------------------------------------------------------ rule plug-ins
def test_a_new_rule_is_a_class_and_a_registration_not_an_edit_of_the_detector():
    from formwatch.core.exercises import ExerciseSpec, registered_exercise
    from formwatch.core.reps import COMPLETED
    from formwatch.core.rules import registered_rule, rule_names
    from formwatch.sim.evaluation import run_scenario

    class EnoughForToday:
        """A toy rule: three fully tracked reps are the set."""

        def reset(self):
            return None

        def step(self, ctx):
            if ctx.event == COMPLETED and len(ctx.state.reps) >= 3:
                return Stop(ctx.t_s, len(ctx.state.reps), ctx.state.watched[0].name, 3.0, 3.0, "enough",
                            Against.OWN_REPS, predicted=True)
            return None

    with registered_rule("enough", lambda config, spec: EnoughForToday()):
        spec = ExerciseSpec("toy-hinge", +1.0, 25.0, 12.0, rules=("limit", "enough"), rest_max_deg=35.0)
        with registered_exercise(spec):
            outcome = run_scenario(Scenario(reps=6, seed=3), exercise="toy-hinge")
    assert outcome.stop is not None and outcome.stop.rule == "enough" and outcome.reps == 3
    assert "enough" not in rule_names()
    with pytest.raises(ValueError, match="unknown rules"):
        ExerciseSpec("toy-2", +1.0, 25.0, 12.0, rules=("limit", "enough"))


# ----------------------------------------------------------------------------------------------- the record
def test_one_schema_writes_metrics_csv_and_reads_it_back_as_the_set_ran(tmp_path):
    """A judged set through the driver into a recording: metrics.csv's header is the schema's, and decoding the file
    gives back every frame's record exactly as it was made in memory."""
    from formwatch.app.replay_data import _Collector, _read_records
    from formwatch.core.driver import SetDriver, samples_of
    from formwatch.core.session import SetSession
    from formwatch.io.recording import RecordingWriter

    t, image, world = generate(Scenario(reps=3, seed=5, **{"drift_metric": SHOULDER_ELEVATION,
                                                            "drift_onset_rep": 2}))
    session = SetSession((1280, 720), detector=Detector("hinge"))
    collector = _Collector()
    with RecordingWriter(tmp_path / "rec", {"fps": 30.0, "frame_width": 1280, "frame_height": 720},
                         session.schema) as writer:
        SetDriver(session, [writer, collector]).run(samples_of(t, image, world))
        writer.summary_on_exit = session.summary()
    header = (tmp_path / "rec" / "metrics.csv").read_text().splitlines()[0].split(",")
    assert tuple(header) == session.schema.header and "shoulder_elevation_cm_limit" in header
    decoded = _read_records(tmp_path / "rec" / "metrics.csv", len(t))
    assert decoded is not None and len(decoded) == len(collector.records)
    for live, back in zip(collector.records, decoded):
        np.testing.assert_array_equal(live.metrics, back.metrics)
        for name in ("t_s", "breath", "exercise", "state", "rep", "phase", "rest_known", "gauges", "held_s",
                     "events", "recognition", "line", "stop"):
            assert repr(getattr(live, name)) == repr(getattr(back, name)), name
