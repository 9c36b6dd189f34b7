"""The guided first run (app/guided.py, core/view_check.py, ``formwatch start``): the set-up checklist says the
one thing to fix, the neutral is taken once the view holds, and the profile it saves judges the set."""

import numpy as np

from formwatch.app.guided import GuidedStart
from formwatch.core.set_judge import SetJudge
from formwatch.core.kinematics import View
from formwatch.core.session import SetSession
from formwatch.core.view_check import ViewChecklist, check_view, frame_luma
from formwatch.sim.synth import skeleton


def standing(n: int = 1, **kw):
    return skeleton(hinge_deg=np.full(n, 3.0), **kw)


def test_each_check_says_what_to_fix():
    image, _ = standing()
    ok = {c.label: c.ok for c in check_view(image[0], float(View.SIDE), 120.0)}
    assert all(ok.values()), ok
    checks = {c.label: c for c in check_view(image[0], float(View.FRONT), 120.0)}
    assert not checks["side-on"].ok and checks["side-on"].fix == "Turn side-on to the camera"
    assert not next(c for c in check_view(image[0], float(View.SIDE), 20.0) if c.label == "light").ok  # a dark room
    near, _ = standing(px_per_m=520.0)  # too close: the feet leave the picture or fill it
    assert not all(c.ok for c in check_view(near[0], float(View.SIDE), 120.0))
    far, _ = standing(px_per_m=120.0)
    assert next(c for c in check_view(far[0], float(View.SIDE), 120.0) if c.label == "2–3 m away").fix.startswith(
        "Come a little closer")


def test_a_camera_on_its_side_is_the_first_thing_to_fix():
    """A person standing still on a camera turned a quarter: every limb lies across the picture; the checklist asks
    to turn the camera before any other fix (its "come closer" would be wrong: the body's height is its width)."""
    image, _ = standing()
    turned = image[0].copy()
    turned[:, 0], turned[:, 1] = 1.0 - image[0][:, 1], image[0][:, 0]
    checks = check_view(turned, float(View.SIDE), 120.0, (720, 1280))
    assert checks[0].label == "camera upright" and not checks[0].ok
    assert check_view(image[0], float(View.SIDE), 120.0, (1280, 720))[0].ok
    checklist = ViewChecklist()
    checklist.feed(0.0, turned, float(View.SIDE), 120.0, (720, 1280))
    assert checklist.message.startswith("Set-up") and "Turn the camera upright" in checklist.message


def test_the_checklist_passes_only_after_the_view_holds_two_seconds():
    image, _ = standing(90)
    checklist = ViewChecklist(hold_s=2.0)
    passed_at = [i / 30 for i in range(90) if checklist.feed(i / 30, image[i], float(View.SIDE), 100.0)]
    assert passed_at and 2.0 <= passed_at[0] < 2.1
    bad = ViewChecklist()
    bad.feed(0.0, image[0], float(View.FRONT), 100.0)
    assert bad.message == "Set-up 4/5: Turn side-on to the camera"


def test_a_flickering_reading_does_not_flip_the_checklist_but_a_lasting_change_does():
    """The view read as side-on and oblique on alternate frames (a landmark's flicker) keeps the count steady;
    a change that lasts past the settling time shows within it."""
    image, _ = standing(120)
    checklist = ViewChecklist(hold_s=10.0)
    shown = []
    for i in range(60):
        checklist.feed(i / 30, image[i], float(View.SIDE if i % 2 else View.FRONT), 100.0)
        shown.append(checklist.message)
    changes = sum(a != b for a, b in zip(shown, shown[1:]))
    assert changes == 0, set(shown)
    for i in range(60, 120):  # side-on from now on: 5/5 within the settling time
        checklist.feed(i / 30, image[i], float(View.SIDE), 100.0)
        shown.append(checklist.message)
    first_good = next(i for i, m in enumerate(shown) if m.startswith("Set-up 5/5"))
    assert 60 <= first_good <= 60 + round(30 * checklist.settle_s) + 1


def test_a_guided_start_that_never_took_the_neutral_says_no_profile_was_saved(tmp_path):
    image, world = standing(30)
    guided = GuidedStart("me", (1280, 720), tmp_path / "cal")
    for i in range(30):
        guided.see(None, np.full(64, float(View.FRONT)))
        guided.feed(i / 30, image[i], world[i])
    assert guided.not_saved.startswith("No profile was saved: the set-up never held (turn side-on")
    assert not (tmp_path / "cal" / "me.json").exists()


def test_frame_luma_reads_a_grey_frame():
    assert abs(frame_luma(np.full((720, 1280, 3), 90, np.uint8)) - 90.0) < 0.5


def test_the_guided_start_takes_the_neutral_after_the_checklist_and_the_set_is_judged_with_it(tmp_path):
    n = 30 * 12
    image, world = standing(n)
    session = SetSession((1280, 720), detector=SetJudge())
    guided = GuidedStart("me", (1280, 720), tmp_path / "cal", hold_s=1.0)
    guided.capture.countdown_s, guided.capture.hold_s = 1.0, 3.0
    messages = []
    for i in range(n):
        result = session.step(i / 30, image[i], world[i])
        guided.see(np.full((72, 128, 3), 120, np.uint8), result.metrics)
        messages.append(guided.message)
        if guided.feed(i / 30, image[i], world[i]):
            guided.apply(session)
            break
    assert guided.error == "", guided.error
    assert messages[0].startswith("Set-up")
    assert (tmp_path / "cal" / "me.json").is_file()
    assert "Now start your exercise" in guided.message
    plan = session.judge.plan_for("hinge")
    assert plan.has_profile and plan.profile_name == "me"


def test_live_with_the_camera_and_no_profile_yet_starts_with_the_guided_set_up(tmp_path):
    """A newcomer typing ``formwatch live`` gets ``formwatch start``'s set-up; a video file, a named profile, a
    profile already made, or a routine's step does not."""
    import argparse

    from formwatch.cli.live import _first_run

    def args(**kw):
        base = dict(video=None, profile=None, guided=None, calibration_dir=tmp_path / "cal")
        return argparse.Namespace(**{**base, **kw})

    assert _first_run(args())
    assert not _first_run(args(video=tmp_path / "clip.mp4"))
    assert not _first_run(args(profile="me"))
    assert not _first_run(args(routine_step=True))
    (tmp_path / "cal").mkdir()
    (tmp_path / "cal" / "me.json").write_text("{}")
    assert not _first_run(args())
