"""The voice (app/voice.py): spoken cues never block (say() returns at once, the newest cue wins, a stand-in engine
hears the words); on by default where it can be heard, one line where it cannot; at a stop it says the screen's
words — rendered by espeak-ng to a WAV file here (no sound device needed)."""

import shutil
import sys
import time
import wave

import pytest

from formwatch.app.voice import VoiceCues, render_wav, why_silent
from formwatch.core.registry import LUMBAR_CURVE
from formwatch.core.exercises import get_exercise
from formwatch.core.rules import make_stop
from formwatch.ui.view_model import KEYS_STOPPED, far_stop_lines, stop_words


def a_stop():
    rounding = next(s for s in get_exercise("hinge").watched_specs() if s.name == LUMBAR_CURVE)
    return make_stop(31.4, 7, rounding, 7.2, 5.0, "limit", 6, sentence_rule="phase")


def test_the_words_spoken_at_a_stop_are_the_screens():
    stop = a_stop()
    spoken = stop_words(stop)
    screen = f"STOP — {stop.headline}\n{far_stop_lines(stop)}"
    assert spoken.startswith("Stop. Low back rounded 7 degrees.")
    for line in far_stop_lines(stop).splitlines():
        if line != KEYS_STOPPED:
            assert line.replace("°", " degrees") in spoken
    words = {w.strip(".,;:·").lower() for w in screen.replace("°", " degrees").split()} | {"degrees"}
    assert all(w.strip(".,;:·").lower() in words for w in spoken.split() if w.strip(".,;:·"))


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_espeak_renders_the_stop_to_a_wav(tmp_path):
    path = render_wav(stop_words(a_stop()), tmp_path / "stop.wav")
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
    from types import SimpleNamespace

    from formwatch.ui.live_window import LiveWindow
    from formwatch.ui.view_model import OverlayState

    said = []
    window = SimpleNamespace(voice=SimpleNamespace(say=said.append), _spoken_state="clean", _spoken_held=False,
                             _spoken_line="", _spoken_pacing=set(), _spoken_rep=0)
    held = OverlayState(state="clean", pacing="Keep breathing: breath held 3 s — breathe out slowly")
    calm = OverlayState(state="clean", pacing="Breathe slowly: 6 breaths a minute · now 11")
    for view in (held, held, held, calm, calm, held, calm):
        LiveWindow._speak_state(window, view)
    # once per held breath; the pacing cue once a set, without its live number
    assert said == ["Keep breathing. Breathe out slowly.", "Breathe slowly, 6 breaths a minute.",
                    "Keep breathing. Breathe out slowly."]


def test_the_rep_pacing_cues_are_spoken_once_a_set_and_a_held_breath_says_what_to_do():
    from types import SimpleNamespace

    from formwatch.ui.live_window import LiveWindow
    from formwatch.ui.view_model import OverlayState

    said = []
    window = SimpleNamespace(voice=SimpleNamespace(say=said.append), _spoken_state="clean", _spoken_held=False,
                             _spoken_line="", _spoken_pacing=set(), _spoken_rep=0)
    up, down = (OverlayState(state="clean", pacing=p) for p in ("Breathe out as you rise", "Breathe in as you lower"))
    held = OverlayState(state="clean", pacing="Keep breathing: breath held 7 s — breathe out as you rise")
    for view in (down, up, down, up, held, held, up, down):
        LiveWindow._speak_state(window, view)
    assert said == ["Breathe in as you lower.", "Breathe out as you rise.", "Keep breathing. Breathe out as you rise."]


@pytest.mark.parametrize("count_reps", [True, False])
def test_clean_reps_are_counted_aloud_as_a_setting_and_a_reps_note_is_always_said(count_reps):
    from types import SimpleNamespace

    from formwatch.ui.live_window import LiveWindow
    from formwatch.ui.view_model import OverlayState

    said = []
    window = SimpleNamespace(voice=SimpleNamespace(say=said.append, count_reps=count_reps), _spoken_state="clean",
                             _spoken_held=False, _spoken_line="", _spoken_pacing=set(), _spoken_rep=0)
    views = [OverlayState(state="clean", rep=1), OverlayState(state="clean", rep=1),
             OverlayState(state="clean", rep=2, pacing="Rep 2: low back rounded 12° — keep your chest proud"),
             OverlayState(state="clean", rep=3), OverlayState(state="clean", rep=1)]  # then a new set
    for view in views:
        LiveWindow._speak_state(window, view)
    note = "Rep 2: low back rounded 12 degrees: keep your chest proud"
    assert said == (["1", note, "3", "1"] if count_reps else [note])
