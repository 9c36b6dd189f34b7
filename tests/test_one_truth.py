"""One truth per set: what live showed is what replay shows, frame by frame, and every place that tells a set —
summary.json, the terminal, ``history --json``, the report and ``signature --json`` — tells it the same."""

import json
from pathlib import Path

import pytest

from conftest import VIDEO_DIR, labelled_clips, pose_recording, shared_file

pytest.importorskip("PyQt6")


def live_then_replay(qtbot, tmp_path, t, image, world, profile, size, judge):
    """The set played through the live window (worker thread, mailbox, the view made in the worker), every shown
    frame's screen kept; then the recording replayed: (live screens by time, replayed screens by time)."""
    from formwatch.app.live import FakeEstimator, LiveRunner
    from formwatch.app.replay_data import load_replay
    from formwatch.capture.sources import ScheduledSource
    from formwatch.core.session import SetSession
    from formwatch.io.recording import RecordingWriter
    from formwatch.ui.live_window import LiveWindow
    from formwatch.ui.view_model import view

    session = SetSession(size, detector=judge)
    writer = RecordingWriter(tmp_path / "rec", {"fps": 30.0, "frame_width": size[0], "frame_height": size[1]},
                             session.schema)
    runner = LiveRunner(ScheduledSource(t, size, speed=4.0), FakeEstimator(image, world, profile=profile), session,
                        writer)
    window = LiveWindow(runner, size)
    qtbot.addWidget(window)
    made = window._view_in_worker
    shown = {}

    def keep(live):
        state = made(live)
        shown[live.record.t_s] = state.same_screen()
        return state

    runner.view_of = keep
    qtbot.waitUntil(lambda: window.ended_reason != "", timeout=120_000)
    window.close()
    data = load_replay(writer.path)
    assert not data.recomputed  # read from the recording, not worked out again
    replayed = {record.t_s: view(record).same_screen() for record in data.records}
    return shown, replayed


def demo_set():
    from formwatch.core.detector import Detector
    from formwatch.sim.demo import DEMO_FRAME_SIZE, DEMO_SCENARIO
    from formwatch.sim.scenarios import generate

    t, image, world = generate(DEMO_SCENARIO)
    return t, image, world, None, DEMO_FRAME_SIZE, Detector("hinge")


def clip_set(name, model_path):
    from formwatch.core.set_judge import SetJudge
    from formwatch.io.recording import load_recording

    rec = load_recording(pose_recording(shared_file("video", name), model_path))
    return rec.t_s, rec.image, rec.world, rec.profile, rec.frame_size_px, SetJudge()


@pytest.mark.parametrize("which", ["demo", "formfit_deadlift.mp4", "kaiakol_data_plank_correct_plank_correct_001.mp4"])
def test_replay_shows_what_live_showed_on_every_frame(qtbot, tmp_path, which, request):
    """Banner, message, gauges and their limits, rep, state, the line of the moment and the stop's panel: 0 frames
    differ between the live window and the replay of its recording."""
    args = demo_set() if which == "demo" else clip_set(which, request.getfixturevalue("model_path"))
    shown, replayed = live_then_replay(qtbot, tmp_path, *args)
    assert len(shown) > 50 and set(shown) <= set(replayed)
    differ = [t for t in shown if shown[t] != replayed[t]]
    assert differ == [], (len(differ), shown[differ[0]], replayed[differ[0]])
    states = {s[0] for s in shown.values()}
    if which == "demo":  # the demo ends on the stop, and replay shows it from the same frame
        assert "stopped" in states
        stop_t = min(t for t, s in shown.items() if s[0] == "stopped")
        assert replayed[stop_t][0] == "stopped"


# ------------------------------------------------------------------------------------- every place, one story
def _set_facts(summary: dict) -> dict:
    """What every place must agree on, from a SetSummary's JSON."""
    stop = summary.get("stop")
    return {"exercise": summary.get("exercise"), "reps": summary["reps"], "clean": summary["clean_reps"],
            "noted": summary["noted_reps"], "faulty": summary["faulty_reps"], "held_s": summary.get("held_s"),
            "stop": (stop["rule"], stop["metric"], stop["rep"], stop["t_s"]) if stop else None}


def _inputs(model_path):
    """The demo's recording and every shared clip's poses, as recordings to analyse."""

    yield "demo", None
    for row in labelled_clips():
        yield row["file"], pose_recording(VIDEO_DIR / row["file"], model_path)


@pytest.mark.realdata
def test_every_place_tells_each_set_the_same(tmp_path, model_path, monkeypatch, capsys):
    """The demo and every shared clip analysed as a newcomer would (the exercise recognised): for each set the
    terminal's verdict line, summary.json, the history (read back), the report's row and the signature's counts
    say the same reps, clean / noted / faulty reps, seconds held and stop."""
    from formwatch.cli import main
    from formwatch.cli.demo import run_headless
    from formwatch.core.set_summary import SetSummary
    from formwatch.core.wording import set_amount, verdict_line

    shared_file("video", "labels.csv")
    home = tmp_path / "home"
    monkeypatch.setenv("FORMWATCH_HOME", str(home))
    run_headless(tmp_path / "demo-set")
    capsys.readouterr()
    expected = {}
    for name, poses in _inputs(model_path):
        source = tmp_path / "demo-set" if name == "demo" else poses
        out = tmp_path / "out" / name
        assert main(["analyze", str(source), "--out", str(out)]) == 0
        printed = capsys.readouterr().out
        summary = json.loads((out / "summary.json").read_text())
        line = verdict_line(SetSummary.from_json(summary))
        assert line and line in printed, (name, printed)  # the terminal says what the summary holds
        expected[str(out)] = (_set_facts(summary), set_amount(SetSummary.from_json(summary)))
    assert main(["history", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["sets"]
    assert len(rows) == len(expected)
    for row in rows:
        facts, amount = expected[row["recording"]]
        assert _set_facts(row["summary"]) == facts, row["recording"]
    report = tmp_path / "report.html"
    assert main(["report", "--out", str(report)]) == 0
    capsys.readouterr()
    page = report.read_text()
    for facts, amount in expected.values():
        assert amount in page.replace("&#x27;", "'")
    assert main(["signature", "--json"]) == 0
    signatures = json.loads(capsys.readouterr().out)["signatures"]
    for sig in signatures:  # the signature counts the same verdicts over the same sets
        sets = [f for f, _ in expected.values() if f["exercise"] == sig["exercise"]]
        assert sig["sets"] == len(sets)
        assert sig["faulty_reps"] == sum(f["faulty"] for f in sets)
        assert sig["noted_reps"] == sum(f["noted"] for f in sets)
        assert sig["stopped_sets"] == sum(1 for f in sets if f["stop"])


@pytest.mark.realdata
def test_a_folder_is_its_files_one_by_one(tmp_path, model_path):
    """``formwatch analyze FOLDER --jobs 2 --profile me`` adds one history row per video, each judged with the
    profile, with the verdicts, reps, frames and notes that ``analyze FILE --profile me`` gives the same clip."""
    from conftest import run_formwatch, write_synthetic_recording
    from test_calibration import sway_then_still

    shared_file("video", "labels.csv")
    clips = labelled_clips()
    home_folder, home_files, work = tmp_path / "folder-home", tmp_path / "files-home", tmp_path / "work"
    work.mkdir()
    still = write_synthetic_recording(tmp_path / "still", *sway_then_still())
    for home in (home_folder, home_files):
        assert run_formwatch(["calibrate", "--profile", "me", "--recording", str(still)], home, work).returncode == 0
    done = run_formwatch(["analyze", str(VIDEO_DIR), "--jobs", "2", "--profile", "me", "--model", str(model_path),
                          "--out", str(tmp_path / "folder")], home_folder, work)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = json.loads(run_formwatch(["history", "--json"], home_folder, work).stdout)["sets"]
    assert len(rows) == len(clips) and all(r["profile"] == "me" and r["status"] == "done" for r in rows)
    by_clip = {Path(r["recording"]).name: r["summary"] for r in rows}
    for row in clips:
        poses = pose_recording(VIDEO_DIR / row["file"], model_path)
        out = tmp_path / "files" / row["file"]
        one = run_formwatch(["analyze", str(poses), "--profile", "me", "--no-history", "--out", str(out)],
                            home_files, work)
        assert one.returncode == 0, one.stderr
        alone = json.loads((out / "summary.json").read_text())
        folder = by_clip[Path(row["file"]).stem]
        assert _set_facts(folder) == _set_facts(alone), row["file"]
        assert [(j["rep"], j["verdict"], j["metric"]) for j in folder["judged"]] == \
            [(j["rep"], j["verdict"], j["metric"]) for j in alone["judged"]], row["file"]
        assert folder["frames"] == alone["frames"], row["file"]
        assert folder["judge"]["calibrated"] == alone["judge"]["calibrated"], row["file"]
        if folder["exercise"] is not None:  # judged with the profile: its calibrated metrics
            assert folder["judge"]["calibrated"] and folder["judge"]["neutral_source"] == "profile", row["file"]
