"""The judge of a set: the exercise given, recognised from the movement or corrected by the person — and then
judged by that exercise's detector, without losing the reps so far.

Every mode judges a set through :class:`SetJudge`. Its frames are kept; once the exercise is known (given at the
start, recognised by the end of the first rep or 3 s into a hold, or chosen with E) the exercise's detector is
built from its plan and the kept frames are played through it, so the first rep is counted and judged like any
other. While it asks which exercise this is, the reps are still counted — by the likeliest exercise's own count,
from the set's first frame — and nothing is judged: the person sees their reps go up, and the count they are told
afterwards is the set's (once the exercise is known, its detector counts the set afresh). The recording's gauge columns are the union of every exercise's, so that its layout is fixed before the
exercise is known. :class:`Judge` is the protocol both this and a plain :class:`Detector` satisfy.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Protocol

import numpy as np

from formwatch.core.breathing import BreathState
from formwatch.core.detector import CONFIRM_HOLD_S, Detector
from formwatch.core.events import ABSTAINED, Event, Recognised, RepCounted
from formwatch.core.exercises import ExerciseSpec, exercise_names, get_exercise
from formwatch.core.judge_params import JudgeParams, shipped
from formwatch.core.plan import SetPlan, make_plan
from formwatch.core.profile import Profile
from formwatch.core.recognition import HOLDS, ExerciseRecognizer, likeliest_with_reps
from formwatch.core.set_summary import JudgeFacts
from formwatch.core.verdict import DetectorConfig, Judgement, State

__all__ = ["AUTO", "Judge", "SetJudge", "all_gauge_names"]

AUTO = "auto"  # --exercise auto: the exercise recognised from the movement
MAX_KEPT_S = 600.0  # frames kept for a replay under a corrected exercise (10 min at 30 fps: ~4 MB)
PlanMaker = Callable[[str], SetPlan]


class Judge(Protocol):
    """Whoever judges a set of one exercise, frame by frame: a :class:`Detector`, or a plug-in of its own (a test's
    toy judge). :class:`SetJudge` puts recognition in front of one and is itself a judge."""

    @property
    def exercise(self) -> ExerciseSpec | None: ...

    @property
    def gauge_names(self) -> tuple[str, ...]: ...

    def step(self, t_s: float, metrics: np.ndarray, breath: BreathState | None = None) -> Judgement: ...

    def finish(self) -> tuple[Event, ...]: ...

    def reset(self) -> None: ...

    def replace_plan(self, plan: SetPlan) -> None: ...

    def facts(self) -> JudgeFacts: ...


def all_gauge_names(*more: tuple[str, ...]) -> tuple[str, ...]:
    """Every exercise's gauges (and ``more``), in a fixed order: the verdict columns of a recording whose exercise
    is not known yet — or may change."""
    names = [name for exercise in exercise_names() for name in get_exercise(exercise).gauge_names]
    return tuple(dict.fromkeys(names + [name for group in more for name in group]))


class SetJudge:
    """Recognition (or the exercise given) in front of the exercise's :class:`Detector`."""

    def __init__(self, plan_for: PlanMaker = make_plan, config: DetectorConfig = DetectorConfig(),
                 exercise: str | None = None, params: JudgeParams | None = None) -> None:
        """``exercise``: given (judged as it from the first frame); None: recognised from the movement.
        ``params``: the fitted values to judge with (core/judge_params.py; default: the ones formwatch ships)."""
        self.plan_for = plan_for
        self.config = config
        self.params = params if params is not None else shipped()
        self.recognizer = ExerciseRecognizer(self.params.recognition, self.params.hold_still_max_deg,
                                             self.params.side_view_max_deg)
        self.recognition: Recognised | None = None
        self.inner: Judge | None = None
        self._counter: Detector | None = None  # while it asks which exercise: counts reps, judges nothing
        self._counted = 0  # the reps it counted
        self._union = all_gauge_names()
        self._kept: list[tuple[float, np.ndarray, BreathState | None]] = []
        self._pending: list[Event] = []
        self._finished = False
        if exercise is not None:
            self._pending = self._start(get_exercise(exercise).name, "given", 0.0)[0]

    @classmethod
    def of(cls, given: Judge) -> "SetJudge":
        """A set judged by a judge built elsewhere (a detector with its own plan, a plug-in): its exercise given."""
        if given.exercise is None:
            raise ValueError("a given judge must know its exercise")
        name = given.exercise.name
        plan = given.plan if isinstance(given, Detector) else None
        judge = cls(lambda other: plan if plan is not None and other == name else make_plan(other),
                    given.config if isinstance(given, Detector) else DetectorConfig())
        judge.inner = given
        judge._union = all_gauge_names(given.gauge_names)
        judge.recognition = Recognised(0.0, name, 1.0, "given")
        judge._pending = [judge.recognition]
        return judge

    # ----------------------------------------------------------------------------------------- the protocol
    @property
    def exercise(self) -> ExerciseSpec | None:
        return self.inner.exercise if self.inner is not None else None

    @property
    def gauge_names(self) -> tuple[str, ...]:
        """The recording's gauge columns: every exercise's, so that they are fixed before the exercise is known."""
        return self._union

    def step(self, t_s: float, metrics: np.ndarray, breath: BreathState | None = None) -> Judgement:
        self._keep(t_s, metrics, breath)
        events, self._pending = self._pending, []
        if self.inner is None:
            found = self.recognizer.step(t_s, metrics)
            if found is not None:
                self.recognition = found
                events.append(found)
                if found.exercise is not None:  # the frames so far, this one included, through its detector
                    replayed, last = self._start(found.exercise, "recognised", t_s, announce=False)
                    if last is not None:
                        return replace(last, events=tuple(events + replayed))
                events += self._count_while_asking(found)  # the frames so far, this one included
            elif self._counter is not None:
                events += self._reps_only(self._counter.step(t_s, metrics, breath).events)
            return Judgement(t_s, State.READY, self._counted, "", False, (), None, tuple(events))  # no gauges
        if self._unconfirmed_hold(t_s) and (found := self.recognizer.step(t_s, metrics)) is not None:
            self.recognition = found  # it moved: no hold after all (a back extension's first still seconds)
            events.append(found)
            self.inner = None
            if found.exercise is not None:
                replayed, last = self._start(found.exercise, "recognised", t_s, announce=False)
                if last is not None:
                    return replace(last, events=tuple(events + replayed))
            return Judgement(t_s, State.READY, 0, "", False, (), None, tuple(events))
        judgement = self.inner.step(t_s, metrics, breath)
        return replace(judgement, events=tuple(events) + judgement.events) if events else judgement

    def _unconfirmed_hold(self, t_s: float) -> bool:
        """A hold the recogniser named and nothing has confirmed yet (held under core/detector.py CONFIRM_HOLD_S)."""
        inner, recognition = self.inner, self.recognition
        return isinstance(inner, Detector) and not inner.confirmed and recognition is not None \
            and recognition.source == "recognised" and recognition.exercise in HOLDS \
            and (inner.held_time(t_s) or 0.0) < CONFIRM_HOLD_S

    def set_exercise(self, name: str) -> None:
        """The person says which exercise it is: judged as that from the set's first kept frame (the events of the
        replay come with the next frame)."""
        t_s = self._kept[-1][0] if self._kept else 0.0
        self._pending += self._start(get_exercise(name).name, "chosen", t_s)[0]

    def use_profile(self, profile: Profile) -> None:
        """A calibration made during the set (the guided start, C in the window): plans use it from now on; the
        exercise's set starts afresh with it."""
        self.plan_for = lambda name: make_plan(name, profile)
        if self.inner is not None:
            exercise = self.inner.exercise
            if exercise is not None:
                self.inner.replace_plan(self.plan_for(exercise.name))

    def replace_plan(self, plan: SetPlan) -> None:
        if self.inner is not None:
            self.inner.replace_plan(plan)

    def reset(self) -> None:
        """A new set: the exercise stays as it is; its detector and the kept frames start afresh (and the new set's
        first frame says which exercise it is)."""
        self._kept = []
        self._finished = False
        self._counter, self._counted = None, 0
        if self.inner is not None:
            self.inner.reset()
            if self.recognition is not None:
                self._pending = [self.recognition]
        else:
            self.recognizer = ExerciseRecognizer(self.params.recognition, self.params.hold_still_max_deg,
                                                 self.params.side_view_max_deg)
            self.recognition = None

    def finish(self) -> tuple[Event, ...]:
        """The input ended: the recogniser's last word from all it saw (a 2.5 s plank clip is still a plank), then
        the rep in progress judged as far as it was seen."""
        if self._finished or not self._kept:
            return ()
        self._finished = True
        events: list[Event] = list(self._pending)
        self._pending = []
        if self.inner is None:
            self.recognition = self.recognizer.finish(self._kept[-1][0])
            events.append(self.recognition)
            if self.recognition.exercise is not None:
                events += self._start(self.recognition.exercise, "recognised", self._kept[-1][0], announce=False)[0]
            else:
                events += self._count_while_asking(self.recognition)
        if self.inner is not None:
            events += self.inner.finish()
        elif self._counter is not None:
            events += self._reps_only(self._counter.finish())
        return tuple(events)

    def facts(self) -> JudgeFacts:
        return self.inner.facts() if self.inner is not None else JudgeFacts()

    # ------------------------------------------------------------------------------------------------ inside
    def _keep(self, t_s: float, metrics: np.ndarray, breath: BreathState | None) -> None:
        kept = self._kept
        kept.append((t_s, metrics if not metrics.flags.writeable else metrics.copy(), breath))
        if t_s - kept[0][0] > MAX_KEPT_S:
            del kept[: max(1, len(kept) // 10)]

    def _count_while_asking(self, recognition: Recognised) -> list[Event]:
        """The recogniser asks which exercise this is (or has said "none of these"): from the first question on,
        reps are counted by the likeliest exercise with reps — its own detector, the kept frames played through
        it, only its counted reps kept (no verdict, note or stop: nothing is judged until the exercise is known);
        a sure "none of these" ends the counting (the reps said so far stay said)."""
        if recognition.source != ABSTAINED:
            self._counter = None
            return []
        exercise = likeliest_with_reps(recognition)
        if self._counter is not None or exercise is None:
            return []
        self._counter = Detector(plan=self.plan_for(exercise), config=self.config, params=self.params)
        self._counter.rules = []  # it judges nothing: no rule, so no stop ends its count
        events: list[Event] = []
        for kept_t, metrics, breath in self._kept:
            events += self._reps_only(self._counter.step(kept_t, metrics, breath).events)
        return events

    def _reps_only(self, events: tuple[Event, ...]) -> list[Event]:
        """The counted reps among a counting detector's events (counted here too)."""
        counted = [e for e in events if isinstance(e, RepCounted)]
        self._counted += len(counted)
        return list(counted)

    def _start(self, exercise: str, source: str, t_s: float, announce: bool = True
               ) -> tuple[list[Event], Judgement | None]:
        """Build ``exercise``'s detector and play the kept frames through it: the events of that replay (the
        recognition first, when ``announce``) and its last judgement."""
        self._counter, self._counted = None, 0
        self.inner = detector = Detector(plan=self.plan_for(exercise), config=self.config, params=self.params)
        detector.confirmed = source != "recognised"
        if announce:
            self.recognition = Recognised(t_s, exercise, 1.0, source)
        events: list[Event] = [self.recognition] if announce and self.recognition is not None else []
        last: Judgement | None = None
        for kept_t, metrics, breath in self._kept:
            last = self.inner.step(kept_t, metrics, breath)
            events += last.events
        return events, last
