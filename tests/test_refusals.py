"""Nonsense refused where it is parsed, and a full disk said in one line: every option's range (argparse types),
a routine's values (naming the line), outputs inside a recording or through a looping link, and a recording whose
disk fills (kept whole up to its last chunk, marked incomplete, replayable)."""

import errno
import json
import os

import numpy as np
import pytest

from conftest import run_formwatch, write_synthetic_recording
from formwatch.cli.main import build_parser
from formwatch.core.record import RecordSchema
from formwatch.core.set_summary import SetSummary
from formwatch.io.disk_space import DiskFullError, mount_point
from formwatch.io.recording import RecordingWriter, load_recording
from formwatch.sim.synth import skeleton


@pytest.mark.parametrize("argv, words", [
    (["replay", "R", "--smooth-hz", "-3"], "-3 is not above 0"),
    (["replay", "R", "--smooth-hz", "nan"], "'nan' is not a finite number"),
    (["replay", "R", "--smooth-hz", "inf"], "'inf' is not a finite number"),
    (["replay", "R", "--smooth-hz", "0"], "0 is not above 0"),
    (["history", "--since", "-5"], "-5 days is outside 0..36525"),
    (["history", "--since", "nan"], "'nan' is not a finite number"),
    (["progress", "--since", "1e12"], "1e12 days is outside"),
    (["report", "--since", "inf"], "'inf' is not a finite number"),
    (["analyze", "V", "--jobs", "0"], "0 is below 1"),
    (["analyze", "V", "--jobs", "1.5"], "'1.5' is not a whole number"),
    (["demo", "--speed", "0"], "0 is not above 0"),
    (["live", "--exit-after", "-1"], "-1 is not above 0"),
])
def test_each_bad_option_is_refused_in_one_line_with_what_to_give(argv, words, capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser(argv[0]).parse_args(argv)
    err = capsys.readouterr().err.strip()
    assert exit_info.value.code == 2 and len(err.splitlines()) == 1
    assert words in err and "give" in err, err


@pytest.mark.parametrize("argv", [["history", "--since", "0"], ["history", "--since", "36525"],
                                  ["replay", "R", "--smooth-hz", "0.5"], ["analyze", "V", "--jobs", "3"]])
def test_sane_values_pass(argv):
    build_parser(argv[0]).parse_args(argv)


@pytest.mark.parametrize("body, words", [
    ('minutes = 3\n\n[[steps]]\nexercise = "squat"\nreps = 8\n\n[[steps]]\nexercise = "plank"\nhold_s = -30\n',
     "line 9 (step 2): hold_s = -30 is outside 1..600"),
    ('[[steps]]\nexercise = "squat"\nreps = -5\n', "line 3 (step 1): reps = -5 is outside 1..100"),
    ('[[steps]]\nexercise = "squat"\nreps = 2.5\n', "reps = 2.5 is not a whole number"),
    ('minutes = nan\n[[steps]]\nexercise = "squat"\nreps = 2\n', "line 1: minutes = nan is outside"),
    ('[[steps]]\nexercise = "squat"\nreps = 5\nrest_s = 1e9\n', "line 4 (step 1): rest_s = 1000000000.0 is outside"),
    ('steps = [1, 2]\n', "steps must be [[steps]] tables"),
])
def test_a_routine_with_a_value_out_of_range_is_refused_naming_the_line(tmp_path, body, words):
    home = tmp_path / "home"
    (home / "routines").mkdir(parents=True)
    (home / "routines" / "mine.toml").write_text(body)
    result = run_formwatch(["routine", "mine", "--headless"], home, tmp_path)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and words in lines[0], result.stderr
    listed = run_formwatch(["routine", "--list"], home, tmp_path)  # the others stay usable
    assert listed.returncode == 0 and "morning" in listed.stdout and "mine         cannot be used" in listed.stdout


def hinge_recording(path, seconds=4.0):
    t = np.arange(int(seconds * 30)) / 30
    image, world = skeleton(hinge_deg=40 - 40 * np.cos(t * 2))
    return write_synthetic_recording(path, t, image, world)


def test_an_output_inside_a_recording_or_through_a_looping_link_is_refused(tmp_path):
    home = tmp_path / "home"
    rec = hinge_recording(tmp_path / "rec")
    (tmp_path / "loop-a").symlink_to(tmp_path / "loop-b")
    (tmp_path / "loop-b").symlink_to(tmp_path / "loop-a")
    for args, words in ((["analyze", str(rec), "--out", str(rec / "inner")], f"is inside the recording {rec}"),
                        (["analyze", str(rec), "--out", str(tmp_path / "loop-a")], "loops back on itself"),
                        (["analyze", str(rec), "--out", str(tmp_path / "loop-a" / "x")], "loops back on itself"),
                        (["report", "--out", str(tmp_path / "loop-a")], "loops back on itself")):
        result = run_formwatch(args, home, tmp_path)
        assert result.returncode == 2 and words in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert not (rec / "inner").exists() and (tmp_path / "loop-a").is_symlink()


def test_the_history_says_which_filter_left_nothing_and_a_report_of_nothing_is_refused(tmp_path):
    home = tmp_path / "home"
    assert run_formwatch(["analyze", str(hinge_recording(tmp_path / "rec")), "--exercise", "hinge"], home,
                         tmp_path).returncode == 0
    shown = run_formwatch(["history", "--exercise", "squat"], home, tmp_path)
    assert shown.returncode == 0 and shown.stdout.strip() == (
        "no sets of squat (1 in all: widen or drop the filters to see them)")
    today = run_formwatch(["history", "--since", "0", "--json"], home, tmp_path)  # 0 days back: today
    assert today.returncode == 0 and len(json.loads(today.stdout)["sets"]) == 1
    report = run_formwatch(["report", "--exercise", "squat"], home, tmp_path)
    assert report.returncode == 2 and "nothing to report: no sets of squat (1 in all" in report.stderr


class FullAfter:
    """Stands in for the chunk writer: the first ``n`` chunks are written, then the disk is full."""

    def __init__(self, n, real):
        self.n, self.real = n, real

    def __call__(self, path, *arrays):
        if self.n <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.n -= 1
        self.real(path, *arrays)


def test_a_full_disk_keeps_the_recording_whole_up_to_its_last_chunk(tmp_path, monkeypatch):
    import formwatch.io.recording as recording

    monkeypatch.setattr(recording, "save_poses", FullAfter(3, recording.save_poses))
    t = np.arange(300) / 30
    image, world = skeleton(hinge_deg=np.linspace(0, 40, 300))
    writer = RecordingWriter(tmp_path / "rec", {"fps": 30.0, "frame_width": 1280, "frame_height": 720},
                             RecordSchema(("hip_hinge_deg",)))
    writer.expected_frames = 300
    with pytest.raises(DiskFullError) as stopped:
        for i in range(300):
            writer.add(t[i], image[i], world[i], [repr(t[i]), repr(float(i))])
            if i % 40 == 39:
                writer.flush()  # a chunk every 40 frames: 3 go through, the 4th meets the full disk
    line = str(stopped.value)
    assert "\n" not in line and "the set stopped" in line and "free at least" in line
    assert f"on {mount_point(tmp_path)}" in line and "up to 4.0 s is kept" in line
    writer.close(SetSummary(frames=160))  # the end of the set: nothing more is written, nothing raised
    rec = load_recording(tmp_path / "rec")
    assert len(rec.t_s) == 120
    rows = (tmp_path / "rec" / "metrics.csv").read_text().splitlines()
    assert len(rows) == 1 + 120  # the header and exactly the frames kept: a replay shows what the chunks hold
    meta = json.loads((tmp_path / "rec" / "meta.json").read_text())
    assert meta["incomplete"] == {"why": "No space left on device", "frames": 120, "until_s": pytest.approx(119 / 30)}
    assert not list((tmp_path / "rec").glob(".*.tmp")) and not (tmp_path / "rec" / "summary.json").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tiny disk needs root")
def test_analyze_onto_a_tiny_disk_stops_in_one_line_and_the_recording_replays(tmp_path):
    import subprocess

    disk = tmp_path / "tiny"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(disk)]).returncode != 0:
        pytest.skip("tmpfs cannot be mounted here")
    try:
        home = tmp_path / "home"
        rec = hinge_recording(tmp_path / "long", seconds=120.0)
        result = run_formwatch(["analyze", str(rec), "--exercise", "hinge", "--out", str(disk / "set")], home,
                               tmp_path)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 1 and len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
        assert f"the disk holding {disk / 'set'} is full" in lines[0] and f"on {disk}" in lines[0]
        replay = run_formwatch(["replay", str(disk / "set"), "--export-csv", str(tmp_path / "kept.csv")], home,
                               tmp_path)
        assert replay.returncode == 0, replay.stderr
        (listed,) = json.loads(run_formwatch(["history", "--json"], home, tmp_path).stdout)["sets"]
        assert listed["status"] == "interrupted" and listed["recording"] == str(disk / "set")
    finally:
        subprocess.run(["umount", str(disk)])
