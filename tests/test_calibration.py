"""Calibration: the fit, the refusals, the profile round trip and loading errors."""

import json

import numpy as np
import pytest

from conftest import shared_file, write_synthetic_recording
from formwatch.cli import main
from formwatch.core.calibration import CalibrationConfig, CalibrationError, fit_profile
from formwatch.core.registry import SHOULDER_ELEVATION
from formwatch.core.profile import ProfileError, profile_from_json
from formwatch.io.profiles import load_profile, save_profile
from formwatch.sim.synth import skeleton
from test_cli_analyze import assert_one_line_error, run_cli

FPS = 30.0


def sway_then_still(seconds=5.0, still_hinge=3.0, sway_s=1.5, noise=0.0008, **kw):
    t = np.arange(int(seconds * FPS)) / FPS
    hinge = np.where(t < sway_s, still_hinge + 25 * np.sin(2 * np.pi * 1.2 * t), still_hinge)
    image, world = skeleton(hinge_deg=hinge, **kw)
    rng = np.random.default_rng(0)
    image[..., :2] += rng.normal(0, noise, image[..., :2].shape)
    world[..., :3] += rng.normal(0, 2 * noise, world[..., :3].shape)
    return t, image, world


def test_sway_then_still_calibrates_to_the_still_hinge():
    t, image, world = sway_then_still()
    profile = fit_profile("me", t, image, world, (1280, 720))
    assert profile.metrics["hip_hinge_deg"].neutral == pytest.approx(3.0, abs=1.0)
    assert profile.still_window_s[0] >= 1.5
    assert profile.camera_view == "side"
    assert profile.torso_length_m == pytest.approx(0.5, abs=0.01)
    assert profile.limits["shoulder_elevation_cm"] >= 2.0
    assert set(profile.landmarks_seen) == {"head", "shoulders", "hips", "knees", "ankles"}


def test_camera_roll_is_measured():
    t, image, world = sway_then_still(roll_deg=6.0)
    assert fit_profile("me", t, image, world, (1280, 720)).camera_roll_deg == pytest.approx(9.0, abs=1.0)


def test_noisy_camera_gets_wider_limits_than_a_steady_one():
    config = CalibrationConfig(min_limits={SHOULDER_ELEVATION: 0.5})
    steady = fit_profile("a", *sway_then_still(noise=0.0005), (1280, 720), config=config)
    noisy = fit_profile("b", *sway_then_still(noise=0.005), (1280, 720), config=config)
    for metric in ("shoulder_elevation_cm", "hip_hinge_deg"):
        assert noisy.metrics[metric].noise > 3 * steady.metrics[metric].noise
    assert noisy.limits["shoulder_elevation_cm"] > steady.limits["shoulder_elevation_cm"] == 0.5
    assert noisy.limits["shoulder_elevation_cm"] == pytest.approx(4 * noisy.metrics["shoulder_elevation_cm"].noise,
                                                                  abs=1e-3)


@pytest.mark.parametrize("make, words", [
    (lambda: sway_then_still(sway_s=10.0), "never held still"),
    (lambda: (lambda t, i, w: (t, i * np.nan, w * np.nan))(*sway_then_still()), "nobody found"),
    (lambda: (lambda t, i, w: (t, _hide(i, [25, 26, 27, 28]), w))(*sway_then_still()), "knees and ankles"),
    (lambda: sway_then_still(yaw_deg=90), "side view"),
    (lambda: sway_then_still(seconds=1.0), "at least 2 s"),
    (lambda: sway_then_still(still_hinge=60.0), "bent over"),
])
def test_refusals_say_what_to_do_and_write_nothing(tmp_path, make, words):
    t, image, world = make()
    with pytest.raises(CalibrationError, match=words):
        fit_profile("me", t, image, world, (1280, 720))


def _hide(image, landmarks):
    image = image.copy()
    image[:, landmarks, 3] = 0.05
    return image


def test_profile_round_trip(tmp_path):
    profile = fit_profile("me", *sway_then_still(), (1280, 720))
    path = save_profile(profile, tmp_path)
    assert path == tmp_path / "me.json" and oct(path.stat().st_mode & 0o777) == oct(0o600)
    loaded = load_profile("me", tmp_path)
    assert loaded == profile
    np.testing.assert_allclose(loaded.neutral_vector(), profile.neutral_vector())


@pytest.mark.parametrize("edit, words", [
    (lambda d: d.update(schema_version=7), "schema_version"),
    (lambda d: d["metrics"]["hip_hinge_deg"].update(neutral="x"), "neutral"),
    (lambda d: d["metrics"]["hip_hinge_deg"].update(noise=-1), "noise"),
    (lambda d: d.update(camera_view="above"), "camera_view"),
    (lambda d: d["limits"].update(shoulder_elevation_cm=0), "limits"),
    (lambda d: d["metrics"].update(elbow_deg={"neutral": 1, "noise": 1}), "unknown metric"),
    (lambda d: d.update(torso_length_m=float("nan")), "torso_length_m"),
])
def test_invalid_profiles_are_refused(edit, words):
    data = fit_profile("me", *sway_then_still(), (1280, 720)).to_json()
    edit(data)
    with pytest.raises(ProfileError, match=words):
        profile_from_json(json.loads(json.dumps(data)), "me.json")


def test_calibrate_cli_from_a_recording_then_list_show_and_use(tmp_path, capsys):
    rec = write_synthetic_recording(tmp_path / "rec", *sway_then_still())
    cal = tmp_path / "cal"
    assert main(["calibrate", "--profile", "anna", "--recording", str(rec), "--calibration-dir", str(cal)]) == 0
    assert (cal / "anna.json").is_file()
    assert main(["calibrate", "--list", "--calibration-dir", str(cal)]) == 0
    assert "anna" in capsys.readouterr().out
    assert main(["calibrate", "--show", "anna", "--calibration-dir", str(cal)]) == 0
    assert "hip_hinge_deg" in capsys.readouterr().out
    out = tmp_path / "analysed"
    assert main(["analyze", str(rec), "--out", str(out), "--profile", "anna", "--calibration-dir", str(cal)]) == 0
    meta = json.loads((out / "meta.json").read_text())
    assert meta["profile"]["name"] == "anna"
    import csv
    rows = list(csv.DictReader(open(out / "metrics.csv")))
    assert abs(float(rows[-1]["hip_hinge_deg"])) < 1.0  # relative to the calibrated 3 degrees


def test_refused_calibration_writes_no_file(tmp_path):
    rec = write_synthetic_recording(tmp_path / "rec", *sway_then_still(sway_s=10.0))
    result = run_cli("calibrate", "--profile", "x", "--recording", str(rec), "--calibration-dir", str(tmp_path / "c"))
    assert_one_line_error(result, "never held still")
    assert not (tmp_path / "c" / "x.json").exists()


def test_corrupt_profile_on_analyze_is_one_clear_line(tmp_path):
    rec = write_synthetic_recording(tmp_path / "rec", *sway_then_still())
    cal = tmp_path / "cal"
    cal.mkdir()
    (cal / "bad.json").write_text('{"schema_version": 1, "metrics": [')
    result = run_cli("analyze", str(rec), "--profile", "bad", "--calibration-dir", str(cal))
    assert_one_line_error(result, "bad.json", "calibrate again")


def test_missing_profile_names_the_fix(tmp_path):
    rec = write_synthetic_recording(tmp_path / "rec", *sway_then_still())
    result = run_cli("analyze", str(rec), "--profile", "nobody", "--calibration-dir", str(tmp_path))
    assert_one_line_error(result, "formwatch calibrate")


@pytest.mark.realdata
def test_calibrating_from_the_still_opening_of_a_real_clip(tmp_path, model_path, capsys):
    video = shared_file("video", "formfit_curl.mp4")
    cal = tmp_path / "cal"
    assert main(["calibrate", "--profile", "curl", "--video", str(video), "--calibration-dir", str(cal),
                 "--model", str(model_path)]) == 0
    profile = load_profile("curl", cal)
    assert profile.camera_view in ("side", "oblique")
    assert abs(profile.metrics["hip_hinge_deg"].neutral) < 20  # standing upright
    assert 0.3 < profile.torso_length_m < 0.8


def test_a_profile_written_before_the_rename_still_loads():
    t, image, world = sway_then_still()
    data = fit_profile("old", t, image, world, (1280, 720)).to_json()
    data["metrics"]["lumbar_arch_deg"] = data["metrics"].pop("hip_extension_deg")
    data["limits"]["lumbar_arch_deg"] = data["limits"].pop("hip_extension_deg")
    loaded = profile_from_json(data, "old.json")
    assert "hip_extension_deg" in loaded.metrics and "hip_extension_deg" in loaded.limits
