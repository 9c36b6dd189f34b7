"""``formwatch report --pdf``: the report laid out on A4 pages by Qt's own PDF writer (QTextDocument printed to a
QPdfWriter) — the toolkit formwatch already ships, so a PDF needs no browser engine and no new dependency
(WeasyPrint would bring Pango and Cairo; ReportLab a second layout of the same page). The page is the HTML report's,
its charts handed to the document as resources; Qt paginates and repeats nothing by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

from PyQt6.QtCore import QMarginsF, QUrl
from PyQt6.QtGui import QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from formwatch.app.report import ChartSeries, render_html, series
from formwatch.core.signature import Signature
from formwatch.io.history_rows import HistorySet, LimitMove
from formwatch.io.outputs import atomic_output

__all__ = ["write_pdf"]

PRINT_CHART_PX = (560, 340)  # a chart drawn this size prints 300 px wide: its text readable on paper
RESOLUTION_DPI = 96  # the page laid out in CSS pixels (text and lines stay vector; pictures keep their pixels)


def write_pdf(rows: Sequence[HistorySet], out: Path, since_days: float | None,
              draw: Callable[[ChartSeries], dict[str, bytes]],
              signatures: list[tuple[Signature, list[LimitMove]]] | None = None) -> Path:
    """The report as an A4 PDF at ``out`` (written whole or not at all)."""
    charts = draw(series(rows)) if rows else {}  # ``draw`` is ui/charts.draw at PRINT_CHART_PX (cli/report.py)
    names = {title: f"chart-{i}.png" for i, title in enumerate(charts)}
    page = render_html(rows, charts, since_days, signatures, base=Path(out).parent,
                       chart_src=lambda title, png: names[title])
    document = QTextDocument()
    for title, png in charts.items():
        document.addResource(QTextDocument.ResourceType.ImageResource.value, QUrl(names[title]),
                             QImage.fromData(png))
    document.setHtml(page)
    with atomic_output(out, "--pdf") as tmp:
        writer = QPdfWriter(str(tmp))
        writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        writer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)  # QTextDocument.print adds 2 cm
        writer.setResolution(RESOLUTION_DPI)
        writer.setTitle("formwatch — back-care report")
        writer.setCreator("formwatch")
        document.print(writer)
        del writer  # the file is finished when the writer goes
    return out
