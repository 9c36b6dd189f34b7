"""What a set says as it goes — the line of the moment, the breathing cue, and what the terminal prints and the voice
speaks — from the frame records alone. One policy for the window, the headless terminal and the voice.

:func:`line_of_moment` and :func:`pacing` are what the screen shows under the message (ui/view_model.py);
:class:`CuePolicy` turns the stream of records into :class:`Cue` s: each recognition and rep verdict once, "careful"
as a set starts to drift, a held breath each time, each breathing cue once a set, the stop. Nothing here reads
text back: every decision is made on the record's facts.
"""

from __future__ import annotations

from dataclasses import dataclass

from formwatch.core.breathing import HELD_CUE_S
from formwatch.core.events import ABSTAINED, BreathHeld, Recognised, RepJudged, Stop, Verdict, ViewProblem
from formwatch.core.exercises import get_exercise, judged_spec
from formwatch.core.frame_record import FrameRecord
from formwatch.core.kinematics import Col, nan_reason
from formwatch.core.reading_gate import SIDE_VIEW
from formwatch.core.verdict import State
from formwatch.core.view_words import SCENE_CODES, view_problem_words, view_words
from formwatch.core.wording import recognition_text, rep_line, speakable, stop_headline, stop_reason, stop_spoken

__all__ = ["CALM_RATE_BPM", "Cue", "CuePolicy", "LINE_SHOWN_S", "Pacing", "banner", "line_of_moment", "pacing",
           "problem_banner"]

CALM_RATE_BPM = 6.0  # the rhythm a hold is paced to: slow, diaphragmatic breathing
LINE_SHOWN_S = 4.0  # the recognised exercise and a rep's verdict stay on screen this long
HELD = "held"  # the kinds of breathing cue
STRAINED = "strained"
RHYTHM = "rhythm"


@dataclass(frozen=True)
class Pacing:
    """The breathing cue of this moment: its kind, the screen's words and the voice's (without live numbers)."""

    kind: str = ""
    text: str = ""
    spoken: str = ""


def _has_reps(exercise: str | None) -> bool:
    try:
        return exercise is not None and get_exercise(exercise).has_reps
    except ValueError:
        return True


def pacing(record: FrameRecord) -> Pacing:
    """Breath as choreography: out on the effort, in on the return; in a hold a calm rhythm, and the measured one.
    A breath held for :data:`HELD_CUE_S` comes first, in any exercise: a cue, not a stop."""
    if record.exercise is None or record.stop is not None:
        return Pacing()
    breath = record.breath
    reps = _has_reps(record.exercise)
    driver_sign = get_exercise(record.exercise).driver_sign if reps else 1.0
    effort = "up" if driver_sign > 0 else "down"  # flexion exercises work on the way up; extension on the reach
    effort_words = "rise" if effort == "up" else "reach"
    if breath.held and breath.held_s >= HELD_CUE_S:
        todo = f"breathe out as you {effort_words}" if reps else "breathe out slowly"
        return Pacing(HELD, f"Keep breathing: breath held {breath.held_s:.0f} s — {todo}",
                      f"Keep breathing. {todo[:1].upper()}{todo[1:]}.")
    if not reps:
        measured = f" · now {breath.rate_bpm:.0f}" if breath.valid and breath.rate_bpm == breath.rate_bpm else ""
        return Pacing(RHYTHM, f"Breathe slowly: {CALM_RATE_BPM:.0f} breaths a minute{measured}", "Breathe slowly.")
    if breath.valid and breath.strained:
        return Pacing(STRAINED, f"Breathing hard ({breath.rate_bpm:.0f} a minute, shallow) — slow down, breathe out "
                                f"as you {effort_words}", f"Slow down. Breathe out as you {effort_words}.")
    if record.phase == effort:
        return Pacing(RHYTHM, f"Breathe out as you {effort_words}", f"Breathe out as you {effort_words}.")
    if record.phase in ("up", "down"):
        back = "lower" if effort == "up" else "return"
        return Pacing(RHYTHM, f"Breathe in as you {back}", f"Breathe in as you {back}.")
    return Pacing()


def problem_banner(head: str, code: str | ViewProblem) -> tuple[str, str]:
    """(the banner, its few words for 2-3 m) of a view problem under ``head`` ("Paused", "Not judged" ...)."""
    long, short = view_problem_words(code) if isinstance(code, ViewProblem) else view_words(code)
    return f"{head} — {long}", (f"{head} — {short[:1].upper()}{short[1:]}" if short else "")


def banner(record: FrameRecord) -> tuple[str, str]:
    """The message of this frame, and its few words for 2-3 m when the message is long ('' when it is short)."""
    exercise, state = record.exercise, record.state
    if record.stop is not None:
        return f"STOP — {stop_headline(record.stop, exercise)}", ""
    if record.view_problem is not None and record.view_problem.problem in SCENE_CODES:
        return problem_banner("Not judged", record.view_problem)  # nothing is judged while the camera cannot see
    if not record.judged:
        return "Watching (no exercise chosen)", ""
    if state in (State.READY, State.PAUSED):
        # what is wrong, in the user's words: the hinge unread, else (front-on, where the hinge is read in depth)
        # the hips' side-view angle unread
        why = nan_reason(record.metrics, Col.HIP_HINGE_DEG) or nan_reason(record.metrics, Col.HIP_EXTENSION_DEG)
        if why:
            return problem_banner("Paused" if state == State.PAUSED else "Ready", why)
    if record.view_problem is not None and state in (State.CLEAN, State.DRIFTING, State.READY):
        head = "Back not judged" if record.view_problem.problem == SIDE_VIEW else "Partly judged"
        return problem_banner(head, record.view_problem)
    if state == State.READY and exercise is None:  # nothing judged until the exercise is known
        return f"{recognition_text(record.recognition)} — start when ready", ""
    if state == State.READY:
        return ("Ready — start your first rep" if record.rest_known
                else "Get into position, side-on to the camera, and stand still"), ""
    if state == State.PAUSED:
        return problem_banner("Paused", "lost")
    if state == State.DRIFTING:
        worst = max((g for g in record.gauges if g.fraction == g.fraction), key=lambda g: g.fraction, default=None)
        if worst is not None:
            return f"Careful — {judged_spec(exercise, worst.name).drifting}", ""
    return "Clean", ""


def line_of_moment(record: FrameRecord) -> str:
    """The exercise just recognised, or the last rep's note or fault, for :data:`LINE_SHOWN_S` after it."""
    line = record.line
    if line is None or record.stop is not None or not 0.0 <= record.t_s - line.t_s < LINE_SHOWN_S:
        return ""
    if isinstance(line, Recognised):
        return recognition_text(line)
    return rep_line(line, record.exercise)


@dataclass(frozen=True)
class Cue:
    """One thing to tell the person: ``text`` for the terminal, ``spoken`` for the voice (None: printed only)."""

    t_s: float
    text: str
    spoken: str | None = None


class CuePolicy:
    """Turns records into cues, each said once where it should be (never on every frame)."""

    def __init__(self, count_reps: bool = True) -> None:
        self.count_reps = count_reps  # a clean rep's number is spoken (its line is printed either way)
        self._state = ""
        self._rep = 0
        self._pacing_said: set[str] = set()

    def new_set(self) -> None:
        self._state, self._rep, self._pacing_said = "", 0, set()

    def cues(self, record: FrameRecord) -> list[Cue]:
        if not record.judged:
            return []
        if record.rep < self._rep:  # a new set began under this policy
            self.new_set()
        out: list[Cue] = []
        t, exercise = record.t_s, record.exercise
        for event in record.events:
            if isinstance(event, Recognised) and event.source != "given" and (
                    event.exercise is not None or event.source == ABSTAINED):
                out.append(Cue(t, recognition_text(event), speakable(recognition_text(event))))
            elif isinstance(event, RepJudged) and (record.stop is None or event.rep != record.stop.rep):
                line = rep_line(event, exercise)
                clean = event.verdict is Verdict.CLEAN
                spoken = (str(event.rep) if self.count_reps else None) if clean else speakable(line)
                out.append(Cue(t, line, spoken))
            elif isinstance(event, BreathHeld):
                out.append(Cue(t, pacing(record).text, pacing(record).spoken or None))
            elif isinstance(event, Stop):
                out.append(Cue(t, f"STOP — {stop_reason(event, exercise)}", stop_spoken(event, exercise)))
            elif isinstance(event, ViewProblem) and event.active and view_problem_words(event)[1]:
                long, short = view_problem_words(event)
                out.append(Cue(t, long[:1].upper() + long[1:], speakable(short)))
        out += self._state_cues(record)
        cue = pacing(record)
        if cue.kind and cue.kind != HELD and cue.spoken not in self._pacing_said:
            self._pacing_said.add(cue.spoken)  # each breathing cue once a set: heard, never nagging
            out.append(Cue(t, cue.text, cue.spoken))
        return out

    def _state_cues(self, record: FrameRecord) -> list[Cue]:
        out = []
        self._rep = record.rep
        if record.state != self._state and record.state != State.STOPPED:
            if record.state == State.DRIFTING:
                words = banner(record)[0]
                out.append(Cue(record.t_s, words, speakable(words)))
            else:
                out.append(Cue(record.t_s, record.state))
        self._state = record.state
        return out
