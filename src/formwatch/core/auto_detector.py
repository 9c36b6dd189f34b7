"""``--exercise auto``: recognise the exercise from the movement, then judge it — without losing the reps so far.

Until the recogniser (core/recognition.py) has its word, every frame's metrics are kept; once it speaks (by the
end of the first rep, or 3 s into a hold) the exercise's detector is built from its plan and the kept frames are
played through it, so the first rep is counted and judged like any other. A correction (a key in the window, or
:meth:`AutoDetector.set_exercise`) replays the set so far the same way. The recording's verdict columns are the
union of every exercise's gauges, so that its layout is fixed before the exercise is known.
"""

from __future__ import annotations

import functools
import math
from typing import Any, Callable

import numpy as np

from formwatch.core.detector import Detector
from formwatch.core.exercises import exercise_names, get_exercise
from formwatch.core.plan import SetPlan, make_plan
from formwatch.core.recognition import ExerciseRecognizer, Recognition, RecognitionConfig, describe
from formwatch.core.verdict import DetectorConfig, Verdict

__all__ = ["AUTO", "AutoDetector", "all_gauge_names"]

AUTO = "auto"  # --exercise auto: the exercise recognised from the movement

MAX_KEPT_S = 600.0  # frames kept for a replay under a corrected exercise (10 min at 30 fps: ~4 MB)


@functools.cache
def all_gauge_names() -> tuple[str, ...]:
    """Every exercise's gauges, in a fixed order: the verdict columns of a recording whose exercise is not known."""
    names: list[str] = []
    for exercise in exercise_names():
        for name in Detector(plan=make_plan(exercise)).gauge_names:
            if name not in names:
                names.append(name)
    return tuple(names)


class AutoDetector:
    """A detector whose exercise is recognised (or corrected) while the set runs; otherwise a :class:`Detector`."""

    def __init__(self, plan_for: Callable[[str], SetPlan] = make_plan, config: DetectorConfig = DetectorConfig(),
                 recognition: RecognitionConfig = RecognitionConfig()) -> None:
        self.plan_for = plan_for
        self.config = config
        self.recognizer = ExerciseRecognizer(recognition)
        self.recognition: Recognition | None = None
        self.exercise_source = "recognised"
        self.inner: Detector | None = None
        self._waiting = Detector(config=config)  # answers for the detector until there is one (nothing fed)
        self.gauge_names = all_gauge_names()
        self._kept: list[tuple[float, np.ndarray, Any]] = []
        self._finished = False

    # ------------------------------------------------------------------------------------------ as a detector
    def __getattr__(self, name: str) -> Any:
        """Everything else (spec, plan, reps, segmenter, held_s ...) is the current detector's."""
        current = self.__dict__.get("inner") or self.__dict__.get("_waiting")
        if current is None:
            raise AttributeError(name)
        return getattr(current, name)

    @property
    def gauge_specs(self) -> tuple[Any, ...]:
        from formwatch.core.exercises import gauge_specs

        return gauge_specs(self.inner.spec.name if self.inner else "hinge", self.gauge_names)

    @property
    def columns(self) -> tuple[str, ...]:
        return ("rep", "state", "phase") + tuple(f"{n}_{k}" for n in self.gauge_names for k in ("dev", "limit"))

    @property
    def recognised(self) -> bool:
        return self.inner is not None

    @property
    def recognition_text(self) -> str:
        """What the screen says about the exercise ("Looks like a hinge — press E to change")."""
        if self.exercise_source == "given" and self.inner is not None:
            return f"Watching a {self.inner.spec.name}"
        text = describe(self.recognition)
        return f"{text} — press E to change" if self.recognition is not None else text

    def step(self, t_s: float, metrics: np.ndarray, breath: Any = None) -> Verdict:
        self._keep(t_s, metrics, breath)
        found = self.recognizer.step(t_s, metrics) if self.exercise_source == "recognised" else None
        if found is not None:
            self.recognition = found
            if found.exercise is not None and self.inner is None:
                return self._start(found.exercise)
        if self.inner is None:
            return Verdict(t_s, "ready", 0, "", (math.nan,) * len(self.gauge_names))
        return self._widen(self.inner.step(t_s, metrics, breath))

    def set_exercise(self, name: str) -> Verdict | None:
        """The person says which exercise it is: judged as that from the set's first kept frame."""
        self.exercise_source = "given"
        self.recognition = Recognition(get_exercise(name).name, 1.0, self._kept[-1][0] if self._kept else 0.0,
                                       "chosen by you")
        return self._start(self.recognition.exercise)  # type: ignore[arg-type]

    def reset(self) -> None:
        """A new set: the exercise stays as recognised; its detector and the kept frames start afresh."""
        self._kept = []
        self._finished = False
        if self.inner is not None:
            self.inner.reset()
        else:
            self.recognizer = ExerciseRecognizer(self.recognizer.config)

    def replace_plan(self, plan: SetPlan) -> None:
        if self.inner is not None:
            self.inner.replace_plan(plan)

    def use_profile(self, profile: Any) -> None:
        """A calibration made during the set (the guided start, C in the window): plans use it from now on; a
        recognised exercise's set starts afresh with it."""
        self.plan_for = lambda name: make_plan(name, profile)
        if self.inner is not None:
            self.inner.replace_plan(self.plan_for(self.inner.spec.name))

    def row(self, verdict: Verdict) -> list[Any]:
        values: list[Any] = [verdict.rep, verdict.state, verdict.phase]
        limits = dict(zip(self.inner.gauge_names, self.inner.gauge_limits())) if self.inner is not None else {}
        for name, deviation in zip(self.gauge_names, verdict.deviations):
            values += [deviation, limits.get(name, math.nan)]
        return values

    def gauge_limits(self) -> tuple[float, ...]:
        limits = dict(zip(self.inner.gauge_names, self.inner.gauge_limits())) if self.inner is not None else {}
        return tuple(limits.get(name, math.nan) for name in self.gauge_names)

    def finish(self) -> None:
        """The input ended: the recogniser's last word from all it saw (a 2.5 s plank clip is still a plank)."""
        if self._finished or not self._kept:
            return
        self._finished = True
        if self.exercise_source == "recognised" and self.inner is None:
            self.recognition = self.recognizer.finish(self._kept[-1][0])
            if self.recognition.exercise is not None:
                self._start(self.recognition.exercise)
        if self.inner is not None:
            self.inner.finish()

    def summary(self) -> dict[str, Any]:
        self.finish()
        recognition = self.recognition
        words = {"exercise_source": self.exercise_source,
                 "exercise_confidence": recognition.confidence if recognition is not None else None,
                 "recognition": recognition.why if recognition is not None else None}
        if self.inner is None:
            return {"exercise": None, **words, "reps": 0, "stopped": False, "stop": None, "clean_reps": 0,
                    "held_s": None, "reps_detail": [], "technique_notes": []}
        return {**self.inner.summary(), **words}

    # ------------------------------------------------------------------------------------------------ inside
    def _keep(self, t_s: float, metrics: np.ndarray, breath: Any) -> None:
        kept = self._kept
        kept.append((t_s, np.array(metrics, dtype=float), breath))
        if t_s - kept[0][0] > MAX_KEPT_S:
            del kept[: max(1, len(kept) // 10)]

    def _start(self, exercise: str) -> Verdict:
        """Build ``exercise``'s detector and play the kept frames through it; the last frame's verdict."""
        self.inner = Detector(plan=self.plan_for(exercise), config=self.config)
        verdict = Verdict(0.0, "ready", 0, "", ())
        for t_s, metrics, breath in self._kept:
            verdict = self.inner.step(t_s, metrics, breath)
        return self._widen(verdict)

    def _widen(self, verdict: Verdict) -> Verdict:
        """The inner detector's gauges placed in the union's order (NaN for gauges this exercise has not)."""
        by_name = dict(zip(self.inner.gauge_names, verdict.deviations)) if self.inner is not None else {}
        deviations = tuple(by_name.get(name, math.nan) for name in self.gauge_names)
        return Verdict(verdict.t_s, verdict.state, verdict.rep, verdict.phase, deviations, verdict.stop)
