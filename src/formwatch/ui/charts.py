"""The report's charts, drawn with pyqtgraph offscreen and returned as PNG bytes."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters

_COLOURS = ["#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed"]


def _png(plot: pg.PlotItem, width: int = 900) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "chart.png"
        exporter = pyqtgraph.exporters.ImageExporter(plot)
        exporter.parameters()["width"] = width
        exporter.export(str(path))
        return path.read_bytes()


def _plot(title: str, left: str, bottom: str) -> tuple[pg.GraphicsLayoutWidget, pg.PlotItem]:
    widget = pg.GraphicsLayoutWidget()
    widget.setBackground("w")
    widget.resize(900, 420)
    plot = widget.addPlot(title=f"<span style='color:#1d2330;font-size:13pt'>{title}</span>")
    plot.setLabel("left", left)
    plot.setLabel("bottom", bottom)
    for side in ("left", "bottom"):
        plot.getAxis(side).enableAutoSIPrefix(False)
    plot.showGrid(x=True, y=True, alpha=0.25)
    return widget, plot


def draw(series: dict[str, Any]) -> dict[str, bytes]:
    """Sets per day, clean reps per set by exercise, and why sets ended."""
    from formwatch.ui.live_window import qt_app

    qt_app()
    charts: dict[str, bytes] = {}
    days = series["per_day"]
    widget, plot = _plot("Sets per day", "sets", "day")
    x = np.arange(len(days))
    plot.addItem(pg.BarGraphItem(x=x, height=[n for _, n in days], width=0.6, brush="#2563eb"))
    plot.getAxis("bottom").setTicks([[(i, d[5:]) for i, (d, _) in enumerate(days)]])
    charts["Sets per day"] = _png(plot)
    widget, plot = _plot("Clean reps per set, by exercise", "clean reps", "set (in order)")
    plot.addLegend(offset=(10, 10), labelTextSize="11pt")
    for i, (exercise, points) in enumerate(sorted(series["by_exercise"].items())):
        clean = [c for _, c, _ in points]
        plot.plot(np.arange(1, len(clean) + 1), clean, pen=pg.mkPen(_COLOURS[i % 5], width=2), symbol="o",
                  symbolBrush=_COLOURS[i % 5], name=exercise)
    charts["Clean reps per set"] = _png(plot)
    reasons = series["reasons"]
    widget, plot = _plot("Why sets ended", "sets", "")
    plot.addItem(pg.BarGraphItem(x=np.arange(len(reasons)), height=[n for _, n in reasons], width=0.6,
                                 brush="#dc2626"))
    plot.getAxis("bottom").setTicks([[(i, r.replace("_", " ")) for i, (r, _) in enumerate(reasons)]])
    charts["Why sets ended"] = _png(plot)
    return charts
