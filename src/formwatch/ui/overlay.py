"""The live overlay: camera image (or a drawn skeleton), a banner readable across a room, gauges, rep counter.

The widget only paints the latest result it was handed (``set_result`` stores a reference and asks Qt for a
repaint; Qt merges repaints), so a busy GUI can never build a backlog or delay a stop: stops are decided in the
worker and arrive on their own signal.
"""

from __future__ import annotations

import math

import numpy as np
from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import QColor, QImage, QPainter, QPen
from PyQt6.QtWidgets import QSizePolicy, QWidget

from formwatch.core.landmarks import SKELETON_EDGES, Lm
from formwatch.app.live import DROPPED_WARNING_FRACTION
from formwatch.core.registry import LUMBAR_CURVE, RIB_FLARE
from formwatch.core.silhouette import BACK, FRONT, edge_points
from formwatch.ui.text_fit import Placed, draw_fitted, fitted_font
from formwatch.ui.view_model import HELD_CUE_PREFIX, OverlayState

STATE_COLOURS = {
    "ready": QColor(90, 96, 110), "clean": QColor(30, 150, 80), "drifting": QColor(230, 140, 20),
    "paused": QColor(90, 96, 110), "stopped": QColor(205, 40, 40), "calibrating": QColor(40, 110, 200),
}
_EDGES = np.array([(int(a), int(b)) for a, b in SKELETON_EDGES])
_UNJUDGED_EDGE = QColor(120, 200, 255)


def _deviation_colour(fraction: float) -> QColor:
    """Green below 60 % of the limit, orange to the limit, red past it; light blue when not judged (yet)."""
    if math.isnan(fraction):
        return _UNJUDGED_EDGE
    if fraction < 0.6:
        return STATE_COLOURS["clean"]
    return STATE_COLOURS["drifting"] if fraction < 1.0 else STATE_COLOURS["stopped"]


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
            self._qimage = QImage(bgr.data, w, h, bgr.strides[0], QImage.Format.Format_BGR888)
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

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
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
        fault_colour = STATE_COLOURS["stopped" if self.view.state == "stopped" else "drifting"]
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
        colour = QColor(STATE_COLOURS.get(self.view.state, STATE_COLOURS["ready"]))
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
            p.setPen(STATE_COLOURS["drifting"])
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
        if self.view.pacing.startswith(HELD_CUE_PREFIX):  # a held breath: the drifting amber, not the quiet blue
            p.fillRect(rect.adjusted(-10, -2, 10, 2), QColor(60, 40, 0, 200))
            p.setPen(STATE_COLOURS["drifting"])
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
