"""scripts/evaluate_mirror.py's mirrored clips: the picture turned left to right, every frame, at the clip's own rate
and size (the evaluation's known answer is the clip's own, so the copy must be the clip and nothing else)."""

import importlib.util
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]


def _script():
    spec = importlib.util.spec_from_file_location("evaluate_mirror", REPO / "scripts" / "evaluate_mirror.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_mirrored_clip_is_every_frame_turned_left_to_right(tmp_path):
    video = tmp_path / "clip.mp4"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"mp4v"), 15.0, (160, 96))
    for i in range(12):
        frame = np.zeros((96, 160, 3), np.uint8)
        frame[:, : 40 + i] = 255  # a bright band on the left, widening frame by frame
        writer.write(frame)
    writer.release()

    into = tmp_path / "out"
    into.mkdir()
    mirrored = _script().mirrored_video(video, into)
    assert mirrored.name == "mirrored_clip.mp4"
    reader = cv2.VideoCapture(str(mirrored))
    assert reader.get(cv2.CAP_PROP_FPS) == 15.0
    frames = []
    while (read := reader.read())[0]:
        frames.append(read[1].mean(axis=(0, 2)))  # brightness by column
    assert len(frames) == 12
    for i, columns in enumerate(frames):
        assert columns.shape == (160,)
        assert columns[-(40 + i) + 3:].min() > 200 and columns[: 160 - (40 + i) - 3].max() < 55  # bright band on the right
    assert _script().mirrored_video(video, into) == mirrored  # written once


def test_a_bird_dog_counts_its_reaches_filmed_either_way(tmp_path, model_path):
    """myguides_bird-dog (3 reaches by eye), as filmed and mirrored: 3 reps both ways. Read by the hip's fold (the
    trunk against the two knees' midpoint) the mirrored clip counted 0: the pose model places the far leg otherwise,
    and the midpoint moves half the reach; the thighs' split opens by all of it."""
    from conftest import pose_recording, shared_file

    from formwatch.app.analyze import analyze
    from formwatch.core.set_judge import SetJudge

    video = shared_file("video", "myguides_bird-dog.mp4")
    into = tmp_path / "mirrored"
    into.mkdir()
    counted = []
    for clip in (video, _script().mirrored_video(video, into)):
        summary = analyze(pose_recording(clip, model_path), tmp_path / f"rec-{clip.stem}",
                          detector=SetJudge(exercise="bird-dog"), progress=False).summary
        counted.append(summary.reps)
    assert counted == [3, 3]
