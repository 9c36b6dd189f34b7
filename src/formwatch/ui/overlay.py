"""The live overlay: camera image (or a drawn skeleton), a banner readable across a room, gauges, rep counter.

The widget only paints the latest result it was handed (``set_result`` stores a reference and asks Qt for a
repaint; Qt merges repaints), so a busy GUI can never build a backlog or delay a stop: stops are decided in the
worker and arrive on their own signal.
"""

from __future__ import annotations

import math

import numpy as np
from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen
from PyQt6.QtWidgets import QSizePolicy, QWidget

from formwatch.core.landmarks import SKELETON_EDGES, Lm
from formwatch.core.wording import DROPPED_WARNING_FRACTION
from formwatch.core.registry import LUMBAR_CURVE, RIB_FLARE
from formwatch.core.silhouette import BACK, FRONT, edge_points
from formwatch.ui.set_screen import COUNTER_PX, MESSAGE_PX, WORD_PX, Box, panel_place
from formwatch.ui.text_fit import Placed, draw_fitted, fitted_font, wrapped_height
from formwatch.ui.view_model import OverlayState, colour_of


def state_colour(state: str) -> QColor:
    """The colour a screen state is painted in (ui/view_model.SCREEN_STATES)."""
    return QColor(colour_of(state))
MESSAGE_WHITE = 0.5  # the message's words: the state's colour, this much mixed with white (bright on the dark panel)
_EDGES = np.array([(int(a), int(b)) for a, b in SKELETON_EDGES])
_UNJUDGED_EDGE = QColor(120, 200, 255)


def _deviation_colour(fraction: float) -> QColor:
    """Green below 60 % of the limit, orange to the limit, red past it; light blue when not judged (yet)."""
    if math.isnan(fraction):
        return _UNJUDGED_EDGE
    if fraction < 0.6:
        return state_colour("clean")
    return state_colour("drifting") if fraction < 1.0 else state_colour("stopped")


def _tint(colour: QColor) -> QColor:
    """The state's colour mixed with white: the stop's red alone is dark (grey level 114 of 255), its words would
    sink into a dark panel for the eye (and for OCR); mixed, they stay red and bright."""
    return QColor(*(round(c + MESSAGE_WHITE * (255 - c)) for c in (colour.red(), colour.green(), colour.blue())))


class OverlayWidget(QWidget):
    """Paints the latest frame, skeleton and verdict."""

    def __init__(self, frame_size_px: tuple[int, int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.frame_size_px = frame_size_px
        self.view = OverlayState()
        self._qimage: QImage | None = None
        self._landmarks: np.ndarray | None = None
        self._profile: np.ndarray | None = None
        self.text_log: list[Placed] = []  # every string painted last time, and whether it fitted (tests read it)
        self.details = False  # False: the set-time screen for 2-3 m (ui/set_screen.py); True: every gauge (D key)
        self.panel: Box | None = None  # where the set-time panel was painted last (tests check it misses the person)
        self.setMinimumSize(640, 400)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    # ------------------------------------------------------------------------------------------------- input
    def set_frame(self, bgr: np.ndarray | None, landmarks: np.ndarray | None,
                  profile: np.ndarray | None = None) -> None:
        """Keep a reference to the newest frame (wrapped, not copied), its landmarks and its trunk profile."""
        if bgr is not None:
            h, w = bgr.shape[:2]
            self._frame_ref = bgr  # QImage does not own the buffer: keep it alive
            self._qimage = QImage(bgr.data, w, h, bgr.strides[0], QImage.Format.Format_BGR888)  # type: ignore[call-overload]
        self._landmarks = landmarks
        self._profile = profile
        self.update()

    def set_view(self, view: OverlayState) -> None:
        self.view = view
        self.update()

    # ------------------------------------------------------------------------------------------------- paint
    def _frame_rect(self) -> QRectF:
        w, h = self.frame_size_px
        scale = min(self.width() / w, self.height() / h)
        fw, fh = w * scale, h * scale
        return QRectF((self.width() - fw) / 2, (self.height() - fh) / 2, fw, fh)

    def paintEvent(self, event: QPaintEvent | None) -> None:  # noqa: N802 - Qt's name
        self.text_log.clear()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor(18, 20, 24))
        rect = self._frame_rect()
        if self._qimage is not None:
            p.drawImage(rect, self._qimage)
        else:
            p.fillRect(rect, QColor(34, 37, 44))
        self._paint_skeleton(p, rect)
        self._paint_trunk_edges(p, rect)
        if not self.details:
            self._paint_set_time(p, rect)
            p.end()
            return
        self._paint_banner(p)
        self._paint_rep_counter(p)
        self._paint_gauges(p)
        self._paint_readout(p)
        self._paint_pacing(p)
        if self.view.summary:
            self._paint_summary(p)
        p.end()

    def _paint_skeleton(self, p: QPainter, rect: QRectF) -> None:
        lm = self._landmarks
        if lm is None or np.isnan(lm[0, 0]):
            return
        xy = np.column_stack([rect.x() + lm[:, 0] * rect.width(), rect.y() + lm[:, 1] * rect.height()])
        seen = lm[:, 3] >= 0.5
        fault = self.view.fault_segments
        fault_colour = state_colour("stopped" if self.view.state == "stopped" else "drifting")
        width = max(3.0, rect.height() / 120)
        for a, b in _EDGES:
            if not (seen[a] and seen[b]):
                continue
            colour = fault_colour if (a, b) in fault else QColor(235, 240, 245)
            p.setPen(QPen(colour, width * (1.6 if colour is fault_colour else 1.0), Qt.PenStyle.SolidLine,
                          Qt.PenCapStyle.RoundCap))
            p.drawLine(QPointF(*xy[a]), QPointF(*xy[b]))
        if seen[Lm.LEFT_EAR] or seen[Lm.RIGHT_EAR]:  # the head, as a circle round the ears and nose
            head = np.nanmean(xy[[Lm.LEFT_EAR, Lm.RIGHT_EAR, Lm.NOSE]], axis=0)
            radius = max(width * 3, 1.3 * float(np.hypot(*(xy[Lm.NOSE] - head))))
            p.setPen(QPen(QColor(235, 240, 245), width))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawEllipse(QPointF(*head), radius, radius)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(120, 200, 255))
        for i in np.flatnonzero(seen[11:]) + 11:
            p.drawEllipse(QPointF(*xy[i]), width * 0.9, width * 0.9)

    def _paint_trunk_edges(self, p: QPainter, rect: QRectF) -> None:
        """The silhouette's back and front edges on the person, coloured by how far each has moved from neutral."""
        if self._profile is None or self._landmarks is None:
            return
        edges = edge_points(self._profile, self._landmarks, self.frame_size_px)
        fractions = {g.name: g.fraction for g in self.view.gauges}
        width = max(3.0, rect.height() / 110)
        for side, metric in ((BACK, LUMBAR_CURVE), (FRONT, RIB_FLARE)):
            points = edges[side]
            finite = np.isfinite(points[:, 0])
            if finite.sum() < 2:
                continue
            p.setPen(QPen(_deviation_colour(fractions.get(metric, math.nan)), width, Qt.PenStyle.SolidLine,
                          Qt.PenCapStyle.RoundCap))
            xy = np.column_stack([rect.x() + points[:, 0] * rect.width(), rect.y() + points[:, 1] * rect.height()])
            for a, b in zip(range(len(xy) - 1), range(1, len(xy))):
                if finite[a] and finite[b]:
                    p.drawLine(QPointF(*xy[a]), QPointF(*xy[b]))

    def _banner_height(self) -> float:
        return max(56.0, self.height() * 0.13)

    def _paint_banner(self, p: QPainter) -> None:
        h = self._banner_height()
        colour = state_colour(self.view.state)
        colour.setAlpha(225)
        p.fillRect(QRectF(0, 0, self.width(), h), colour)
        p.setPen(QColor("white"))
        # Large when it fits on one line; else smaller and over two lines; never cut (the verb and the number stay).
        rect = QRectF(20, 4, self.width() * 0.74 - 20, h - 8)
        font, fits = fitted_font(self.view.banner, rect, h * 0.42, max(15.0, h * 0.3), bold=True)
        draw_fitted(p, rect, self.view.banner, h * 0.42 if fits else h * 0.3, 12.0,
                    Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, bold=True, wrap=not fits,
                    log=self.text_log)

    def _paint_rep_counter(self, p: QPainter) -> None:
        h = self._banner_height()
        p.setPen(QColor("white"))
        draw_fitted(p, QRectF(self.width() * 0.76, 4, self.width() * 0.24 - 20, h - 8),
                    self.view.counter or f"Rep {self.view.rep}", h * 0.55, 14.0,
                    Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, bold=True, log=self.text_log)

    def _paint_gauges(self, p: QPainter) -> None:
        gauges = self.view.gauges
        if not gauges:
            return
        bar_w, bar_h = max(180.0, self.width() * 0.22), max(12.0, self.height() * 0.022)
        label_h = max(18.0, self.height() * 0.03)
        row_h = label_h + bar_h + 10
        panel_w = bar_w * 1.5 + 24
        x0, y0 = 20.0, self.height() - 40 - len(gauges) * row_h
        p.fillRect(QRectF(x0 - 12, y0 - 8, panel_w, len(gauges) * row_h + 12), QColor(10, 12, 16, 200))
        for i, gauge in enumerate(gauges):
            y = y0 + i * row_h
            p.setPen(QColor(236, 238, 242))
            draw_fitted(p, QRectF(x0, y, panel_w - 24, label_h), f"{gauge.label}  {gauge.reading}", label_h * 0.9,
                        11.0, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, log=self.text_log)
            bar = QRectF(x0, y + label_h + 2, bar_w, bar_h)
            p.fillRect(bar, QColor(255, 255, 255, 50))
            frac = gauge.fraction
            if not math.isnan(frac):
                fill = min(max(frac, 0.0), 1.5) / 1.5
                p.fillRect(QRectF(bar.x(), bar.y(), bar.width() * fill, bar.height()), _deviation_colour(frac))
            limit_x = bar.x() + bar.width() / 1.5
            p.setPen(QPen(QColor("white"), 2))
            p.drawLine(QPointF(limit_x, bar.y() - 3), QPointF(limit_x, bar.bottom() + 3))

    def _paint_readout(self, p: QPainter) -> None:
        if self.view.fps <= 0 and math.isnan(self.view.latency_ms):
            return  # nothing live to report (replay)
        p.setPen(QColor(200, 204, 210))
        latency = "—" if math.isnan(self.view.latency_ms) else f"{self.view.latency_ms:.0f} ms"
        text = f"{self.view.fps:.0f} fps · latency {latency}"
        if self.view.model_note:
            text = f"{self.view.model_note} · {text}"
        if self.view.dropped_fraction > DROPPED_WARNING_FRACTION:
            p.setPen(state_colour("drifting"))
            text = f"{100 * self.view.dropped_fraction:.0f} % of frames dropped: this computer is not keeping up · {text}"
        draw_fitted(p, QRectF(self.width() * 0.45, self.height() - 34, self.width() * 0.55 - 16, 28), text,
                    max(12.0, self.height() * 0.025), 10.0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                    log=self.text_log)

    def _paint_pacing(self, p: QPainter) -> None:
        """The breathing cue under the banner, quiet blue, out of the way of the person."""
        if not self.view.pacing:
            return
        top = self._banner_height() + 8
        rect = QRectF(20, top, self.width() * 0.6, max(26.0, self.height() * 0.045))
        if self.view.pacing_kind == "held":  # a held breath: the drifting amber, not the quiet blue
            p.fillRect(rect.adjusted(-10, -2, 10, 2), QColor(60, 40, 0, 200))
            p.setPen(state_colour("drifting"))
        else:
            p.fillRect(rect.adjusted(-10, -2, 10, 2), QColor(10, 30, 60, 170))
            p.setPen(QColor(150, 205, 255))
        draw_fitted(p, rect, self.view.pacing, rect.height() * 0.75, 11.0,
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, log=self.text_log)

    def _paint_summary(self, p: QPainter) -> None:
        w, h = self.width() * 0.4, self.height() * 0.5
        box = QRectF(self.width() - w - 24, self.height() - h - 44, w, h)  # low and to the side, off the body
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(15, 16, 20, 215))
        p.drawRoundedRect(box, 16, 16)
        p.setPen(QColor("white"))
        draw_fitted(p, box.adjusted(22, 16, -22, -16), self.view.summary, max(16.0, self.height() * 0.034), 11.0,
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, wrap=True, log=self.text_log)

    # ------------------------------------------------------------------------------------- the set-time screen
    def _paint_set_time(self, p: QPainter, rect: QRectF) -> None:
        """Few things, big, beside the person: what to do now, the rep count or hold time, the metric nearest its
        limit (or, stopped: when, what to do, the keys). In a band above or below the person (a plank fills the
        picture's width) the words run in two columns."""
        view = self.view
        frame = Box(rect.x(), rect.y(), rect.width(), rect.height())
        panel, _ = panel_place(Box(0, 0, self.width(), self.height()), self._landmarks, frame)
        self.panel = panel
        scale = min(1.0, max(0.55, self.height() / 768))  # a smaller window shrinks it; 2-3 m sizes at 768 px
        box = QRectF(panel.x, panel.y, panel.w, panel.h)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(12, 14, 18, 240))  # opaque enough that the picture behind never reads as words
        p.drawRoundedRect(box, 18, 18)
        colour = state_colour(view.state)
        p.fillRect(QRectF(box.x(), box.y() + 18, 10, box.height() - 36), colour)  # the state's colour, at a glance
        inner = box.adjusted(24, 12, -18, -12)
        band = inner.width() > 1.6 * inner.height()
        first = QRectF(inner.x(), inner.y(), inner.width() * 0.5 - 12 if band else inner.width(), inner.height())
        y = self._paint_message_and_count(p, first, colour, scale)
        second = QRectF(inner.x() + inner.width() * 0.5 + 12, inner.y(), inner.width() * 0.5 - 12, inner.height()) \
            if band else QRectF(inner.x(), y, inner.width(), inner.bottom() - y)
        word_px = WORD_PX * scale
        if view.summary:  # stopped: when, what to do, the keys (the message said what and how much)
            self._paint_lines(p, second, (view.far_summary or view.summary).splitlines(), word_px)
            return
        y = second.y()
        nearest = max((g for g in view.gauges if not math.isnan(g.fraction)), key=lambda g: g.fraction, default=None)
        if nearest is not None and second.bottom() - y > 2.6 * word_px:
            p.setPen(QColor(236, 238, 242))
            words = f"{nearest.label}: {nearest.reading}"
            h = min(wrapped_height(words, second.width(), word_px), 2.6 * word_px)
            draw_fitted(p, QRectF(second.x(), y, second.width(), h), words, word_px, 0.75 * word_px,
                        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, wrap=True, log=self.text_log)
            y += h + 8
            bar = QRectF(second.x(), y, second.width(), 34 * scale)
            p.fillRect(bar, QColor(255, 255, 255, 50))
            fill = min(max(nearest.fraction, 0.0), 1.5) / 1.5
            p.fillRect(QRectF(bar.x(), bar.y(), bar.width() * fill, bar.height()), _deviation_colour(nearest.fraction))
            p.setPen(QPen(QColor("white"), 4))
            limit_x = bar.x() + bar.width() / 1.5
            p.drawLine(QPointF(limit_x, bar.y() - 6), QPointF(limit_x, bar.bottom() + 6))
            y = bar.bottom() + 24
        line = view.pacing or (f"{100 * view.dropped_fraction:.0f} % of frames dropped: close other programs"
                               if view.dropped_fraction > DROPPED_WARNING_FRACTION else "")
        if line and second.bottom() - y > word_px:
            held = view.pacing_kind == "held" and line == view.pacing
            self._paint_block(p, QRectF(second.x(), y, second.width(), second.bottom() - y), line, word_px,
                              state_colour("drifting") if held else QColor(150, 205, 255))

    def _paint_message_and_count(self, p: QPainter, area: QRectF, colour: QColor, scale: float) -> float:
        """The message in the state's colour, then the rep count or hold time; returns where they end."""
        view = self.view
        message, msg_px = view.far_banner or view.banner, MESSAGE_PX * scale
        room = area.height() * (1.0 if view.summary else 0.62)  # stopped: no counter below it
        msg_h = min(wrapped_height(message, area.width(), msg_px, bold=True), room)
        p.setPen(_tint(colour))  # on the dark panel: >= 9:1, and still the state's hue
        draw_fitted(p, QRectF(area.x(), area.y(), area.width(), msg_h), message, msg_px, 0.85 * msg_px,
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, bold=True, wrap=True, log=self.text_log)
        y = area.y() + msg_h + 16
        counter = view.counter or (f"Rep {view.rep}" if view.rep or view.state not in ("ready", "calibrating") else "")
        if view.summary:
            counter = ""  # stopped: the lines below say when
        counter_h = COUNTER_PX * scale * 1.2
        if counter and area.bottom() - y >= WORD_PX * scale * 1.2:
            p.setPen(QColor("white"))
            counter_h = min(counter_h, area.bottom() - y)
            draw_fitted(p, QRectF(area.x(), y, area.width(), counter_h), counter, COUNTER_PX * scale,
                        WORD_PX * scale, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, bold=True,
                        log=self.text_log)
            y += counter_h + 12
        return y

    def _paint_lines(self, p: QPainter, rect: QRectF, lines: list[str], px: float) -> None:
        """The stop's lines (when, what to do, the keys) at ``px``, down to 0.9 of it; where they do not fit, the
        keys go first (a person at the keyboard reads them there, and they are spoken), then the when (the message
        and the voice say it): what to do stays, and no word shrinks out of reach from 2-3 m."""
        lines = [line for line in lines if line]
        for drop in (None, -1, 0):
            if drop is not None and len(lines) > 1:
                lines.pop(drop)
            if wrapped_height("\n".join(lines), rect.width(), 0.9 * px) <= rect.height():
                break
        self._paint_block(p, rect, "\n".join(lines), px, QColor("white"), shrink=0.9)

    def _paint_block(self, p: QPainter, rect: QRectF, text: str, px: float, colour: QColor,
                     shrink: float = 0.6) -> None:
        p.setPen(colour)
        draw_fitted(p, rect, text, px, shrink * px, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, wrap=True,
                    log=self.text_log)
