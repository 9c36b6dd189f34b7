"""Exercises as data: one frozen spec per exercise, with the names people use for it.

An exercise says which metric drives its reps and in which direction, the hysteresis levels that start and end a
rep, which form metrics it watches, whether it is done in reps or held, the camera view it needs, and which stop
rules apply (``core/rules.py``). The detector, the rep segmenter, calibration, the CLI's ``--exercise`` choices and
its help all read these specs.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Iterator

from formwatch.core.registry import (HIP_EXTENSION, HIP_HINGE, LEG_SPLIT, LUMBAR_CURVE, REGISTRY, RIB_FLARE,
                                     SHOULDER_ELEVATION, MetricSpec)

# The built-in rules in the order the detector asks them (core/rule_blocks.py): those a rep's turn or end decides
# first, then those of every frame. Each answers None where it does not apply (a hold has no depth).
ALL_RULES = ("depth", "drift", "tempo", "gross", "phase", "limit", "breath")


@dataclass(frozen=True)
class ExerciseSpec:
    """How one exercise is monitored."""

    name: str
    driver_sign: float  # +1: reps are flexion away from rest (hinge, squat); -1: extension (bridge, bird-dog)
    enter_deg: float  # a rep starts when the driver moves this far from rest
    exit_deg: float  # and ends when it comes back within this
    min_rep_s: float = 0.8  # shorter excursions are fidgets, not reps
    exit_fraction: float = 0.0  # a rep also ends once back below this fraction of its peak (alternating limbs)
    has_reps: bool = True
    watched: tuple[str, ...] = (SHOULDER_ELEVATION, HIP_EXTENSION, LUMBAR_CURVE, RIB_FLARE)
    judged_lower: tuple[str, ...] = ()  # watched metrics whose fault is a fall (the low back rounding)
    driver: str = HIP_HINGE
    view: str = "side"  # the camera view it needs ("side", or "any")
    rest_max_deg: float | None = None  # the rest must be within this of the driver's zero (upright), when set
    aliases: tuple[str, ...] = ()
    rules: tuple[str, ...] = ALL_RULES
    covers: str = ""  # what people call it, for --help
    breath_hold_limit_s: float = 5.0  # the breath rule: a breath held longer than this ends a hold

    def __post_init__(self) -> None:
        for metric in self.watched + (self.driver,):
            REGISTRY.index(metric)  # unknown metric names fail at definition, not mid-set
        from formwatch.core.rules import rule_names  # the registry: built-in rules and any registered since

        unknown = set(self.rules) - set(rule_names())
        if unknown:
            raise ValueError(f"{self.name}: unknown rules {sorted(unknown)}; known: {', '.join(rule_names())}")
        if set(self.judged_lower) - set(self.watched):
            raise ValueError(f"{self.name}: judged_lower names metrics it does not watch")

    @property
    def gauge_names(self) -> tuple[str, ...]:
        """The gauges a set of this exercise shows: every watched metric, then the depth lost when the depth rule
        is on (a rep exercise)."""
        return self.watched + ((self.driver,) if self.has_reps and "depth" in self.rules else ())

    def watched_specs(self) -> tuple[MetricSpec, ...]:
        """The watched metrics' specs, each turned the way this exercise judges it."""
        return tuple(REGISTRY[m].judged_lower() if m in self.judged_lower else REGISTRY[m] for m in self.watched)


# Loaded exercises (hinge, squat) round the low back under load: they watch the lumbar curve falling. Holds and
# extension exercises (plank, bridge, bird-dog) arch it and flare the ribs: they watch both rising. Shoulders
# everywhere they can creep up.
_LOADED = (SHOULDER_ELEVATION, HIP_EXTENSION, LUMBAR_CURVE)
_EXERCISES: dict[str, ExerciseSpec] = {spec.name: spec for spec in (
    ExerciseSpec("hinge", +1.0, 25.0, 12.0, watched=_LOADED, judged_lower=(LUMBAR_CURVE,), rest_max_deg=35.0,
                 aliases=("deadlift", "rdl", "romanian-deadlift", "good-morning", "hip-hinge"),
                 covers="deadlift, Romanian deadlift, good morning"),
    ExerciseSpec("squat", +1.0, 30.0, 15.0, watched=_LOADED, judged_lower=(LUMBAR_CURVE,), rest_max_deg=35.0,
                 aliases=("squats", "goblet-squat", "box-squat"), covers="squat, goblet squat, box squat"),
    ExerciseSpec("bridge", -1.0, 15.0, 7.0, aliases=("glute-bridge", "hip-bridge"), covers="glute bridge"),
    # Bird-dog: a rep is one leg reaching back, so it is driven by the angle between the thighs (from the world
    # landmarks), which opens by the whole reach, not by the hip's fold between the trunk and the two knees' midpoint,
    # which moves half as far and as the pose model places the far leg. It alternates legs, so a rep also ends once
    # back below 60 % of its peak; each side reaches its own range, so the depth of one rep says nothing about the
    # next: no depth rule.
    ExerciseSpec("bird-dog", +1.0, 15.0, 7.0, exit_fraction=0.6, driver=LEG_SPLIT, aliases=("birddog", "bird-dogs"),
                 rules=("drift", "tempo", "gross", "phase", "limit"), covers="bird-dog on all fours"),
    ExerciseSpec("plank", +1.0, 0.0, 0.0, has_reps=False, watched=(HIP_EXTENSION, LUMBAR_CURVE, RIB_FLARE),
                 aliases=("front-plank", "forearm-plank"), rules=("limit", "breath"), covers="a timed plank hold"),
)}


def _key(name: str) -> str:
    return name.strip().lower().replace(" ", "-").replace("_", "-")


def exercise_names() -> tuple[str, ...]:
    return tuple(_EXERCISES)


def all_exercise_words() -> tuple[str, ...]:
    """Every accepted word: names and aliases."""
    return tuple(sorted({w for s in _EXERCISES.values() for w in (s.name,) + s.aliases}))


def get_exercise(name: str) -> ExerciseSpec:
    """The spec for a name or an alias ("deadlift", "glute bridge"); ValueError naming the choices otherwise."""
    key = _key(name)
    for spec in _EXERCISES.values():
        if key == spec.name or key in spec.aliases:
            return spec
    raise ValueError(f"unknown exercise {name!r}; choose one of {', '.join(_EXERCISES)} "
                     f"(or a name such as {', '.join(a for s in _EXERCISES.values() for a in s.aliases[:1])})")


def next_exercise(name: str | None) -> str:
    """The exercise after ``name`` in the order they are listed (the window's E key cycles through them)."""
    names = exercise_names()
    return names[(names.index(name) + 1) % len(names)] if name in names else names[0]


def register_exercise(spec: ExerciseSpec) -> ExerciseSpec:
    if spec.name in _EXERCISES:
        raise ValueError(f"exercise {spec.name!r} is registered already")
    _EXERCISES[spec.name] = spec
    return spec


@contextlib.contextmanager
def registered_exercise(spec: ExerciseSpec) -> Iterator[ExerciseSpec]:
    """Register ``spec`` for a ``with`` block."""
    register_exercise(spec)
    try:
        yield spec
    finally:
        del _EXERCISES[spec.name]


def judged_spec(exercise: str | None, metric: str) -> MetricSpec:
    """``metric``'s spec turned the way ``exercise`` judges it (a hinge's lumbar curve: rounding); KeyError for an
    unknown metric. No exercise (or an unknown one): the metric as registered."""
    return gauge_specs(exercise or "", (metric,))[0]


def gauge_specs(exercise: str, names: tuple[str, ...]) -> tuple[MetricSpec, ...]:
    """Specs of recorded gauges, turned the way ``exercise`` judged them (for a replay's labels)."""
    try:
        lower = get_exercise(exercise).judged_lower
    except ValueError:
        lower = ()
    return tuple(REGISTRY[n].judged_lower() if n in lower else REGISTRY[n] for n in names)


def exercises_help() -> str:
    return "; ".join(f"{s.name}: {s.covers}" for s in _EXERCISES.values())
