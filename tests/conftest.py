"""Shared test fixtures: where the real data and the pose model are, and synthetic recordings."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests (and the commands they start) keep their data in a home of their own, never the user's.
os.environ.setdefault("FORMWATCH_HOME", tempfile.mkdtemp(prefix="formwatch-test-home-"))

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("FORMWATCH_SHARED_DATA", REPO.parent / "shared" / "data"))
VIDEO_DIR = SHARED_DATA / "video"
LANDMARK_DIR = SHARED_DATA / "landmarks" / "ngo_exercise_correction"


def shared_file(*parts: str) -> Path:
    """A file under ../shared/data, or skip the test cleanly when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not present: {path}")
    return path


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The pose model, provisioned into the project's models/ on first use (offline build from the wheel)."""
    from formwatch.capture.models.provision import find_or_provision

    return find_or_provision(None, REPO / "models", allow_download=False).path


def write_synthetic_recording(path: Path, t_s: np.ndarray, image: np.ndarray, world: np.ndarray,
                              frame_size_px: tuple[int, int] = (1280, 720), **meta: object) -> Path:
    """A minimal recording (meta.json + poses.npz), as recordings made elsewhere come in."""
    import json

    path.mkdir(parents=True, exist_ok=True)
    (path / "meta.json").write_text(json.dumps({"schema_version": 1, "source": "synthetic", "fps": 30.0,
                                                "frame_width": frame_size_px[0], "frame_height": frame_size_px[1],
                                                **meta}))
    np.savez(path / "poses.npz", t_s=np.asarray(t_s, float), image=image.astype(np.float32),
             world=world.astype(np.float32))
    return path


def run_formwatch(args: list[str], home: Path, cwd: Path, no_display: bool = False):
    """``python -m formwatch ARGS`` in ``cwd`` with its own data home (and, if asked, no display at all)."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items()
           if not (no_display and k in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))}
    env.update(PYTHONPATH=str(REPO / "src"), FORMWATCH_HOME=str(home))
    return subprocess.run([sys.executable, "-m", "formwatch", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def pose_recording(clip: Path, model_path: Path) -> Path:
    """A recording of ``clip``'s poses (and silhouettes), estimated once and cached outside the repository
    (app/pose_cache.py); analyse it again with any judge through ``formwatch analyze RECORDING``."""
    from formwatch.app.pose_cache import cached_poses

    return cached_poses(clip, model_path)


def labelled_clips() -> list[dict[str, str]]:
    """The rows of ../shared/data/video/labels.csv (empty when the data is absent)."""
    import csv

    path = VIDEO_DIR / "labels.csv"
    if not path.is_file():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return [row for row in csv.DictReader(f) if (VIDEO_DIR / row["file"]).is_file()]


SHARED_CLIPS = ("formfit_deadlift.mp4", "gymtracker_deadlift2.mp4", "entrenamiento2_rdl.mp4",
                "kaiakol_data_videos_pushup_correct_001.mp4", "kaiakol_data_videos_pushup_incorrect_001.mp4",
                "kaiakol_data_plank_correct_plank_correct_001.mp4", "myguides_glute-bridge.mp4",
                "myguides_bird-dog.mp4", "formfit_curl.mp4", "beproj_sample_shoulder_shrug.mp4")


@pytest.fixture(scope="session")
def shared_clip_recordings(tmp_path_factory, model_path) -> dict[str, Path]:
    """Every shared clip analysed once with the exercise recognised (``formwatch analyze`` with no --exercise):
    clip name -> its recording. Skips when ../shared/data is absent."""
    from formwatch.cli import main

    shared_file("video", SHARED_CLIPS[0])
    out = tmp_path_factory.mktemp("shared-clips")
    recordings = {}
    for clip in SHARED_CLIPS:
        video = SHARED_DATA / "video" / clip
        if video.is_file():
            assert main(["analyze", str(video), "--out", str(out / clip), "--model", str(model_path),
                         "--no-history"]) == 0
            recordings[clip] = out / clip
    return recordings
