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
from dataclasses import dataclass, replace
from enum import Enum
from typing import Callable, Iterator

import numpy as np

from formwatch.core.landmarks import Lm
from formwatch.core.limbs import limbs
from formwatch.core.trunk import trunk_shape

# (image (33, 4), world (33, 4), trunk profile (4, K) or None, frame size (w, h) px) -> the value of one frame, or a
# tuple of values for metrics computed together (each spec takes its ``output``). A metric that needs the profile
# answers NaN when it is None.
ComputeFn = Callable[[np.ndarray, np.ndarray, "np.ndarray | None", tuple[int, int]],
                     "float | np.ndarray | tuple[float, ...]"]
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
    max_limit: float | None = None  # a limit learned from a noisy start never goes above it: past this it is a fault
    phase_min_change: float | None = None  # against your own first reps at the same phase: the smallest change that
    # counts (the phase-matched limit is k x your rep-to-rep spread, never below this)
    relative: bool = True  # re-centred on the calibrated neutral when a profile is loaded
    natural_zero: float | None = None  # good posture without a profile (population neutral); None: the set's own
    # early reps set it
    trend: bool = True  # its per-rep peak is steady enough for the drift rule to extrapolate
    form: bool = True  # a form metric: may be watched, gets a gauge and a replay trace
    segments: tuple[Segment, ...] = ()  # skeleton segments drawn red when it is at fault
    colour: str = "#dddddd"  # trace colour
    compute: ComputeFn | None = None  # None: computed by the kinematics core itself
    # Words for an exercise that judges this metric in the other direction (e.g. rounding instead of arching):
    # (label, phrase, drifting, advice).
    lower_words: tuple[str, str, str, str] | None = None
    unmeasured_hint: str = ""  # why it is often NaN, in words a user can act on
    side_view_only: bool = False  # NaN when the camera sees the person from the front (the bend is then in depth)
    output: int | None = None  # ``compute`` gives several metrics at once (a tuple): this one's place in it

    def judged_lower(self) -> "MetricSpec":
        """The same metric judged the other way: worse = lower, with the words for that direction."""
        label, phrase, drifting, advice = self.lower_words or (self.label, self.phrase, self.drifting, self.advice)
        return replace(self, worse=Worse.LOWER, label=label, phrase=phrase, drifting=drifting, advice=advice)

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
_HIP_SEGMENTS = ((Lm.LEFT_HIP, Lm.LEFT_KNEE), (Lm.RIGHT_HIP, Lm.RIGHT_KNEE), (Lm.LEFT_HIP, Lm.RIGHT_HIP))
_BACK_SEGMENTS = ((Lm.LEFT_SHOULDER, Lm.LEFT_HIP), (Lm.RIGHT_SHOULDER, Lm.RIGHT_HIP))
_FRONT_SEGMENTS = ((Lm.LEFT_SHOULDER, Lm.LEFT_HIP), (Lm.RIGHT_SHOULDER, Lm.RIGHT_HIP),
                   (Lm.LEFT_SHOULDER, Lm.RIGHT_SHOULDER))
# The trunk-shape metrics have no population zero: a neutral back reads from -18 deg to +22 deg across the clean
# side-on clips in ../shared/data/video (body shape, clothing, the exercise's posture; docs/metrics.md). They are
# judged against the person's calibrated neutral, or against the set's own first reps / first seconds.

def _trunk(image: np.ndarray, world: np.ndarray, profile: np.ndarray | None,
           frame_size_px: tuple[int, int]) -> tuple[float, float]:
    """The trunk's shape from the silhouette profile (core/trunk.py): lumbar curve and rib flare, together; NaN
    without a silhouette."""
    return trunk_shape(profile) if profile is not None else (math.nan, math.nan)


# The columns the kinematics core computes, in the order it writes them (core/kinematics.py's Col follows this).
KINEMATIC_METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("hip_hinge_deg", "°", 0, "Hinge depth lost", "Hinge depth dropped", "hinge getting shallower",
               "Sink back into the hinge as deep as your first reps, or end the set here",
               Worse.LOWER, (-120.0, 180.0), None, 10.0, 6.0, segments=_TRUNK_SEGMENTS, colour="#4aa3ff"),
    MetricSpec("shoulder_elevation_cm", " cm", 1, "Shoulders up", "Shoulders crept up", "shoulders creeping up",
               "Let your shoulders drop away from your ears", Worse.HIGHER, (-25.0, 25.0), 2.0, 2.0, 1.5,
               phase_min_change=0.6, segments=_SHOULDER_SEGMENTS, colour="#ffb347"),
    # The landmark angle between trunk and thigh past straight: hip extension, not the spine's own curve.
    MetricSpec("hip_extension_deg", "°", 0, "Hip extension", "Hips pushed past straight",
               "hips pushing past straight", "Keep your hips in line with your trunk: squeeze your glutes lightly "
               "without pushing them forward", Worse.HIGHER, (-180.0, 90.0), 8.0, 8.0, 6.0, phase_min_change=4.0,
               natural_zero=0.0,
               trend=False, segments=_HIP_SEGMENTS, colour="#c78bff"),
    MetricSpec("trunk_incline_deg", "°", 0, "Trunk incline", form=False, plausible=(-180.0, 180.0)),
    MetricSpec("shoulder_elevation_left_cm", " cm", 1, "Left shoulder up", form=False, plausible=(-25.0, 25.0)),
    MetricSpec("shoulder_elevation_right_cm", " cm", 1, "Right shoulder up", form=False, plausible=(-25.0, 25.0)),
    MetricSpec("view", "", 0, "Camera view", relative=False, form=False),
    MetricSpec("quality", "", 2, "Tracking quality", relative=False, form=False),
    MetricSpec("torso_length_m", " m", 2, "Torso length", relative=False, form=False),
    MetricSpec("facing", "", 0, "Facing", relative=False, form=False),
)
# The trunk's own shape, from the silhouette profile (core/trunk.py, docs/metrics.md).
TRUNK_METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("lumbar_curve_deg", "°", 0, "Low back arch", "Low back arched", "low back arching",
               "Tuck your ribs down and brace gently, as if zipping up a coat", Worse.HIGHER, (-60.0, 60.0),
               10.0, 10.0, 6.0, max_limit=15.0, phase_min_change=5.0, trend=False, side_view_only=True,
               segments=_BACK_SEGMENTS,
               colour="#ff6b6b", compute=_trunk, output=0,
               lower_words=("Low back rounding", "Low back rounded", "low back rounding",
                            "Hinge from the hips with a long, braced spine; keep your chest proud"),
               unmeasured_hint="the back edge of your silhouette was hidden (an arm along it, the back against the "
                               "floor, or out of the picture): keep your back clear of your arms and in view"),
    # No stillness tolerance: the front edge is often hidden by the arms, so it does not decide when you held still.
    MetricSpec("rib_flare_deg", "°", 0, "Rib flare", "Ribs flared", "ribs flaring",
               "Breathe out and draw your lower ribs down towards your hips", Worse.HIGHER, (-60.0, 60.0),
               10.0, 10.0, None, max_limit=15.0, phase_min_change=5.0, trend=False,
               side_view_only=True, segments=_FRONT_SEGMENTS, colour="#5ee3c1", compute=_trunk, output=1,
               unmeasured_hint="the front of your trunk was hidden (arms in front of it, or out of the picture)"),
)
# Limb angles the exercise recogniser reads (core/recognition.py); not judged.
LIMB_METRICS: tuple[MetricSpec, ...] = tuple(
    MetricSpec(name, unit, digits, label, plausible=plausible, relative=False, form=False, compute=limbs, output=i)
    for i, (name, unit, digits, label, plausible) in enumerate((
        ("knee_flexion_deg", "°", 0, "Knee bend", (-10.0, 180.0)),
        ("shank_incline_deg", "°", 0, "Shin angle", (0.0, 90.0)),
        ("elbow_flexion_deg", "°", 0, "Elbow bend", (-10.0, 180.0)),
        ("arm_raise_deg", "°", 0, "Arm raised", (0.0, 180.0)),
        ("leg_split_deg", "°", 0, "Legs apart", (0.0, 180.0)),
        ("hip_height", "", 2, "Hip height", (-1.0, 1.5)),
        ("view_angle_deg", "°", 0, "Camera angle to your side", (0.0, 90.0)))))
BUILTIN_METRICS: tuple[MetricSpec, ...] = KINEMATIC_METRICS + TRUNK_METRICS + LIMB_METRICS


class MetricRegistry:
    """The ordered set of metric specs; columns and indexes derive from it."""

    def __init__(self, specs: tuple[MetricSpec, ...]) -> None:
        self._specs: dict[str, MetricSpec] = {}
        self._builtin = len(specs)
        self.n_kinematic = sum(1 for s in specs if s.compute is None)
        for spec in specs:
            self.register(spec)

    # ------------------------------------------------------------------------------------------- change
    def register(self, spec: MetricSpec) -> MetricSpec:
        """Add a metric at the end (its column index is the next free one)."""
        if spec.name in self._specs:
            raise ValueError(f"metric {spec.name!r} is registered already")
        if len(self._specs) >= self.n_kinematic and spec.compute is None:
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
    def computed(self) -> tuple[tuple[int, MetricSpec], ...]:
        """(column, spec) of the metrics computed outside the kinematics core, in column order."""
        return tuple((i, s) for i, s in enumerate(self._specs.values()) if s.compute is not None)

    @property
    def form_metrics(self) -> tuple[MetricSpec, ...]:
        return tuple(s for s in self._specs.values() if s.form)

    @property
    def relative_columns(self) -> tuple[int, ...]:
        """Columns a calibrated neutral re-centres."""
        return tuple(i for i, s in enumerate(self._specs.values()) if s.relative)



REGISTRY = MetricRegistry(BUILTIN_METRICS)
# The names other modules use instead of spelling the columns out (a rename is one line here).
HIP_HINGE, SHOULDER_ELEVATION, HIP_EXTENSION, TRUNK_INCLINE = (s.name for s in KINEMATIC_METRICS[:4])
LUMBAR_CURVE, RIB_FLARE = (s.name for s in TRUNK_METRICS)
KNEE_FLEXION, SHANK_INCLINE, ELBOW_FLEXION, ARM_RAISE, LEG_SPLIT, HIP_HEIGHT, VIEW_ANGLE = (s.name for s in LIMB_METRICS)
