"""Precision-fatigue detector scenarios: stop at the right moment for the right reason, never cry wolf."""

import math

import numpy as np
import pytest

from formwatch.core.detector import Detector
from formwatch.core.events import Against, Stop
from formwatch.core.wording import note_sentence, stop_reason
from formwatch.sim.evaluation import run_scenario
from formwatch.core.kinematics import Col, View
from formwatch.core.registry import REGISTRY, SHOULDER_ELEVATION
from formwatch.sim.scenarios import Scenario

PROFILE_LIMITS = {"shoulder_elevation_cm": 2.0, "hip_extension_deg": 8.0}
SHRUG = dict(drift_metric="shoulder_elevation_cm", drift_onset_rep=7, drift_amount=4.0, drift_duration_s=6.0)


@pytest.mark.parametrize("fps", [15, 30, 60])
def test_shoulder_creep_from_rep_7_stops_on_the_shoulders_in_time(fps):
    scenario = Scenario(fps=fps, **SHRUG)
    outcome = run_scenario(scenario, limits=PROFILE_LIMITS)
    stop = outcome.stop
    assert stop is not None and stop.metric == "shoulder_elevation_cm"
    assert scenario.drift_onset_s < stop.t_s <= scenario.drift_crossing_s(3.0) + 0.5
    assert stop.rep >= 7 and "Shoulders crept up" in stop_reason(stop, "hinge") and "set ended" in stop_reason(stop, "hinge")


def test_same_stop_time_at_15_30_and_60_fps():
    times = [run_scenario(Scenario(fps=fps, **SHRUG), limits=PROFILE_LIMITS).stop.t_s for fps in (15, 30, 60)]
    assert max(times) - min(times) <= 0.25


@pytest.mark.parametrize("kw", [dict(), dict(spike_at_s=12.0), dict(spike_at_s=17.3), dict(dropout=(14.0, 1.0))])
@pytest.mark.parametrize("fps", [15, 24, 25, 30, 60])
def test_clean_spiky_and_dropout_sets_do_not_stop_and_count_ten_reps(kw, fps):
    outcome = run_scenario(Scenario(fps=fps, **kw), limits=PROFILE_LIMITS)
    assert outcome.stop is None
    assert outcome.reps == 10


def test_lost_tracking_pauses_instead_of_stopping():
    outcome = run_scenario(Scenario(dropout=(14.0, 1.0)), limits=PROFILE_LIMITS)
    assert "paused" in outcome.states and "stopped" not in outcome.states


def test_hips_pushed_forward_at_lockout_stop_on_the_hips_against_the_first_reps():
    scenario = Scenario(drift_metric="hip_extension_deg", drift_amount=15.0)
    stop = run_scenario(scenario, limits=PROFILE_LIMITS).stop
    assert stop is not None and stop.metric == "hip_extension_deg" and stop.value > stop.limit >= 4.0
    assert "more than in your first reps" in stop_reason(stop, "hinge")
    assert stop.t_s > scenario.drift_onset_s


def test_loss_of_depth_stops_at_the_turn_of_the_short_rep():
    scenario = Scenario(drift_metric="hip_hinge_deg", drift_amount=30.0)
    stop = run_scenario(scenario).stop
    assert stop is not None and stop.metric == "hip_hinge_deg" and "depth" in stop_reason(stop, "hinge")
    bottom_of_rep_8 = scenario.lead_in_s + 7.5 * scenario.rep_period_s
    assert bottom_of_rep_8 < stop.t_s < bottom_of_rep_8 + 0.5  # at the turn, not at the end of the rep
    outcome = run_scenario(scenario)
    assert stop.rep == 8 and outcome.summary.clean_before_stop == 7 and outcome.summary.clean_reps == 7
    assert outcome.summary.judged[-1].rep == 8 and outcome.summary.judged[-1].verdict.value == "fault"


def test_without_profile_limits_are_learned_from_the_first_reps():
    outcome = run_scenario(Scenario(**SHRUG))
    assert outcome.stop is not None and outcome.stop.metric == "shoulder_elevation_cm"


def test_stop_is_latched_until_reset():
    d = Detector("hinge", limits=PROFILE_LIMITS, profile_loaded=True)
    row = np.zeros(len(REGISTRY))
    t = 0.0
    for _ in range(40):  # learn rest
        t += 1 / 30
        d.step(t, row)
    row[Col.HIP_HINGE_DEG] = 40.0  # a rep starts
    row[Col.SHOULDER_ELEVATION_CM] = 6.0  # three times the limit in the very first rep: gross, stopped at once
    for _ in range(20):
        t += 1 / 30
        verdict = d.step(t, row)
    assert verdict.stop is not None and verdict.state == "stopped" and "far past" in stop_reason(verdict.stop, "hinge")
    row[:] = 0.0
    assert d.step(t + 1, row).stop is verdict.stop
    d.reset()
    assert d.stop is None and d.step(t + 2, row).state == "ready"


def test_tempo_loss_stops_the_set():
    rows = []
    d = Detector("hinge")
    t = 0.0
    stop = None
    for up_s in [1.0, 1.0, 1.0, 1.4, 1.5, 1.6]:
        for phase_t, hinge in [(1.0, 0.0)] + [(1.0, 60.0)] + [(up_s, 0.0)]:
            steps = int(phase_t * 30)
            start = rows[-1] if rows else 0.0
            for k in range(steps):
                t += 1 / 30
                value = start + (hinge - start) * (k + 1) / steps
                rows.append(value)
                row = np.zeros(len(REGISTRY))
                row[Col.HIP_HINGE_DEG] = value
                verdict = d.step(t, row)
                stop = stop or verdict.stop
    assert stop is not None and stop.metric == "tempo" and "slowed" in stop_reason(stop, "hinge")


def test_plank_hold_stops_on_sagging_hips():
    d = Detector("plank", limits=PROFILE_LIMITS, profile_loaded=True)
    row = np.zeros(len(REGISTRY))
    stop = None
    for i in range(30 * 20):
        t = i / 30
        row[Col.HIP_EXTENSION_DEG] = 0.0 if t < 10 else (t - 10) * 2.0  # sag grows 2 deg/s after 10 s
        stop = stop or d.step(t, row).stop
    assert stop is not None and stop.metric == "hip_extension_deg" and stop.rep == 0
    assert 10 + 8.0 / 2.0 < stop.t_s <= 10 + 8.0 / 2.0 + 0.5


def test_reason_sentence_reads_like_a_coach():
    stop = Stop(31.0, 7, "shoulder_elevation_cm", 2.14, 2.0, "limit", Against.PROFILE)
    assert stop_reason(stop, "hinge") == "Shoulders crept up 2.1 cm at rep 7 — set ended."


def test_unknown_exercise_is_refused():
    with pytest.raises(ValueError, match="unknown exercise"):
        Detector("yoga")


def test_nan_metrics_never_raise():
    d = Detector("hinge")
    row = np.full(len(REGISTRY), math.nan)
    for i in range(100):
        assert d.step(i / 30, row).state == "paused"


# ----------------------------------------------------------------------------- judged against your own reps
def test_a_shoulder_rise_present_in_every_rep_is_a_technique_note_not_a_stop():
    """Arms held forward lift the shoulder reading 2.5 cm at the bottom of every rep, the same every rep."""
    outcome = run_scenario(Scenario(shoulder_bottom_cm=2.5, seed=11), limits=PROFILE_LIMITS)
    assert outcome.stop is None and outcome.reps == 10
    notes = {n.metric: note_sentence(n, "hinge") for n in outcome.summary.technique_notes}
    assert SHOULDER_ELEVATION in notes and "technique point" in notes[SHOULDER_ELEVATION]


def test_the_same_set_creeping_0_8_cm_more_from_rep_7_is_stopped_by_the_bottom_of_rep_8():
    scenario = Scenario(shoulder_bottom_cm=2.5, shoulder_bottom_extra_cm=0.8, shoulder_extra_from_rep=7, seed=11)
    stop = run_scenario(scenario, limits=PROFILE_LIMITS).stop
    rep7_start = scenario.lead_in_s + 6 * scenario.rep_period_s
    rep8_bottom = scenario.lead_in_s + 7.5 * scenario.rep_period_s
    assert stop is not None and stop.metric == SHOULDER_ELEVATION and "first reps" in stop_reason(stop, "hinge")
    assert rep7_start < stop.t_s <= rep8_bottom


@pytest.mark.parametrize("fps", [15.0, 30.0, 60.0])
def test_a_deadlift_from_the_floor_counts_every_pull(fps):
    outcome = run_scenario(Scenario(fps=fps, reps=6, start_at_bottom=True, depth_deg=110.0, seed=5))
    assert outcome.stop is None and outcome.reps == 6


def test_a_one_rep_clip_with_half_a_second_standing_either_side_counts_one():
    outcome = run_scenario(Scenario(reps=1, lead_in_s=0.5, tail_s=0.5, rep_period_s=2.5, seed=2), exercise="squat")
    assert outcome.reps == 1


def test_a_facing_flip_of_a_few_frames_is_read_the_held_way():
    from formwatch.core.session import SetSession
    from formwatch.sim.synth import skeleton

    from formwatch.core.landmarks import Lm

    t = np.arange(60) / 30
    image, world = skeleton(hinge_deg=np.full(60, 40.0))
    # For a few frames the face is read on the wrong side of the head (a head turn, mislabelled ears): the body did
    # not turn, but the frame's facing flips, and with it the sign of every facing-signed angle.
    glitch = (t > 1.0) & (t < 1.2)
    ears = image[glitch][:, [Lm.LEFT_EAR, Lm.RIGHT_EAR], :2].mean(axis=1)
    image[glitch, Lm.NOSE, :2] = 2 * ears - image[glitch, Lm.NOSE, :2]
    session = SetSession((1280, 720))
    hinge = np.array([session.step(float(ti), image[i], world[i]).metrics[Col.HIP_HINGE_DEG]
                      for i, ti in enumerate(t)])
    assert np.nanmin(hinge) > 30.0  # never the impossible mirror reading
    assert session.summary().facing_flips_held >= 5


def test_front_on_a_facing_flip_leaves_the_hinge_alone():
    """Front-on the face points at the camera and its side flips frame to frame; the hinge there is the world fold,
    which has no side: never negated (a squat filmed from the front counted 0 reps)."""
    from formwatch.core.pipeline import Pipeline, PipelineConfig
    from formwatch.sim.synth import skeleton

    pipeline = Pipeline((1280, 720), PipelineConfig(smoothing=False))
    readings = []
    for i in range(30):
        image, world = skeleton(hinge_deg=40.0, yaw_deg=80.0 if (i // 3) % 2 else 100.0)
        row = pipeline.step(i / 30, image, world)
        assert row[Col.VIEW] == float(View.FRONT)
        readings.append(row[Col.HIP_HINGE_DEG])
    assert pipeline.facing_flips > 0  # the facing did flip ...
    np.testing.assert_allclose(readings, 40.0, atol=1e-6)  # ... and the fold did not


def test_a_gross_fault_without_a_profile_says_it_is_judged_against_population_defaults():
    d = Detector("plank")
    row = np.zeros(len(REGISTRY))
    row[Col.HIP_EXTENSION_DEG] = 25.0  # hips sagging far past straight
    stop = None
    for i in range(30):
        stop = d.step(i / 30, row).stop or stop
    assert stop is not None and "population defaults" in stop_reason(stop, "plank")


def test_a_first_set_is_held_to_the_fitted_population_limit_not_the_registry_default():
    """Without a profile, hip extension is judged from the hips straight: at the limit the judge's fitted values
    give for the exercise (scripts/fit_judge.py), the registry's default only where nothing was fitted; a profile's
    own limit always stands."""
    from types import MappingProxyType

    from formwatch.core.judge_params import JudgeParams, shipped
    from formwatch.core.plan import make_plan
    from formwatch.core.registry import HIP_EXTENSION

    fitted = JudgeParams(population_limits=MappingProxyType({"plank": MappingProxyType({HIP_EXTENSION: 30.0})}))
    row = np.zeros(len(REGISTRY))
    row[Col.HIP_EXTENSION_DEG] = 20.0  # past the registry's 8 deg, inside the fitted 30

    def stop_of(detector: Detector) -> Stop | None:
        stop = None
        for i in range(60):
            stop = detector.step(i / 30, row).stop or stop
        return stop

    assert stop_of(Detector("plank")) is not None  # no fitted value: the registry's default
    held = Detector("plank", params=fitted)
    assert held.plan.safety_limits[HIP_EXTENSION] == 30.0 and stop_of(held) is None
    calibrated = Detector(plan=make_plan("plank", limits={HIP_EXTENSION: 8.0}, calibrated=True), params=fitted)
    assert calibrated.plan.safety_limits[HIP_EXTENSION] == 8.0 and stop_of(calibrated) is not None
    shipped_limits = shipped().population_limits
    assert HIP_EXTENSION in shipped_limits.get("hinge", {})  # fitted on the shared clips, shipped with provenance
    assert Detector("hinge").plan.safety_limits[HIP_EXTENSION] == shipped_limits["hinge"][HIP_EXTENSION]


def squat_set_of_depths(depths_deg: list[float], fps: float = 30.0, lead_s: float = 2.0, period_s: float = 3.0):
    """Time and metrics rows of a squat set: still, then one rep a period to each of ``depths_deg`` and back."""
    from test_plan import rows

    t = np.arange(int((lead_s + len(depths_deg) * period_s + 1.5) * fps)) / fps
    phase = np.clip((t - lead_s) / period_s, 0, len(depths_deg) - 1e-9)
    depth = np.asarray(depths_deg)[phase.astype(int)]
    in_set = (t > lead_s) & (t < lead_s + len(depths_deg) * period_s)
    return t, rows(t, hip_hinge_deg=np.where(in_set, depth * 0.5 * (1 - np.cos(2 * np.pi * phase)), 0.0))


def test_one_sudden_shallower_rep_is_no_trend_but_a_steady_loss_still_stops_before_the_limit():
    """A demonstration squat (bme410): two reps alike, one 13 deg shallower, then as deep as before. The depth
    limit is 18 deg (15 % of 120); a straight line through the three predicted 20 and stopped the set. A loss
    that grows rep after rep is still stopped before it crosses the limit."""
    from formwatch.core.set_judge import SetJudge
    from formwatch.sim.evaluation import judge_rows

    sudden = judge_rows(SetJudge(exercise="squat"), *squat_set_of_depths([121, 119, 107, 120, 118, 120]))
    assert sudden.stop is None and sudden.reps == 6
    steady = judge_rows(SetJudge(exercise="squat"), *squat_set_of_depths([121, 119, 113, 106, 99, 92]))
    assert steady.stop is not None and steady.stop.rule == "drift" and steady.stop.predicted
    assert steady.stop.value < steady.stop.limit  # ended clean, before the loss reached the limit
