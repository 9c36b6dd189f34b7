"""Nothing lost, never a traceback: forget deletes only what it was exactly told, outputs are checked before the
work, the history is readable while a set starts, signals end a set as interrupted, JSON is strict, and no
implausible value reaches a record."""

import datetime as dt
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import run_formwatch, write_synthetic_recording
from formwatch.cli.forget import parse_before
from formwatch.core.errors import FormwatchError
from formwatch.sim.synth import skeleton

REPO = Path(__file__).resolve().parents[1]


def one_line_error(result, *words):
    assert result.returncode != 0 and "Traceback" not in result.stderr + result.stdout, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("formwatch: error:"), result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def hinge_recording(path, seconds=4.0):
    t = np.arange(int(seconds * 30)) / 30
    return write_synthetic_recording(path, t, *skeleton(hinge_deg=40 - 40 * np.cos(t * 2)))


@pytest.fixture
def home_with_sets(tmp_path):
    """A data home with two analysed sets (and their recordings), and an empty working directory."""
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    rec = hinge_recording(tmp_path / "in")
    for _ in range(2):
        assert run_formwatch(["analyze", str(rec), "--exercise", "hinge"], home, work).returncode == 0
    return home, work, rec


def sets_in(home, work):
    return json.loads(run_formwatch(["history", "--json"], home, work).stdout)["sets"]


# ------------------------------------------------------------------------------------------------------ forget
@pytest.mark.parametrize("word", ["yesterday", "2026-13-45", "1 week", "", "2026-11-31", "30", "-3d", "now"])
def test_a_date_that_does_not_parse_is_refused(word):
    with pytest.raises(FormwatchError, match="nothing was deleted"):
        parse_before(word)


def test_the_stated_date_forms_parse_exactly():
    now = dt.datetime(2026, 12, 1, 20, 0, 0)
    assert parse_before("2026-11-30", now) == "2026-11-30T00:00:00"
    assert parse_before("2026-11-30T08:15", now) == "2026-11-30T08:15:00"
    assert parse_before("30d", now) == "2026-11-01T20:00:00"
    assert parse_before("2w", now) == "2026-11-17T20:00:00"


def test_forget_with_a_bad_date_or_without_yes_deletes_nothing(home_with_sets):
    home, work, _ = home_with_sets
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    for args in (["--before", "yesterday", "--yes"], ["--before", "2026-13-45", "--yes"],
                 ["--before", "1 week", "--yes"], ["--all"], ["--before", tomorrow]):
        result = run_formwatch(["forget", *args], home, work)
        one_line_error(result)
        assert "nothing was deleted" in result.stderr
    assert len(sets_in(home, work)) == 2 and len(list((home / "recordings").iterdir())) == 2


def test_forget_shows_what_it_would_delete_then_deletes_exactly_that(home_with_sets):
    home, work, _ = home_with_sets
    dry = run_formwatch(["forget", "--all", "--dry-run"], home, work)
    assert dry.returncode == 0 and "would forget 2 sets from" in dry.stdout and "2 recordings" in dry.stdout
    assert len(sets_in(home, work)) == 2
    old = run_formwatch(["forget", "--before", "2000-01-01", "--yes"], home, work)
    assert old.returncode == 0 and "nothing to forget" in old.stdout and len(sets_in(home, work)) == 2
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    gone = run_formwatch(["forget", "--before", tomorrow, "--yes"], home, work)
    assert gone.returncode == 0 and "forgot 2 sets" in gone.stdout
    assert sets_in(home, work) == [] and list((home / "recordings").iterdir()) == []


# ----------------------------------------------------------------------------------------------------- outputs
@pytest.mark.parametrize("args", [["report", "--out", "/proc/x/report.html"], ["report", "--csv", "/proc/x.csv"],
                                  ["progress", "--out", "/proc/x.png"]])
def test_an_unwritable_output_is_one_line_before_any_work(home_with_sets, args):
    home, work, _ = home_with_sets
    one_line_error(run_formwatch(args, home, work, no_display=True), "cannot be written")


@pytest.mark.parametrize("option", ["--export-csv", "--export-png"])
def test_replay_exports_to_an_unwritable_place_are_one_line(home_with_sets, option):
    home, work, rec = home_with_sets
    one_line_error(run_formwatch(["replay", str(rec), option, "/proc/x.out"], home, work, no_display=True),
                   option, "cannot be written")
    one_line_error(run_formwatch(["replay", str(rec), option, str(work)], home, work, no_display=True), "folder")


def test_exports_are_written_whole(home_with_sets):
    home, work, rec = home_with_sets
    out = work / "sub" / "traces.png"
    result = run_formwatch(["replay", str(rec), "--export-png", str(out)], home, work, no_display=True)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:4] == b"\x89PNG" and [p.name for p in out.parent.iterdir()] == ["traces.png"]


def test_progress_without_a_display_says_what_to_do_and_its_picture_works(home_with_sets):
    home, work, _ = home_with_sets
    one_line_error(run_formwatch(["progress"], home, work, no_display=True), "--out FILE.png")
    picture = work / "progress.png"
    result = run_formwatch(["progress", "--out", str(picture)], home, work, no_display=True)
    assert result.returncode == 0 and picture.read_bytes()[:4] == b"\x89PNG"


# ------------------------------------------------------------------------------------------------ bad input
def test_a_mistyped_command_suggests_the_right_one(tmp_path):
    result = run_formwatch(["anlyze", "x"], tmp_path / "home", tmp_path)
    one_line_error(result, "did you mean 'analyze'", "'formwatch --help'")
    assert "formwatch formwatch" not in result.stderr


def test_input_under_half_a_second_is_refused_and_never_enters_the_history(tmp_path):
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    short = write_synthetic_recording(tmp_path / "short", np.arange(12) / 30, *skeleton(hinge_deg=np.zeros(12)))
    one_line_error(run_formwatch(["analyze", str(short), "--exercise", "hinge"], home, work), "at least 0.5 s")
    assert sets_in(home, work) == [] and not (home / "recordings").exists() or \
        list((home / "recordings").iterdir()) == []


def test_history_json_is_strict_even_with_nan_in_a_summary(tmp_path, monkeypatch):
    monkeypatch.setenv("FORMWATCH_HOME", str(tmp_path / "home"))
    from formwatch.io.set_record import SetRecord

    from formwatch.core.set_summary import JudgeFacts, SetSummary

    record = SetRecord("analyze", "hinge", None, None)
    record.finish(SetSummary(judged_set=True, exercise="hinge", reps=1, duration_s=math.nan,
                             judge=JudgeFacts(rep_features=({"depth_deg": math.nan},), limits={"x": math.inf})))
    result = run_formwatch(["history", "--json"], tmp_path / "home", tmp_path)

    def refuse(token):
        raise AssertionError(f"{token} is not JSON")

    (row,) = json.loads(result.stdout, parse_constant=refuse)["sets"]
    summary = row["summary"]
    assert summary["duration_s"] is None and summary["judge"]["rep_features"] == [{"depth_deg": None}]
    assert summary["judge"]["limits"] == {"x": None}


# ------------------------------------------------------------------------------------------- the history file
def test_a_reader_never_sees_a_history_without_its_tables(tmp_path):
    """Readers in another process poll a history that does not exist yet while sets are written: every read
    either finds no file or a complete schema."""
    home = tmp_path / "home"
    home.mkdir()
    db = home / "history.sqlite3"
    reader = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3, sys, os, time\n"
         f"db = {str(db)!r}\n"
         "seen = errors = 0\n"
         "end = time.monotonic() + 60\n"
         "while time.monotonic() < end and not os.path.exists(db + '.done'):\n"
         "    if os.path.exists(db):\n"
         "        try:\n"
         "            con = sqlite3.connect(db, timeout=10)\n"
         "            con.execute('SELECT count(*) FROM sets').fetchone()\n"
         "            con.close(); seen += 1\n"
         "        except sqlite3.OperationalError as e:\n"
         "            errors += 1; print(e)\n"
         "print('seen', seen, 'errors', errors)\n"],
        stdout=subprocess.PIPE, text=True)
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), FORMWATCH_HOME=str(home))
    writer = ("from formwatch.io.set_record import SetRecord\n"
              "from formwatch.core.set_summary import SetSummary\n"
              "for i in range(30):\n"
              "    SetRecord('analyze', 'hinge', None, None).finish(SetSummary(reps=i))\n")
    subprocess.run([sys.executable, "-c", writer], env=env, check=True, timeout=120)
    Path(str(db) + ".done").touch()
    out, _ = reader.communicate(timeout=90)
    assert "errors 0" in out and "no such table" not in out, out


@pytest.mark.parametrize("content", [b"", b"not a database at all" * 50, b"SQLite format 3\x00" + b"\xff" * 200])
def test_a_damaged_history_is_one_line_and_left_as_it_was(tmp_path, content):
    home = tmp_path / "home"
    home.mkdir()
    (home / "history.sqlite3").write_bytes(content)
    result = run_formwatch(["history"], home, tmp_path)
    if content == b"":  # an empty file is an empty database: nothing to read, nothing lost
        assert result.returncode == 0 and "no sets yet" in result.stdout
        return
    one_line_error(result, "history")
    assert (home / "history.sqlite3").read_bytes() == content


def test_a_history_from_a_newer_formwatch_is_refused_untouched(tmp_path):
    import sqlite3

    home = tmp_path / "home"
    home.mkdir()
    con = sqlite3.connect(home / "history.sqlite3")
    con.execute("PRAGMA user_version = 99")
    con.close()
    before = (home / "history.sqlite3").read_bytes()
    one_line_error(run_formwatch(["history"], home, tmp_path), "newer formwatch")
    assert (home / "history.sqlite3").read_bytes() == before


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_fuzzed_routines_give_only_clean_errors(tmp_path, monkeypatch, text):
    monkeypatch.setenv("FORMWATCH_HOME", str(tmp_path / "home"))
    from formwatch.app.routines import load_routine

    folder = tmp_path / "home" / "routines"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "fuzz.toml").write_text(text, encoding="utf-8")
    try:
        routine = load_routine("fuzz")
    except FormwatchError as exc:
        assert "\n" not in str(exc)
        return
    assert routine.steps


# ------------------------------------------------------------------------------------------------------ signals
def test_sigterm_during_an_analysis_saves_the_set_as_interrupted(tmp_path):
    """A long analysis (a recording, no pose model) polled by `history --json` from another process while it
    runs, then ended with SIGTERM: exit 143, one line, the set interrupted in the history, the recording replays."""
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    rec = hinge_recording(tmp_path / "in", seconds=600.0)
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), FORMWATCH_HOME=str(home))
    proc = subprocess.Popen([sys.executable, "-m", "formwatch", "analyze", str(rec), "--exercise", "hinge",
                             "--out", str(work / "out")], cwd=work, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    running = []
    while time.monotonic() < deadline and not running:
        polled = run_formwatch(["history", "--json"], home, work)
        assert polled.returncode == 0 and "Traceback" not in polled.stderr, polled.stderr
        running = [s for s in json.loads(polled.stdout)["sets"] if s["status"] == "running"]
    assert running, "the set never showed as running"
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 143 and "Traceback" not in err, err
    assert err.strip().splitlines()[-1].startswith("formwatch: interrupted (SIGTERM)")
    (row,) = sets_in(home, work)
    assert row["status"] == "interrupted"
    summary = json.loads((work / "out" / "summary.json").read_text())
    assert summary["interrupted"] is True and 0 < summary["frames"] < 600 * 30
    replayed = run_formwatch(["replay", str(work / "out"), "--export-csv", str(work / "t.csv")], home, work)
    assert replayed.returncode == 0 and len((work / "t.csv").read_text().splitlines()) == summary["frames"] + 1


# ------------------------------------------------------------------------------------------------ plausibility
pose_values = st.floats(-3.0, 4.0, width=32) | st.just(math.nan)


@settings(max_examples=150, deadline=None)
@given(frames=st.lists(st.lists(pose_values, min_size=33 * 4, max_size=33 * 4), min_size=2, max_size=12),
       flips=st.lists(st.booleans(), min_size=12, max_size=12))
def test_no_implausible_value_ever_reaches_a_record(frames, flips):
    """Random and adversarial poses (mirrored every other frame, so the facing hold negates readings): every
    metric stays inside its registry range or is NaN."""
    from formwatch.core.pipeline import Pipeline
    from formwatch.core.registry import REGISTRY

    pipeline = Pipeline((1280, 720))
    bounds = np.array([s.plausible for s in REGISTRY])
    for i, values in enumerate(frames):
        image = np.asarray(values, dtype=np.float32).reshape(33, 4)
        if flips[i]:
            image[:, 0] = 1.0 - image[:, 0]  # the other facing
        row = pipeline.step(i / 30, image, image.copy())
        finite = np.isfinite(row)
        assert np.all((row[finite] >= bounds[finite, 0]) & (row[finite] <= bounds[finite, 1])), row


def test_a_flipped_frame_reading_out_of_range_is_masked():
    """The real case: a deep hinge (130 deg) seen for a moment the other way round was negated to -130 deg."""
    from formwatch.core.kinematics import Col
    from formwatch.core.pipeline import Pipeline, PipelineConfig

    pipeline = Pipeline((1280, 720), PipelineConfig(smoothing=False))
    facing = [skeleton(hinge_deg=130.0, yaw_deg=yaw) for yaw in (0.0, 180.0)]
    first = pipeline.step(0.0, *facing[0]).copy()
    assert first[Col.HIP_HINGE_DEG] == pytest.approx(130.0, abs=1.0)
    flipped = pipeline.step(1 / 30, *facing[1])
    assert pipeline.facing_flips == 1 and (math.isnan(flipped[Col.HIP_HINGE_DEG]) or flipped[Col.HIP_HINGE_DEG] >= -120)


# ------------------------------------------------------------------------------------------------- holds, links
def test_a_plank_is_a_hold_everywhere_downstream_and_the_report_links_travel(tmp_path):
    import re

    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    t = np.arange(int(8 * 30)) / 30
    rec = write_synthetic_recording(tmp_path / "plank", t, *skeleton(hinge_deg=np.zeros(len(t))))
    assert run_formwatch(["analyze", str(rec), "--exercise", "plank"], home, work).returncode == 0
    (row,) = sets_in(home, work)
    assert row["summary"]["exercise"] == "plank" and row["summary"]["held_s"] > 5.0
    table = run_formwatch(["history"], home, work).stdout
    assert "held 7" in table or "held 8" in table
    assert " 0 reps" not in table and "0 clean" not in table
    report = work / "out" / "report.html"
    assert run_formwatch(["report", "--out", str(report)], home, work).returncode == 0
    page = report.read_text()
    assert "held" in page and "file://" not in page
    links = re.findall(r"href='([^']*)'", page)
    assert links and all(not link.startswith("/") and "://" not in link for link in links), links
    target = (report.parent / links[0]).resolve()  # the link leads to the recording from the report's folder
    assert target == Path(row["recording"]).resolve()
    signature = run_formwatch(["signature", "--exercise", "plank"], home, work).stdout
    assert "typical hold: " in signature and "clean reps" not in signature.split("typical")[1].splitlines()[0]
