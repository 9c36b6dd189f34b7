"""The signature movement profile: what a person's sets look like, and limits that evolve with evidence — tighter
when clean reps are steadier, never looser than calibrated, each move explained and kept in the history."""

import json
import sqlite3
import sys
from pathlib import Path

import pytest

from conftest import run_formwatch, write_synthetic_recording
from formwatch.core.exercises import get_exercise
from formwatch.core.signature import aggregate_reference, evolve_limits, summarise
from formwatch.io.history import History
from formwatch.sim.scenarios import Scenario, generate

sys.path.insert(0, str(Path(__file__).parent))
from test_calibration import sway_then_still  # noqa: E402

HINGE = get_exercise("hinge")
SAFETY = {"shoulder_elevation_cm": 2.0, "hip_extension_deg": 8.0}


def a_set(shoulder_peaks, status="done", stopped=False, clean=None, metric=None, verdicts=None):
    """A set as the history gives it back: its status and summary; the first ``clean`` reps clean, a stop on
    ``metric`` in the rep after them (or the verdicts given, "clean" / "note" / "fault" a rep; none: none judged)."""
    from types import SimpleNamespace

    from formwatch.core.events import Against, RepJudged, Stop, Verdict
    from formwatch.core.set_summary import JudgeFacts, SetSummary

    reps = [{"rep": i + 1, "depth_deg": 70.0, "down_s": 1.0, "up_s": 1.2, "fully_tracked": True,
             "peaks": {"shoulder_elevation_cm": p, "hip_extension_deg": 1.0}} for i, p in enumerate(shoulder_peaks)]
    clean = len(reps) if clean is None else clean
    if verdicts is None:
        verdicts = ["clean"] * clean + ["fault"] * (len(reps) - clean)
    judged = tuple(RepJudged(float(i), i, 0.0, 1.0, Verdict(v)) for i, v in enumerate(verdicts, start=1))
    stop = Stop(10.0, clean + 1, metric or "", 3.0, 2.0, "phase", Against.OWN_REPS) if stopped else None
    summary = SetSummary(judged_set=True, exercise="hinge", reps=len(reps), judged=judged, stop=stop,
                         judge=JudgeFacts(rep_features=tuple(reps)))
    return SimpleNamespace(status=status, summary=summary)


def test_steady_clean_reps_tighten_a_limit_with_a_sentence_that_gives_the_evidence():
    sets = [a_set([1.10, 1.20, 1.30, 1.25, 1.15]) for _ in range(3)]
    limits, changes = evolve_limits(HINGE, sets, SAFETY, {})
    assert limits["shoulder_elevation_cm"] == pytest.approx(1.25 * 1.30)  # above every clean rep, with room
    change = next(c for c in changes if c.metric == "shoulder_elevation_cm")
    assert (change.old, change.safety) == (2.0, 2.0)
    assert "2.0 cm -> 1.6 cm" in change.sentence and "15 clean reps stayed within 1.3 cm" in change.sentence
    # The same evidence again moves nothing (hysteresis): a limit does not wobble from set to set.
    again, more = evolve_limits(HINGE, sets, SAFETY, limits)
    assert again == limits and more == []


def test_never_looser_than_calibrated_never_tighter_than_half_and_not_without_enough_evidence():
    wild = [a_set([1.8, 1.9, 3.5, 1.7, 1.6]) for _ in range(3)]  # clean reps reaching past the calibrated limit
    limits, _ = evolve_limits(HINGE, wild, SAFETY, {"shoulder_elevation_cm": 1.0})
    assert limits["shoulder_elevation_cm"] == 2.0  # back up, but only to the calibrated limit
    still = [a_set([0.05] * 5) for _ in range(3)]
    limits, _ = evolve_limits(HINGE, still, SAFETY, {})
    assert limits["shoulder_elevation_cm"] == 1.0  # half the calibrated 2.0, however steady
    few = [a_set([0.5] * 5) for _ in range(2)]  # two sets are not enough evidence
    assert evolve_limits(HINGE, few, SAFETY, {}) == ({"shoulder_elevation_cm": 2.0, "hip_extension_deg": 8.0}, [])
    interrupted = [a_set([0.5] * 5, status="interrupted") for _ in range(4)]  # cut sets are no evidence
    assert evolve_limits(HINGE, interrupted, SAFETY, {})[1] == []


def test_a_recalibrated_lower_limit_takes_over_at_once():
    limits, changes = evolve_limits(HINGE, [], {"shoulder_elevation_cm": 1.5}, {"shoulder_elevation_cm": 1.8})
    assert limits["shoulder_elevation_cm"] == 1.5 and "calibration changed" in changes[0].sentence


def test_only_reps_before_the_stop_count_as_clean_evidence():
    sets = [a_set([0.5, 0.5, 0.5, 0.5, 3.0], stopped=True, clean=4, metric="shoulder_elevation_cm")
            for _ in range(3)]
    limits, _ = evolve_limits(HINGE, sets, SAFETY, {})
    assert limits["shoulder_elevation_cm"] == pytest.approx(1.0)  # the 3.0 cm rep that stopped the set is ignored


def test_the_summary_says_typical_reps_reps_to_stop_and_the_fault_that_ends_sets():
    sets = [a_set([0.5] * 8), a_set([0.5] * 6, stopped=True, clean=5, metric="shoulder_elevation_cm"),
            a_set([0.5] * 5, stopped=True, clean=3, metric="shoulder_elevation_cm"),
            a_set([0.5] * 4, stopped=True, clean=4, metric="hip_extension_deg"), a_set([], status="interrupted")]
    sig = summarise(HINGE, "me", sets, SAFETY, {})
    assert (sig.sets, sig.completed_sets, sig.interrupted_sets, sig.stopped_sets) == (5, 4, 1, 3)
    assert sig.reps_to_stop == 4 and sig.typical_clean_reps == 4.5
    assert (sig.ending_fault, sig.ending_fault_sets) == ("shoulder_elevation_cm", 2)
    assert sig.depth_deg == 70.0 and sig.down_s == 1.0
    shoulders = next(m for m in sig.metrics if m.name == "shoulder_elevation_cm")
    assert shoulders.clean_reps == 20 and shoulders.largest_peak == 0.5 and shoulders.limit_in_force == 2.0
    json.dumps(sig.to_json())  # plain JSON, NaN as null


def test_the_reference_curve_is_the_median_over_sets_bin_by_bin():
    refs = [{"mean": {"m": [0.0, 1.0, None]}}, {"mean": {"m": [2.0, 3.0, None]}}, {"mean": {"m": [1.0, 9.0, None]}},
            None]
    assert aggregate_reference(refs) == {"m": [1.0, 3.0, None]}


def test_a_v1_history_is_migrated_and_its_sets_still_read(tmp_path):
    path = tmp_path / "history.sqlite3"
    con = sqlite3.connect(path)
    from formwatch.io.history import _MIGRATIONS

    con.executescript(_MIGRATIONS[1] + "; PRAGMA user_version = 1;")
    con.execute("INSERT INTO sets (started, status, source, exercise, reps) VALUES ('2026-01-01T10:00:00', 'done', "
                "'live', 'hinge', 5)")
    con.commit()
    con.close()
    with History(path) as history:
        (row,) = history.sets()
        assert row.summary.reps == 5 and dict(row.summary.judge.limits) == {} and row.summary.judge.reference is None
        assert history.limits_in_force("me", "hinge") == {}


def test_sets_with_a_profile_evolve_the_limits_which_the_history_keeps_and_forget_removes(tmp_path):
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    still = write_synthetic_recording(tmp_path / "still", *sway_then_still())
    assert run_formwatch(["calibrate", "--profile", "me", "--recording", str(still)], home, work).returncode == 0
    outputs = []
    for seed in range(4):
        rec = write_synthetic_recording(tmp_path / f"set{seed}", *generate(Scenario(reps=6, seed=seed)))
        result = run_formwatch(["analyze", str(rec), "--exercise", "hinge", "--profile", "me"], home, work)
        assert result.returncode == 0 and "No stop: 6 reps, all clean" in result.stdout, result.stderr
        outputs.append(result.stderr)
    assert not any("limit" in err and "->" in err for err in outputs[:3])  # three sets: evidence being gathered
    assert "Shoulders up limit 2.0 cm -> 1.0 cm" in outputs[3]  # the fourth set starts with a tighter limit
    sig = json.loads(run_formwatch(["signature", "--profile", "me", "--json"], home, work).stdout)["signatures"][0]
    shoulders = next(m for m in sig["metrics"] if m["name"] == "shoulder_elevation_cm")
    assert shoulders["limit_in_force"] == 1.0 and shoulders["safety_limit"] == 2.0
    assert sig["limit_changes"][0]["sentence"].startswith("Shoulders up limit")
    assert sig["reference"]["shoulder_elevation_cm"]  # what the reps look like, phase by phase
    rows = json.loads(run_formwatch(["history", "--json"], home, work).stdout)["sets"]
    assert rows[-1]["summary"]["judge"]["limits"]["shoulder_elevation_cm"] == 1.0  # judged with it, and says so
    text = run_formwatch(["signature", "--profile", "me"], home, work).stdout
    assert "limit in force 1.0 cm (calibrated 2.0)" in text
    report = tmp_path / "r.html"
    assert run_formwatch(["report", "--out", str(report)], home, work).returncode == 0
    page = report.read_text()
    assert "Signature movement profile" in page and "Shoulders up: 1.0 cm (2.0)" in page
    assert "Shoulders up limit 2.0 cm -&gt; 1.0 cm" in page
    assert run_formwatch(["forget", "--all", "--yes"], home, work).returncode == 0
    with History(home / "history.sqlite3") as history:
        assert history.limit_changes() == []
    assert list(work.iterdir()) == []


def test_no_history_means_the_calibrated_limits_only(tmp_path):
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    still = write_synthetic_recording(tmp_path / "still", *sway_then_still())
    run_formwatch(["calibrate", "--profile", "me", "--recording", str(still)], home, work)
    rec = write_synthetic_recording(tmp_path / "set", *generate(Scenario(reps=6)))
    for i in range(4):
        result = run_formwatch(["analyze", str(rec), "--exercise", "hinge", "--profile", "me", "--no-history",
                                "--out", str(tmp_path / f"out{i}")], home, work)
        assert result.returncode == 0 and "->" not in result.stderr
    assert not (home / "history.sqlite3").exists() or History(home / "history.sqlite3").sets() == []


def test_a_new_set_in_the_live_window_starts_with_the_limits_in_force_then(tmp_path):
    """Space starts a new set: the set just ended goes into the history first, then the new set's limits are
    chosen (they may have moved with it)."""
    from types import SimpleNamespace

    from formwatch.app.live import FakeEstimator, LiveRunner
    from formwatch.capture.sources import Frame
    from formwatch.core.detector import Detector
    from formwatch.core.session import SetSession
    from formwatch.io.recording import RecordingWriter

    t, image, world = generate(Scenario(reps=2))
    session = SetSession((1280, 720), detector=Detector("hinge", limits={"shoulder_elevation_cm": 2.0},
                                                         profile_loaded=True))
    meta = {"fps": 30.0, "frame_width": 1280, "frame_height": 720}
    writer = RecordingWriter(tmp_path / "a", meta, session.schema)
    no_camera = SimpleNamespace(mailbox=SimpleNamespace(dropped=0))
    runner = LiveRunner(no_camera, FakeEstimator(image, world), session, writer)
    order = []
    runner.finish = lambda original=runner.finish: order.append("finished") or original()
    from formwatch.core.plan import make_plan

    runner.plan_for_new_set = lambda: order.append("limits") or make_plan(
        "hinge", limits={"shoulder_elevation_cm": 2.0}, calibrated=True, evolved={"shoulder_elevation_cm": 1.2})
    for i in range(30):
        runner.process(Frame(i, 100.0 + t[i], None, float(t[i])))
    runner.request_new_set(lambda: RecordingWriter(tmp_path / "b", meta, session.schema))
    runner.process(Frame(30, 100.0 + t[30], None, float(t[30])))
    assert order == ["finished", "limits"]
    detector = session.judge.inner
    assert detector.limit_of(detector.watched[0]) == 1.2
    runner.finish()


def test_the_signature_counts_faulty_and_noted_reps_of_the_sets_that_have_verdicts():
    from formwatch.app.signature import describe, short_lines

    sets = [a_set([0.5] * 8, verdicts=["fault", "note", "note"] + ["clean"] * 5),
            a_set([0.5] * 6, verdicts=["note"] + ["clean"] * 5),
            a_set([0.5] * 5, verdicts=[])]  # recorded before rep verdicts: not counted
    sig = summarise(HINGE, "me", sets, SAFETY, {})
    assert (sig.faulty_reps, sig.noted_reps, sig.judged_reps) == (1, 3, 14)
    assert "1 faulty and 3 with a note, of 14 reps" in describe(sig, [])
    assert "(1 faulty, 3 with a note, of 14 reps)" in short_lines([(sig, [])])[0]
