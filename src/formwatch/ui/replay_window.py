"""``formwatch replay``: the video (or the drawn skeleton) beside pyqtgraph traces of the three metrics.

Limit lines, rep boundaries and the stop are marked; a cursor follows the frame; clicking a trace seeks; play,
pause, scrub and speed; export the traces as PNG and the metrics as CSV. Plot items are created once and only
``setValue``/``setData`` are called afterwards (pyqtgraph's fast path).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtGui import QImage, QPixmap
from PyQt6.QtWidgets import (QApplication, QComboBox, QFileDialog, QHBoxLayout, QLabel, QMainWindow, QPushButton,
                             QScrollArea, QSlider, QSplitter, QVBoxLayout, QWidget)

from formwatch.app.replay_data import ReplayData, breath_hold_limit_s, export_csv
from formwatch.core.exercises import gauge_specs
from formwatch.core.registry import HIP_HINGE
from formwatch.ui.live_window import fit_to_screen
from formwatch.ui.overlay import OverlayWidget
from formwatch.ui.view_model import OverlayState, view


class VideoFrames:
    """Random access to a recording's video.mp4 (sequential reads are the fast path)."""

    def __init__(self, path: Path) -> None:
        import cv2

        self._cv2 = cv2
        self.capture = cv2.VideoCapture(str(path))
        self.next_index = 0

    def frame(self, index: int) -> np.ndarray | None:
        if index != self.next_index:
            self.capture.set(self._cv2.CAP_PROP_POS_FRAMES, index)
        ok, bgr = self.capture.read()
        self.next_index = index + 1
        return bgr if ok else None


TRACE_PX = 180  # a trace with its title and time axis: its plot area stays >= 120 px
HEADER_PX = 90  # the set's title line and the time axis's label
EXPORT_WIDTH_PX = 1366


class ReplayWindow(QMainWindow):
    def __init__(self, data: ReplayData) -> None:
        super().__init__()
        self.data = data
        self.setWindowTitle(f"formwatch replay — {data.recording.path.name}")
        fit_to_screen(self, (1366, 768), (960, 600))  # the 14-inch laptop it is used on
        self.index = 0
        self.speed = 1.0
        self.video = VideoFrames(data.video_path) if data.video_path else None
        fps = float(data.recording.meta.get("fps") or 30.0)
        self.frame_period_ms = 1000.0 / fps

        self.overlay = OverlayWidget(data.recording.frame_size_px)
        self.overlay.details = True  # the replay shows every gauge (the set-time screen shows the nearest one)
        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setBackground((18, 20, 24))
        self.cursors: dict[str, pg.InfiniteLine] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}
        self._build_plots()

        # Every trace keeps TRACE_PX of height, whatever the window's: more traces than fit scroll, none is squeezed.
        self.plots.setMinimumHeight(self.traces_height_px())
        scroll = QScrollArea()
        scroll.setWidget(self.plots)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.overlay)
        splitter.addWidget(scroll)
        splitter.setSizes([560, 806])

        self.play_button = QPushButton("Play")
        self.play_button.clicked.connect(self.toggle_play)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, len(data.t_s) - 1)
        self.slider.valueChanged.connect(self.seek_index)
        self.speed_box = QComboBox()
        for s in ("0.25x", "0.5x", "1x", "2x"):
            self.speed_box.addItem(s)
        self.speed_box.setCurrentText("1x")
        self.speed_box.currentTextChanged.connect(self._speed_changed)
        self.time_label = QLabel()
        png_button = QPushButton("Export traces PNG…")
        png_button.clicked.connect(self._ask_export_png)
        csv_button = QPushButton("Export metrics CSV…")
        csv_button.clicked.connect(self._ask_export_csv)
        controls = QHBoxLayout()
        for w in (self.play_button, self.slider, self.time_label, self.speed_box, png_button, csv_button):
            controls.addWidget(w)
        controls.setStretch(1, 1)

        root = QWidget()
        layout = QVBoxLayout(root)
        layout.addWidget(splitter, 1)
        layout.addLayout(controls)
        self.setCentralWidget(root)

        self.timer = QTimer(self)
        self.timer.timeout.connect(self._advance)
        self.seek_index(0)

    # --------------------------------------------------------------------------------------------- plots
    def _build_plots(self) -> None:
        data = self.data
        stop_t = data.stop.t_s if data.stop else None
        first = None
        # Only traces with something to show (a recording without a silhouette has no trunk-shape traces), each
        # labelled the way the exercise judged it ("Low back rounding" for a hinge).
        names = tuple(m for m, v in data.traces.items() if np.isfinite(v).any()) or tuple(data.traces)
        specs = gauge_specs(data.exercise or "", names)
        self.plots.addLabel(data.title(), row=0, col=0, size="11pt", color="#f0f0f0")
        for row, (metric, spec) in enumerate(zip(names, specs), start=1):
            plot = self.plots.addPlot(row=row, col=0, title=spec.label)
            plot.setLabel("left", spec.unit.strip())
            plot.showGrid(x=True, y=True, alpha=0.2)
            if first is None:
                first = plot
            else:
                plot.setXLink(first)
            if row == len(names) and not data.has_breathing():  # the axis label on a row of its own
                self.plots.addLabel("time (s)", row=row + 1, col=0, size="10pt", color="#b0b4ba")
            self.curves[metric] = plot.plot(data.t_s, data.traces[metric], pen=pg.mkPen(spec.colour, width=2),
                                            connect="finite")
            limit = data.limit_trace(metric)
            if limit is not None:  # each frame's limit, as the gauge judged it then (and the screen showed it)
                plot.plot(data.t_s, limit, pen=pg.mkPen((230, 60, 60), width=1.5, style=Qt.PenStyle.DashLine),
                          connect="finite", name="depth limit" if metric == HIP_HINGE else "limit")
            top = float(np.nanmax(data.traces[metric])) if np.isfinite(data.traces[metric]).any() else 0.0
            for rep, start_s, _ in data.reps:
                plot.addItem(pg.InfiniteLine(pos=start_s, angle=90, pen=pg.mkPen((120, 130, 140, 120))))
                if row == 1:
                    plot.addItem(pg.TextItem(f"{rep}", color=(170, 180, 190), anchor=(0, 0)), ignoreBounds=True)
                    plot.items[-1].setPos(start_s, top)
            if stop_t is not None:
                plot.addItem(pg.InfiniteLine(pos=stop_t, angle=90, pen=pg.mkPen((230, 40, 40), width=3),
                                             label="STOP" if row == 1 else None,
                                             labelOpts={"position": 0.9, "color": (240, 60, 60)}))
            self._add_cursor(metric, plot)
        if data.has_breathing():
            self._breathing_plot(len(names) + 2, first)
        self._first_plot = first

    def _add_cursor(self, key: str, plot: pg.PlotItem) -> None:
        cursor = pg.InfiniteLine(pos=float(self.data.t_s[0]), angle=90, pen=pg.mkPen((240, 240, 240), width=1.5))
        plot.addItem(cursor)
        self.cursors[key] = cursor
        plot.scene().sigMouseClicked.connect(self._clicked)

    def _breathing_plot(self, row: int, first: pg.PlotItem | None) -> None:
        """Breaths a minute where breathing was readable (holds and rests), and the seconds a breath was held, on
        a second axis; the exercise's breath-hold limit marked."""
        data = self.data
        plot = self.plots.addPlot(row=row, col=0, title="Breathing: breaths a minute (blue), seconds held (orange)")
        plot.setLabel("left", "breaths/min")
        plot.showGrid(x=True, y=True, alpha=0.2)
        if first is not None:
            plot.setXLink(first)
        self.curves["breath_rate_bpm"] = plot.plot(data.t_s, data.breathing["breath_rate_bpm"],
                                                   pen=pg.mkPen("#7cb7ff", width=2), connect="finite")
        held = data.breathing.get("breath_held_s")
        if held is not None and np.nanmax(np.nan_to_num(held, nan=0.0)) > 0:
            self.curves["breath_held_s"] = plot.plot(data.t_s, held, pen=pg.mkPen("#ffb347", width=2),
                                                     connect="finite")
            limit = breath_hold_limit_s(data.exercise)
            if limit is not None:
                plot.addItem(pg.InfiniteLine(pos=limit, angle=0, pen=pg.mkPen((230, 60, 60), width=1.5,
                                                                               style=Qt.PenStyle.DashLine),
                                             label="breath-hold limit",
                                             labelOpts={"position": 0.12, "color": (230, 90, 90)}))
        if data.stop is not None:
            plot.addItem(pg.InfiniteLine(pos=data.stop.t_s, angle=90, pen=pg.mkPen((230, 40, 40), width=3)))
        self.plots.addLabel("time (s)", row=row + 1, col=0, size="10pt", color="#b0b4ba")
        self._add_cursor("breathing", plot)

    def _clicked(self, event: Any) -> None:  # a pyqtgraph mouse event
        """Clicking anywhere on the traces seeks there."""
        for metric in self.cursors:
            plot = self.cursors[metric].getViewBox()
            if plot is not None and plot.sceneBoundingRect().contains(event.scenePos()):
                t = plot.mapSceneToView(event.scenePos()).x()
                self.seek_time(t)
                return

    # ----------------------------------------------------------------------------------------- playback
    def seek_time(self, t_s: float) -> None:
        self.slider.setValue(self.data.index_at(t_s))

    def seek_index(self, index: int) -> None:
        self.index = int(index)
        if self.slider.value() != self.index:
            self.slider.blockSignals(True)
            self.slider.setValue(self.index)
            self.slider.blockSignals(False)
        t = float(self.data.t_s[self.index])
        for cursor in self.cursors.values():
            cursor.setValue(t)
        bgr = self.video.frame(self.index) if self.video is not None else None
        profiles = self.data.recording.profile
        self.overlay.set_frame(bgr, self.data.recording.image[self.index],
                               profiles[self.index] if profiles is not None else None)
        self.overlay.set_view(self._view_at(t))
        self.time_label.setText(f"{t:6.2f} s / {self.data.t_s[-1]:.2f} s")

    def _view_at(self, t: float) -> OverlayState:
        """The overlay as live showed it at this frame: ``view`` of its record (ui/view_model.py)."""
        return view(self.data.records[self.data.index_at(t)])

    def toggle_play(self) -> None:
        if self.timer.isActive():
            self.timer.stop()
            self.play_button.setText("Play")
        else:
            self.timer.start(max(1, int(self.frame_period_ms / self.speed)))
            self.play_button.setText("Pause")

    def _speed_changed(self, text: str) -> None:
        self.speed = float(text.rstrip("x"))
        if self.timer.isActive():
            self.timer.setInterval(max(1, int(self.frame_period_ms / self.speed)))

    def _advance(self) -> None:
        if self.index >= len(self.data.t_s) - 1:
            self.toggle_play()
            return
        self.seek_index(self.index + 1)

    # ------------------------------------------------------------------------------------------- export
    def traces_height_px(self) -> int:
        """Height the traces need: TRACE_PX for each plot, plus the title and the time axis's label."""
        plots = sum(isinstance(item, pg.PlotItem) for item in self.plots.ci.items)
        return TRACE_PX * plots + HEADER_PX

    def export_png(self, path: Path) -> Path:
        """The traces as a PNG 1366 px wide, each trace TRACE_PX tall (laid out at that size before it is drawn)."""
        import pyqtgraph.exporters

        from formwatch.io.outputs import OutputError, check_output_file
        from formwatch.ui.png import save_png

        size = (EXPORT_WIDTH_PX, self.traces_height_px())
        before = self.plots.size()
        self.plots.resize(*size)
        self.plots.resizeEvent(None)  # lay the plots out at that size now, shown or not (an unshown widget waits)
        QApplication.processEvents()
        exporter = pyqtgraph.exporters.ImageExporter(self.plots.ci)
        exporter.parameters()["width"] = EXPORT_WIDTH_PX
        check_output_file(path, "--export-png")  # before the drawing
        try:
            image = exporter.export(toBytes=True)
        finally:
            self.plots.resize(before)
            self.plots.resizeEvent(None)
        if not isinstance(image, (QImage, QPixmap)):
            raise OutputError(f"--export-png {path}: the picture could not be drawn; choose another file")
        return save_png(image, path, "--export-png")

    def _ask_export_png(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export traces", "traces.png", "PNG (*.png)")
        if name:
            self.export_png(Path(name))

    def _ask_export_csv(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export metrics", "metrics.csv", "CSV (*.csv)")
        if name:
            export_csv(self.data, Path(name))
