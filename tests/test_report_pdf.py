"""``formwatch report --pdf``: the report on A4 pages (Qt's PDF writer), one set a row with its date on one line,
at least 20 sets a page, and every set's words in it (read back with pdftotext)."""

import math
import shutil
import subprocess

import pytest

from conftest import run_formwatch
from formwatch.core.events import RepJudged, Verdict
from formwatch.core.set_summary import SetSummary
from formwatch.core.wording import set_amount
from formwatch.io.history import History

SETS = 45


def history_of(home, n):
    """``n`` hinge sets in a fresh history, each with its own count of clean reps."""
    home.mkdir(parents=True)
    summaries = []
    with History(home / "history.sqlite3") as history:
        for i in range(n):
            reps = 3 + i % 7
            judged = tuple(RepJudged(2.0 * r, r, 2.0 * r - 2, 2.0 * r, Verdict.CLEAN) for r in range(1, reps + 1))
            summary = SetSummary(judged_set=True, exercise="hinge", reps=reps, judged=judged, frames=30 * 2 * reps,
                                 duration_s=2.0 * reps)
            history.finish_set(history.start_set("analyze", "hinge", None, None), summary)
            summaries.append(summary)
    return summaries


def test_the_pdf_has_a_page_per_20_sets_and_every_set_in_it(tmp_path):
    if shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        pytest.skip("pdftotext (poppler) is not installed")
    home = tmp_path / "home"
    summaries = history_of(home, SETS)
    result = run_formwatch(["report", "--pdf", str(tmp_path / "report.pdf")], home, tmp_path, no_display=True)
    assert result.returncode == 0 and result.stdout.strip() == str(tmp_path / "report.pdf"), result.stderr
    assert result.stderr == ""  # Qt's own chatter went to the log
    info = subprocess.run(["pdfinfo", str(tmp_path / "report.pdf")], capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert "A4" in info and pages <= 1 + math.ceil(SETS / 20), info  # the charts' page, then 20 sets or more a page
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "report.pdf"), "-"], capture_output=True,
                          text=True).stdout
    rows = [line for line in text.splitlines() if line.strip()[:4].isdigit() and " hinge " in line]
    assert len(rows) == SETS  # one line a set: the date and time never wrap
    for line, summary in zip(rows, summaries):
        assert set_amount(summary) in line, line
    assert "Every set" in text and f"{SETS}" in text
