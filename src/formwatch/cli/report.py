"""``formwatch report``: one HTML page (and a CSV) for the physiotherapist."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from formwatch.core.errors import FormwatchError
from formwatch.cli.history import add_history_filters, history_rows, nothing_selected


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("report", help="a report for your physiotherapist: one HTML page with charts, every set "
                                      "(and an A4 PDF with --pdf)")
    add_history_filters(p)
    p.add_argument("--out", type=Path, help="the HTML file to write (default: reports/ in your data home)")
    p.add_argument("--pdf", type=Path, metavar="FILE.pdf", help="also (or only) write the report as an A4 PDF")
    p.add_argument("--csv", type=Path, help="also (or only) write every set as CSV")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from formwatch.app.report import write_csv, write_report
    from formwatch.io.outputs import check_output_file

    for option, path in (("--out", args.out), ("--pdf", args.pdf), ("--csv", args.csv)):
        if path is not None:
            check_output_file(path, option)  # before the charts are drawn
    rows = history_rows(args)
    if not rows and (args.since is not None or args.exercise):
        raise FormwatchError(f"nothing to report: {nothing_selected(args)}")
    if args.csv:
        print(write_csv(rows, args.csv))
    if args.out or args.pdf or not args.csv:
        from formwatch.app.signature import all_signatures
        from formwatch.ui.charts import draw

        signatures = all_signatures(rows)
        if args.pdf:
            from formwatch.ui.live_window import qt_app
            from formwatch.ui.report_pdf import PRINT_CHART_PX, write_pdf

            qt_app()  # fonts and the PDF writer need the application (offscreen without a display)
            print(write_pdf(rows, args.pdf, args.since, lambda s: draw(s, PRINT_CHART_PX), signatures))
        if args.out or not (args.csv or args.pdf):
            from formwatch.io.home import data_home

            out = args.out or data_home() / "reports" / f"report-{time.strftime('%Y%m%d-%H%M%S')}.html"
            print(write_report(rows, out, args.since, draw, signatures))
    return 0
