"""Rep segmentation on its own: hysteresis, minimum rep time, set-up movement, turns and per-rep features."""

import math

import numpy as np
import pytest

from formwatch.core.exercises import get_exercise
from formwatch.core.registry import SHOULDER_ELEVATION
from formwatch.core.reps import COMPLETED, REST_LEARNED, TURNED, RepSegmenter


def feed(segmenter, t, hinge, shoulder=None, arch=None):
    shoulder = np.zeros_like(t) if shoulder is None else shoulder
    arch = np.zeros_like(t) if arch is None else arch
    rest = [0.0] * (len(segmenter.metrics) - 2)  # the hinge's other watched metrics held at zero
    return [segmenter.step(float(a), float(b), [float(c), float(d)] + rest) for a, b, c, d in zip(t, hinge, shoulder, arch)]


def test_counts_reps_with_hysteresis_and_ignores_setup_and_fidgets():
    fps = 30
    t = np.arange(0, 20, 1 / fps)
    hinge = np.zeros_like(t)
    hinge[(t > 0.2) & (t < 0.6)] = 40.0  # set-up movement before the first still moment: ignored
    for start in (3.0, 7.0, 11.0):  # three real reps of 2 s, 60 degrees deep
        inside = (t >= start) & (t < start + 2.0)
        hinge[inside] = 60.0 * np.sin(np.pi * (t[inside] - start) / 2.0)
    fidget = (t >= 15.0) & (t < 15.5)  # 0.5 s excursion: shorter than a rep can be
    hinge[fidget] = 30.0 * np.sin(np.pi * (t[fidget] - 15.0) / 0.5)
    hinge[(t > 17) & (t < 17.3)] = 20.0  # below the start level: not a rep
    segmenter = RepSegmenter(get_exercise("hinge"))
    events = feed(segmenter, t, hinge)
    assert events.count(REST_LEARNED) == 1 and events.count(COMPLETED) == 3 and events.count(TURNED) == 3
    assert [r.rep for r in segmenter.reps] == [1, 2, 3]
    for rep in segmenter.reps:
        assert math.isclose(rep.depth_deg, 60.0, abs_tol=0.5)
        assert 0.6 < rep.down_s < 0.8 and rep.fully_tracked  # timed from the start level (25 deg) to the bottom


def test_one_frame_spike_is_not_a_rep_peak_but_a_held_rise_is():
    fps = 30
    t = np.arange(0, 8, 1 / fps)
    hinge = np.where((t >= 2) & (t < 4), 50 * np.sin(np.pi * (t - 2) / 2).clip(0), 0.0)
    shoulder = np.zeros_like(t)
    shoulder[np.argmin(np.abs(t - 2.5))] = 5.0  # one frame
    shoulder[(t > 3.0) & (t < 3.5)] = 1.5  # held for half a second
    segmenter = RepSegmenter(get_exercise("hinge"))
    feed(segmenter, t, hinge, shoulder)
    assert len(segmenter.reps) == 1
    assert math.isclose(segmenter.reps[0].peaks[SHOULDER_ELEVATION], 1.5)


def test_tracking_lost_mid_rep_marks_the_rep():
    fps = 30
    t = np.arange(0, 8, 1 / fps)
    hinge = np.where((t >= 2) & (t < 4), 50 * np.sin(np.pi * (t - 2) / 2).clip(0), 0.0)
    hinge[(t > 2.8) & (t < 3.2)] = np.nan
    segmenter = RepSegmenter(get_exercise("hinge"))
    feed(segmenter, t, hinge)
    assert len(segmenter.reps) == 1 and not segmenter.reps[0].fully_tracked


def test_a_set_that_starts_at_the_bottom_rests_once_standing():
    fps = 24
    t = np.arange(0, 12, 1 / fps)
    hinge = np.full_like(t, 120.0)  # bent over the bar
    hinge[(t >= 2) & (t < 4)] = 0.0  # stands up and holds
    hinge[(t >= 4) & (t < 6)] = 120.0 * np.sin(np.pi * (t[(t >= 4) & (t < 6)] - 4) / 2)
    hinge[t >= 6] = 0.0
    segmenter = RepSegmenter(get_exercise("hinge"))
    feed(segmenter, t, hinge)
    # Two pulls: the one from the floor at the start (its way down never seen) and the full rep after.
    assert segmenter.rest_level == 0.0 and len(segmenter.reps) == 2
    assert segmenter.reps[0].down_s == 0.0 and segmenter.reps[0].depth_deg == pytest.approx(120.0)


def reach(t, start_s, duration_s, from_deg, to_deg):
    """A smooth move from ``from_deg`` to ``to_deg`` over ``duration_s`` from ``start_s`` (its values where inside)."""
    inside = (t >= start_s) & (t < start_s + duration_s)
    return inside, from_deg + (to_deg - from_deg) * 0.5 * (1 - np.cos(np.pi * (t[inside] - start_s) / duration_s))


def test_a_bird_dog_rep_ended_at_a_fraction_of_its_peak_and_hovering_at_the_entry_depth_is_one_rep():
    """Bird-dog (alternating limbs: a rep ends once back below 60 % of its peak), driven by the angle between the
    thighs: 20 deg on all fours; a reach opens it to 56 (36 deg from rest). Coming back, it hovers 13-19 deg from
    rest, about the 15 deg entry depth, before settling (polybag_bird_dog: counted 3 where there are 2); the other
    side's reach straight after, from a trough well back (10 deg from rest), is the next rep. (Drawn as the hip's
    fold it drove before, 80 deg at rest; the thighs' split reads 100 deg less.)"""
    fps = 30
    t = np.arange(0, 16, 1 / fps)
    hip = np.full_like(t, 80.0)
    for start_s, a, b, d in ((1.0, 80.0, 44.0, 1.5), (2.5, 44.0, 66.0, 1.0), (3.5, 66.0, 61.5, 0.3),
                             (3.8, 61.5, 64.0, 0.3), (4.1, 64.0, 80.0, 0.6)):
        inside, values = reach(t, start_s, d, a, b)
        hip[inside] = values
    hip[(t >= 4.7)] = 80.0
    for start_s, a, b, d in ((7.0, 80.0, 44.0, 1.5), (8.5, 44.0, 70.0, 1.0), (9.5, 70.0, 44.0, 1.5),
                             (11.0, 44.0, 80.0, 1.5)):
        inside, values = reach(t, start_s, d, a, b)
        hip[inside] = values
    hip[t >= 12.5] = 80.0
    segmenter = RepSegmenter(get_exercise("bird-dog"))
    events = feed(segmenter, t, 100.0 - hip)
    assert events.count(COMPLETED) == 3  # the first reach; then one side and the other
    assert [round(r.depth_deg) for r in segmenter.reps] == [36, 36, 36]
    assert segmenter.reps[1].start_s > 7.0
