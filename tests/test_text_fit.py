"""Every overlay state's text fits its space at the sizes people's screens have: no banner cut off, no label
spilling out of its panel (rendered offscreen), and a screenshot of each to look at."""

from pathlib import Path

import pytest

pytest.importorskip("PyQt6")

SCREENSHOTS = Path(__file__).resolve().parents[1] / "tests" / "screenshots" / "states"
SIZES = [(1280, 720), (1366, 768), (1920, 1080)]


@pytest.mark.parametrize("details", [False, True], ids=["set-time", "details"])
@pytest.mark.parametrize("size", SIZES)
def test_every_state_fits_its_text_at_laptop_and_monitor_sizes(qtbot, size, details):
    from formwatch.ui.overlay import OverlayWidget
    from formwatch.ui.states import overlay_states

    widget = OverlayWidget((1280, 720))
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.details = details
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, state in overlay_states().items():
        widget.set_view(state)
        image = widget.grab()
        placed = widget.text_log
        assert placed, name
        for item in placed:
            assert item.fits and item.drawn == item.text, (name, size, item.text, item.pixel_size)
            # readable at arm's length (details), from 2-3 m (the set-time screen; a smaller window scales it)
            assert item.pixel_size >= (11 if details else 0.55 * 40), (name, item.text, item.pixel_size)
        message = state.banner if details else (state.far_banner or state.banner)
        banner = next(p for p in placed if p.text == message)
        assert banner.pixel_size >= (15 if details else 0.55 * 48), (name, size, banner.pixel_size)
        if size == (1366, 768) and not details:
            assert banner.pixel_size >= 48 and min(p.pixel_size for p in placed) >= 40, (name, banner.pixel_size)
        image.save(str(SCREENSHOTS / f"{name}-{size[0]}x{size[1]}{'-details' if details else ''}.png"))


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
