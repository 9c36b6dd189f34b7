"""The silhouette's trunk profile travels with the recording: analyze, replay and export recompute the trunk
metrics without the pose model; older recordings without it still load, with the reason those metrics are NaN."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import write_synthetic_recording
from formwatch.core.silhouette import trunk_profile
from formwatch.core.record import RecordSchema
from formwatch.io.recording import RecordingWriter, load_recording
from formwatch.sim.torso import TorsoShape, torso_mask

REPO = Path(__file__).resolve().parents[1]


def bending_back_recording(path: Path, bends_deg: np.ndarray) -> Path:
    """A recording whose trunk profiles come from drawn torsos bending by ``bends_deg`` (landmarks to match)."""
    meta = {"source": "drawn torsos", "fps": 30.0, "frame_width": 640, "frame_height": 480}
    with RecordingWriter(path, meta, RecordSchema(())) as writer:
        for i, bend in enumerate(bends_deg):
            mask, image = torso_mask(TorsoShape(back_bend_deg=float(bend)), tilt_deg=80.0)
            writer.add(i / 30.0, image, image.copy(), None, None, trunk_profile(mask, image))
    return path


def run_cli(*args, env_extra=None):
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "formwatch", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_the_profile_is_stored_and_loaded_with_the_poses(tmp_path):
    rec = load_recording(bending_back_recording(tmp_path / "rec", np.linspace(0, 20, 40)))
    assert rec.profile is not None and rec.profile.shape == (40, 4, 16) and rec.profile.dtype == np.float32


def test_replay_export_keeps_the_lumbar_curve_with_no_pose_model(tmp_path):
    rec = bending_back_recording(tmp_path / "rec", np.linspace(0, 20, 40))
    out = tmp_path / "traces.csv"
    # No model anywhere: an empty models directory and no network are all it gets.
    result = run_cli("replay", str(rec), "--export-csv", str(out),
                     env_extra={"FORMWATCH_MODELS_DIR": str(tmp_path / "no-models")})
    assert result.returncode == 0, result.stderr
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    curve = np.array([float(r["lumbar_curve_deg"]) for r in rows])
    assert curve[0] == pytest.approx(0.0, abs=1.5) and curve[-1] == pytest.approx(20.0, abs=2.5)
    assert (np.diff(curve) > -0.5).all()  # follows the bend up (the One Euro filter may lag, never reverse)


def test_an_older_recording_without_profiles_loads_and_says_why_the_trunk_is_nan(tmp_path):
    from formwatch.sim.synth import skeleton

    t = np.arange(60) / 30
    rec = write_synthetic_recording(tmp_path / "old", t, *skeleton(hinge_deg=np.linspace(0, 60, 60)))
    assert load_recording(rec).profile is None
    result = run_cli("analyze", str(rec), "--exercise", "deadlift", "--out", str(tmp_path / "again"))
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "again" / "summary.json").read_text())
    assert summary["measured_fraction"]["lumbar_curve_deg"] == 0.0
    assert summary["unmeasured"]["lumbar_curve_deg"] == "no_silhouette"
    assert "lumbar_curve_deg was measured in under half" in result.stderr and "analyze the video again" in result.stderr
    with open(tmp_path / "again" / "metrics.csv", newline="") as f:
        assert all(r["lumbar_curve_deg"] == "" for r in csv.DictReader(f))
