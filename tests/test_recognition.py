"""Recognition that abstains rather than guesses (core/recognition.py, the model fitted by scripts/fit_judge.py):
known models give known answers (sure: said; unsure: asked once, nothing judged; moving: no hold), the shipped
model recognises a drawn hinge at its first rep, a drawn face-down rhythmic set is not timed or stopped as a plank,
and on the shared front and oblique clips the side-view metrics are not judged."""

import math

import numpy as np
import pytest

from formwatch.core.events import ABSTAINED, Recognised
from formwatch.core.judge_params import JudgeParams, RecognitionModel, shipped
from formwatch.core.recognition import (ASK_AFTER_S, COLUMNS, FEATURES, ExerciseRecognizer, likeliest,
                                        unmoved_exercises, window_features)
from formwatch.core.registry import REGISTRY
from formwatch.core.session import SetSession
from formwatch.core.set_judge import SetJudge
from formwatch.core.wording import ASK_WHICH, recognition_text, recognition_why, verdict_line, why_ended
from formwatch.sim.evaluation import judge_rows
from formwatch.sim.synth import skeleton

from conftest import labelled_clips, pose_recording, shared_file
from test_plan import rows

FPS = 30.0


def model_on_hip_range(bar: float) -> RecognitionModel:
    """A known model: the more the hips move, the surer it is of a hinge (p = 0.5 at a 40 deg range)."""
    centre = [0.0] * len(FEATURES)
    weights = [[0.0] * len(FEATURES), [0.0] * len(FEATURES)]
    i = FEATURES.index("hip_range_deg")
    weights[0][i], weights[1][i] = 0.1, -0.1
    return RecognitionModel(FEATURES, tuple(centre), (1.0,) * len(FEATURES), ("hinge", "none"),
                            tuple(tuple(w) for w in weights), (-4.0, 4.0), bar)


def recognise(model: RecognitionModel, t: np.ndarray, metrics: np.ndarray, still: float = math.inf):
    recognizer = ExerciseRecognizer(model, still)
    said = [found for ti, row in zip(t, metrics) if (found := recognizer.step(float(ti), row)) is not None]
    return said, recognizer.finish(float(t[-1]))


def swings(range_deg: float, seconds: float = 10.0) -> tuple[np.ndarray, np.ndarray]:
    t = np.arange(0, seconds, 1 / FPS)
    return t, rows(t, hip_hinge_deg=0.5 * range_deg * (1 - np.cos(2 * np.pi * t / 3.0)))


def test_a_sure_model_says_the_exercise_once_and_an_unsure_one_asks_once_after_a_while():
    said, last = recognise(model_on_hip_range(0.8), *swings(80.0))
    assert [s.exercise for s in said] == ["hinge"] and last.exercise == "hinge" and last.confidence >= 0.8
    said, last = recognise(model_on_hip_range(0.8), *swings(40.0))  # p(hinge) ~ 0.5: not sure either way
    assert len(said) == 1 and said[0].source == ABSTAINED and said[0].exercise is None
    assert said[0].t_s >= ASK_AFTER_S
    assert last.source == ABSTAINED and recognition_text(last) == ASK_WHICH
    said, last = recognise(model_on_hip_range(0.8), *swings(0.0))  # standing still: none of these, sure
    assert last.exercise is None and last.source == "recognised"


def test_an_unsure_recognition_counts_the_reps_and_judges_nothing():
    t, metrics = swings(40.0)  # 3 whole reps of 3 s from rest, then a third of one
    judge = SetJudge(params=JudgeParams(recognition=model_on_hip_range(0.8)))
    summary = judge_rows(judge, t, metrics)
    assert summary.exercise is None and summary.recognition.source == ABSTAINED
    assert not summary.judged and not summary.notes and summary.stop is None
    assert summary.reps == 3  # counted from the first rep, although it asked only after 6 s
    assert verdict_line(summary).startswith("No verdict on 3 reps: not sure which exercise this is")
    from dataclasses import replace

    from formwatch.core.events import ViewProblem

    left = replace(summary, view_problems=(ViewProblem(9.5, "nobody"),))  # walked out of the picture at the end
    assert verdict_line(left).startswith("No verdict on 3 reps: not sure which exercise this is")
    nothing = replace(left, reps=0)  # nobody ever did anything: that is the word
    assert verdict_line(nothing).startswith("No verdict: no one in view")
    assert why_ended(summary) == "not judged: not sure which exercise this is"  # not "no stop": nothing was judged
    assert why_ended(nothing) == "not judged: no one in view: step into the picture"


def test_reps_counted_while_asking_are_counted_afresh_once_the_exercise_is_chosen():
    t, metrics = swings(40.0)
    judge = SetJudge(params=JudgeParams(recognition=model_on_hip_range(0.8)))
    reps_seen = []
    for i, (ti, row) in enumerate(zip(t, metrics)):
        if i == len(t) - 30:  # a second before the end the person says it is a hinge
            judge.set_exercise("hinge")
        reps_seen.append(judge.step(float(ti), row).rep)
    judge.finish()
    assert max(reps_seen[: len(t) - 30]) == 3  # the count went up while it asked
    assert judge.exercise is not None and judge.exercise.name == "hinge" and reps_seen[-1] == 3


def test_a_body_that_moves_is_no_hold_whatever_the_posture_says():
    """A model that always says plank: a still body is one; the same posture moving 30 deg is not."""
    model = RecognitionModel(FEATURES, (0.0,) * len(FEATURES), (1.0,) * len(FEATURES), ("plank", "none"),
                             ((0.0,) * len(FEATURES), (0.0,) * len(FEATURES)), (3.0, 0.0), 0.6)
    t = np.arange(0, 8.0, 1 / FPS)
    still = rows(t, trunk_incline_deg=np.full_like(t, 88.0), hip_hinge_deg=np.full_like(t, 5.0))
    moving = rows(t, trunk_incline_deg=np.full_like(t, 88.0), hip_hinge_deg=15.0 * (1 - np.cos(2 * np.pi * t / 2.0)))
    assert recognise(model, t, still, still=16.0)[1].exercise == "plank"
    assert recognise(model, t, moving, still=16.0)[1].exercise is None


def drawn_metrics(t: np.ndarray, **pose) -> np.ndarray:
    """The pipeline's metrics rows of a drawn skeleton (sim/synth.py) posed frame by frame."""
    image, world = skeleton(**pose)
    session = SetSession((1280, 720))
    return np.array([session.step(float(ti), image[i].astype(np.float32), world[i].astype(np.float32)).metrics
                     for i, ti in enumerate(t)])


def rep_wave(t: np.ndarray, lead_s: float = 2.0, period_s: float = 3.0) -> np.ndarray:
    phase = np.clip((t - lead_s) / period_s, 0, None)
    return np.where(t > lead_s, 0.5 - 0.5 * np.cos(2 * np.pi * phase), 0.0)


def test_the_shipped_model_recognises_a_drawn_hinge_by_its_first_rep_and_keeps_that_rep():
    t = np.arange(0, 12.0, 1 / FPS)
    wave = rep_wave(t)
    metrics = drawn_metrics(t, hinge_deg=80.0 * wave, thigh_deg=15.0 * wave)
    judge = SetJudge()
    decided_at = next((float(ti) for ti, row in zip(t, metrics)
                       if (judge.step(float(ti), row), judge.exercise)[1] is not None), None)
    assert decided_at is not None and decided_at < 2.0 + 3.0  # by the end of the first rep
    summary = judge_rows(SetJudge(), t, metrics)
    assert summary.exercise == "hinge" and summary.exercise_source == "recognised"
    assert summary.reps == 3 and [j.rep for j in summary.judged][:3] == [1, 2, 3]
    assert set(judge.exercise.gauge_names) <= set(judge.gauge_names)  # the recording's columns, fixed from the start


def test_a_drawn_face_down_rhythmic_set_is_not_timed_or_stopped_as_a_plank():
    """A back extension on a bench: lying face down, the trunk rising and lowering 40 deg every 3 s."""
    t = np.arange(0, 14.0, 1 / FPS)
    metrics = drawn_metrics(t, body_pitch_deg=np.full_like(t, 90.0), hinge_deg=-10.0 + 40.0 * rep_wave(t))
    summary = judge_rows(SetJudge(), t, metrics)
    assert summary.exercise != "plank" and summary.held_s is None and summary.stop is None


def test_the_shipped_fit_says_where_it_came_from():
    params = shipped()
    assert params.recognition.ready and set(params.recognition.features) == set(FEATURES)
    assert 0.0 < params.recognition.bar < 1.0 and 0.0 < params.side_view_max_deg < 90.0
    assert params.provenance.get("command", "").startswith("python scripts/fit_judge.py")
    assert params.norm("hinge", "lumbar_curve_deg") is not None


def test_window_features_name_every_feature_the_model_reads():
    t = np.arange(0, 4.0, 1 / FPS)
    columns = [REGISTRY.index(n) for n in ("trunk_incline_deg", "hip_hinge_deg")]
    window = np.full((t.size, len(COLUMNS)), np.nan)
    window[:, 0], window[:, 1] = rows(t)[:, columns[0]], 40.0 * rep_wave(t, 0.5, 2.0)
    features = window_features(window)
    assert set(features) == set(FEATURES) | {"view_deg"} and features["hip_range_deg"] > 30.0


def test_a_rep_exercise_whose_hips_have_not_folded_by_one_reps_start_is_never_named_where_the_fold_is_seen():
    """A model sure of a hinge on a window whose hips moved 10 deg (a hinge's rep starts at 25): side-on, the
    movement rules the hinge out and only "none of these" is left; from the front the fold is in depth, unseen, and
    the model's word stands."""
    model = RecognitionModel(("hip_range_deg",), (0.0,), (1.0,), ("hinge", "squat", "none"),
                             ((0.0,), (0.0,), (0.0,)), (3.0, 1.0, 0.0), 0.5)
    side = {"hip_range_deg": 10.0, "view_deg": 10.0}
    best, sure, left = likeliest(model, side, side_view_max_deg=45.0)
    assert best == "none" and set(left) == {"none"} and sure == 1.0
    assert likeliest(model, {"hip_range_deg": 10.0, "view_deg": 80.0}, side_view_max_deg=45.0)[0] == "hinge"
    assert likeliest(model, {"hip_range_deg": 40.0, "view_deg": 10.0}, side_view_max_deg=45.0)[0] == "hinge"
    # a squat's rep starts at 30: a 27 deg fold rules the squat out but not the hinge, which the model prefers
    assert unmoved_exercises({"hip_range_deg": 27.0, "view_deg": 10.0}, ("hinge", "squat", "none"), 45.0) == ("squat",)


def test_a_rep_exercise_whose_driver_was_never_read_is_never_named_from_any_view():
    """A biceps curl filmed obliquely with the knees out of the picture: the hips' fold is never read (its range is
    NaN), so not one squat rep could be counted; the model's "squat" is ruled out from every view and only "none of
    these" is left. A hold has no driver to read and stays."""
    model = RecognitionModel(("elbow_range_deg",), (0.0,), (1.0,), ("squat", "plank", "none"),
                             ((0.0,), (0.0,), (0.0,)), (3.0, -1.0, 0.0), 0.5)
    for view_deg in (10.0, 60.0, 85.0):
        curl = {"hip_range_deg": math.nan, "elbow_range_deg": 70.0, "view_deg": view_deg}
        assert unmoved_exercises(curl, ("hinge", "squat", "plank", "none"), 45.0) == ("hinge", "squat")
        best, sure, left = likeliest(model, curl, side_view_max_deg=45.0)
        assert best == "none" and "squat" not in left
    seen = {"hip_range_deg": 40.0, "elbow_range_deg": 70.0, "view_deg": 60.0}
    assert likeliest(model, seen, side_view_max_deg=45.0)[0] == "squat"


def test_a_movement_unlike_every_window_of_the_named_exercise_is_none_of_these_and_says_so():
    """The model can only place a lunge among the exercises it knows (here: sure of a hinge the more the hips
    move); a window far from every hinge window it was fitted on is none of these, as sure as the model was of the
    hinge, and the words say which exercise it was nearest yet unlike. Near a seen hinge window: a hinge."""
    base = model_on_hip_range(0.8)
    t, metrics = swings(80.0)
    near = window_features(metrics[:, [REGISTRY.index(n) for n in COLUMNS]])  # a whole window of the swings
    model = RecognitionModel(base.features, base.centre, base.scale, base.classes, base.weights, base.bias,
                             base.bar, {"hinge": (tuple(base.standardised(near)),)}, 5.0)
    far = {**near, "knee_range_deg": 60.0}  # the knees moved as no hinge seen ever did
    assert likeliest(model, near)[0] == "hinge"
    best, sure, _ = likeliest(model, far)
    assert best == "none" and sure == pytest.approx(likeliest(model, near)[1])
    assert likeliest(base, far)[0] == "hinge"  # no windows kept (an older fit): the model's word stands
    knee = REGISTRY.index("knee_flexion_deg")
    metrics[:, knee] = 30.0 * (1 - np.cos(2 * np.pi * t / 3.0))  # every window: hips and knees fold together
    said, last = recognise(model, t, metrics)
    assert last.exercise is None and last.source == "recognised"
    assert "unlike every hinge" in recognition_why(last)
    said, last = recognise(model, *swings(80.0))  # the knees still: like the hinges seen
    assert last.exercise == "hinge"


def test_the_recognisers_kept_windows_and_distance_survive_the_fit_file():
    """``seen`` and ``unlike_beyond`` are written to and read back from judge_fit.json; a file from before them
    reads as every window like what was seen."""
    base = model_on_hip_range(0.8)
    model = RecognitionModel(base.features, base.centre, base.scale, base.classes, base.weights, base.bias,
                             base.bar, {"hinge": ((1.0,) * len(FEATURES),)}, 3.5)
    back = JudgeParams.from_json(JudgeParams(recognition=model).to_json()).recognition
    assert back.unlike_beyond == 3.5 and back.seen["hinge"] == ((1.0,) * len(FEATURES),)
    old = JudgeParams(recognition=base).to_json()
    del old["recognition"]["seen"], old["recognition"]["unlike_beyond"]  # type: ignore[index]
    assert math.isinf(JudgeParams.from_json(old).recognition.unlike_beyond)


# Labelled front-on or front-oblique (workoutmonitoring_plank.mp4, labelled "oblique", is filmed a little from the
# front and above, the body's left-right axis into the picture: measured 4 deg off side-on, judged as side-on).
FRONT_OR_OBLIQUE = [r["file"] for r in labelled_clips() if r["view"].strip().startswith("front")]


@pytest.mark.parametrize("clip", FRONT_OR_OBLIQUE or ["(no shared data)"])
def test_front_and_oblique_shared_clips_never_judge_the_side_view_metrics(clip, model_path, tmp_path):
    """The back's curve, the ribs and hip extension are not judged from the front or obliquely: no verdict, note
    or stop comes from them, the summary says the view and its angle, and the screen asks to turn side-on."""
    from formwatch.app.analyze import analyze

    video = shared_file("video", clip) if FRONT_OR_OBLIQUE else shared_file("video", "labels.csv")
    summary = analyze(pose_recording(video, model_path), tmp_path / "rec", detector=SetJudge(),
                      progress=False).summary
    side_only = {s.name for s in REGISTRY if s.side_view_only}
    assert summary.view is not None and summary.view["kind"] in ("front", "oblique")
    assert summary.view["angle_deg"] > shipped().side_view_max_deg
    assert summary.stop is None or summary.stop.metric not in side_only
    for rep in summary.judged:
        assert rep.metric not in side_only and not side_only & set(rep.deviations)
    assert not side_only & {n.metric for n in summary.notes}
    if summary.exercise is not None and summary.exercise_source == "recognised":
        assert any(p.problem == "side_view" and p.active for p in summary.view_problems)




def test_a_hinge_is_said_standing_bent_forward_and_a_bridge_lying_face_up():
    def why(**evidence: float) -> str:
        return recognition_why(Recognised(3.0, "hinge", 0.9, "recognised", evidence))

    assert why(upright_share=0.18, trunk_signed_deg=66.7, shank_deg=18.4).startswith("standing, bent forward")
    assert why(upright_share=0.0, trunk_signed_deg=-80.0, shank_deg=20.0).startswith("lying face up")
    assert why(upright_share=0.0, trunk_signed_deg=85.0, shank_deg=88.0).startswith("lying face down")
