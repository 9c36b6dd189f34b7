"""One home for a user's data: from any directory the same profiles and recordings, nothing left in the working
directory, and the commands that need no window work with no display at all."""

from pathlib import Path

from conftest import run_formwatch

REPO = Path(__file__).resolve().parents[1]


def run(args, cwd, home, **env_extra):
    return run_formwatch(args, home, cwd, no_display=True)


def test_no_display_demo_and_png_export_work_and_leave_the_working_directory_empty(tmp_path):
    work, home = tmp_path / "work", tmp_path / "home"
    work.mkdir()
    demo = run(["demo", "--headless"], work, home)
    assert demo.returncode == 0, demo.stderr
    recordings = list((home / "recordings").iterdir())
    assert len(recordings) == 1 and recordings[0].name.startswith("demo-")
    png = tmp_path / "traces.png"
    export = run(["replay", str(recordings[0]), "--export-png", str(png)], work, home)
    assert export.returncode == 0, export.stderr
    assert png.stat().st_size > 10_000
    again = run(["analyze", str(recordings[0]), "--exercise", "deadlift"], work, home)
    assert again.returncode == 0 and "No stop" in again.stdout or "STOP" in again.stdout, again.stderr
    assert list(work.iterdir()) == []  # nothing written where the user happened to be


def test_every_command_finds_the_same_profiles_from_any_directory(tmp_path):
    home = tmp_path / "home"
    (home / "calibration").mkdir(parents=True)
    (home / "calibration" / "me.json").write_text("{}")
    for cwd in (tmp_path, REPO):
        listed = run(["calibrate", "--list"], cwd, home)
        assert listed.returncode == 0 and listed.stdout.split() == ["me"], listed.stderr


def test_help_says_where_data_lives_and_what_each_exercise_covers(tmp_path):
    out = run(["analyze", "--help"], tmp_path, tmp_path / "home").stdout
    assert str(tmp_path / "home") in " ".join(out.split()) and "Romanian deadlift" in out and "(default:" in out
