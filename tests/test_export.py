"""``formwatch export`` (app/export.py): a recording as OpenSim .trc/.mot, .c3d and a per-rep .csv, each read back
by the reader a lab uses (OpenSim's own adapters, ezc3d; skipped where they are not installed) and compared with
what formwatch itself recorded: the world landmarks, metrics.csv and summary.json."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from conftest import VIDEO_DIR, pose_recording, run_formwatch, shared_file, write_synthetic_recording
from formwatch.core.landmarks import Lm
from formwatch.io.recording import load_recording
from formwatch.sim.synth import skeleton

GAP = slice(100, 115)  # frames where nobody was found


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A synthetic hinge set with a half-second gap, analysed (metrics.csv, summary.json) and exported to all four."""
    tmp = tmp_path_factory.mktemp("export")
    t = np.arange(300) / 30
    image, world = skeleton(hinge_deg=40 - 40 * np.cos(t * 2))
    image[GAP] = np.nan
    world[GAP] = np.nan
    source = write_synthetic_recording(tmp / "source", t, image, world)
    home = tmp / "home"
    assert run_formwatch(["analyze", str(source), "--exercise", "hinge", "--out", str(tmp / "set")], home,
                         tmp).returncode == 0
    done = run_formwatch(["export", str(tmp / "set"), "--out", str(tmp / "out")], home, tmp)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(tmp / "out" / f"set.{f}") for f in ("trc", "mot", "c3d", "csv")]
    return tmp


def test_the_trc_loads_in_opensim_with_33_markers_the_rate_and_distances_within_a_millimetre(exported):
    opensim = pytest.importorskip("opensim")
    table = opensim.TimeSeriesTableVec3(str(exported / "out" / "set.trc"))
    recording = load_recording(exported / "set")
    assert table.getNumColumns() == 33 and table.getNumRows() == len(recording.t_s)
    assert float(table.getTableMetaDataAsString("DataRate")) == pytest.approx(30.0, abs=0.01)
    assert list(table.getColumnLabels())[:2] == ["NOSE", "LEFT_EYE_INNER"]
    markers = np.array([[[v[0], v[1], v[2]] for v in (table.getRowAtIndex(i)[j] for j in range(33))]
                        for i in range(table.getNumRows())])
    assert np.isnan(markers[GAP]).all() and not np.isnan(markers[:GAP.start]).any()  # unseen: empty, not zero
    for a, b in ((Lm.LEFT_SHOULDER, Lm.LEFT_HIP), (Lm.LEFT_HIP, Lm.LEFT_ANKLE), (Lm.NOSE, Lm.RIGHT_KNEE)):
        ours = 1000 * np.linalg.norm(recording.world[:, a, :3] - recording.world[:, b, :3], axis=1)
        theirs = np.linalg.norm(markers[:, a] - markers[:, b], axis=1)
        seen = ~np.isnan(ours)
        assert np.max(np.abs(ours[seen] - theirs[seen])) < 1.0
    head_over_ankle = markers[0, Lm.NOSE, 1] > markers[0, Lm.LEFT_ANKLE, 1]
    assert head_over_ankle  # Y up, as OpenSim expects


def metrics_csv(folder: Path) -> dict[str, np.ndarray]:
    with open(folder / "metrics.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    def number(text: str) -> float:
        try:
            return float(text)
        except ValueError:
            return np.nan

    return {k: np.array([number(r[k]) for r in rows]) for k in rows[0]}


def test_the_mot_loads_in_opensim_with_the_metric_columns_of_metrics_csv(exported):
    opensim = pytest.importorskip("opensim")
    table = opensim.TimeSeriesTable(str(exported / "out" / "set.mot"))
    ours = metrics_csv(exported / "set")
    labels = list(table.getColumnLabels())
    assert {"hip_hinge_deg", "lumbar_curve_deg", "shoulder_elevation_cm", "rib_flare_deg", "breath_rate_bpm",
            "rep", "verdict"} <= set(labels)
    for name in ("hip_hinge_deg", "shoulder_elevation_cm", "trunk_incline_deg"):
        column = table.getDependentColumn(name).to_numpy()
        np.testing.assert_allclose(column, ours[name], atol=1e-5, equal_nan=True)
    reps = table.getDependentColumn("rep").to_numpy()
    assert reps.max() >= 3 and np.all(np.diff(reps) >= 0)
    assert set(np.unique(table.getDependentColumn("verdict").to_numpy())) <= {0.0, 1.0, 2.0, 3.0}


def test_the_c3d_reads_back_with_the_markers_the_analogs_and_a_start_and_end_event_per_rep(exported):
    ezc3d = pytest.importorskip("ezc3d")
    c3d = ezc3d.c3d(str(exported / "out" / "set.c3d"))
    points = c3d["data"]["points"]
    recording = load_recording(exported / "set")
    assert points.shape == (4, 33, len(recording.t_s))
    world_mm = recording.world[:, :, :3] * np.array([1, -1, -1]) * 1000
    np.testing.assert_allclose(np.transpose(points[:3], (2, 1, 0)), world_mm, atol=0.01, equal_nan=True)
    labels = c3d["parameters"]["ANALOG"]["LABELS"]["value"]
    analogs = c3d["data"]["analogs"][0]
    hinge = analogs[labels.index("hip_hinge_deg")]
    np.testing.assert_allclose(hinge, metrics_csv(exported / "set")["hip_hinge_deg"], atol=1e-3, equal_nan=True)
    summary = json.loads((exported / "set" / "summary.json").read_text())
    events = c3d["parameters"]["EVENT"]["LABELS"]["value"]
    expected = [f"Rep {r['rep']} {edge}" for r in summary["judged"] for edge in ("start", "end")]
    assert sorted(events) == sorted(expected + (["Stop"] if summary["stop"] else []))
    times = c3d["parameters"]["EVENT"]["TIMES"]["value"]
    first_end = events.index("Rep 1 end")
    assert times[0][first_end] * 60 + times[1][first_end] == pytest.approx(summary["judged"][0]["t_end_s"], abs=1e-3)


def test_the_rep_table_is_summary_json_s_reps(exported):
    with open(exported / "out" / "set.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    judged = json.loads((exported / "set" / "summary.json").read_text())["judged"]
    assert len(rows) == len(judged) >= 3
    for row, rep in zip(rows, judged):
        assert row["set"] == "set" and int(row["rep"]) == rep["rep"] and row["verdict"] == rep["verdict"]
        assert float(row["t_start_s"]) == pytest.approx(rep["t_start_s"], abs=1e-3)
        assert float(row["t_end_s"]) == pytest.approx(rep["t_end_s"], abs=1e-3)
        assert row["metric"] == (rep["metric"] or "") and bool(int(row["partial"])) == rep["partial"]


def test_export_refuses_what_is_not_a_recording_in_one_line(tmp_path):
    (tmp_path / "empty").mkdir()
    result = run_formwatch(["export", str(tmp_path / "empty")], tmp_path / "home", tmp_path)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "is not a recording" in result.stderr


@pytest.mark.realdata
def test_a_shared_clip_exported_to_trc_loads_in_opensim(tmp_path, model_path):
    opensim = pytest.importorskip("opensim")
    shared_file("video", "formfit_deadlift.mp4")
    poses = pose_recording(VIDEO_DIR / "formfit_deadlift.mp4", model_path)
    home = tmp_path / "home"
    assert run_formwatch(["analyze", str(poses), "--out", str(tmp_path / "set")], home, tmp_path).returncode == 0
    done = run_formwatch(["export", str(tmp_path / "set"), "--format", "trc", "--format", "mot"], home, tmp_path)
    assert done.returncode == 0, done.stderr
    table = opensim.TimeSeriesTableVec3(str(tmp_path / "set" / "set.trc"))
    assert table.getNumColumns() == 33 and table.getNumRows() == len(load_recording(tmp_path / "set").t_s)
    assert opensim.TimeSeriesTable(str(tmp_path / "set" / "set.mot")).getNumRows() == table.getNumRows()
