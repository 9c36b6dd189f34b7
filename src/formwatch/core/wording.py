"""Every sentence a set is told in — screen, voice, terminal, history table and report — made here from facts.

The judge emits facts (core/events.py) and the summary keeps them (core/set_summary.py); this module alone turns
them into words, so an old set reads in today's words and no two places can say a set differently. The metric's
own words (label, phrase, advice) come from its spec, turned the way the exercise judges it (a hinge's lumbar
curve falling is the low back *rounding*).
"""

from __future__ import annotations

import math
from typing import Mapping

from formwatch.core.events import ABSTAINED, BREATH, UNLIKE_PREFIX, TEMPO, Against, Note, Recognised, RepJudged, Stop, Verdict
from formwatch.core.exercises import get_exercise, judged_spec
from formwatch.core.registry import MetricSpec
from formwatch.core.set_summary import SetSummary
from formwatch.core.view_words import SCENE_CODES, view_problem_words

__all__ = ["ASK_WHICH", "against_words", "is_hold", "note_sentence", "recognition_text", "recognition_why", "rep_line",
           "seconds_text", "set_amount", "stop_advice", "stop_headline", "stop_reason", "unjudged_reason",
           "verdict_line", "why_ended"]

DROPPED_WARNING_FRACTION = 0.10  # above this share of dropped camera frames, the screen and the summary say so
KEYS_STOPPED = "Space: new set · Q: quit"  # one set of key hints for every screen (panel, help, voice leaves it out)
_TEMPO_ADVICE = "Rest, then start a fresh set with fewer reps"
_HELD_ADVICE = "Breathe out slowly through pursed lips and keep breathing through the hold"
_STRAINED_ADVICE = "Rest until your breathing is calm, then hold for less time"
NONE_OF_THESE = "Not a hinge, squat, bridge, bird-dog or plank"
ASK_WHICH = "Which exercise is this? Press E"  # the recogniser is not sure enough: it asks rather than guesses


def seconds_text(seconds: float) -> str:
    """Seconds as the user reads them everywhere (banner, counter, summary): tenths below 10 s."""
    return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"


def is_hold(exercise: str | None) -> bool:
    """Whether ``exercise`` is held (a plank), not done in reps; unknown or none: False."""
    if not exercise:
        return False
    try:
        return not get_exercise(exercise).has_reps
    except ValueError:
        return False


def _spec(exercise: str | None, metric: str) -> MetricSpec | None:
    try:
        return judged_spec(exercise, metric)
    except KeyError:
        return None


def amount(exercise: str | None, metric: str, value: float) -> str:
    """A metric's value in its units, as the user reads it ("0.8 cm", "12°")."""
    spec = _spec(exercise, metric)
    if spec is None:
        return f"{value:.0f} %" if metric == TEMPO else f"{value:g}"
    return spec.format(value)


# --------------------------------------------------------------------------------------------------- the stop
def stop_headline(stop: Stop, exercise: str | None) -> str:
    """What and how much, for a banner: "Shoulders crept up 0.8 cm"."""
    if stop.metric == BREATH:
        return "Breathing strained" if stop.rule == "breath_strained" else f"Breath held {seconds_text(stop.value)}"
    if stop.metric == TEMPO:
        return f"Reps slowed {stop.value:.0f} %"
    spec = _spec(exercise, stop.metric)
    phrase = (spec.phrase or spec.label) if spec is not None else stop.metric.replace("_", " ")
    return f"{phrase} {amount(exercise, stop.metric, stop.value)}"


def _where(stop: Stop) -> str:
    if stop.rep:
        return f" at rep {stop.rep}"
    return f" after {seconds_text(stop.held_s)} of the hold" if stop.held_s is not None else ""


UNCALIBRATED_ADVICE = "No profile: judged against population defaults; calibrate for limits of your own."


def stop_reason(stop: Stop, exercise: str | None, advice: bool = True) -> str:
    """The sentence a person reads across the room: what, how much, when, and what it was judged against;
    ``advice``: with the calibration advice a stop judged without a profile gets (a table says it once instead)."""
    where = _where(stop)
    if stop.metric == BREATH:
        if stop.rule == "breath_strained":
            return f"Breathing strained ({stop.value:.0f} a minute, shallow){where} — set ended."
        return f"Breath held {seconds_text(stop.value)}{where} — set ended."
    head = stop_headline(stop, exercise)
    if stop.against is Against.OWN_REPS:
        text = f"{head} more than in your first reps{where} — set ended."
    elif stop.against is Against.GROSS:
        text = f"{head}{where}, far past the usual limit — set ended."
    elif stop.predicted:
        text = f"{head}{where} and worsening; the next rep would pass {amount(exercise, stop.metric, stop.limit)} " \
               "— set ended."
    else:
        text = f"{head}{where} — set ended."
    if not stop.calibrated and advice:
        text += f" ({UNCALIBRATED_ADVICE})"
    return text


def stop_advice(stop: Stop, exercise: str | None) -> str:
    """What to do next time."""
    if stop.metric == BREATH:
        return _STRAINED_ADVICE if stop.rule == "breath_strained" else _HELD_ADVICE
    spec = _spec(exercise, stop.metric)
    return spec.advice if spec is not None and spec.advice else _TEMPO_ADVICE


_JUDGED_LINE = {Against.OWN_REPS: "More than in your first reps at the same point of the movement.",
                Against.GROSS: "Far past the usual limit, so the set ended at once.",
                Against.TREND: "Worsening rep after rep: the next rep would have passed the limit."}


def stop_panel(stop: Stop, exercise: str | None) -> str:
    """The details view's stop panel: what and how much, when, what it was judged against, what to do, the keys."""
    when = f"Rep {stop.rep}, {seconds_text(stop.t_s)} into the set" if stop.rep else \
        f"{seconds_text(stop.t_s)} into the set"
    lines = [f"Set ended: {stop_headline(stop, exercise)}.", when + "."]
    judged = _JUDGED_LINE.get(stop.against) if stop.against is not Against.TREND or stop.predicted else None
    if judged:
        lines.append(judged)
    lines.append(f"What to do: {stop_advice(stop, exercise)}.")
    return "\n".join(lines) + f"\n\n{KEYS_STOPPED}"


def stop_far_lines(stop: Stop, exercise: str | None) -> str:
    """The stop as the 2-3 m panel says it under the message: when, what to do (the advice's first clause), keys."""
    when = f"Rep {stop.rep} · {seconds_text(stop.t_s)}" if stop.rep else f"After {seconds_text(stop.t_s)}"
    advice = stop_advice(stop, exercise).replace(":", ";").split(";")[0].strip()
    return "\n".join(line for line in (when, advice, KEYS_STOPPED) if line)


def stop_spoken(stop: Stop, exercise: str | None) -> str:
    """What is said at a stop: the screen's words without the keys."""
    lines = [line for line in stop_far_lines(stop, exercise).splitlines() if line != KEYS_STOPPED]
    return speakable(". ".join([f"Stop. {stop_headline(stop, exercise)}"] + lines) + ".")


def speakable(line: str) -> str:
    """A screen line as the voice reads it: dashes as pauses, degrees in words."""
    return line.replace(" — ", ": ").replace("—", ":").replace("°", " degrees")


# ------------------------------------------------------------------------------------------- reps and notes
def against_words(against: Against | None, limit: float | None = None) -> str:
    band = f", population band {limit:g}" if limit is not None and math.isfinite(limit) else ""
    return {
        Against.OWN_REPS: "your first reps at the same phase",
        Against.EARLIER_SETS: "your earlier sets at the same phase",
        Against.PROFILE: "your profile",
        Against.SET_START: f"your posture at the set's start{band}",
        Against.FIRST_LOCKOUT: f"your posture at the first lockout{band}",
        Against.REP_LOCKOUT: f"the rep's own lockout{band}",
        Against.POPULATION_ZERO: "population zero",
        Against.POPULATION_FLOOR: f"the population floor {limit:g} at the bottom of a rep" if limit is not None
        else "the population floor",
        Against.POPULATION_NORM: "what correct reps read at the same point of the movement",
        Against.NEUTRAL: "your neutral",
    }.get(against, "its limit") if against is not None else "its limit"


def rep_line(judged: RepJudged, exercise: str | None) -> str:
    """"Rep 3: low back rounded 12° — Hinge from the hips ..." for a note or a fault; "Rep 3: clean" else."""
    if judged.verdict is Verdict.CLEAN or judged.metric is None:
        return f"Rep {judged.rep}: clean"
    spec = _spec(exercise, judged.metric)
    phrase = (spec.phrase if spec is not None else judged.metric).lower()
    advice = spec.advice.split(":")[0] if spec is not None else ""
    line = f"Rep {judged.rep}: {phrase} {amount(exercise, judged.metric, judged.deviation or 0.0)}"
    return f"{line} — {advice}" if advice else line


def note_sentence(item: Note | RepJudged, exercise: str | None) -> str:
    """A technique note, once a metric: what, how much, from which rep, against what, and what to do."""
    metric = item.metric or ""
    spec = _spec(exercise, metric)
    phrase = spec.phrase if spec is not None else metric
    advice = spec.advice if spec is not None else ""
    if isinstance(item, Note):
        return (f"{phrase} {amount(exercise, metric, item.value)} from rep {item.rep}, before any fatigue: a "
                f"technique point. {advice}.")
    limit = item.limit if item.against in (Against.SET_START, Against.FIRST_LOCKOUT, Against.REP_LOCKOUT,
                                           Against.POPULATION_FLOOR) else None
    return (f"{phrase} {amount(exercise, metric, item.deviation or 0.0)} at rep {item.rep} (judged against "
            f"{against_words(item.against, limit)}): a technique point. {advice}.")


# ------------------------------------------------------------------------------------------- recognition
def recognition_text(recognition: Recognised | None) -> str:
    """What the screen says about the exercise ("Looks like a hinge — press E to change")."""
    if recognition is None:
        return "Watching to recognise the exercise"
    if recognition.source == ABSTAINED:
        return ASK_WHICH
    if recognition.exercise is None:
        return NONE_OF_THESE
    if recognition.source != "recognised":
        return f"Watching a {recognition.exercise}"
    return f"Looks like a {recognition.exercise} — press E to change"


def recognition_why(recognition: Recognised | None) -> str:
    """The movement that decided, in words ("standing; the hips moved 95°, the knees 20°")."""
    if recognition is None:
        return "nothing recognised"
    e = recognition.evidence
    if recognition.source in ("chosen", "given"):
        return "chosen by you" if recognition.source == "chosen" else "given with --exercise"
    unlike = next((k.removeprefix(UNLIKE_PREFIX) for k in e if k.startswith(UNLIKE_PREFIX)), "")  # none of these
    unlike_words = f"nearest a {unlike}, but unlike every {unlike} formwatch was taught" if unlike else ""
    if "upright_share" not in e:
        return unlike_words or "too little movement seen to recognise an exercise"
    if e["upright_share"] >= 0.5:
        posture = "standing"
    elif e.get("shank_deg", 90.0) < 45.0 and e.get("trunk_signed_deg", 0.0) >= 0:  # shins upright, leaning forward
        posture = "standing, bent forward"  # a hinge spends most of its time so: not lying face down
    else:
        posture = f"lying face {'up' if e.get('trunk_signed_deg', 0.0) < 0 else 'down'}"
    moved = [f"the {part} {e[key]:.0f}°" for part, key in (("hips", "hip_range_deg"), ("knees", "knee_range_deg"),
                                                           ("elbows", "elbow_range_deg"), ("arms", "arm_range_deg"))
             if e.get(key, 0.0) >= 15.0]
    words = f"{posture}; " + (f"moving {', '.join(moved)}" if moved else "holding still")
    if "hip_knee_ratio" in e and e.get("hip_range_deg", 0.0) >= 15.0:
        words += f" (hip/knee {e['hip_knee_ratio']:.2f} at the deepest)"
    guesses = sorted(((v, k[2:]) for k, v in e.items() if k.startswith("p_")), reverse=True)
    if recognition.source == ABSTAINED and guesses:
        words += f"; best guess {guesses[0][1].replace('none', 'none of these')} at {guesses[0][0]:.2f}, not sure"
    return f"{words}; {unlike_words}" if unlike_words else words


# ------------------------------------------------------------------------------------------------ the set
def set_amount(summary: SetSummary) -> str:
    """"8 of 10 reps clean, 2 faulty", "held 28 s clean of 32 s"; a routine's step: "3 of 8 reps asked — …"."""
    asked = asked_amount(summary)
    return f"{asked} — {_done_amount(summary)}" if asked else _done_amount(summary)


def asked_amount(summary: SetSummary) -> str:
    """Done of what a routine's step asked: "3 of 8 reps asked", "12 s of 30 s asked" ("" if nothing asked)."""
    asked, held = summary.asked or {}, summary.held_s
    if "reps" in asked:
        return f"{summary.reps} of {asked['reps']:g} reps asked"
    held_s = held if held is not None and not math.isnan(held) else 0.0
    return f"{seconds_text(held_s)} of {seconds_text(asked['hold_s'])} asked" if "hold_s" in asked else ""


def _done_amount(summary: SetSummary) -> str:
    if is_hold(summary.exercise):
        clean = summary.held_s
        if clean is None or math.isnan(clean):
            return "—"
        total = max(summary.duration_s, clean)
        if summary.stop is not None and total - clean >= 0.5:
            return f"held {seconds_text(clean)} clean of {seconds_text(total)}"
        return f"held {seconds_text(clean)}, all clean"
    judged = len(summary.judged)
    partial = " (the last partial)" if summary.partial_rep else ""
    if judged == 0:
        return f"{summary.reps} rep{'s' if summary.reps != 1 else ''}"
    if summary.clean_reps == judged:
        return f"{judged} rep{'s' if judged != 1 else ''}, all clean{partial}"
    parts = [f"{summary.faulty_reps} faulty"] * bool(summary.faulty_reps) + \
        [f"{summary.noted_reps} with a note"] * bool(summary.noted_reps)
    return f"{summary.clean_reps} of {judged} reps clean, " + ", ".join(parts) + partial


def why_ended(summary: SetSummary, status: str = "done") -> str:
    """Why a set ended, for a table: the stop's sentence (the calibration advice left to the table's foot: it is
    the same on every row), "no stop", "not judged: ..." (no exercise known), or its status (interrupted, running)."""
    if summary.stop is not None:
        return stop_reason(summary.stop, summary.exercise, advice=False)
    if status != "done" or summary.interrupted:
        return "interrupted" if summary.interrupted or status == "done" else status
    unjudged = unjudged_reason(summary)
    return f"not judged: {unjudged[0]}" if unjudged is not None else "no stop"  # "no stop" would say it was judged


def unjudged_reason(summary: SetSummary) -> tuple[str, str] | None:
    """Why nothing of a set was judged, its exercise not known: (the words, what to do — '' where the words say it);
    None for a set judged as an exercise. The terminal's verdict line and every table's "ended because" say it."""
    if summary.exercise is not None or not summary.judged_set:
        return None
    blind = next((p for p in summary.view_problems if p.active and p.problem in SCENE_CODES), None)
    asked = summary.recognition is not None and summary.recognition.source == ABSTAINED
    if blind is not None and not (asked and summary.reps):  # reps counted while it asked: someone was seen
        return view_problem_words(blind)[0], ""
    if asked:
        return "not sure which exercise this is", "say --exercise KIND"
    return "this does not look like a hinge, squat, bridge, bird-dog or plank", "say --exercise KIND if it is one"


def verdict_line(summary: SetSummary) -> str:
    """The terminal's word on a set: the stop and its reason, or that there was none, and the technique notes."""
    exercise = summary.exercise
    if not summary.judged_set:
        return ""
    unjudged = unjudged_reason(summary)
    if unjudged is not None:
        words, fix = unjudged
        if not fix:
            return f"No verdict: {words}."
        counted = f" on {summary.reps} rep{'s' if summary.reps != 1 else ''}" if summary.reps else ""
        return f"No verdict{counted}: {words} ({recognition_why(summary.recognition)}); {fix}."
    notes = "".join(f"\nTechnique note: {note_sentence(n, exercise)}" for n in summary.technique_notes)
    done = set_amount(summary)
    if summary.stop is not None:
        return f"STOP at {summary.stop.t_s:.2f} s: {stop_reason(summary.stop, exercise)} ({done}, {exercise})" + notes
    if summary.interrupted:
        return f"Interrupted: {done}, no stop before it ({exercise})." + notes
    return f"No stop: {done} ({exercise})." + notes


def unmeasured_words(metric: str, code: str) -> str:
    """Why a watched metric was measured in under half of the frames."""
    if code == "no_silhouette":
        return ("this recording has no silhouette (made before formwatch measured it): analyze the video again to "
                "measure it")
    spec = _spec(None, metric)
    return (spec.unmeasured_hint if spec is not None else "") or "not measurable from this camera view"


def breathing_why_not(code: str | None, needed_s: float | None) -> str:
    """Why no breathing rate could be read."""
    needed = f"{needed_s:.0f}" if needed_s is not None else "10"
    return {"no_silhouette": "no silhouette in this recording: analyze the video again",
            "too_short_reps": f"too short: a breathing rate needs {needed} s of the trunk's front in view",
            "too_short_hold": f"too short: a breathing rate needs {needed} s of a still trunk",
            "front_hidden": "the trunk's front was hidden too often",
            "never_still": "the trunk was never still long enough, or its front was hidden"}.get(code or "", "")


def dropped_note(live: Mapping[str, object], lighter_model_running: bool) -> str:
    """The advice when the live run dropped camera frames (over 10 %): '' when it kept up."""
    processed, dropped = live.get("processed"), live.get("dropped")
    if not isinstance(processed, int) or not isinstance(dropped, int) or processed + dropped == 0:
        return ""
    share = dropped / (processed + dropped)
    if share <= DROPPED_WARNING_FRACTION:
        return ""
    advice = " (formwatch already moved to the lite pose model)" if lighter_model_running else ", or use a lighter model"
    return f"{100 * share:.0f} % of camera frames were dropped (the computer could not keep up): close other programs" \
           f"{advice}"

