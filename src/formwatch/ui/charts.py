"""The history's charts, drawn with pyqtgraph: in the Progress window, and exported as PNGs for the report."""

from __future__ import annotations

import functools
import tempfile
import time
from pathlib import Path
from typing import Callable

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QApplication, QMainWindow

from formwatch.app.report import ChartSeries

_COLOURS = ["#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed"]


def _style(plot: pg.PlotItem, title: str, left: str, bottom: str) -> pg.PlotItem:
    plot.setTitle(f"<span style='color:#1d2330;font-size:13pt'>{title}</span>")
    plot.setLabel("left", left)
    plot.setLabel("bottom", bottom)
    plot.showGrid(x=True, y=True, alpha=0.25)
    for side in ("left", "bottom"):
        plot.getAxis(side).enableAutoSIPrefix(False)
    plot.getAxis("bottom").setHeight(AXIS_HEIGHT_PX)  # room for the tick labels and, below them, the axis title
    plot.getAxis("left").setWidth(AXIS_WIDTH_PX)
    return plot


AXIS_HEIGHT_PX = 52
AXIS_WIDTH_PX = 60


def count_ticks(plot: pg.PlotItem, side: str, high: float, most: int = 8) -> None:
    """Whole-number ticks for a count (sets, reps, sets in order): a step of 1, 2, 5, 10 … so at most ``most``."""
    step = 1
    while max(high, 1.0) / step > most:
        step = step * 5 // 2 if str(step)[0] == "2" else step * 2  # 1, 2, 5, 10, 20, 50 …
    plot.getAxis(side).setTickSpacing(major=step, minor=step)


def days_chart(plot: pg.PlotItem, series: ChartSeries, days: int = 28, every: int = 1) -> None:
    """The last ``days`` days as a strip: sets each day, and the current streak of days with exercise. ``every``:
    label every day (1), or every other counted back from today (2: a chart narrow enough that numbers would
    touch)."""
    counts = dict(series.per_day)
    today = time.time()
    labels = [time.strftime("%Y-%m-%d", time.localtime(today - (days - 1 - i) * 86400)) for i in range(days)]
    heights = [counts.get(d, 0) for d in labels]
    streak = 0
    for h in reversed(heights):
        if not h:
            break
        streak += 1
    _style(plot, f"Sets per day — streak {streak} day{'s' if streak != 1 else ''}", "sets", "day")
    plot.addItem(pg.BarGraphItem(x=np.arange(days), height=heights, width=0.8,
                                 brushes=["#2563eb" if h else "#e1e4ea" for h in heights]))
    months = dict.fromkeys(time.strftime("%B", time.strptime(d, "%Y-%m-%d")) for d in labels)
    plot.setLabel("bottom", f"day of {' – '.join(months)} (the last: today)")
    plot.getAxis("bottom").setTicks([[(i, str(int(labels[i][8:]))) for i in range(days)
                                      if (days - 1 - i) % every == 0]])
    count_ticks(plot, "left", max(heights, default=0))


MIN_WIDTH_EVERY_DAY_PX = 800  # narrower, 28 day numbers touch: every other day is labelled
LEGEND_MARGIN_PX = 18.0  # the legend's offset from the top and a gap below it


def clean_reps_chart(plot: pg.PlotItem, series: ChartSeries) -> None:
    _style(plot, "Clean reps per set, by exercise", "clean reps", "set (in order)")
    plot.addLegend(offset=(10, 5), labelTextSize="11pt")
    lines = sorted(series.by_exercise.items())
    for i, (exercise, points) in enumerate(lines):
        clean = [c for _, c, _ in points]
        plot.plot(np.arange(1, len(clean) + 1), clean, pen=pg.mkPen(_COLOURS[i % 5], width=2), symbol="o",
                  symbolBrush=_COLOURS[i % 5], name=exercise)
    values = [c for _, points in lines for _, c, _ in points]
    count_ticks(plot, "left", max(values, default=0))
    count_ticks(plot, "bottom", max((len(points) for _, points in lines), default=0))
    if values:  # headroom above the data for the legend, so it never covers a point, at whatever size it is drawn
        low, high = float(min(values)), float(max(values))
        plot.vb.sigResized.connect(lambda *_: _room_for_legend(plot, low, high))
        _room_for_legend(plot, low, high)


def _room_for_legend(plot: pg.PlotItem, low: float, high: float) -> None:
    """The y range that puts the data below the legend: the legend's own height (plus a margin) as a share of the
    plot's, kept free above the highest point."""
    span = max(high - low, 1.0)
    plot_px = plot.vb.height() if plot.vb.height() > 50 else 280.0
    legend_px = plot.legend.boundingRect().height() + LEGEND_MARGIN_PX if plot.legend is not None else 0.0
    share = min(legend_px / plot_px, 0.6)
    data = 1.1 * span  # the data and a little padding below it
    plot.setYRange(low - 0.05 * span, low - 0.05 * span + data / (1.0 - share), padding=0)


def reasons_chart(plot: pg.PlotItem, series: ChartSeries) -> None:
    reasons = series.reasons
    _style(plot, "Why sets ended", "sets", "")
    colours = {"no stop": "#059669", "interrupted": "#d97706"}  # a clean set is good news; a stop is red
    plot.addItem(pg.BarGraphItem(x=np.arange(len(reasons)), height=[n for _, n in reasons], width=0.6,
                                 brushes=[colours.get(r, "#dc2626") for r, _ in reasons]))
    plot.getAxis("bottom").setTicks([[(i, r) for i, (r, _) in enumerate(reasons)]])
    count_ticks(plot, "left", max((n for _, n in reasons), default=0))


CHARTS: dict[str, Callable[[pg.PlotItem, ChartSeries], None]] = {
    "Sets per day": days_chart, "Clean reps per set": clean_reps_chart, "Why sets ended": reasons_chart}


def _png(plot: pg.GraphicsLayout, width: int = 900) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "chart.png"
        exporter = pyqtgraph.exporters.ImageExporter(plot)
        exporter.parameters()["width"] = width
        exporter.export(str(path))
        return path.read_bytes()


def draw(series: ChartSeries, size_px: tuple[int, int] = (900, 420)) -> dict[str, bytes]:
    """Every chart as a PNG (for the report; a smaller ``size_px`` for paper, where a chart is a third of its
    width: the same text then reads larger)."""
    from formwatch.ui.live_window import qt_app

    qt_app()
    charts = {}
    for title, build in CHARTS.items():
        if build is days_chart and size_px[0] < MIN_WIDTH_EVERY_DAY_PX:
            build = functools.partial(days_chart, every=2)
        widget = pg.GraphicsLayoutWidget()
        widget.setBackground("w")
        widget.resize(*size_px)
        plot = widget.addPlot()
        build(plot, series)
        widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)  # laid out at its size, never on the screen
        widget.show()
        QApplication.processEvents()
        charts[title] = _png(widget.ci, size_px[0])  # the whole layout: the title's row included, not clipped
        widget.close()
    return charts


class ProgressWindow(QMainWindow):
    """The Progress view: the same charts, live in a window."""

    def __init__(self, series: ChartSeries, sets: int, signature_lines: list[str] | None = None) -> None:
        super().__init__()
        from formwatch.ui.live_window import fit_to_screen

        self.setWindowTitle(f"formwatch — your progress ({sets} sets)")
        self.layout_widget = pg.GraphicsLayoutWidget()
        self.layout_widget.setBackground("w")
        self.plots = {}
        for i, (title, build) in enumerate(CHARTS.items()):
            plot = self.layout_widget.addPlot(row=i // 2, col=i % 2)
            build(plot, series)
            self.plots[title] = plot
        if signature_lines:  # the free cell: how the sets go and the limits in force (app/signature.py)
            text = "<br>".join(signature_lines)
            self.signature = self.layout_widget.addLabel(
                f"<div style='color:#1d2330;font-size:12pt'><b>Your signature movement profile</b><br>{text}</div>",
                row=len(CHARTS) // 2, col=len(CHARTS) % 2, justify="left")
        self.setCentralWidget(self.layout_widget)
        fit_to_screen(self, (1300, 800), (900, 600))
