"""Between a routine's sets, in the window: what comes next and how to do it, or the rest counting down — shown as
big as the set-time screen (read from 2-3 m) and spoken, so nobody walks to the keyboard to read the terminal."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from PyQt6.QtCore import QEventLoop, QRectF, Qt, QTimer
from PyQt6.QtGui import QColor, QKeyEvent, QPainter, QPaintEvent

from formwatch.app.voice import VoiceCues
from PyQt6.QtWidgets import QWidget

from formwatch.ui.set_screen import COUNTER_PX, MESSAGE_PX, WORD_PX
from formwatch.ui.text_fit import Placed, draw_fitted
from formwatch.ui.png import save_screenshot

CARD_KEYS = "Space: start now · Q: end the routine"
INTRO_S = 6.0  # an exercise's introduction stays up this long (or until Space), time to get into position


@dataclass(frozen=True)
class Card:
    """What the card says: a heading (the exercise, or "Rest"), a line (the target, or what comes next), the cue,
    and how long it stays (the countdown)."""

    heading: str
    line: str
    cue: str
    seconds: float


def intro_card(index: int, steps: int, exercise: str, target: str, cue: str, seconds: float = INTRO_S) -> Card:
    return Card(f"{index} of {steps}: {exercise}", target, cue, seconds)


def rest_card(seconds: float, next_exercise: str, next_target: str, done_of_asked: str = "") -> Card:
    """The rest: what the step just done achieved of what it asked (core/wording.asked_amount, when known), then
    what comes next."""
    heading = f"Rest · done: {done_of_asked}" if done_of_asked else "Rest"
    return Card(heading, f"Next: {next_exercise}, {next_target}", "Breathe slowly, shoulders down", seconds)


class RoutineCardWidget(QWidget):
    """Paints one :class:`Card` with its countdown; Space ends it early, Q ends the routine."""

    def __init__(self, card: Card, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.card = card
        self.clock = clock
        self.started = clock()
        self.quit_routine = False
        self.skipped = False
        self.placed: list[Placed] = []  # what was drawn, at what size (tests read it)
        self.setWindowTitle("formwatch routine")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def remaining_s(self) -> float:
        return max(0.0, self.card.seconds - (self.clock() - self.started))

    def done(self) -> bool:
        return self.quit_routine or self.skipped or self.remaining_s() <= 0.0

    def keyPressEvent(self, event: QKeyEvent | None) -> None:  # noqa: N802 - Qt's name
        if event is None:
            return
        if event.key() in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.skipped = True
        elif event.key() in (Qt.Key.Key_Q, Qt.Key.Key_Escape):
            self.quit_routine = True
        else:
            super().keyPressEvent(event)

    def paintEvent(self, _event: QPaintEvent | None) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        p.fillRect(self.rect(), QColor(20, 22, 27))
        self.placed = []
        margin = 0.05 * w
        inner = w - 2 * margin
        p.setPen(QColor(240, 240, 240))
        draw_fitted(p, QRectF(margin, 0.06 * h, inner, 0.16 * h), self.card.heading, MESSAGE_PX * 1.25, 40,
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, bold=True, log=self.placed)
        p.setPen(QColor(180, 205, 255))
        draw_fitted(p, QRectF(margin, 0.24 * h, inner, 0.14 * h), self.card.line, MESSAGE_PX, 36,
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, log=self.placed)
        p.setPen(QColor(225, 225, 225))
        draw_fitted(p, QRectF(margin, 0.40 * h, 0.62 * inner, 0.38 * h), self.card.cue, WORD_PX, 36,
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, wrap=True, log=self.placed)
        p.setPen(QColor(255, 255, 255))
        count = f"{math.ceil(self.remaining_s()):.0f}"
        draw_fitted(p, QRectF(margin + 0.64 * inner, 0.38 * h, 0.36 * inner, 0.40 * h), count, COUNTER_PX * 2, 48,
                    Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, bold=True, log=self.placed)
        p.setPen(QColor(170, 176, 186))
        draw_fitted(p, QRectF(margin, 0.84 * h, inner, 0.10 * h), CARD_KEYS, 40, 32,
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, log=self.placed)
        p.end()


def show_card(card: Card, voice: VoiceCues | None = None, screenshot: Path | None = None) -> bool:
    """Show ``card`` until its time is up or Space; speak it, and the last three seconds. False: end the routine."""
    from formwatch.ui.live_window import fit_to_screen, qt_app

    qt_app()
    widget = RoutineCardWidget(card)
    fit_to_screen(widget, (1366, 768), (800, 450))
    widget.show()
    widget.activateWindow()
    if voice is not None:
        voice.say(". ".join(part for part in (card.heading, card.line, card.cue) if part) + ".")
    loop = QEventLoop()
    spoken: set[int] = set()

    def tick() -> None:
        left = math.ceil(widget.remaining_s())
        if voice is not None and 0 < left <= 3 and left not in spoken:
            spoken.add(left)
            voice.say(str(left))
        widget.update()
        if widget.done() or not widget.isVisible():
            loop.quit()

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(100)
    if screenshot is not None:
        QTimer.singleShot(300, lambda: save_screenshot(widget.grab(), screenshot))
    loop.exec()
    timer.stop()
    ended = widget.quit_routine or not widget.isVisible() and not widget.done()
    widget.close()
    return not ended
