"""Every overlay state's text fits its space at the sizes people's screens have: no banner cut off, no label
spilling out of its panel (rendered offscreen), and a screenshot of each to look at."""

from pathlib import Path

import pytest

pytest.importorskip("PyQt6")

SCREENSHOTS = Path(__file__).resolve().parents[1] / "tests" / "screenshots" / "states"
SIZES = [(1280, 720), (1366, 768), (1920, 1080)]


@pytest.mark.parametrize("size", SIZES)
def test_every_state_fits_its_text_at_laptop_and_monitor_sizes(qtbot, size):
    from formwatch.ui.overlay import OverlayWidget
    from formwatch.ui.states import overlay_states

    widget = OverlayWidget((1280, 720))
    qtbot.addWidget(widget)
    widget.resize(*size)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, state in overlay_states().items():
        widget.set_view(state)
        image = widget.grab()
        placed = widget.text_log
        assert placed, name
        for item in placed:
            assert item.fits and item.drawn == item.text, (name, size, item.text, item.pixel_size)
            assert item.pixel_size >= 11, (name, item.text)  # readable at arm's length
        banner = next(p for p in placed if p.text == state.banner)
        assert banner.pixel_size >= 15, (name, size, banner.pixel_size)
        image.save(str(SCREENSHOTS / f"{name}-{size[0]}x{size[1]}.png"))


def test_the_stop_says_what_how_much_when_and_what_to_do():
    from formwatch.ui.states import overlay_states

    state = overlay_states()["stopped"]
    summary = state.summary.splitlines()
    assert summary[0] == "Set ended: Low back rounded 7°."
    assert summary[1] == "Rep 7, 31 s into the set."
    assert summary[-3].startswith("What to do: Hinge from the hips")
    assert summary[-1] == "Space: new set · Q: quit"
    # Said once: the fault's words stand in the panel's first line only (the banner is the headline itself).
    assert sum("Low back rounded" in line for line in summary) == 1
