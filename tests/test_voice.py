"""The voice (app/voice.py): on by default where it can be heard, one line where it cannot, and at a stop it says
the screen's words — rendered by espeak-ng to a WAV file here (no sound device needed)."""

import shutil
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
