"""The voice (app/voice.py): spoken cues never block (say() returns at once, the newest cue wins, a stand-in engine
hears the words); on by default where it can be heard, one line where it cannot; at a stop it says the screen's
words — rendered by espeak-ng to a WAV file here (no sound device needed)."""

import shutil
import sys
import time
import wave

import pytest

import numpy as np

from formwatch.app.voice import VoiceCues, render_wav, why_silent
from formwatch.core.cues import CuePolicy
from formwatch.core.events import Against, BreathHeld, RepJudged, Stop, Verdict
from formwatch.core.frame_record import BreathReading, FrameRecord
from formwatch.core.registry import LUMBAR_CURVE, REGISTRY
from formwatch.core.wording import KEYS_STOPPED, stop_far_lines, stop_headline, stop_spoken


def a_stop():
    return Stop(31.4, 7, LUMBAR_CURVE, 7.2, 5.0, "phase", Against.OWN_REPS)


def test_the_words_spoken_at_a_stop_are_the_screens():
    stop = a_stop()
    spoken = stop_spoken(stop, "hinge")
    screen = f"STOP — {stop_headline(stop, 'hinge')}\n{stop_far_lines(stop, 'hinge')}"
    assert spoken.startswith("Stop. Low back rounded 7 degrees.")
    for line in stop_far_lines(stop, "hinge").splitlines():
        if line != KEYS_STOPPED:
            assert line.replace("°", " degrees") in spoken
    words = {w.strip(".,;:·").lower() for w in screen.replace("°", " degrees").split()} | {"degrees"}
    assert all(w.strip(".,;:·").lower() in words for w in spoken.split() if w.strip(".,;:·"))


def record(t_s, exercise="plank", rep=0, phase="", breath=BreathReading(), events=(), state="clean"):
    """A frame's record as the session makes it (the fields the cues read)."""
    return FrameRecord(t_s, np.zeros(len(REGISTRY)), breath, exercise, state, rep, phase, True, events=events)


def spoken(policy, records):
    return [c.spoken for r in records for c in policy.cues(r) if c.spoken]


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_espeak_renders_the_stop_to_a_wav(tmp_path):
    path = render_wav(stop_spoken(a_stop(), "hinge"), tmp_path / "stop.wav")
    with wave.open(str(path)) as w:
        seconds = w.getnframes() / w.getframerate()
    assert 2.0 < seconds < 20.0  # a few seconds of speech, not silence and not a hang


def test_where_nothing_can_speak_one_line_says_why(monkeypatch, capsys):
    import argparse

    from formwatch.app import voice
    from formwatch.cli.live import make_voice

    monkeypatch.setattr(voice, "find_engine", lambda: None)
    assert why_silent() == "no speech engine found (install espeak-ng)"
    assert make_voice(argparse.Namespace(voice=True)) is None
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["formwatch: voice off: no speech engine found (install espeak-ng); the cues stay on screen and "
                   "in this terminal"]
    assert make_voice(argparse.Namespace(voice=False)) is None and capsys.readouterr().err == ""  # --no-voice


def test_muted_cues_are_not_handed_to_the_engine():
    voice = VoiceCues(command=["true"], muted=True)
    voice.say("Stop.")
    voice.muted = False
    voice.say("Rep 3: clean")
    voice.close()
    assert "Stop." not in voice.spoken

def test_cues_reach_the_engine_without_blocking_and_the_newest_wins(tmp_path):
    import threading

    heard, gate = tmp_path / "heard.txt", tmp_path / "gate"
    # A stand-in engine that speaks only once the test opens the gate, writing what it was asked to say: say()
    # returning while the engine is stuck proves it never waits for it (no timing involved).
    engine = [sys.executable, "-c",
              "import os, sys, time\n"
              f"while not os.path.exists({str(gate)!r}): time.sleep(0.01)\n"
              f"open({str(heard)!r}, 'a').write(sys.argv[1] + '\\n')"]
    voice = VoiceCues(engine)
    voice.say("Stop. Shoulders crept up 0.8 cm.")
    deadline = time.monotonic() + 30
    while not voice.spoken and time.monotonic() < deadline:  # the engine has taken the first cue
        time.sleep(0.01)
    caller = threading.Thread(target=lambda: [voice.say(t) for t in ("stale 1", "stale 2", "Careful: ribs flaring")])
    caller.start()
    caller.join(timeout=30)
    assert not caller.is_alive() and not heard.exists()  # all three said while the engine was still stuck
    gate.touch()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (not heard.exists() or len(heard.read_text().splitlines()) < 2):
        time.sleep(0.05)
    voice.close()
    lines = heard.read_text().splitlines()
    assert lines[0] == "Stop. Shoulders crept up 0.8 cm." and lines[-1] == "Careful: ribs flaring"
    assert "stale 1" not in lines  # a cue overtaken before it was spoken is dropped


def test_without_an_engine_the_cues_are_silent_and_say_so(capsys):
    import formwatch.app.voice as module

    original = module.find_engine
    module.find_engine = lambda: None
    try:
        voice = VoiceCues()
        voice.say("anything")
        voice.close()
    finally:
        module.find_engine = original
    assert "no speech engine" in capsys.readouterr().err and voice.spoken == []


def test_a_held_breath_is_spoken_once_not_every_frame():
    held = BreathReading(True, 11.0, 1.0, 3.0)
    calm = BreathReading(True, 11.0, 1.0, 0.0)
    records = [record(1.0, breath=held, events=(BreathHeld(1.0, 2.0),)), record(1.1, breath=held),
               record(1.2, breath=held), record(1.3, breath=calm), record(1.4, breath=calm),
               record(1.5, breath=held, events=(BreathHeld(1.5, 2.0),)), record(1.6, breath=calm)]
    # once per held breath; the pacing cue once a set, without its live number
    assert spoken(CuePolicy(), records) == ["Keep breathing. Breathe out slowly.", "Breathe slowly.",
                                            "Keep breathing. Breathe out slowly."]


def test_the_rep_pacing_cues_are_spoken_once_a_set_and_a_held_breath_says_what_to_do():
    held = BreathReading(True, 11.0, 1.0, 7.0)
    records = [record(t, "hinge", phase=p) for t, p in ((1.0, "down"), (1.5, "up"), (2.0, "down"), (2.5, "up"))]
    records += [record(3.0, "hinge", phase="up", breath=held, events=(BreathHeld(3.0, 2.0),)),
                record(3.1, "hinge", phase="up", breath=held), record(3.5, "hinge", phase="up"),
                record(4.0, "hinge", phase="down")]
    assert spoken(CuePolicy(), records) == ["Breathe in as you lower.", "Breathe out as you rise.",
                                            "Keep breathing. Breathe out as you rise."]


@pytest.mark.parametrize("count_reps", [True, False])
def test_clean_reps_are_counted_aloud_as_a_setting_and_a_reps_note_is_always_said(count_reps):
    def judged(rep, verdict, metric=None, deviation=None):
        return RepJudged(float(rep), rep, rep - 1.0, float(rep), verdict, metric, deviation, 10.0, Against.SET_START)

    records = [record(1.0, "hinge", 1, "", events=(judged(1, Verdict.CLEAN),)), record(1.1, "hinge", 1),
               record(2.0, "hinge", 2, "", events=(judged(2, Verdict.NOTE, LUMBAR_CURVE, 12.0),)),
               record(3.0, "hinge", 3, "", events=(judged(3, Verdict.CLEAN),)),
               record(4.0, "hinge", 1, "", events=(judged(1, Verdict.CLEAN),))]  # then a new set
    note = "Rep 2: low back rounded 12 degrees: Hinge from the hips with a long, braced spine; keep your chest proud"
    assert spoken(CuePolicy(count_reps), records) == (["1", note, "3", "1"] if count_reps else [note])
