"""The trunk profile from a soft silhouette mask, and the trunk-shape metrics: known answers on drawn torsos."""

import math

import numpy as np
import pytest

from formwatch.core.silhouette import BACK, BACK_CONF, FRONT, STATIONS, empty_profile, trunk_profile
from formwatch.core.trunk import lumbar_curve_deg, rib_flare_deg
from formwatch.sim.torso import TorsoShape, add_arm, edge_distance, torso_mask


@pytest.mark.parametrize("bend", [-25.0, -10.0, 0.0, 10.0, 20.0, 30.0])
@pytest.mark.parametrize("tilt, facing", [(0.0, 1.0), (35.0, 1.0), (80.0, -1.0)])
def test_a_bent_back_reads_its_angle_within_1_5_degrees(bend, tilt, facing):
    mask, image = torso_mask(TorsoShape(back_bend_deg=bend), tilt_deg=tilt, facing=facing, edge_noise_px=0.5,
                             seed=int(bend) + 100)
    profile = trunk_profile(mask, image)
    assert float(lumbar_curve_deg(profile)) == pytest.approx(bend, abs=1.5)


def test_the_profile_finds_both_edges_where_they_were_drawn():
    shape = TorsoShape(back_mid=0.15, front_mid=0.21, back_bend_deg=12.0)
    profile = trunk_profile(*torso_mask(shape, torso_px=240.0))
    np.testing.assert_allclose(profile[BACK], edge_distance(STATIONS, 0.15, 12.0), atol=0.006)
    np.testing.assert_allclose(profile[FRONT], edge_distance(STATIONS, 0.21, 0.0), atol=0.006)
    assert (profile[BACK_CONF:] > 0.9).all()  # a clean drawn edge is trusted everywhere


def test_rib_flare_reads_the_front_edges_bend():
    profile = trunk_profile(*torso_mask(TorsoShape(front_bend_deg=15.0), edge_noise_px=0.5))
    assert float(rib_flare_deg(profile)) == pytest.approx(15.0, abs=2.0)


def test_size_and_position_do_not_change_the_reading():
    readings = [float(lumbar_curve_deg(trunk_profile(*torso_mask(TorsoShape(back_bend_deg=15.0), torso_px=size,
                                                                  hip_px=hip, frame_size_px=(900, 700)))))
                for size, hip in ((140.0, (300.0, 400.0)), (220.0, (350.0, 450.0)), (320.0, (300.0, 520.0)))]
    assert max(readings) - min(readings) < 1.0


def test_an_arm_along_the_back_gives_nan_not_a_wrong_number():
    mask, image = torso_mask(TorsoShape(back_bend_deg=10.0), tilt_deg=0.0, hip_px=(300.0, 380.0))
    # An arm reaching back along the lower back edge (as in a bird-dog's reach or a hand on the hip).
    add_arm(mask, image, shoulder_px=(300.0, 160.0), elbow_px=(262.0, 260.0), wrist_px=(262.0, 372.0))
    profile = trunk_profile(mask, image)
    assert np.isnan(profile[BACK, 1:7]).sum() >= 4  # the stations the arm covers are not trusted
    assert math.isnan(float(lumbar_curve_deg(profile)))


def test_a_stretch_out_of_frame_gives_nan():
    # A trunk lying along the top of the picture: its back edge is above the frame.
    mask, image = torso_mask(TorsoShape(back_bend_deg=10.0), tilt_deg=85.0, facing=1.0, hip_px=(150.0, 25.0))
    profile = trunk_profile(mask, image)
    assert math.isnan(float(lumbar_curve_deg(profile)))


def test_landmarks_that_miss_the_silhouette_give_an_empty_profile():
    mask, image = torso_mask(TorsoShape())
    image[:, 0] += 0.5  # every landmark shifted off the body
    profile = trunk_profile(mask, image)
    assert np.isnan(profile[:2]).all() and (profile[2:] == 0).all()


def test_nobody_found_or_no_mask_is_an_empty_profile():
    mask, image = torso_mask(TorsoShape())
    nobody = np.full_like(image, np.nan)
    for profile in (trunk_profile(mask, nobody), trunk_profile(None, image)):
        np.testing.assert_array_equal(profile, empty_profile())


def test_metrics_are_shape_polymorphic():
    profiles = np.stack([trunk_profile(*torso_mask(TorsoShape(back_bend_deg=b))) for b in (0.0, 10.0, 20.0)])
    batch = lumbar_curve_deg(profiles)
    assert batch.shape == (3,)
    np.testing.assert_allclose(batch, [float(lumbar_curve_deg(p)) for p in profiles])
    assert (np.diff(batch) > 5).all()


def test_from_the_front_the_trunk_metrics_are_nan():
    from formwatch.core.registry import REGISTRY, LUMBAR_CURVE
    from formwatch.core.session import SetSession
    from formwatch.sim.synth import skeleton

    image, world = skeleton(yaw_deg=90.0)  # facing the camera
    mask, torso_image = torso_mask(TorsoShape(back_bend_deg=10.0))
    profile = trunk_profile(mask, torso_image)
    metrics = SetSession((1280, 720)).step(0.0, image, world, profile).metrics
    assert math.isnan(metrics[REGISTRY.index(LUMBAR_CURVE)])
    side_image, side_world = skeleton()
    assert not math.isnan(SetSession((1280, 720)).step(0.0, side_image, side_world, profile).metrics[
        REGISTRY.index(LUMBAR_CURVE)])


def test_the_trunk_metrics_are_right_in_every_thread_at_once():
    """Analyses run side by side in threads (Dask): each thread's frames get their own trunk values."""
    import threading

    from formwatch.core.silhouette import trunk_profile
    from formwatch.core.trunk import lumbar_curve_deg, rib_flare_deg
    from formwatch.sim.torso import TorsoShape, torso_mask

    profiles = {bend: trunk_profile(*torso_mask(TorsoShape(back_bend_deg=bend), tilt_deg=80.0)) for bend in (-15, 15)}
    expected = {bend: (lumbar_curve_deg(p.copy()), rib_flare_deg(p.copy())) for bend, p in profiles.items()}
    wrong = []

    def work(bend):
        for _ in range(2000):
            p = profiles[bend].copy()  # a new frame's profile each time, as the pipeline hands them
            if (lumbar_curve_deg(p), rib_flare_deg(p)) != expected[bend]:
                wrong.append(bend)

    import sys

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns as often as they can: a shared slot would be caught out
    try:
        threads = [threading.Thread(target=work, args=(b,)) for b in (-15, 15)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert wrong == [] and expected[-15][0] < 0 < expected[15][0]
