"""Spoken cues never block: say() returns at once, the newest cue wins, and a stand-in engine hears the words."""

import sys
import time

from formwatch.app.voice import VoiceCues


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
    window = SimpleNamespace(voice=SimpleNamespace(say=said.append), _spoken_state="clean", _spoken_held=False)
    held = OverlayState(state="clean", pacing="Keep breathing: breath held 3 s — breathe out slowly")
    for view in (held, held, held, OverlayState(state="clean", pacing="Breathe slowly: 6 breaths a minute"), held):
        LiveWindow._speak_state(window, view)
    assert said == ["Keep breathing. Breathe out slowly."] * 2  # once per held breath
