"""Text that fits its rectangle: the largest font size (within bounds) at which the text fits, on one line or
wrapped; eliding only as a last resort, and recorded so tests can check every string a patient reads fits."""

from __future__ import annotations

from dataclasses import dataclass

from PyQt6.QtCore import QRectF, Qt
from PyQt6.QtGui import QFont, QFontMetricsF, QPainter

_WRAP = Qt.TextFlag.TextWordWrap


@dataclass(frozen=True)
class Placed:
    """What was drawn where: the text asked for, the text drawn, the rectangle, and whether it fitted whole."""

    text: str
    drawn: str
    rect: QRectF
    pixel_size: int
    fits: bool


def fitted_font(text: str, rect: QRectF, max_px: float, min_px: float, bold: bool = False, wrap: bool = False
                ) -> tuple[QFont, bool]:
    """The largest font from ``max_px`` down to ``min_px`` whose layout of ``text`` fits ``rect``."""
    font = QFont()
    font.setBold(bold)
    size = int(max_px)
    while True:
        font.setPixelSize(max(int(size), 1))
        metrics = QFontMetricsF(font)
        if wrap:
            bound = metrics.boundingRect(QRectF(0, 0, rect.width(), 1e6), int(_WRAP), text)
            fits = bound.width() <= rect.width() + 0.5 and bound.height() <= rect.height() + 0.5
        else:
            fits = metrics.horizontalAdvance(text) <= rect.width() and metrics.height() <= rect.height() + 0.5
        if fits or size <= min_px:
            return font, fits
        size -= 1


def draw_fitted(p: QPainter, rect: QRectF, text: str, max_px: float, min_px: float, align: Qt.AlignmentFlag,
                bold: bool = False, wrap: bool = False, log: list[Placed] | None = None) -> None:
    """Draw ``text`` as large as fits (on one line, or wrapped when allowed); elide only if even ``min_px`` fails."""
    font, fits = fitted_font(text, rect, max_px, min_px, bold, wrap)
    p.setFont(font)
    drawn = text
    if not fits and not wrap:
        drawn = p.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, int(rect.width()))
    flags = align | (_WRAP if wrap else Qt.AlignmentFlag(0))
    p.drawText(rect, flags, drawn)
    if log is not None:
        log.append(Placed(text, drawn, QRectF(rect), font.pixelSize(), fits))


def wrapped_height(text: str, width: float, px: float, bold: bool = False) -> float:
    """The height ``text`` takes wrapped to ``width`` at ``px`` pixels (to lay blocks out top-down)."""
    font = QFont()
    font.setBold(bold)
    font.setPixelSize(max(int(px), 1))
    return QFontMetricsF(font).boundingRect(QRectF(0, 0, width, 1e6), int(_WRAP), text).height()
