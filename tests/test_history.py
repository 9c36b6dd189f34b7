"""The history: sets written when they start and complete when they end; a killed set is consistent and marked
interrupted; listed as a table or JSON; forgotten on request."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import run_formwatch, write_synthetic_recording
from formwatch.sim.synth import skeleton

REPO = Path(__file__).resolve().parents[1]


def run(args, home, cwd):
    return run_formwatch(args, home, cwd)


def test_two_analyses_are_listed_then_forgotten_and_the_working_directory_stays_empty(tmp_path):
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    t = np.arange(120) / 30
    rec = write_synthetic_recording(tmp_path / "in", t, *skeleton(hinge_deg=40 - 40 * np.cos(t * 2)))
    for _ in range(2):
        assert run(["analyze", str(rec), "--exercise", "deadlift"], home, work).returncode == 0
    listed = json.loads(run(["history", "--json"], home, work).stdout)["sets"]
    assert [s["summary"]["exercise"] for s in listed] == ["hinge", "hinge"]
    assert all(s["status"] == "done" and s["source"] == "analyze" and Path(s["recording"]).is_dir() for s in listed)
    assert "hinge" in run(["history"], home, work).stdout
    refused = run(["forget", "--all"], home, work)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert run(["forget", "--all", "--yes"], home, work).returncode == 0
    assert json.loads(run(["history", "--json"], home, work).stdout)["sets"] == []
    assert not any((home / "recordings").iterdir())  # the recordings went with them
    assert list(work.iterdir()) == []


@pytest.mark.model
def test_a_set_killed_mid_way_leaves_a_consistent_history_marked_interrupted(tmp_path, model_path):
    from formwatch.app.bench import render_builtin_clip

    home = tmp_path / "home"
    clip = render_builtin_clip(tmp_path / "long.avi", seconds=60.0)
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), FORMWATCH_HOME=str(home))
    proc = subprocess.Popen([sys.executable, "-m", "formwatch", "analyze", str(clip), "--exercise", "squat",
                             "--model", str(model_path)], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    db = home / "history.sqlite3"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait until the set is in the history as running
        if db.exists():
            with sqlite3.connect(db) as con:
                if con.execute("SELECT count(*) FROM sets WHERE status = 'running'").fetchone()[0]:
                    break
        time.sleep(0.2)
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    from formwatch.io.history import History

    with History(db) as history:
        assert history.integrity_ok()
        sets = history.sets()
    assert len(sets) == 1 and sets[0].status == "interrupted" and sets[0].summary.exercise == "squat"


def test_the_report_is_one_page_with_its_charts_and_every_set(tmp_path):
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    t = np.arange(150) / 30
    rec = write_synthetic_recording(tmp_path / "in", t, *skeleton(hinge_deg=45 - 45 * np.cos(t * 2.5)))
    for exercise in ("deadlift", "squat"):
        assert run(["analyze", str(rec), "--exercise", exercise], home, work).returncode == 0
    made = run(["report", "--out", str(tmp_path / "r.html"), "--csv", str(tmp_path / "sets.csv")], home, work)
    assert made.returncode == 0, made.stderr
    page = (tmp_path / "r.html").read_text()
    assert page.count("data:image/png;base64,") == 3  # the charts travel inside the page
    assert page.count("<tr class='set'>") == 2 and "hinge" in page and "squat" in page
    assert len((tmp_path / "sets.csv").read_text().splitlines()) == 3
    assert list(work.iterdir()) == []


def test_a_set_started_in_one_thread_can_end_in_another(tmp_path, monkeypatch):
    """The live window starts a set in its worker thread and ends it in the GUI thread."""
    import threading

    from formwatch.io.history import History
    from formwatch.io.set_record import SetRecord

    monkeypatch.setenv("FORMWATCH_HOME", str(tmp_path))
    started = []
    worker = threading.Thread(target=lambda: started.append(SetRecord("live", "hinge", None, None)))
    worker.start()
    worker.join()
    from formwatch.core.set_summary import SetSummary

    started[0].finish(SetSummary(judged_set=True, exercise="hinge", reps=5))
    with History() as history:
        sets = history.sets()
    assert [(s.status, s.summary.reps) for s in sets] == [("done", 5)]
