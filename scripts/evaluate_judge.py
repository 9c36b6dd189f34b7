"""How well the judge holds on real, labelled clips, cross-validated by source: every clip analysed as a newcomer
would (``formwatch analyze``: the exercise recognised, nothing set up), with every fitted threshold, band and weight
refitted without the clip's own source (leave one source out: one person, one camera never on both sides).

    python scripts/evaluate_judge.py --data ../shared/data [--no-cv] [--write docs/judge.md]

Scores: the share of clips labelled correct that get anything said against them (a note, a fault or a stop) and of
faulty ones that do; stops on correct clips; the exercise recognised among the five exercises' clips with a person
in view, and "none of these" among the others (abstentions counted apart); whole reps counted exactly. A table per
source and per clip, then what it still gets wrong; the last line is one JSON object with the figures (fractions
0-1). The poses are estimated once and cached (app/pose_cache.py); the fit is scripts/fit_judge.py's.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "scripts"))

from common import machine_line  # noqa: E402
from fit_judge import Clip, fit, load_clips  # noqa: E402

EXERCISES = ("hinge", "squat", "bridge", "bird-dog", "plank")


@dataclass
class Outcome:
    """One clip's analysis, and what it is labelled."""

    clip: Clip
    exercise: str | None  # recognised (None: none of these)
    abstained: bool
    reps: int
    flagged: bool  # a note, a fault or a stop
    stopped: bool
    verdicts: str
    said: str  # the terminal's verdict line, first line


def analyse(clip: Clip, params: object) -> Outcome:
    from formwatch.app.analyze import analyze
    from formwatch.core.events import Verdict
    from formwatch.core.set_judge import SetJudge
    from formwatch.core.wording import verdict_line

    out = Path(tempfile.mkdtemp(prefix="formwatch-judge-"))
    try:
        summary = analyze(clip.poses, out / "rec", detector=SetJudge(params=params), progress=False).summary
    finally:
        shutil.rmtree(out, ignore_errors=True)
    flagged = summary.stop is not None or bool(summary.notes) or any(j.verdict is not Verdict.CLEAN
                                                                      for j in summary.judged)
    recognition = summary.recognition
    return Outcome(clip, summary.exercise, recognition is None or recognition.source == "abstained",
                   summary.reps, flagged, summary.stop is not None,
                   " ".join(f"{j.rep}{j.verdict.value[0]}" + ("p" if j.partial else "") for j in summary.judged),
                   verdict_line(summary).splitlines()[0] if summary.judged_set else "")


def evaluate(clips: list[Clip], cv: bool) -> list[Outcome]:
    outcomes = []
    sources = sorted({c.source for c in clips})
    for source in sources:
        params = fit([c for c in clips if c.source != source]) if cv else fit(clips)
        outcomes += [analyse(c, params) for c in clips if c.source == source]
    return outcomes


def _share(hits: int, of: int) -> float:
    return round(hits / of, 3) if of else 0.0


def scores(outcomes: list[Outcome]) -> dict[str, float | int]:
    five = [o for o in outcomes if o.clip.exercise in EXERCISES and o.clip.person]
    other = [o for o in outcomes if o.clip.exercise == "none" and o.clip.person]
    correct = [o for o in five if o.clip.form == "correct"]
    faulty = [o for o in five if o.clip.form == "incorrect"]
    demo = [o for o in five if o.clip.form == "demo"]
    counted = [o for o in outcomes if o.clip.reps is not None]
    return {
        "correct_flagged": _share(sum(o.flagged for o in correct), len(correct)),
        "faulty_flagged": _share(sum(o.flagged for o in faulty), len(faulty)),
        "correct_stopped": _share(sum(o.stopped for o in correct), len(correct)),
        "demo_flagged": _share(sum(o.flagged for o in demo), len(demo)),
        "demo_stopped": _share(sum(o.stopped for o in demo), len(demo)),
        "recognised": _share(sum(o.exercise == o.clip.exercise for o in five), len(five)),
        "none_of_these": _share(sum(o.exercise is None and not o.abstained for o in other), len(other)),
        "abstained": sum(o.abstained for o in five + other),
        "reps_exact": _share(sum(o.reps == o.clip.reps for o in counted), len(counted)),
    }


def by_source(outcomes: list[Outcome]) -> list[str]:
    """One row a source: how many of its clips each score got right ("hits/of", "—" where none applies)."""
    def ratio(hits: int, of: int) -> str:
        return f"{hits}/{of}" if of else "—"

    lines = ["| source | clips | exercise right | correct clips flagged | faulty clips flagged | stopped (correct) | "
             "reps exact |", "|---|---|---|---|---|---|---|"]
    for source in sorted({o.clip.source for o in outcomes}):
        mine = [o for o in outcomes if o.clip.source == source]
        five = [o for o in mine if o.clip.exercise in EXERCISES and o.clip.person]
        other = [o for o in mine if o.clip.exercise == "none" and o.clip.person]
        correct = [o for o in five if o.clip.form == "correct"]
        faulty = [o for o in five if o.clip.form == "incorrect"]
        counted = [o for o in mine if o.clip.reps is not None]
        right = sum(o.exercise == o.clip.exercise for o in five) + sum(o.exercise is None and not o.abstained
                                                                          for o in other)
        lines.append(f"| {source} | {len(mine)} | {ratio(right, len(five) + len(other))} | "
                     f"{ratio(sum(o.flagged for o in correct), len(correct))} | "
                     f"{ratio(sum(o.flagged for o in faulty), len(faulty))} | "
                     f"{ratio(sum(o.stopped for o in correct), len(correct))} | "
                     f"{ratio(sum(o.reps == o.clip.reps for o in counted), len(counted))} |")
    return lines


def table(outcomes: list[Outcome]) -> list[str]:
    lines = ["| source | clip | labelled | form | recognised | reps (by eye) | verdicts | flagged | stopped |",
             "|---|---|---|---|---|---|---|---|---|"]
    for o in sorted(outcomes, key=lambda o: (o.clip.source, o.clip.file)):
        c = o.clip
        seen = "(abstained)" if o.abstained else (o.exercise or "none of these")
        reps = f"{o.reps} ({c.reps if c.reps is not None else c.reps_text})"
        lines.append(f"| {c.source} | {c.file} | {c.exercise} | {c.form} | {seen} | {reps} | {o.verdicts or '—'} | "
                     f"{'yes' if o.flagged else ''} | {'STOP' if o.stopped else ''} |")
    return lines


def wrong(outcomes: list[Outcome]) -> list[str]:
    """What it still gets wrong, one line a clip."""
    out = []
    for o in outcomes:
        c = o.clip
        if c.exercise in EXERCISES and c.person and o.exercise != c.exercise:
            taken = "not recognised (asked)" if o.abstained else f"taken for {o.exercise or 'none of these'}"
            out.append(f"- {c.file}: a {c.exercise} {taken}")
        if c.exercise == "none" and c.person and (o.exercise is not None or o.abstained):
            out.append(f"- {c.file} ({c.activity}): {'asked which exercise' if o.abstained else f'taken for a {o.exercise}'}")
        if c.form in ("correct", "demo") and c.exercise in EXERCISES and o.flagged:
            out.append(f"- {c.file} ({c.form}): {o.said}")
        if c.form == "incorrect" and c.exercise in EXERCISES and not o.flagged:
            out.append(f"- {c.file} (faulty: {c.note[:60]}): nothing said")
        if c.reps is not None and o.reps != c.reps:
            out.append(f"- {c.file}: {o.reps} whole reps counted, {c.reps} by eye")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--no-cv", action="store_true", help="fit on every clip and score on them (optimistic)")
    parser.add_argument("--write", type=Path, help="write the report as Markdown here")
    args = parser.parse_args()
    clips = load_clips(args.data)
    outcomes = evaluate(clips, cv=not args.no_cv)
    figures = scores(outcomes)
    sources = sorted({c.source for c in clips})
    head = {"clips": len(clips), "sources": len(sources), "cv": "leave-one-source-out" if not args.no_cv else "none"}
    lines = [f"Judge evaluation — {machine_line()}", "",
             f"Command: `.venv/bin/python scripts/evaluate_judge.py --data ../shared/data`"
             f"{' --no-cv' if args.no_cv else ''}", "",
             f"{len(clips)} labelled clips from {len(sources)} sources ({head['cv']}).", ""]
    lines += [f"- {k}: {v}" for k, v in figures.items()] + ["", "Per source:", ""] + by_source(outcomes)
    lines += ["", "Per clip:", ""] + table(outcomes) + ["", "What it still gets wrong:", ""]
    lines += wrong(outcomes) or ["- nothing"]
    text = "\n".join(lines)
    print(text)
    if args.write:
        args.write.write_text(text + "\n", encoding="utf-8")
    print(json.dumps({**head, **{k: figures[k] for k in ("correct_flagged", "faulty_flagged", "correct_stopped",
                                                          "recognised", "none_of_these", "reps_exact")}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())


