"""The metric registry: one frozen spec per metric, from which everything else is derived.

Column indexes of the metrics array, metrics.csv columns, profile fields, the detector's watch lists, gauges, replay
traces, skeleton segments drawn red and the sentences a person reads all come from :data:`REGISTRY`. Adding a
metric is one :class:`MetricSpec` (and, for a metric the kinematics core does not compute itself, a ``compute``
function over landmarks): nothing else changes.

The registry is the one deliberately shared, mutable object of the core (plug-ins and tests add metrics to it); it
only ever grows at the end, so the columns the kinematics core writes keep their indexes.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from enum import Enum
from typing import Callable, Iterator

import numpy as np

from formwatch.core.landmarks import Lm

# (image (..., 33, 4), world (..., 33, 4), frame size (w, h) px) -> values (...). Shape-polymorphic like the core.
ComputeFn = Callable[[np.ndarray, np.ndarray, tuple[int, int]], "np.ndarray | float"]
Segment = tuple[Lm, Lm]


class Worse(str, Enum):
    """Which way a metric gets worse."""

    HIGHER = "higher"
    LOWER = "lower"
    BOTH = "both"


@dataclass(frozen=True)
class MetricSpec:
    """Everything formwatch knows about one metric. ``name`` is the CSV column and carries the unit suffix."""

    name: str
    unit: str  # as shown to the user: " cm", "°", ""
    digits: int = 1  # decimals shown to the user
    label: str = ""  # gauge and trace label ("Shoulders up")
    phrase: str = ""  # the stop sentence's start ("Shoulders crept up")
    drifting: str = ""  # the orange banner's words ("shoulders creeping up")
    advice: str = ""  # what to do about it ("Let your shoulders drop away from your ears")
    worse: Worse = Worse.HIGHER
    plausible: tuple[float, float] = (-math.inf, math.inf)  # outside: NaN, never passed to the detector
    default_limit: float | None = None  # the limit with no profile (also the fallback of a profile)
    min_limit: float | None = None  # the smallest change worth stopping for; a profile never goes below it
    still_tolerance: float | None = None  # calibration: the 10-90 % spread that still counts as holding still
    relative: bool = True  # re-centred on the calibrated neutral when a profile is loaded
    natural_zero: bool = False  # 0 means good posture even without a profile; else the set's early reps set it
    trend: bool = True  # its per-rep peak is steady enough for the drift rule to extrapolate
    form: bool = True  # a form metric: may be watched, gets a gauge and a replay trace
    segments: tuple[Segment, ...] = ()  # skeleton segments drawn red when it is at fault
    colour: str = "#dddddd"  # trace colour
    compute: ComputeFn | None = None  # None: computed by the kinematics core itself

    def worsening(self, deviation: float) -> float:
        """The deviation from baseline turned so that positive is worse (``BOTH``: its size)."""
        if self.worse is Worse.LOWER:
            return -deviation
        if self.worse is Worse.BOTH:
            return abs(deviation)
        return deviation

    def format(self, value: float) -> str:
        return f"{value:.{self.digits}f}{self.unit}"


_SHOULDER_SEGMENTS = ((Lm.LEFT_EAR, Lm.LEFT_SHOULDER), (Lm.RIGHT_EAR, Lm.RIGHT_SHOULDER),
                      (Lm.LEFT_SHOULDER, Lm.RIGHT_SHOULDER))
_TRUNK_SEGMENTS = ((Lm.LEFT_SHOULDER, Lm.LEFT_HIP), (Lm.RIGHT_SHOULDER, Lm.RIGHT_HIP),
                   (Lm.LEFT_HIP, Lm.LEFT_KNEE), (Lm.RIGHT_HIP, Lm.RIGHT_KNEE))

# The columns the kinematics core computes, in the order it writes them (core/kinematics.py's Col follows this).
BUILTIN_METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("hip_hinge_deg", "°", 0, "Hinge depth lost", "Hinge depth dropped", "hinge getting shallower",
               "Sink back into the hinge as deep as your first reps, or end the set here",
               Worse.LOWER, (-120.0, 180.0), None, 10.0, 6.0, segments=_TRUNK_SEGMENTS, colour="#4aa3ff"),
    MetricSpec("shoulder_elevation_cm", " cm", 1, "Shoulders up", "Shoulders crept up", "shoulders creeping up",
               "Let your shoulders drop away from your ears", Worse.HIGHER, (-25.0, 25.0), 2.0, 2.0, 1.5,
               segments=_SHOULDER_SEGMENTS, colour="#ffb347"),
    MetricSpec("lumbar_arch_deg", "°", 0, "Low back arch", "Low back arched", "low back arching",
               "Tuck your ribs down and brace gently, as if zipping up a coat", Worse.HIGHER, (-180.0, 90.0),
               8.0, 8.0, 6.0, natural_zero=True, trend=False, segments=_TRUNK_SEGMENTS, colour="#ff6b6b"),
    MetricSpec("trunk_incline_deg", "°", 0, "Trunk incline", form=False, plausible=(-180.0, 180.0)),
    MetricSpec("shoulder_elevation_left_cm", " cm", 1, "Left shoulder up", form=False, plausible=(-25.0, 25.0)),
    MetricSpec("shoulder_elevation_right_cm", " cm", 1, "Right shoulder up", form=False, plausible=(-25.0, 25.0)),
    MetricSpec("view", "", 0, "Camera view", relative=False, form=False),
    MetricSpec("quality", "", 2, "Tracking quality", relative=False, form=False),
    MetricSpec("torso_length_m", " m", 2, "Torso length", relative=False, form=False),
    MetricSpec("facing", "", 0, "Facing", relative=False, form=False),
)


class MetricRegistry:
    """The ordered set of metric specs; columns and indexes derive from it."""

    def __init__(self, specs: tuple[MetricSpec, ...]) -> None:
        self._specs: dict[str, MetricSpec] = {}
        self._builtin = len(specs)
        for spec in specs:
            self.register(spec)

    # ------------------------------------------------------------------------------------------- change
    def register(self, spec: MetricSpec) -> MetricSpec:
        """Add a metric at the end (its column index is the next free one)."""
        if spec.name in self._specs:
            raise ValueError(f"metric {spec.name!r} is registered already")
        if len(self._specs) >= self._builtin and spec.compute is None:
            raise ValueError(f"metric {spec.name!r} needs a compute function: the kinematics core does not know it")
        self._specs[spec.name] = spec
        return spec

    def unregister(self, name: str) -> None:
        """Remove a metric added with :meth:`register` (the core's own metrics stay)."""
        names = list(self._specs)
        if name not in self._specs or names.index(name) < self._builtin:
            raise ValueError(f"metric {name!r} is not an added metric")
        del self._specs[name]

    @contextlib.contextmanager
    def registered(self, spec: MetricSpec) -> Iterator[MetricSpec]:
        """Register ``spec`` for the duration of a ``with`` block (tests, plug-ins trying a metric)."""
        self.register(spec)
        try:
            yield spec
        finally:
            self.unregister(spec.name)

    # --------------------------------------------------------------------------------------------- read
    def __getitem__(self, name: str) -> MetricSpec:
        try:
            return self._specs[name]
        except KeyError:
            raise KeyError(f"unknown metric {name!r}; known: {', '.join(self._specs)}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __len__(self) -> int:
        return len(self._specs)

    def __iter__(self) -> Iterator[MetricSpec]:
        return iter(tuple(self._specs.values()))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._specs)

    def index(self, name: str) -> int:
        """Column of ``name`` in a metrics row."""
        try:
            return self.names.index(name)
        except ValueError:
            raise KeyError(f"unknown metric {name!r}") from None

    @property
    def added(self) -> tuple[tuple[int, MetricSpec], ...]:
        """(column, spec) of the metrics computed outside the kinematics core, in column order."""
        return tuple((i, s) for i, s in enumerate(self._specs.values()) if i >= self._builtin)

    @property
    def form_metrics(self) -> tuple[MetricSpec, ...]:
        return tuple(s for s in self._specs.values() if s.form)

    @property
    def relative_columns(self) -> tuple[int, ...]:
        """Columns a calibrated neutral re-centres."""
        return tuple(i for i, s in enumerate(self._specs.values()) if s.relative)

    def plausible_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """(low, high) per column, for masking implausible values to NaN."""
        low = np.array([s.plausible[0] for s in self._specs.values()])
        high = np.array([s.plausible[1] for s in self._specs.values()])
        return low, high


REGISTRY = MetricRegistry(BUILTIN_METRICS)
# The names other modules use instead of spelling the columns out (a rename is one line here).
HIP_HINGE, SHOULDER_ELEVATION, LUMBAR_ARCH, TRUNK_INCLINE = (s.name for s in BUILTIN_METRICS[:4])
