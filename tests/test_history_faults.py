"""Nothing lost when the history misbehaves: a history locked by another program waits a bounded, visible while,
then the set is queued (its recording and summary.json written anyway) and added by the next command that can
write; a read-only home is read, never called damaged; only a file that is not a database is called damaged."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from formwatch.sim.synth import skeleton

from conftest import run_formwatch, write_synthetic_recording
from test_plan import hinge_reps


def recording(path: Path) -> Path:
    t, hinge, _ = hinge_reps(reps=3)
    image, world = skeleton(hinge_deg=hinge)
    return write_synthetic_recording(path, t, image, world)


def analyse(tmp_path: Path, home: Path, name: str, wait_s: float = 10.0):
    env_wait = {"FORMWATCH_HISTORY_WAIT_S": str(wait_s)}
    old = {k: os.environ.get(k) for k in env_wait}
    os.environ.update(env_wait)
    try:
        return run_formwatch(["analyze", str(recording(tmp_path / f"in-{name}")), "--exercise", "hinge", "--out",
                              str(tmp_path / name)], home, tmp_path)
    finally:
        for k, v in old.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)


def sets_listed(tmp_path: Path, home: Path) -> list[dict]:
    result = run_formwatch(["history", "--json"], home, tmp_path)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout)["sets"]


def hold_lock(home: Path, begin: str, seconds: float) -> subprocess.Popen:
    """Another program holding the history in a ``BEGIN <begin>`` transaction for ``seconds`` (a backup tool, a
    stuck formwatch); returns once the lock is held."""
    locker = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, time\n"
         f"db = sqlite3.connect({str(home / 'history.sqlite3')!r}, isolation_level=None)\n"
         f"db.execute('BEGIN {begin}'); print('locked', flush=True); time.sleep({seconds})"],
        stdout=subprocess.PIPE, text=True)
    assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
    return locker


def test_a_locked_history_queues_the_set_and_the_next_writer_adds_it(tmp_path):
    home = tmp_path / "home"
    assert analyse(tmp_path, home, "first").returncode == 0  # the history exists
    locker = hold_lock(home, "IMMEDIATE", 60)
    try:
        result = analyse(tmp_path, home, "locked", wait_s=1.0)
    finally:
        locker.kill()
        locker.wait()
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "the history is busy" in result.stderr and "waiting up to 1 s" in result.stderr
    assert "will be added by the next formwatch command" in result.stderr
    summary = json.loads((tmp_path / "locked" / "summary.json").read_text())
    assert summary["reps"] == 3
    queued = list((home / "queued").glob("*.json"))
    assert len(queued) == 1
    later = analyse(tmp_path, home, "later")
    assert later.returncode == 0 and "1 set queued while the history was busy was added" in later.stderr
    assert not list((home / "queued").glob("*.json"))
    listed = sets_listed(tmp_path, home)
    assert len(listed) == 3 and [s["status"] for s in listed] == ["done"] * 3
    assert sorted(s["recording"] for s in listed) == sorted(str(tmp_path / n) for n in ("first", "later", "locked"))


def test_a_set_ended_under_an_exclusive_lock_is_listed_by_history_with_its_verdict(tmp_path):
    """Another program holds BEGIN EXCLUSIVE on the history for 30 s while an analysis ends: the set is queued,
    and ``history --json`` lists it at once with its real verdict (a reader shows queued sets; the next writer
    adds them for good)."""
    home = tmp_path / "home"
    assert analyse(tmp_path, home, "first").returncode == 0
    locker = hold_lock(home, "EXCLUSIVE", 30)
    try:
        result = analyse(tmp_path, home, "exclusive", wait_s=1.0)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
        listed = sets_listed(tmp_path, home)  # the lock still held: read all the same
    finally:
        locker.kill()
        locker.wait()
    summary = json.loads((tmp_path / "exclusive" / "summary.json").read_text())
    (row,) = [s for s in listed if s["recording"] == str(tmp_path / "exclusive")]
    assert row["status"] == "done" and row["summary"] == summary and summary["reps"] == 3
    assert len(listed) == 2


def test_a_damaged_history_is_called_damaged_and_a_locked_one_never_is(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "history.sqlite3").write_bytes(b"this is not a database" * 100)
    result = run_formwatch(["history"], home, tmp_path)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "damaged" in result.stderr and "move it aside" in result.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="a read-only bind mount needs root")
def test_a_read_only_home_is_read_and_a_new_set_kept_in_its_recording(tmp_path):
    home, mounted = tmp_path / "home", tmp_path / "mounted"
    assert analyse(tmp_path, home, "first").returncode == 0
    mounted.mkdir()
    if subprocess.run(["mount", "--bind", str(home), str(mounted)]).returncode != 0:
        pytest.skip("mount is not available here")
    try:
        if subprocess.run(["mount", "-o", "remount,bind,ro", str(mounted)]).returncode != 0:
            pytest.skip("a read-only remount is not available here")
        listed = sets_listed(tmp_path, mounted)
        assert len(listed) == 1 and listed[0]["status"] == "done"
        result = analyse(tmp_path, mounted, "second")
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
        assert "damaged" not in result.stderr and "move it aside" not in result.stderr
        assert "kept in its recording" in result.stderr
        assert json.loads((tmp_path / "second" / "summary.json").read_text())["reps"] == 3
    finally:
        subprocess.run(["umount", str(mounted)])
