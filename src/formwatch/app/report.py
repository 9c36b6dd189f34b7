"""The physiotherapist's report: a self-contained HTML page (pictures embedded) of the sets in the history.

What was done (sessions a day, sets by exercise), how it went (clean reps per set and reps before the stop, over
time), why sets ended (the stop reasons), and every set in a table with its notes and a link to its recording. The
charts are drawn by the caller (``ui/charts.py``) and handed in as PNG bytes, so this module stays free of Qt.
"""

from __future__ import annotations

import base64
import csv
import html
import math
import os
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from formwatch.core.exercises import judged_spec
from formwatch.core.registry import REGISTRY
from formwatch.core.wording import UNCALIBRATED_ADVICE, is_hold, note_sentence, set_amount, unjudged_reason
from formwatch.core.signature import Signature
from formwatch.io.history_rows import HistorySet, LimitMove

_CSS = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#1d2330;line-height:1.45}
h1{margin-bottom:.1em} .sub{color:#5a6270;margin-top:0} table{border-collapse:collapse;width:100%;font-size:14px}
th,td{border-bottom:1px solid #e1e4ea;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f3f5f8} .stop{color:#b42318} .ok{color:#067647} .int{color:#8a6d00}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:16px} img{width:100%;border:1px solid #e1e4ea}
.kpi{display:flex;gap:24px;margin:1em 0} .kpi div{background:#f3f5f8;padding:10px 16px;border-radius:8px}
.kpi b{display:block;font-size:22px} .note{color:#8a6d00} .when{white-space:nowrap}
"""

_PRINT_CSS = """
body{font-family:sans-serif;font-size:9pt;color:#1d2330} h1{font-size:18pt} h2{font-size:13pt} .sub{color:#5a6270}
table{border-collapse:collapse} th{background:#f3f5f8;text-align:left} th,td{padding:3px 4px;vertical-align:top}
td{border-bottom:1px solid #e1e4ea} .big{font-size:16pt;font-weight:bold} .stop{color:#b42318} .ok{color:#067647}
.int{color:#8a6d00} .note{color:#8a6d00} .when{white-space:nowrap}
"""


@dataclass(frozen=True)
class ChartSeries:
    """What the charts show: sets per day, per exercise each set's (time, clean reps, reps judged), and why sets
    ended (label, sets), most common first."""

    per_day: list[tuple[str, int]]
    by_exercise: dict[str, list[tuple[float, float, float]]]
    reasons: list[tuple[str, int]]


def series(rows: Sequence[HistorySet]) -> ChartSeries:
    """What the charts show, from the sets (core/set_summary.py): the same counts every screen gives."""
    per_day = Counter(r.started[:10] for r in rows)
    by_exercise: dict[str, list[tuple[float, float, float]]] = {}
    for r in rows:  # a hold has no reps: its seconds are in the table, never "0 reps" in a reps chart
        exercise = r.summary.exercise
        if exercise and not is_hold(exercise):
            when = time.mktime(time.strptime(r.started[:19], "%Y-%m-%dT%H:%M:%S"))
            judged = len(r.summary.judged) or r.summary.reps
            by_exercise.setdefault(exercise, []).append((when, r.summary.clean_reps, judged))
    reasons = Counter(_reason_label(r) for r in rows)
    return ChartSeries(sorted(per_day.items()), by_exercise, reasons.most_common())


def _reason_label(row: HistorySet) -> str:
    """Why a set ended, in a word or two: the stopped metric's label, "no stop", "not judged" or "interrupted"."""
    if row.status != "done":
        return row.status
    stop = row.summary.stop
    if stop is None:
        return "not judged" if unjudged_reason(row.summary) is not None else "no stop"
    if stop.metric not in REGISTRY:
        return stop.metric.replace("_", " ")
    return judged_spec(row.summary.exercise, stop.metric).label  # the exercise's word: "Low back rounding"


def _img(png: bytes, alt: str, src: Callable[[str, bytes], str] | None = None) -> str:
    where = src(alt, png) if src is not None else f"data:image/png;base64,{base64.b64encode(png).decode()}"
    size = " width='300'" if src is not None else ""  # paper (96 px an inch, 2 cm margins): two charts a row on A4
    return f'<img alt="{html.escape(alt)}" src="{html.escape(where)}"{size}>'


def _kpis(figures: list[tuple[str, str]], for_print: bool) -> str:
    """The key figures: boxes on screen; on paper a one-row table (the PDF's layout engine knows tables)."""
    if for_print:
        return ("<table class='kpi' width='100%'><tr>" + "".join(
            f"<td align='center'><span class='big'>{value}</span><br>{label}</td>" for value, label in figures)
            + "</tr></table>")
    return "<div class='kpi'>" + "".join(f"<div><b>{value}</b>{label}</div>" for value, label in figures) + "</div>"


def _charts(charts: dict[str, bytes], src: Callable[[str, bytes], str] | None) -> str:
    """The charts: a two-column grid on screen, two a row in a table on paper."""
    pictures = [_img(png, title, src) for title, png in charts.items()]
    if src is None:
        return "<div class='grid'>" + "".join(pictures) + "</div>"
    pairs = ["<tr>" + "".join(f"<td>{p}</td>" for p in pictures[i:i + 2]) + "</tr>" for i in range(0, len(pictures), 2)]
    return "<table>" + "".join(pairs) + "</table>"


def _signature_section(signatures: list[tuple[Signature, list[LimitMove]]]) -> str:
    """Per person and exercise: how their sets go, the limits in force and why each moved (core/signature.py)."""
    if not signatures:
        return ""
    parts = ["<h2>Signature movement profile</h2><table><tr><th>who, exercise</th><th>sets</th><th>typical set</th>"
             "<th>ends by</th><th>their reps</th><th>limits in force (calibrated)</th></tr>"]
    changes_html = []
    for sig, changes in signatures:
        hold = is_hold(sig.exercise)
        after = "in the hold" if hold else f"after {sig.reps_to_stop:.0f} clean reps"
        ends = f"{html.escape(sig.ending_fault_label)} ({sig.ending_fault_sets} of {sig.stopped_sets} stops), " \
               f"{after}" if sig.stopped_sets else "no stop so far"
        amount = sig.typical_held_s if hold else sig.typical_clean_reps
        typical = "—" if math.isnan(amount) else (f"holds {amount:.0f} s" if hold else f"{amount:.0f} clean reps")
        reps = "—" if math.isnan(sig.depth_deg) else \
            f"depth {sig.depth_deg:.0f}°, {sig.down_s:.1f} s down, {sig.up_s:.1f} s up"
        if sig.judged_reps:  # every rep's verdict, over the sets that have them
            reps += f"<br>{sig.faulty_reps} faulty, {sig.noted_reps} with a note, of {sig.judged_reps} reps"
        limits = "<br>".join(f"{html.escape(m.label)}: {m.limit_in_force:.1f}{m.unit} ({m.safety_limit:.1f})"
                             for m in sig.metrics if not math.isnan(m.safety_limit))
        parts.append(f"<tr><td>{html.escape(sig.profile or 'no profile')}, {html.escape(sig.exercise)}</td>"
                     f"<td>{sig.sets}</td><td>{typical}</td><td>{ends}</td><td>{reps}</td><td>{limits}</td></tr>")
        changes_html += [f"<li>{html.escape(c.at[:16].replace('T', ' '))} ({html.escape(c.profile)}, "
                         f"{html.escape(c.exercise)}): {html.escape(c.sentence)}</li>" for c in changes]
    parts.append("</table>")
    if changes_html:
        parts.append("<h3>How the limits moved</h3><ul>" + "".join(changes_html) + "</ul>")
    return "".join(parts)


def _relative_link(recording: str, base: Path | None) -> str:
    """A link to a recording that still works when the report and the data home travel together (copied to the
    physiotherapist's machine): relative to the report's folder, never an absolute path of this machine."""
    from urllib.parse import quote

    target = Path(recording)
    if base is not None:
        try:
            return quote(Path(os.path.relpath(target, base)).as_posix())
        except ValueError:  # another drive (Windows): the name alone
            pass
    return quote(target.name)


def _row_html(r: HistorySet, base: Path | None, link: bool = True) -> str:
    """One set's row: when, exercise, where from, what was done, why it ended, its notes, its recording (``link``:
    on screen; paper cannot follow a link to this computer's files)."""
    summary = r.summary
    if r.status != "done":
        why, cls = r.status, "int"
    elif summary.stop is not None:
        why, cls = r.why_ended(), "stop"
    elif summary.exercise is None:  # nothing judged: said as such, in the neutral colour
        why, cls = r.why_ended(), "int"
    else:
        all_clean = summary.clean_reps == len(summary.judged)
        why, cls = r.why_ended(), "ok" if all_clean else "note"
    anchor = (f"<a href='{html.escape(_relative_link(r.recording, base))}'>"
            f"{html.escape(Path(r.recording).name)}</a>" if r.recording else "")
    notes = " ".join(note_sentence(n, summary.exercise) for n in summary.technique_notes)
    return (f"<tr class='set'><td class='when' nowrap>{r.started[:16].replace('T', '&nbsp;')}</td>"
            f"<td>{html.escape(summary.exercise or '—')}</td><td>{r.source}</td>"
            f"<td>{html.escape(set_amount(summary))}</td><td class='{cls}'>{html.escape(why)}</td>"
            f"<td>{html.escape(notes)}</td>" + (f"<td>{anchor}</td>" if link else "") + "</tr>")


def render_html(rows: Sequence[HistorySet], charts: dict[str, bytes], since_days: float | None,
                signatures: list[tuple[Signature, list[LimitMove]]] | None = None, base: Path | None = None,
                chart_src: Callable[[str, bytes], str] | None = None) -> str:
    """The report page; ``charts`` maps a chart's title to its PNG; ``signatures``: (Signature, limit changes);
    ``chart_src``: where a chart's picture is found (default: embedded as a data URI; the PDF names resources)."""
    period = ("today" if since_days == 0 else f"the last {since_days:g} days") if since_days is not None \
        else "all sets so far"
    days = len({r.started[:10] for r in rows})
    stopped = sum(1 for r in rows if r.summary.stop is not None)
    clean = sum(r.summary.clean_reps for r in rows if not is_hold(r.summary.exercise))
    holds = [r.summary.held_s for r in rows if is_hold(r.summary.exercise)]
    held = sum(h for h in holds if h is not None and math.isfinite(h))
    on_paper = chart_src is not None
    css = _PRINT_CSS if on_paper else _CSS
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>formwatch report</title><style>{css}"
             "</style></head><body>",
             f"<h1>formwatch — back-care report</h1><p class='sub'>{html.escape(period)}, made "
             f"{time.strftime('%Y-%m-%d %H:%M')}</p>",
             _kpis([(str(len(rows)), "sets"), (str(days), "days with exercise"), (str(clean), "clean reps")]
                   + ([(f"{held:.0f} s", "held clean")] if holds else []) + [(str(stopped), "sets ended by formwatch")],
                   on_paper),
             _charts(charts, chart_src),
             _signature_section(signatures or []),
             "<h2>Every set</h2><table><tr><th>when</th><th>exercise</th><th>from</th><th>done</th>"
             "<th>ended because</th><th>technique notes</th>" + ("" if on_paper else "<th>recording</th>")
             + "</tr>"]
    parts += [_row_html(r, base, link=not on_paper) for r in rows]
    uncalibrated = any(r.summary.stop is not None and not r.summary.stop.calibrated for r in rows)
    parts.append("</table>" + (f"<p class='sub'>Stops of sets without a profile: {html.escape(UNCALIBRATED_ADVICE)}"
                               "</p>" if uncalibrated else "")
                 + "<p class='sub'>Made by formwatch from the local history; nothing left this computer.</p>"
                   "</body></html>")
    return "".join(parts)


def write_report(rows: Sequence[HistorySet], out: Path, since_days: float | None,
                 draw: Callable[[ChartSeries], dict[str, bytes]],
                 signatures: list[tuple[Signature, list[LimitMove]]] | None = None) -> Path:
    """Draw the charts (``draw``: series -> {title: png}) and write the page, readable by the user only."""
    from formwatch.io.outputs import atomic_output

    page = render_html(rows, draw(series(rows)) if rows else {}, since_days, signatures, base=Path(out).parent)
    with atomic_output(out, "--out") as tmp:
        tmp.write_text(page, encoding="utf-8")
    return out


def write_csv(rows: Sequence[HistorySet], out: Path) -> Path:
    """Every set as a CSV row: its facts and, last, its words (what was done, why it ended, the notes)."""
    from formwatch.io.outputs import atomic_output

    columns = ["id", "started", "ended", "status", "source", "exercise", "profile", "reps", "clean_reps",
               "noted_reps", "faulty_reps", "held_s", "stopped", "stop_rule", "stop_metric", "stop_value",
               "stop_limit", "duration_s", "breath_rate_bpm", "recording", "done", "ended_because", "notes"]
    with atomic_output(out, "--csv") as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for r in rows:
            s, stop = r.summary, r.summary.stop
            writer.writerow([r.id, r.started, r.ended, r.status, r.source, s.exercise, r.profile, s.reps,
                             s.clean_reps, s.noted_reps, s.faulty_reps, s.held_s, int(stop is not None),
                             stop.rule if stop else "", stop.metric if stop else "", stop.value if stop else "",
                             stop.limit if stop else "", s.duration_s, s.breathing.rate_bpm, r.recording,
                             set_amount(s), r.why_ended(),
                             " ".join(note_sentence(n, s.exercise) for n in s.technique_notes)])
    return out
