"""The recording format: written as it goes, survives a crash, loads safely."""

import json
import os

import numpy as np
import pytest

from conftest import write_synthetic_recording
from formwatch.sim.synth import skeleton
from formwatch.core.record import RecordSchema
from formwatch.core.set_summary import SetSummary
from formwatch.io.recording import RecordingError, RecordingWriter, load_recording


def frames(n):
    t = np.arange(n) / 30
    image, world = skeleton(hinge_deg=np.linspace(0, 40, n))
    return t, image, world


def test_round_trip_and_private_files(tmp_path):
    t, image, world = frames(50)
    writer = RecordingWriter(tmp_path / "rec", {"source": "test", "fps": 30.0, "frame_width": 1280,
                                                "frame_height": 720}, RecordSchema(("hip_hinge_deg",)))
    for i in range(50):
        writer.add(t[i], image[i], world[i], [repr(t[i]), repr(float(i))])
    writer.close(SetSummary(frames=50))
    rec = load_recording(tmp_path / "rec")
    np.testing.assert_allclose(rec.t_s, t)
    np.testing.assert_allclose(rec.image, image.astype(np.float32))
    assert rec.frame_size_px == (1280, 720)
    assert oct(os.stat(tmp_path / "rec" / "poses.npz").st_mode & 0o777) == oct(0o600)
    assert not list((tmp_path / "rec").glob("poses-*.npz"))


def test_a_crash_keeps_what_was_flushed(tmp_path):
    t, image, world = frames(90)
    writer = RecordingWriter(tmp_path / "rec", {"fps": 30.0, "frame_width": 640, "frame_height": 480},
                             RecordSchema(()), flush_every_s=0.0)  # flush every frame
    for i in range(90):
        writer.add(t[i], image[i], world[i], [repr(t[i])])
    # no close(): the program died; the chunks on disk are still a loadable recording
    rec = load_recording(tmp_path / "rec")
    assert len(rec.t_s) == 90


@pytest.mark.parametrize("damage, words", [
    (lambda p: (p / "meta.json").unlink(), "no meta.json"),
    (lambda p: (p / "meta.json").write_text("[1, 2]"), "JSON object"),
    (lambda p: (p / "meta.json").write_text(json.dumps({"schema_version": 99, "frame_width": 1, "frame_height": 1})),
     "schema_version"),
    (lambda p: (p / "meta.json").write_text(json.dumps({"schema_version": 1, "frame_width": -5, "frame_height": 1})),
     "frame_width"),
    (lambda p: (p / "poses.npz").write_bytes(b"garbage"), "damaged"),
    (lambda p: (p / "poses.npz").unlink(), "no poses.npz"),
    (lambda p: np.savez(p / "poses.npz", t_s=np.zeros(3), image=np.zeros((3, 33, 4)), world=np.zeros((2, 33, 4))),
     "shape"),
    (lambda p: np.savez(p / "poses.npz", t_s=np.array([0.0, 0.0]), image=np.zeros((2, 33, 4)),
                        world=np.zeros((2, 33, 4))), "strictly increasing"),
    (lambda p: np.savez(p / "poses.npz", t_s=np.zeros(1), image=np.array([object()] * 132).reshape(1, 33, 4),
                        world=np.zeros((1, 33, 4))), "damaged"),
])
def test_malformed_recordings_get_clear_errors(tmp_path, damage, words):
    t, image, world = frames(3)
    path = write_synthetic_recording(tmp_path / "rec", t, image, world)
    damage(path)
    with pytest.raises(RecordingError, match=words):
        load_recording(path)
