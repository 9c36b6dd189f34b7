"""Readable at 2-3 m (ui/set_screen.py): read by OCR (tesseract) as a person would, the message's words are at
least 48 px tall and at most a tenth of all words under 28 px, on the drawn states and on live screenshots of real
clips; and the panel never covers the person in the shared clips' frames."""

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import run_formwatch, shared_file

pytest.importorskip("PyQt6")
TESSERACT = shutil.which("tesseract")
needs_ocr = pytest.mark.skipif(TESSERACT is None, reason="tesseract (Debian tesseract-ocr) is not installed")
ASCENDING = set("ABCDEFGHIJKLMNOPQRSTUVWXYZbdfhklt0123456789")  # letters that reach a word's full height


MIN_CONFIDENCE = 40  # tesseract's own confidence that a read is text: the camera picture's textures read below it


def ocr_words(png: Path, min_confidence: float = 0.0) -> list[tuple[str, int]]:
    """(word, height in px) of every word tesseract reads in ``png`` with at least ``min_confidence``
    (punctuation-only marks left out)."""
    tsv = subprocess.run([TESSERACT, str(png), "-", "tsv"], capture_output=True, text=True, check=True).stdout
    words = []
    for line in tsv.splitlines()[1:]:
        cols = line.split("\t")
        if (len(cols) == 12 and cols[11].strip() and any(c.isalnum() for c in cols[11])
                and float(cols[10]) >= min_confidence):
            words.append((cols[11].strip(), int(cols[9])))
    return words


def assert_readable(words: list[tuple[str, int]], message: str | None) -> None:
    assert words, "nothing was read"
    small = [w for w in words if w[1] < 28]
    assert len(small) <= 0.1 * len(words), (small, words)
    if message is None:  # a live screenshot: the message is the largest words on it
        assert sum(h >= 48 for _, h in words) >= 2, words
        return
    tokens = [t.strip(".,:;—").lower() for t in message.split() if any(c.isalnum() for c in t)]
    norm = [w.strip(".,:;—").lower() for w, _ in words]
    start = norm.index(tokens[0]) if tokens[0] in norm else 0  # the message is read first: the panel's top
    read = [(w, h) for (w, h), n in zip(words[start:start + len(tokens)], norm[start:start + len(tokens)])
            if n in tokens and set(w) & ASCENDING]
    assert read, (message, words)
    assert all(h >= 48 for _, h in read), (message, read)


@needs_ocr
@pytest.mark.parametrize("name", ["drifting", "hold", "clean", "stopped", "stopped-hold", "stopped-shoulders"])
def test_the_mid_set_and_stop_screens_are_read_from_across_the_room(qtbot, tmp_path, name):
    from formwatch.ui.overlay import OverlayWidget
    from formwatch.ui.states import overlay_states

    widget = OverlayWidget((1280, 720))
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    state = overlay_states()[name]
    widget.set_view(state)
    widget.grab().save(str(tmp_path / "screen.png"))
    assert_readable(ocr_words(tmp_path / "screen.png"), state.far_banner or state.banner)


@needs_ocr
@pytest.mark.realdata
@pytest.mark.parametrize("clip, exercise, seconds", [("kaiakol_data_videos_pushup_incorrect_001.mp4", "plank", 6),
                                                     ("formfit_deadlift.mp4", "hinge", 2.5)])
def test_live_screenshots_of_real_clips_are_read_from_across_the_room(tmp_path, model_path, clip, exercise, seconds):
    video = shared_file("video", clip)
    shot = tmp_path / "live.png"
    result = run_formwatch(["live", "--video", str(video), "--exercise", exercise, "--screenshot", str(shot),
                            "--exit-after", str(seconds), "--no-history", "--model", str(model_path)],
                           tmp_path / "home", tmp_path)
    assert result.returncode == 0, result.stderr
    # The camera's picture sits behind the words: its textures (a floor, a shirt) can read as 'a' or 'oe' at low
    # confidence. The words the screen drew read at >= 90 (see the drawn states, read with no threshold).
    words = ocr_words(shot, MIN_CONFIDENCE)
    assert len(words) >= 5, words  # the stop panel holds about 15 words; a busy machine shows a later frame
    assert_readable(words, None)


@pytest.mark.realdata
def test_the_panel_never_covers_the_person_in_the_shared_clips(shared_clip_recordings):
    """Beside the whole person wherever there is room for the words; where the person fills the picture (a camera
    too close), beside the head and trunk — never over them."""
    from formwatch.io.recording import load_recording
    from formwatch.ui.set_screen import HEAD_AND_TRUNK, Box, panel_place, person_box

    width, height = 1366, 768
    checked = beside_all = 0
    for clip, path in shared_clip_recordings.items():
        recording = load_recording(path)
        fw, fh = recording.frame_size_px
        scale = min(width / fw, height / fh)
        frame = Box((width - fw * scale) / 2, (height - fh * scale) / 2, fw * scale, fh * scale)
        for landmarks in recording.image[::2]:
            person = person_box(landmarks, frame)
            if person is None:
                continue
            checked += 1
            panel, kept_clear = panel_place(Box(0, 0, width, height), landmarks, frame)
            head_and_trunk = person_box(landmarks, frame, only=HEAD_AND_TRUNK)
            assert kept_clear is not None and not panel.overlaps(kept_clear), (clip, panel, kept_clear)
            assert head_and_trunk is None or not panel.overlaps(head_and_trunk), (clip, panel, head_and_trunk)
            assert panel.w >= 0.25 * width and panel.h >= 0.2 * height, (clip, panel)
            beside_all += not panel.overlaps(person)
    assert checked > 500
    assert beside_all >= 0.7 * checked, (beside_all, checked)  # 76 %: the too-close bridge and bird-dog clips


def test_the_panel_goes_beside_a_standing_person_and_above_or_below_a_plank():
    from formwatch.ui.set_screen import Box, panel_beside

    screen = Box(0, 0, 1366, 768)
    standing = Box(500, 60, 300, 680)
    right = panel_beside(screen, standing)
    assert right.x >= standing.right and not right.overlaps(standing)
    plank = Box(40, 300, 1200, 250)
    band = panel_beside(screen, plank)
    assert band.w > 1000 and not band.overlaps(plank)
    assert panel_beside(screen, None).x > screen.w / 2  # nobody seen: the right side


@needs_ocr
@pytest.mark.parametrize("name", ["routine-intro", "routine-rest"])
def test_a_routines_introductions_and_rests_are_read_from_across_the_room(qtbot, tmp_path, name):
    from formwatch.ui.routine_card import RoutineCardWidget
    from formwatch.ui.states import routine_cards

    card = routine_cards()[name]
    widget = RoutineCardWidget(card, clock=lambda: 0.0)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.grab().save(str(tmp_path / "card.png"))
    assert_readable(ocr_words(tmp_path / "card.png"), card.heading)
