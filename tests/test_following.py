"""One person followed among others (core/following.py): the one in front chosen, kept by continuity whatever
order the model lists people in, never swapped for someone else while they are out of view; and through the set
driver the known-answer set reads the same beside a second person as alone, the entry said once."""

import math
from dataclasses import replace

import numpy as np

from formwatch.core.detector import Detector
from formwatch.core.driver import SetDriver
from formwatch.core.following import MEMORY_S, PersonFollower
from formwatch.core.landmarks import Lm
from formwatch.core.sample import PoseSample
from formwatch.core.session import SetSession
from formwatch.core.view_limits import ViewLimits
from formwatch.sim.scenarios import Scenario, generate

LIMITS = ViewLimits(min_body_px=60.0, model_long_side_px=640, min_fps=10.0)
DRIFTING = Scenario(reps=10, drift_metric="shoulder_elevation_cm", drift_onset_rep=4, drift_amount=6.0,
                    drift_duration_s=6.0)


def person(x: float, scale: float = 1.0) -> np.ndarray:
    """A standing pose centred at ``x`` (normalised), ``scale`` times the simulated person's size."""
    _, image, _ = generate(Scenario(reps=1))
    pose = image[0].copy()
    centre = pose[[Lm.LEFT_HIP, Lm.RIGHT_HIP], :2].mean(axis=0)
    pose[:, :2] = (pose[:, :2] - centre) * scale + np.array([x, 0.55])
    return pose


def sample(t: float, *people: np.ndarray, others_in_view: int = 0) -> PoseSample:
    """A frame where the model listed ``people`` in this order (none: nobody found)."""
    poses = [PoseSample(t, p, p.copy(), None) for p in people]
    if not poses:
        nan = np.full((33, 4), np.nan, dtype=np.float32)
        return PoseSample(t, nan, nan.copy(), None, others_in_view=others_in_view)
    return replace(poses[0], others=tuple(poses[1:]), others_in_view=others_in_view)


def x_of(s: PoseSample) -> float:
    return float(s.image[[Lm.LEFT_HIP, Lm.RIGHT_HIP], 0].mean())


def test_the_person_in_front_is_chosen_and_kept_whatever_the_order():
    follower = PersonFollower()
    front, partner = person(0.45, 1.0), person(0.85, 0.6)
    first = follower.follow(sample(0.0, partner, front))
    assert abs(x_of(first) - 0.45) < 1e-6 and first.others_in_view == 1 and not first.others
    for i in range(1, 30):  # the model lists them either way round; the followed one drifts a little
        moved = person(0.45 + 0.002 * i, 1.0)
        got = follower.follow(sample(i / 30, *((moved, partner) if i % 2 else (partner, moved))))
        assert abs(x_of(got) - (0.45 + 0.002 * i)) < 1e-6 and got.others_in_view == 1


def test_while_the_followed_person_is_hidden_nobody_else_is_taken_for_them():
    follower = PersonFollower()
    follower.follow(sample(0.0, person(0.4)))
    child = person(0.8, 0.6)  # someone of another size stays in view: never them, however long
    hidden = [follower.follow(sample(0.1 + i / 30, child)) for i in range(3 * 30)]  # 3 s: past the memory
    assert all(math.isnan(s.image[0, 0]) for s in hidden)  # the other person is never judged
    assert all(s.others_in_view == 1 for s in hidden)  # and the screen can say the followed one left
    back = follower.follow(sample(3.2, child, person(0.42)))
    assert abs(x_of(back) - 0.42) < 1e-6


def test_after_the_memory_the_one_person_in_view_is_taken_up_again_wherever_they_are():
    follower = PersonFollower()
    follower.follow(sample(0.0, person(0.3)))
    assert math.isnan(follower.follow(sample(1.0, person(0.7))).image[0, 0])  # within the memory: not them,
    # even of their size (a partner of a like build in the other half of the picture)
    assert math.isnan(follower.follow(sample(MEMORY_S + 0.5, person(0.7), others_in_view=1)).image[0, 0])
    back = follower.follow(sample(MEMORY_S + 0.6, person(0.7)))  # alone in view: they came back over there
    assert abs(x_of(back) - 0.7) < 1e-6


def drive(with_partner_from_s: float | None) -> tuple[SetDriver, list]:
    t, image, world = generate(DRIFTING)
    partner = person(0.85, 0.6)
    driver = SetDriver(SetSession((1280, 720), detector=Detector("hinge"), view_limits=LIMITS))
    records = []
    for i in range(len(t)):
        main = PoseSample(float(t[i]), image[i], world[i], None)
        if with_partner_from_s is not None and t[i] >= with_partner_from_s:
            other = PoseSample(float(t[i]), partner, partner.copy(), None)
            main = replace(other, others=(main,)) if i % 2 else replace(main, others=(other,))
        records.append(driver.feed(main))
    return driver, records


def test_the_known_answer_set_reads_the_same_beside_a_second_person_and_the_entry_is_said_once():
    alone, _ = drive(None)
    together, _ = drive(with_partner_from_s=5.0)
    a, b = alone.session.summary(), together.session.summary()
    assert a.stop is not None and b.stop is not None and abs(a.stop.t_s - b.stop.t_s) < 1e-9
    assert [j.verdict for j in a.judged] == [j.verdict for j in b.judged] and a.reps == b.reps
    said = [(p.problem, p.active) for p in b.view_problems]
    assert said == [("someone_else", True)] and 5.0 <= b.view_problems[0].t_s <= 5.6
