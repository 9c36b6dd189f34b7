"""Every value the judge decides with that is fitted on data: one frozen object, loaded from the file the fit
script wrote (``formwatch/data/judge_fit.json``, with its provenance), replaced whole in the cross-validation.

scripts/fit_judge.py fits them from named, labelled clips; scripts/evaluate_judge.py refits them without each
clip's own source and scores the judge on it. Nothing here is set by hand on the clips it is scored on.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from types import MappingProxyType
from typing import Mapping

import numpy as np

__all__ = ["JudgeParams", "Norm", "RecognitionModel", "shipped"]


@dataclass(frozen=True)
class Norm:
    """What correct reps of one exercise read on one metric, band by band of the driver's angle: the mean and
    the spread of the reps' readings there; a first set's rep gets a note past ``margin`` spreads the worse way."""

    edges_deg: tuple[float, ...]  # band edges of the driver angle from rest (len(mean) + 1)
    mean: tuple[float, ...]
    spread: tuple[float, ...]
    margin: float
    reps: int = 0  # correct reps it was fitted on
    sources: int = 0  # from this many sources

    def band(self, driver_deg: float) -> int | None:
        """The band a driver angle falls in, None outside every band."""
        for i in range(len(self.mean)):
            if self.edges_deg[i] <= driver_deg < self.edges_deg[i + 1]:
                return i
        return None


@dataclass(frozen=True)
class RecognitionModel:
    """A multinomial logistic model over the movement's features: feature names, their centring and scale, one
    weight row (and bias) a class; below ``bar`` the most likely class is not sure enough, and formwatch asks.

    ``seen``: each exercise's windows it was fitted on (standardised features); a window farther than
    ``unlike_beyond`` from every window of the exercise the model names is unlike that exercise as it was ever
    seen — a lunge the model can only place among squats — and is taken for none of these (a logistic model
    names *some* class however far a movement is from all of them)."""

    features: tuple[str, ...] = ()
    centre: tuple[float, ...] = ()
    scale: tuple[float, ...] = ()
    classes: tuple[str, ...] = ()  # exercise names, and "none" for none of these
    weights: tuple[tuple[float, ...], ...] = ()
    bias: tuple[float, ...] = ()
    bar: float = 0.5
    seen: Mapping[str, tuple[tuple[float, ...], ...]] = field(default_factory=lambda: MappingProxyType({}))
    unlike_beyond: float = math.inf  # standardised distance; inf: every window is like what was seen

    def standardised(self, values: Mapping[str, float]) -> list[float]:
        """The feature values centred and scaled as the model reads them (a missing or NaN feature at its centre)."""
        read = [values.get(n, math.nan) for n in self.features]
        return [(v - c) / s if v == v else 0.0 for v, c, s in zip(read, self.centre, self.scale)]

    def distance_to_seen(self, exercise: str, values: Mapping[str, float]) -> float:
        """How far these feature values are from the nearest window of ``exercise`` the model was fitted on
        (standardised units); inf when it has none of that exercise."""
        seen = self._seen_arrays.get(exercise)
        if seen is None or not len(seen):
            return math.inf
        return float(np.sqrt(((seen - np.asarray(self.standardised(values))) ** 2).sum(axis=1).min()))

    @cached_property
    def _seen_arrays(self) -> dict[str, np.ndarray]:
        return {name: np.asarray(rows, dtype=float) for name, rows in self.seen.items()}

    def probabilities(self, values: Mapping[str, float]) -> dict[str, float]:
        """Each class's probability for these feature values (a missing or NaN feature at its centre)."""
        x = self.standardised(values)
        logits = [b + sum(w * v for w, v in zip(row, x)) for row, b in zip(self.weights, self.bias)]
        top = max(logits, default=0.0)
        exps = [math.exp(v - top) for v in logits]
        total = sum(exps) or 1.0
        return {c: e / total for c, e in zip(self.classes, exps)}

    @property
    def ready(self) -> bool:
        return bool(self.classes) and len(self.weights) == len(self.classes)


@dataclass(frozen=True)
class JudgeParams:
    """The fitted values, and where they came from (``provenance``: data, command, date, counts)."""

    side_view_max_deg: float = 90.0  # side-view metrics (the back's curve, the ribs, hip extension) judged below
    max_rate_deg_s: float = math.inf  # a trunk reading changing faster than this is no reading
    hold_still_max_deg: float = math.inf  # a hold is a hold only while no joint moves farther than this (a window)
    recognition: RecognitionModel = field(default_factory=RecognitionModel)
    norms: Mapping[str, Mapping[str, Norm]] = field(default_factory=lambda: MappingProxyType({}))
    provenance: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    # A first set's limit, with no profile, of each metric judged from a population zero (hip extension from the
    # hips straight), by exercise: what correct sets of other people stay within (none fitted: the registry's)
    population_limits: Mapping[str, Mapping[str, float]] = field(default_factory=lambda: MappingProxyType({}))

    def norm(self, exercise: str, metric: str) -> Norm | None:
        return self.norms.get(exercise, {}).get(metric)

    def to_json(self) -> dict[str, object]:
        r = self.recognition
        return {"side_view_max_deg": self.side_view_max_deg,
                "max_rate_deg_s": None if math.isinf(self.max_rate_deg_s) else self.max_rate_deg_s,
                "hold_still_max_deg": None if math.isinf(self.hold_still_max_deg) else self.hold_still_max_deg,
                "recognition": {"features": list(r.features), "centre": list(r.centre), "scale": list(r.scale),
                                "classes": list(r.classes), "weights": [list(w) for w in r.weights],
                                "bias": list(r.bias), "bar": r.bar,
                                "unlike_beyond": None if math.isinf(r.unlike_beyond) else r.unlike_beyond,
                                "seen": {e: [list(w) for w in rows] for e, rows in r.seen.items()}},
                "norms": {e: {m: {"edges_deg": list(n.edges_deg), "mean": [_num(v) for v in n.mean],
                                  "spread": [_num(v) for v in n.spread],
                                  "margin": None if math.isinf(n.margin) else n.margin, "reps": n.reps,
                                  "sources": n.sources} for m, n in metrics.items()}
                          for e, metrics in self.norms.items()},
                "population_limits": {e: dict(limits) for e, limits in self.population_limits.items()},
                "provenance": dict(self.provenance)}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> "JudgeParams":
        r = _mapping(data.get("recognition"))
        rec = RecognitionModel(_strs(r.get("features")), _floats(r.get("centre")), _floats(r.get("scale")),
                               _strs(r.get("classes")), tuple(_floats(w) for w in _list(r.get("weights"))),
                               _floats(r.get("bias")), _float(r.get("bar", 0.5)),
                               MappingProxyType({str(e): tuple(_floats(w) for w in _list(rows))
                                                 for e, rows in _mapping(r.get("seen")).items()}),
                               math.inf if r.get("unlike_beyond") is None else _float(r.get("unlike_beyond"))) \
            if r.get("classes") else RecognitionModel()
        norms = {str(e): MappingProxyType({str(m): _norm(_mapping(n)) for m, n in _mapping(metrics).items()})
                 for e, metrics in _mapping(data.get("norms")).items()}
        rate, still = data.get("max_rate_deg_s"), data.get("hold_still_max_deg")
        return cls(_float(data.get("side_view_max_deg", 90.0)), math.inf if rate is None else _float(rate),
                   math.inf if still is None else _float(still), rec, MappingProxyType(norms),
                   MappingProxyType(dict(_mapping(data.get("provenance")))),
                   MappingProxyType({str(e): MappingProxyType({str(m): _float(v) for m, v in _mapping(limits).items()})
                                     for e, limits in _mapping(data.get("population_limits")).items()}))


def _norm(n: Mapping[str, object]) -> Norm:
    margin = n.get("margin")  # None: no margin was fitted (too few correct sets): the norm gives no note
    return Norm(_floats(n.get("edges_deg")), _floats(n.get("mean")), _floats(n.get("spread")),
                math.inf if margin is None else _float(margin), int(_float(n.get("reps", 0))), int(_float(n.get("sources", 0))))


def _mapping(value: object) -> Mapping[str, object]:
    return {str(k): v for k, v in value.items()} if isinstance(value, Mapping) else {}


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, (list, tuple)) else []


def _strs(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in _list(value))


def _floats(value: object) -> tuple[float, ...]:
    return tuple(_float(v) for v in _list(value))


def _num(value: float) -> float | None:
    return None if value != value else value


def _float(value: object) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else math.nan


@cache
def shipped() -> JudgeParams:
    """The values formwatch judges with: the fit script's file in the package (defaults when it is absent)."""
    try:
        text = resources.files("formwatch").joinpath("data/judge_fit.json").read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return JudgeParams()
    return JudgeParams.from_json(json.loads(text))
