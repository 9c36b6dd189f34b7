"""The live path when things go wrong: nothing lost, one clear line, only the documented errors."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, shared_file, write_synthetic_recording
from formwatch.core.profile import ProfileError, profile_from_json
from formwatch.sim.synth import skeleton
from formwatch.io.recording import RecordingError, load_recording
from test_cli_analyze import assert_one_line_error, run_cli


def live_cli(*args):
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    env.pop("DISPLAY", None)
    return [sys.executable, "-m", "formwatch", "live", "--headless", *args], env


@pytest.mark.realdata
def test_video_cut_short_keeps_every_frame_processed_before_the_cut(tmp_path, model_path):
    video = shared_file("video", "formfit_deadlift.mp4")
    data = video.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    cmd, env = live_cli("--video", str(cut), "--out", str(tmp_path / "rec"), "--model", str(model_path))
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert "ended after" in result.stdout
    rec = load_recording(tmp_path / "rec")
    summary = json.loads((tmp_path / "rec" / "summary.json").read_text())
    # Every frame before the cut was processed or, on a busy machine, counted as dropped: none is lost unsaid.
    assert len(rec.t_s) == summary["live"]["processed"] > 0
    assert 50 < summary["live"]["processed"] + summary["live"]["dropped"] < 279


@pytest.mark.realdata
def test_sigint_leaves_a_loadable_recording_of_the_seconds_before(tmp_path, model_path):
    video = shared_file("video", "formfit_deadlift.mp4")
    cmd, env = live_cli("--video", str(video), "--out", str(tmp_path / "rec"), "--model", str(model_path))
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (tmp_path / "rec" / "poses-00003.npz").exists() \
            and not (tmp_path / "rec" / "poses.npz").exists():
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err  # the shell's convention after Ctrl-C
    assert "interrupted" in out and "interrupted (Ctrl-C)" in err and "Traceback" not in err
    rec = load_recording(tmp_path / "rec")
    assert len(rec.t_s) > 0  # everything processed before the signal (how much depends on the machine's speed)
    summary = json.loads((tmp_path / "rec" / "summary.json").read_text())
    assert summary["interrupted"] is True


def test_missing_camera_is_one_clear_line(tmp_path, model_path):
    cmd, env = live_cli("--camera", "7", "--out", str(tmp_path / "rec"), "--model", str(model_path))
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, cwd=REPO)
    assert_one_line_error(result, "camera", "--video")


def test_unwritable_output_is_refused_before_the_set_starts(tmp_path, model_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cmd, env = live_cli("--camera", "7", "--out", str(blocker / "rec"), "--model", str(model_path))
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, cwd=REPO)
    assert_one_line_error(result, "cannot write")  # before even trying the camera


def test_non_empty_output_directory_is_refused(tmp_path):
    rec = write_synthetic_recording(tmp_path / "in", np.arange(60) / 30, *skeleton(hinge_deg=np.zeros(60)))
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    assert_one_line_error(run_cli("analyze", str(rec), "--out", str(tmp_path / "out")), "not empty")
    assert (tmp_path / "out" / "keep.txt").read_text() == "mine"


def test_no_network_is_used_outside_model_provisioning(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network used")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    from formwatch.cli import main

    assert main(["demo", "--headless", "--out", str(tmp_path / "demo")]) == 0
    assert main(["analyze", str(tmp_path / "demo"), "--exercise", "hinge", "--out", str(tmp_path / "a")]) == 0


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                                        max_size=6), max_leaves=20)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(meta=st.dictionaries(st.sampled_from(["schema_version", "frame_width", "frame_height", "fps", "source"]),
                            json_values, max_size=5) | json_values)
def test_fuzzed_meta_json_gives_only_recording_errors(tmp_path, meta):
    path = tmp_path / "rec"
    write_synthetic_recording(path, np.arange(3) / 30, *skeleton(hinge_deg=np.zeros(3)))
    (path / "meta.json").write_text(json.dumps(meta))
    try:
        rec = load_recording(path)
    except RecordingError:
        return
    assert rec.frame_size_px[0] > 0


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000), cut=st.integers(0, 5000))
def test_fuzzed_pose_files_give_only_recording_errors(tmp_path, data, cut):
    path = tmp_path / "rec"
    write_synthetic_recording(path, np.arange(3) / 30, *skeleton(hinge_deg=np.zeros(3)))
    good = (path / "poses.npz").read_bytes()
    (path / "poses.npz").write_bytes(good[:cut] + data if cut < len(good) else data)
    try:
        rec = load_recording(path)
    except RecordingError:
        return
    # Whatever loaded is consistent: one time per pose, strictly increasing.
    assert rec.image.shape == rec.world.shape == (len(rec.t_s), 33, 4)
    assert (np.diff(rec.t_s) > 0).all()


@settings(max_examples=300, deadline=None)
@given(profile=json_values | st.fixed_dictionaries(
    {"schema_version": st.just(1), "name": st.text(max_size=5), "camera_view": st.sampled_from(["side", "x"]),
     "camera_roll_deg": json_values, "torso_length_m": json_values,
     "metrics": st.dictionaries(st.sampled_from(["hip_hinge_deg", "shoulder_elevation_cm", "bogus"]),
                                st.dictionaries(st.sampled_from(["neutral", "noise"]), json_values), max_size=3),
     "limits": json_values}))
def test_fuzzed_profiles_give_only_profile_errors(profile):
    try:
        loaded = profile_from_json(profile, "fuzz.json")
    except ProfileError:
        return
    assert loaded.torso_length_m > 0


@pytest.mark.realdata
def test_keep_video_writes_the_frames_beside_the_poses(tmp_path, model_path):
    import cv2

    video = shared_file("video", "kaiakol_data_videos_pushup_correct_001.mp4")
    cmd, env = live_cli("--video", str(video), "--out", str(tmp_path / "rec"), "--model", str(model_path),
                        "--keep-video", "--exercise", "plank")
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300, cwd=REPO)
    assert result.returncode == 0, result.stderr
    capture = cv2.VideoCapture(str(tmp_path / "rec" / "video.mp4"))
    frames = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    assert frames == len(load_recording(tmp_path / "rec").t_s) > 30
    assert json.loads((tmp_path / "rec" / "meta.json").read_text())["video"] == "video.mp4"
