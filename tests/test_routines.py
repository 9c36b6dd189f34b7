"""Micro-session routines: built-in TOML routines listed, run step after step, every set in the history."""

import json
from pathlib import Path

import numpy as np

from conftest import run_formwatch, shared_file, write_synthetic_recording
from formwatch.sim.synth import skeleton

REPO = Path(__file__).resolve().parents[1]


def run(args, home, cwd):
    return run_formwatch(args, home, cwd)


def test_at_least_three_routines_are_listed_and_a_broken_one_of_yours_is_one_clear_line(tmp_path):
    listed = run(["routine", "--list"], tmp_path / "home", tmp_path)
    assert listed.returncode == 0 and {"morning", "desk-break", "evening"} <= {
        line.split()[0] for line in listed.stdout.splitlines()}
    (tmp_path / "home" / "routines").mkdir(parents=True)
    (tmp_path / "home" / "routines" / "mine.toml").write_text('name = "mine"\n[[steps]]\nexercise = "zumba"\nreps = 3\n')
    broken = run(["routine", "mine", "--headless"], tmp_path / "home", tmp_path)
    lines = broken.stderr.strip().splitlines()
    assert broken.returncode == 2 and len(lines) == 1 and "unknown exercise 'zumba'" in lines[0]


def test_a_routine_on_recorded_sets_records_one_set_per_exercise(tmp_path):
    t = np.arange(150) / 30
    squat = write_synthetic_recording(tmp_path / "squat", t, *skeleton(hinge_deg=45 - 45 * np.cos(t * 2.5)))
    plank = write_synthetic_recording(tmp_path / "plank", t, *skeleton(hinge_deg=np.zeros(150),
                                                                        body_pitch_deg=85.0))
    home = tmp_path / "home"
    done = run(["routine", "desk-break", "--video", str(squat), "--video", str(plank)], home, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "[1/2] squat" in done.stdout and "[2/2] plank" in done.stdout and "Routine done" in done.stdout
    sets = json.loads(run(["history", "--json"], home, tmp_path).stdout)["sets"]
    assert [(s["summary"]["exercise"], s["source"], s["status"]) for s in sets] == [("squat", "routine", "done"),
                                                                         ("plank", "routine", "done")]


def test_a_routine_on_the_shared_clips_completes(tmp_path, model_path):
    bridge = shared_file("video", "myguides_glute-bridge.mp4")
    plank = shared_file("video", "kaiakol_data_plank_correct_plank_correct_001.mp4")
    bird = shared_file("video", "myguides_bird-dog.mp4")
    home = tmp_path / "home"
    done = run(["routine", "evening", "--model", str(model_path), "--video", str(bridge), "--video", str(plank),
                "--video", str(bird)], home, tmp_path)
    assert done.returncode == 0, done.stderr
    sets = json.loads(run(["history", "--json"], home, tmp_path).stdout)["sets"]
    assert [s["summary"]["exercise"] for s in sets] == ["bridge", "plank", "bird-dog"]
    assert all(s["status"] == "done" and Path(s["recording"]).is_dir() for s in sets)
