"""A routine's cards between sets (ui/routine_card.py): the countdown follows an injected clock, Space starts the
next set now, Q ends the routine; every word is drawn whole and at least 32 px tall."""

import pytest

pytest.importorskip("PyQt6")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_rest_counts_down_on_its_clock_and_ends_on_time(qtbot):
    from formwatch.ui.routine_card import RoutineCardWidget, rest_card

    clock = Clock()
    widget = RoutineCardWidget(rest_card(30.0, "bridge", "10 reps"), clock=clock)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    clock.now += 12.4
    assert widget.remaining_s() == pytest.approx(17.6) and not widget.done()
    widget.grab()  # paints
    assert "18" in [p.text for p in widget.placed]  # the seconds left, rounded up
    assert all(p.fits and p.pixel_size >= 32 for p in widget.placed), widget.placed
    clock.now += 17.6
    assert widget.done() and not widget.quit_routine


def test_space_starts_the_next_set_now_and_q_ends_the_routine(qtbot):
    from PyQt6.QtCore import Qt

    from formwatch.ui.routine_card import RoutineCardWidget, intro_card

    widget = RoutineCardWidget(intro_card(2, 3, "bridge", "10 reps", "Ribs down"), clock=Clock())
    qtbot.addWidget(widget)
    qtbot.keyClick(widget, Qt.Key.Key_Space)
    assert widget.done() and widget.skipped and not widget.quit_routine
    other = RoutineCardWidget(intro_card(2, 3, "bridge", "10 reps", "Ribs down"), clock=Clock())
    qtbot.addWidget(other)
    qtbot.keyClick(other, Qt.Key.Key_Q)
    assert other.done() and other.quit_routine


def test_a_card_is_shown_said_and_counted_down_then_the_routine_goes_on(qtbot):
    from formwatch.ui.routine_card import Card, show_card

    said = []
    voice = type("Voice", (), {"say": lambda self, text: said.append(text)})()
    assert show_card(Card("Rest", "Next: bridge, 10 reps", "Breathe slowly", 0.3), voice) is True
    assert said[0] == "Rest. Next: bridge, 10 reps. Breathe slowly." and said[1:] == ["1"]
