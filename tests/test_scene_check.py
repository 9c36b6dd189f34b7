"""Say what the camera cannot see, and judge nothing it cannot see (core/scene_check.py): nobody in view, a person
too small, too few frames a second, the camera on its side, a body part out of the picture — each said once within
2 s, and none of the first four gives a rep verdict or a stop, on the known-answer hinge set otherwise stopped."""

import json
import math
from importlib import resources

import numpy as np

from formwatch.core.camera_turn import limb_verticality, shipped_turn_limit
from formwatch.core.detector import Detector
from formwatch.core.events import ViewProblem
from formwatch.core.landmarks import Lm
from formwatch.core.scene_check import SceneCheck
from formwatch.core.session import SetSession
from formwatch.core.view_limits import ViewLimits, shipped_view_limits
from formwatch.core.view_words import out_code, view_problem_words
from formwatch.sim.scenarios import Scenario, generate

LIMITS = ViewLimits(min_body_px=60.0, model_long_side_px=640, min_fps=10.0)
DRIFTING = Scenario(reps=10, drift_metric="shoulder_elevation_cm", drift_onset_rep=4, drift_amount=6.0,
                    drift_duration_s=6.0)


def standing(k: float = 1.0) -> np.ndarray:
    """A side-on standing pose, shrunk by ``k`` about the picture's centre."""
    _, image, _ = generate(Scenario(reps=1))
    pose = image[0].copy()
    pose[:, :2] = 0.5 + (pose[:, :2] - 0.5) * k
    return pose


def said(check: SceneCheck, frames: list[tuple[float, np.ndarray]]) -> list[ViewProblem]:
    return [e for t, image in frames for e in check.step(t, image).events]


def test_nobody_in_view_is_said_after_a_second_and_its_end_after_another():
    check = SceneCheck((640, 480), LIMITS)
    blank = np.full((33, 4), np.nan, dtype=np.float32)
    events = said(check, [(i / 30, blank) for i in range(60)] + [(2 + i / 30, standing()) for i in range(45)])
    assert [(e.problem, e.active) for e in events] == [("nobody", True), ("nobody", False)]
    assert 1.0 <= events[0].t_s <= 1.1 and 3.0 <= events[1].t_s <= 3.1
    assert "no one in view" in view_problem_words(events[0])[0]


def test_a_person_too_small_is_said_with_both_sizes_and_not_judged():
    check = SceneCheck((64, 64), LIMITS)
    pose = standing()
    size_px = float((pose[:, :2].max(axis=0) - pose[:, :2].min(axis=0)).max()) * 64
    assert size_px < 60
    readings = [check.step(i / 30, pose) for i in range(60)]
    events = [e for r in readings for e in r.events]
    assert [(e.problem, e.active) for e in events] == [("too_small", True)]
    assert events[0].t_s <= 2.0 and abs(events[0].value - size_px) <= 1 and events[0].needed == 60.0
    assert not any(r.judgeable for r in readings)
    words = view_problem_words(events[0])[0]
    assert f"you are {events[0].value:.0f} px tall" in words and "I need 60" in words


def test_the_needed_size_is_in_the_model_pictures_pixels():
    assert LIMITS.needed_px((640, 480)) == 60.0
    assert LIMITS.needed_px((1920, 1080)) == 180.0  # shrunk to 640 first: a third as many pixels per person
    assert SceneCheck((1280, 720), LIMITS).step(0.0, standing()).judgeable  # a person filling the picture


def test_too_few_frames_a_second_leave_holds_only_and_a_slow_first_frame_does_not_count():
    check = SceneCheck((640, 480), LIMITS)
    readings = [check.step(i / 2, standing()) for i in range(6)]
    events = [e for r in readings for e in r.events]
    assert [(e.problem, e.active, e.value) for e in events] == [("low_fps", True, 2.0)]
    assert events[0].t_s <= 2.0 and not readings[-1].reps_judgeable and readings[-1].judgeable
    steady = SceneCheck((640, 480), LIMITS)
    times = [0.0] + [1.0 + i / 30 for i in range(60)]  # a 1 s pause on the first frame (the model warming up)
    assert not said(steady, [(t, standing()) for t in times])
    assert steady.step(3.0, standing()).reps_judgeable


def test_a_body_part_out_of_the_picture_is_unseen_and_said_once():
    check = SceneCheck((640, 480), LIMITS)
    pose = standing()
    pose[[Lm.LEFT_WRIST, Lm.RIGHT_WRIST], 0] = 1.04
    pose[[Lm.LEFT_WRIST, Lm.RIGHT_WRIST], 3] = 0.9
    readings = [check.step(i / 30, pose) for i in range(45)]
    assert (readings[-1].image[[Lm.LEFT_WRIST, Lm.RIGHT_WRIST], 3] == 0.0).all()
    assert readings[-1].image[Lm.LEFT_HIP, 3] == pose[Lm.LEFT_HIP, 3]
    assert pose[Lm.LEFT_WRIST, 3] == np.float32(0.9)  # the caller's landmarks are not changed
    events = [e for r in readings for e in r.events]
    assert [(e.problem, e.active) for e in events] == [(out_code("hands"), True)]
    assert view_problem_words(events[0])[1] == "your hands are out of the picture"
    assert readings[-1].judgeable  # the rest is judged


def run(scenario: Scenario, size_px: tuple[int, int], shrink: float = 1.0, every: int = 1):
    t, image, world = generate(scenario)
    image = image.copy()
    image[..., :2] = 0.5 + (image[..., :2] - 0.5) * shrink
    session = SetSession(size_px, detector=Detector("hinge"), view_limits=LIMITS)
    for i in range(0, len(t), every):
        session.step(float(t[i]), image[i], world[i])
    return session.summary()


def test_the_known_answer_set_is_stopped_when_seen_and_never_judged_when_too_small_or_too_slow():
    seen = run(DRIFTING, (1280, 720))
    assert seen.stop is not None and not seen.view_problems
    small = run(DRIFTING, (64, 64))
    assert small.stop is None and not small.judged and not small.reps
    assert [p.problem for p in small.view_problems] == ["too_small"]
    slow = run(DRIFTING, (1280, 720), every=15)  # 2 frames a second
    assert slow.stop is None and not slow.judged
    assert [p.problem for p in slow.view_problems] == ["low_fps"] and slow.view_problems[0].t_s <= 2.0


def test_the_shipped_limits_were_fitted():
    limits = shipped_view_limits()
    assert 0 < limits.min_fps <= 15 and 0 < limits.min_body_px < 200 and limits.model_long_side_px > 0
    assert not math.isnan(limits.needed_px((640, 480)))


def quarter_turned(image: np.ndarray, world: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The landmarks as a camera turned a quarter clockwise sees them (its picture's sides swapped)."""
    image, world = image.copy(), world.copy()
    image[..., 0], image[..., 1] = 1.0 - image[..., 1], image[..., 0].copy()
    world[..., 0], world[..., 1] = -world[..., 1], world[..., 0].copy()
    return image, world


def test_a_camera_on_its_side_is_said_within_2_s_and_the_known_answer_set_is_never_judged():
    t, image, world = generate(DRIFTING)
    image, world = quarter_turned(image, world)
    session = SetSession((720, 1280), detector=Detector("hinge"), view_limits=LIMITS)
    for i in range(len(t)):
        session.step(float(t[i]), image[i], world[i])
    summary = session.summary()
    assert [p.problem for p in summary.view_problems] == ["camera_turned"]
    assert summary.view_problems[0].t_s <= 2.0 and summary.stop is None and not summary.judged
    assert "turn it upright" in view_problem_words(summary.view_problems[0])[0]


def test_limbs_the_pose_holds_upright_read_upright_and_an_arm_overhead_is_no_sign_of_a_turned_camera():
    pose = standing()
    assert limb_verticality(pose, (640, 480)) > 0.9  # shins and hanging arms
    turned, _ = quarter_turned(pose[None], np.zeros((1, 33, 3)))
    assert limb_verticality(turned[0], (480, 640)) < shipped_turn_limit().max_limb_verticality
    overhead = turned[0].copy()  # the same turned body with its arms past the head (a superman lying face down)
    for shoulder, elbow, wrist in ((Lm.LEFT_SHOULDER, Lm.LEFT_ELBOW, Lm.LEFT_WRIST),
                                   (Lm.RIGHT_SHOULDER, Lm.RIGHT_ELBOW, Lm.RIGHT_WRIST)):
        for joint in (elbow, wrist):
            overhead[joint, :2] = 2 * overhead[shoulder, :2] - turned[0][joint, :2]
    assert limb_verticality(overhead, (480, 640)) > 0.9
    unseen = pose.copy()
    unseen[:, 3] = 0.0
    assert math.isnan(limb_verticality(unseen, (640, 480)))


def test_the_shipped_turn_limit_was_fitted_and_called_no_upright_clip_turned():
    data = json.loads(resources.files("formwatch").joinpath("data", "camera_turn.json").read_text())
    assert 0.0 < data["max_limb_verticality"] < 1.0
    assert data["max_limb_verticality"] == shipped_turn_limit().max_limb_verticality
    assert data["provenance"]["loso"]["upright_called_turned"] == 0.0
