"""Which exercise is this? Recognised from the movement by a small fitted model that says how sure it is — and asks
rather than guesses.

The features are the movement's own (:func:`window_features`, over the last seconds of the pipeline's metrics
rows): the trunk's posture (upright, lying face up or down), the joints' positions (hip, knee, elbow, shank, arm)
and how far each moves, and how the hips and knees share the deepest point of the movement. A multinomial logistic
model (core/judge_params.py ``RecognitionModel``, weights fitted by scripts/fit_judge.py on the labelled clips of
many sources) gives each exercise — and "none of these" — a probability. It decides once the most likely class
reaches the fitted bar, from :data:`MIN_SEEN_S` of movement on; until then nothing is judged. Still unsure after
:data:`ASK_AFTER_S`, it asks ("Which exercise is this? Press E"), and keeps watching. "None of these" stays
provisional (a rep later still switches it); a recognised exercise is kept (the person corrects it with E or
``--exercise``).
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from formwatch.core.events import ABSTAINED, UNLIKE_PREFIX, Recognised
from formwatch.core.exercises import exercise_names, get_exercise
from formwatch.core.judge_params import RecognitionModel
from formwatch.core.registry import (ARM_RAISE, ELBOW_FLEXION, HIP_HEIGHT, HIP_HINGE, KNEE_FLEXION, LEG_SPLIT,
                                     REGISTRY, SHANK_INCLINE, SHOULDER_ELEVATION, TRUNK_INCLINE, VIEW_ANGLE)

__all__ = ["ABSTAINED", "ASK_AFTER_S", "COLUMNS", "FEATURES", "MIN_SEEN_S", "NONE_CLASS", "UNLIKE_PREFIX",
           "ExerciseRecognizer",
           "likeliest", "likeliest_with_reps", "movement_deg", "unlike_seen", "unmoved_exercises",
           "window_features", "without_classes"]

MIN_SEEN_S = 2.0  # the least movement a decision is made from
ASK_AFTER_S = 6.0  # still unsure after this long: ask which exercise it is
WINDOW_S = 12.0  # the features look at the last seconds only
EVALUATE_EVERY_S = 0.25  # the features are computed this often, not every frame
UPRIGHT_DEG = 40.0  # the trunk within this of vertical is upright (a feature's definition, not a verdict)
NONE_CLASS = "none"  # the model's class for none of the five exercises

COLUMNS = (TRUNK_INCLINE, HIP_HINGE, KNEE_FLEXION, SHANK_INCLINE, ELBOW_FLEXION, ARM_RAISE, LEG_SPLIT, HIP_HEIGHT,
           SHOULDER_ELEVATION, VIEW_ANGLE)
FEATURES = ("upright_share", "trunk_from_upright_deg", "trunk_signed_deg", "hip_deg", "knee_deg", "elbow_deg",
            "shank_deg", "arm_deg", "hip_range_deg", "knee_range_deg", "elbow_range_deg", "arm_range_deg",
            "split_range_deg", "trunk_range_deg", "hip_height_range", "hip_knee_ratio", "shoulder_range_cm",
            "hip_share", "knee_share", "elbow_share")
MOVED_DEG = 10.0  # added to the joints' summed ranges: a body holding still shares nothing out


def _median(x: np.ndarray) -> float:
    x = x[~np.isnan(x)]
    return float(np.median(x)) if x.size else math.nan


def _range(x: np.ndarray) -> float:
    x = x[~np.isnan(x)]
    return float(np.percentile(x, 95) - np.percentile(x, 5)) if x.size >= 3 else math.nan


def window_features(rows: np.ndarray) -> dict[str, float]:
    """The features of a window of rows (one a frame; columns :data:`COLUMNS`), by :data:`FEATURES` name."""
    incline, hip, knee, shank, elbow, arm, split, height, shoulder, view = (rows[:, i] for i in range(len(COLUMNS)))
    seen = incline[~np.isnan(incline)]
    hip_seen = ~np.isnan(hip)
    ratio = math.nan
    if hip_seen.sum() >= 3:
        deepest = hip >= np.nanpercentile(hip, 90)
        hip_b, knee_b = _median(hip[deepest]), _median(knee[deepest])
        if knee_b == knee_b:
            ratio = min(4.0, max(0.0, hip_b / max(knee_b, 5.0)))
    ranges = {name: _range(x) for name, x in (("hip", hip), ("knee", knee), ("elbow", elbow))}
    moved = MOVED_DEG + sum(v for v in ranges.values() if v == v)
    return {
        "upright_share": float(np.mean(np.abs(seen) < UPRIGHT_DEG)) if seen.size else math.nan,
        "trunk_from_upright_deg": float(np.median(np.abs(seen))) if seen.size else math.nan,
        "trunk_signed_deg": _median(incline),
        "hip_deg": _median(hip), "knee_deg": _median(knee), "elbow_deg": _median(elbow),
        "shank_deg": _median(shank), "arm_deg": _median(arm),
        "hip_range_deg": ranges["hip"], "knee_range_deg": ranges["knee"], "elbow_range_deg": ranges["elbow"],
        "arm_range_deg": _range(arm), "split_range_deg": _range(split), "trunk_range_deg": _range(incline),
        "hip_height_range": _range(height), "hip_knee_ratio": ratio, "shoulder_range_cm": _range(shoulder),
        **{f"{name}_share": (v / moved if v == v else math.nan) for name, v in ranges.items()},
        "view_deg": _median(view),  # not a model feature: where the hip's fold can be seen at all
    }


HOLDS = ("plank",)  # the exercises that are held still
MOVEMENT_FEATURES = ("hip_range_deg", "knee_range_deg", "elbow_range_deg", "arm_range_deg", "trunk_range_deg")


def movement_deg(features: dict[str, float]) -> float:
    """How far the body moved in the window: its most moving joint's range (degrees; 0 when none was seen)."""
    return max((features[k] for k in MOVEMENT_FEATURES if features.get(k, math.nan) == features.get(k)), default=0.0)


def unmoved_exercises(features: dict[str, float], classes: tuple[str, ...],
                      side_view_max_deg: float = math.inf) -> tuple[str, ...]:
    """The rep exercises among ``classes`` the window cannot be. Every one of them moves the hips (a hinge and a
    squat fold them, a bridge and a bird-dog's reaching leg open them): those whose hips were never read in it (from
    any view: a biceps curl filmed with the knees out of the picture is no squat), and, where the camera sees the
    fold (the view within ``side_view_max_deg`` of side-on), those whose hips moved less than one of their reps
    starts at (core/exercises.py ``enter_deg``). From the front the hips fold in depth, and a fold not seen is no
    evidence."""
    side_on = features.get("view_deg", math.nan) <= side_view_max_deg
    moved = features.get("hip_range_deg", math.nan)
    out = []
    for name in classes:
        if name not in exercise_names() or not get_exercise(name).has_reps:
            continue
        if moved != moved or (side_on and moved < get_exercise(name).enter_deg):
            out.append(name)
    return tuple(out)


def likeliest(model: RecognitionModel, features: dict[str, float], hold_still_max_deg: float = math.inf,
              side_view_max_deg: float = math.inf) -> tuple[str | None, float, dict[str, float]]:
    """The model's word on one window: (the likeliest class, its probability, every class's probability), with
    what the movement rules out taken out — a hold while the body moves, a rep exercise whose driver has not moved
    by one rep's start. When the model's likeliest is ruled out, the rest can only say "none of these" (sure enough
    or not): a window too early in a set to show its first rep never names another exercise instead. An exercise
    named by a window unlike every window of it the model was fitted on (``RecognitionModel.unlike_beyond``) is
    "none of these", as sure as the model was of the exercise. The class is None when nothing is left."""
    probabilities = model.probabilities(features)
    if movement_deg(features) > hold_still_max_deg:
        probabilities = without_classes(probabilities, HOLDS)
    if not probabilities:
        return None, 0.0, probabilities
    best = max(probabilities, key=lambda k: probabilities[k])
    unmoved = unmoved_exercises(features, tuple(probabilities), side_view_max_deg)
    if best in unmoved:
        probabilities = without_classes(probabilities, unmoved)
        left = max(probabilities, key=lambda k: probabilities[k]) if probabilities else None
        if left != NONE_CLASS:
            return left, 0.0, probabilities
        return left, probabilities[left], probabilities
    if unlike_seen(model, best, features) is not None:
        return NONE_CLASS, probabilities[best], probabilities
    return best, probabilities[best], probabilities


def unlike_seen(model: RecognitionModel, exercise: str, features: dict[str, float]) -> float | None:
    """How far the window is from every window of ``exercise`` the model was fitted on, when past the model's
    ``unlike_beyond`` (the window is unlike that exercise as ever seen); None when it is like it (or no exercise)."""
    if exercise == NONE_CLASS or not model.unlike_beyond < math.inf:
        return None
    distance = model.distance_to_seen(exercise, features)
    return distance if distance > model.unlike_beyond else None


def likeliest_with_reps(recognition: Recognised) -> str | None:
    """The exercise with reps the model found likeliest when it decided ``recognition`` (its evidence's
    ``p_<class>``): whose count of reps is kept while formwatch asks which exercise it is. None when it gave no
    exercise with reps a probability."""
    evidence = recognition.evidence
    with_reps = [name for name in exercise_names() if get_exercise(name).has_reps and f"p_{name}" in evidence]
    return max(with_reps, key=lambda name: evidence[f"p_{name}"], default=None)


def without_classes(probabilities: dict[str, float], classes: tuple[str, ...]) -> dict[str, float]:
    """The probabilities with ``classes`` taken out, the rest renormalised."""
    kept = {k: v for k, v in probabilities.items() if k not in classes}
    total = sum(kept.values()) or 1.0
    return {k: v / total for k, v in kept.items()}


class ExerciseRecognizer:
    """Feeds on the pipeline's metrics rows; :attr:`current` is its word so far."""

    def __init__(self, model: RecognitionModel, hold_still_max_deg: float = math.inf,
                 side_view_max_deg: float = math.inf) -> None:
        """``hold_still_max_deg``: past this much movement of any joint in the window, it is no hold (a plank);
        ``side_view_max_deg``: the camera angle within which the hip's fold is seen (:func:`unmoved_exercises`)."""
        self.model = model
        self.hold_still_max_deg = hold_still_max_deg
        self.side_view_max_deg = side_view_max_deg
        self._cols = [REGISTRY.index(n) for n in COLUMNS]
        self._rows: deque[tuple[float, ...]] = deque()
        self._next_eval = -math.inf
        self._first_t: float | None = None
        self._asked = False
        self.current: Recognised | None = None

    def step(self, t_s: float, metrics: np.ndarray) -> Recognised | None:
        """One frame; returns a recognition (or a question) when it is new or changed at this frame, else None.
        A frame with nothing read (no one seen, or a view that judges nothing: a camera on its side) is no movement:
        it neither starts the clock nor joins the window."""
        values = tuple(float(metrics[c]) for c in self._cols)
        if all(v != v for v in values):
            return None
        if self._first_t is None:
            self._first_t = t_s
        self._rows.append((t_s, *values))
        held = self.current is not None and self.current.exercise in HOLDS
        if t_s < self._next_eval or (self.current is not None and self.current.exercise is not None and not held):
            return None
        self._next_eval = t_s + EVALUATE_EVERY_S
        while self._rows and t_s - self._rows[0][0] > WINDOW_S:
            self._rows.popleft()
        if t_s - self._first_t < MIN_SEEN_S:
            return None
        if held:  # a hold stands until the body moves past the hold's bar: then it was the start of reps
            if movement_deg(window_features(np.asarray(self._rows, dtype=float)[:, 1:])) <= self.hold_still_max_deg:
                return None
            self.current = self._decide(t_s)
            return self.current
        found = self._decide(t_s)
        if found.source == ABSTAINED:
            if self._asked or t_s - self._first_t < ASK_AFTER_S or self.current is not None:
                return None
            self._asked = True
        elif self.current is not None and found.exercise == self.current.exercise \
                and self.current.source != ABSTAINED:
            return None
        self.current = found
        return found

    def finish(self, t_s: float) -> Recognised:
        """At the end of the input: the word so far, else the model's word on all it saw (a question when unsure,
        or when too little was seen)."""
        if self.current is None or self.current.exercise is None:
            found = self._decide(t_s) if self._rows else Recognised(t_s, None, 0.0, ABSTAINED)
            if self.current is None or found.source != ABSTAINED:
                self.current = found
        return self.current

    def _decide(self, t_s: float) -> Recognised:
        a = np.asarray(self._rows, dtype=float)
        features = window_features(a[:, 1:])
        if not self.model.ready or a.shape[0] < 3:
            return Recognised(t_s, None, 0.0, ABSTAINED)
        best, sure, probabilities = likeliest(self.model, features, self.hold_still_max_deg, self.side_view_max_deg)
        evidence = {k: round(v, 2) for k, v in features.items() if v == v}
        evidence.update({f"p_{k}": round(v, 3) for k, v in probabilities.items()})
        top = max(probabilities, key=lambda k: probabilities[k], default=NONE_CLASS)
        if best == NONE_CLASS and (distance := unlike_seen(self.model, top, features)) is not None:
            evidence[f"{UNLIKE_PREFIX}{top}"] = round(distance, 2)
        if best is None or sure < self.model.bar:
            return Recognised(t_s, None, round(sure, 3), ABSTAINED, evidence)
        return Recognised(t_s, None if best == NONE_CLASS else best, round(sure, 3), evidence=evidence)
