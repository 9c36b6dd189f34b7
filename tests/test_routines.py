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


def test_a_step_that_asked_8_reps_and_got_3_says_3_of_8_everywhere(tmp_path):
    """Done against asked: the terminal, the history (table and JSON), the report and the rest card all say
    "3 of 8"; a hold says its seconds of the seconds asked."""
    from formwatch.core.set_summary import SetSummary
    from formwatch.core.wording import set_amount
    from formwatch.ui.routine_card import rest_card

    home = tmp_path / "home"
    (home / "routines").mkdir(parents=True)
    (home / "routines" / "short.toml").write_text('minutes = 2\n[[steps]]\nexercise = "hinge"\nreps = 8\nrest_s = 5\n'
                                                  '\n[[steps]]\nexercise = "plank"\nhold_s = 30\n')
    t = np.arange(int(30 * 10.5)) / 30
    hinge = write_synthetic_recording(tmp_path / "hinge", t, *skeleton(hinge_deg=40 - 40 * np.cos(t * 2)))
    t_hold = np.arange(150) / 30
    plank = write_synthetic_recording(tmp_path / "plank", t_hold, *skeleton(hinge_deg=np.zeros(150),
                                                                            body_pitch_deg=85.0))
    done = run(["routine", "short", "--video", str(hinge), "--video", str(plank)], home, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Done: 3 of 8 reps asked" in done.stdout and " of 30 s asked" in done.stdout, done.stdout
    sets = json.loads(run(["history", "--json"], home, tmp_path).stdout)["sets"]
    assert sets[0]["summary"]["asked"] == {"reps": 8.0} and sets[0]["summary"]["reps"] == 3
    assert sets[1]["summary"]["asked"] == {"hold_s": 30.0}
    assert "3 of 8 reps asked" in run(["history"], home, tmp_path).stdout
    report = run(["report", "--out", str(tmp_path / "r.html")], home, tmp_path)
    assert report.returncode == 0 and "3 of 8 reps asked" in (tmp_path / "r.html").read_text()
    card = rest_card(5.0, "plank", "hold 30 s", set_amount(SetSummary.from_json(sets[0]["summary"])))
    assert "3 of 8" in card.heading
