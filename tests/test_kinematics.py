"""Known-answer, invariance and robustness tests of the metrics on synthetic skeletons."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from formwatch.core.kinematics import Col, KinematicsConfig, View, compute_metrics, nan_reason
from formwatch.sim.synth import skeleton

SIZE = (1280, 720)
# The synthetic body's own ratio, so that raw shoulder elevation reads exactly 0 at its neutral.
EXACT = KinematicsConfig(ear_above_shoulder_ratio=0.19 / 0.69)


def metrics(**kw):
    size = kw.pop("frame_size_px", SIZE)
    image, world = skeleton(frame_size_px=size, **kw)
    return compute_metrics(image, world, size, EXACT)


@pytest.mark.parametrize("hinge", [-30, 0, 15, 30, 45, 60, 75, 90, 120])
@pytest.mark.parametrize("thigh", [0, 20])
def test_hip_hinge_recovers_constructed_angle(hinge, thigh):
    m = metrics(hinge_deg=hinge, thigh_deg=thigh)
    assert m[Col.HIP_HINGE_DEG] == pytest.approx(hinge, abs=1e-6)
    assert m[Col.HIP_EXTENSION_DEG] == pytest.approx(-hinge, abs=1e-6)
    assert m[Col.TRUNK_INCLINE_DEG] == pytest.approx(hinge - thigh, abs=1e-6)
    assert m[Col.VIEW] == View.SIDE


@pytest.mark.parametrize("shrug_cm", [-2.0, 0.0, 1.0, 4.0, 6.5])
@pytest.mark.parametrize("yaw", [0, 90, 180])
def test_shoulder_elevation_recovers_shrug_from_side_and_front(shrug_cm, yaw):
    m = metrics(shrug_m=shrug_cm / 100, yaw_deg=yaw, hinge_deg=10)
    assert m[Col.SHOULDER_ELEVATION_CM] == pytest.approx(shrug_cm, abs=1e-6)


def test_shoulder_elevation_per_side_shows_asymmetry():
    m = metrics(shrug_m=0.01, shrug_left_m=0.04, yaw_deg=90)
    assert m[Col.SHOULDER_ELEVATION_LEFT_CM] == pytest.approx(4.0, abs=1e-6)
    assert m[Col.SHOULDER_ELEVATION_RIGHT_CM] == pytest.approx(1.0, abs=1e-6)
    assert m[Col.SHOULDER_ELEVATION_CM] == pytest.approx(2.5, abs=1e-6)


@pytest.mark.parametrize("sag", [5, 10, 20, 30])
def test_plank_hip_sag_reads_as_lumbar_arch(sag):
    m = metrics(hinge_deg=-sag, body_pitch_deg=90)
    assert m[Col.HIP_EXTENSION_DEG] == pytest.approx(sag, abs=1e-6)


def test_lumbar_arch_falls_back_to_lean_back_when_knees_unseen():
    image, world = skeleton(hinge_deg=-12, thigh_deg=0)
    image[..., [25, 26], 3] = 0.1  # knees out of view
    m = compute_metrics(image, world, SIZE)
    assert np.isnan(m[Col.HIP_HINGE_DEG])
    assert m[Col.HIP_EXTENSION_DEG] == pytest.approx(12, abs=1e-6)
    assert nan_reason(m, Col.HIP_HINGE_DEG) == "knees_unseen"


@pytest.mark.parametrize("kw", [dict(center_px=(200.0, 100.0)), dict(center_px=(900.0, 600.0), px_per_m=150.0),
                                dict(px_per_m=600.0), dict(yaw_deg=180), dict(roll_deg=15), dict(roll_deg=-25)])
def test_angles_invariant_to_translation_scale_mirror_and_roll(kw):
    base = metrics(hinge_deg=35, thigh_deg=12, shrug_m=0.02)
    moved = metrics(hinge_deg=35, thigh_deg=12, shrug_m=0.02, **kw)
    for col in (Col.HIP_HINGE_DEG, Col.HIP_EXTENSION_DEG, Col.SHOULDER_ELEVATION_CM):
        assert moved[col] == pytest.approx(base[col], abs=1e-6)
    if "roll_deg" not in kw:  # trunk incline is measured from the image vertical: roll shifts it, by design
        assert moved[Col.TRUNK_INCLINE_DEG] == pytest.approx(base[Col.TRUNK_INCLINE_DEG], abs=1e-6)
    else:
        assert moved[Col.TRUNK_INCLINE_DEG] == pytest.approx(base[Col.TRUNK_INCLINE_DEG] + kw["roll_deg"], abs=1e-6)


def test_front_view_hides_sagittal_angles_with_reason():
    m = metrics(hinge_deg=30, yaw_deg=90)
    assert m[Col.VIEW] == View.FRONT
    assert np.isnan(m[Col.HIP_EXTENSION_DEG]) and np.isnan(m[Col.TRUNK_INCLINE_DEG])
    assert nan_reason(m, Col.HIP_EXTENSION_DEG) == "front_view"
    assert metrics(hinge_deg=30, yaw_deg=45)[Col.VIEW] == View.OBLIQUE


@pytest.mark.parametrize("yaw", [75, 90, 105])
@pytest.mark.parametrize("hinge", [0, 30, 75, 110])
def test_the_hinge_front_on_is_the_world_fold(hinge, yaw):
    """Front-on the picture has no hip angle (the fold is in depth); the fold between the world trunk and thigh is
    the same from every side, so reps are counted from the front too."""
    m = metrics(hinge_deg=hinge, thigh_deg=15, yaw_deg=yaw)
    assert m[Col.VIEW] == View.FRONT
    assert m[Col.HIP_HINGE_DEG] == pytest.approx(hinge, abs=1e-6)
    assert nan_reason(m, Col.HIP_HINGE_DEG) == ""


def test_batch_and_single_frame_agree():
    rng = np.random.default_rng(3)
    n = 500
    image, world = skeleton(hinge_deg=rng.uniform(-60, 140, n), thigh_deg=rng.uniform(-10, 40, n),
                            shrug_m=rng.uniform(-0.03, 0.06, n), yaw_deg=rng.uniform(0, 360, n),
                            roll_deg=rng.uniform(-30, 30, n), visibility=rng.uniform(0, 1, n))
    image = image + rng.normal(0, 0.02, image.shape)
    world = world + rng.normal(0, 0.02, world.shape)
    image[::17] = np.nan
    batch = compute_metrics(image, world, SIZE)
    single = np.stack([compute_metrics(image[i], world[i], SIZE) for i in range(n)])
    np.testing.assert_allclose(single, batch, rtol=0, atol=1e-9, equal_nan=True)


def test_no_detection_gives_nan_and_zero_quality():
    nan = np.full((33, 4), np.nan)
    m = compute_metrics(nan, nan, SIZE)
    assert m[Col.QUALITY] == 0.0
    assert np.isnan(m[[Col.HIP_HINGE_DEG, Col.SHOULDER_ELEVATION_CM, Col.HIP_EXTENSION_DEG, Col.VIEW]]).all()
    assert nan_reason(m, Col.HIP_HINGE_DEG) == "nobody"


def test_low_visibility_gives_nan_and_low_quality():
    m = metrics(hinge_deg=30, visibility=0.2)
    assert m[Col.QUALITY] == pytest.approx(0.2)
    assert np.isnan(m[[Col.HIP_HINGE_DEG, Col.SHOULDER_ELEVATION_CM, Col.HIP_EXTENSION_DEG]]).all()


pose_values = st.one_of(st.floats(-2, 2), st.just(np.nan), st.just(np.inf), st.just(-np.inf), st.just(0.0))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # inf * 0 inside a matrix product warns; it must not raise
@settings(max_examples=300, deadline=None)
@given(image=arrays(np.float64, (33, 4), elements=pose_values), world=arrays(np.float64, (33, 4), elements=pose_values))
def test_degenerate_input_never_raises(image, world):
    single = compute_metrics(image, world, SIZE)
    batch = compute_metrics(image[None], world[None], SIZE)[0]
    assert single.shape == batch.shape == (len(Col),)
    assert 0.0 <= single[Col.QUALITY] <= 1.0
    finite = np.isfinite(image).all() and np.isfinite(world).all()
    if finite:
        np.testing.assert_allclose(single, batch, atol=1e-6, equal_nan=True)


@settings(max_examples=100, deadline=None)
@given(point=arrays(np.float64, (3,), elements=st.floats(-1, 1)))
def test_coincident_points_are_nan_not_errors(point):
    image = np.tile(np.append(point, 1.0), (33, 1))
    m = compute_metrics(image, image, SIZE)
    # Every landmark on one point: no trunk, no thigh, no facing — nothing to measure, and nothing raised.
    assert np.isnan(m[Col.HIP_HINGE_DEG]) and np.isnan(m[Col.HIP_EXTENSION_DEG]) and np.isnan(m[Col.TRUNK_INCLINE_DEG])
    assert np.isnan(m[Col.SHOULDER_ELEVATION_CM])
