"""The same set stops at the same moment whatever the camera's frame rate: the shared known-answer recording
(../shared/tools/synth_scenarios.py hinge_shrug: shoulders creeping up from 20 s) written at 15, 30 and 60 fps,
analysed against a profile calibrated on its still recording, stops within 0.25 s at all three."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from formwatch.cli import main

from conftest import REPO

SCENARIOS = REPO.parent / "shared" / "tools" / "synth_scenarios.py"


def scenario(kind: str, out: Path, fps: float = 30.0) -> dict:
    if not SCENARIOS.is_file():
        pytest.skip(f"shared tools not present: {SCENARIOS}")
    done = subprocess.run([sys.executable, str(SCENARIOS), kind, str(out), "--fps", str(fps)], check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_shrug_stops_within_a_quarter_second_at_15_30_and_60_fps(tmp_path, monkeypatch):
    monkeypatch.setenv("FORMWATCH_HOME", str(tmp_path / "home"))
    scenario("still0", tmp_path / "still0")
    assert main(["calibrate", "--recording", str(tmp_path / "still0"), "--profile", "synth"]) == 0
    stops = {}
    for fps in (15.0, 30.0, 60.0):
        truth = scenario("hinge_shrug", tmp_path / f"shrug{fps:.0f}", fps)
        out = tmp_path / f"rec{fps:.0f}"
        assert main(["analyze", str(tmp_path / f"shrug{fps:.0f}"), "--exercise", "hinge", "--profile", "synth",
                     "--out", str(out), "--no-history"]) == 0
        stop = json.loads((out / "summary.json").read_text())["stop"]
        assert stop is not None and stop["metric"] == "shoulder_elevation_cm"
        assert truth["onset_s"] < stop["t_s"] < truth["t_2cm_s"]  # after the creep begins, before 2 cm
        stops[fps] = stop["t_s"]
    assert max(stops.values()) - min(stops.values()) <= 0.25, stops
