"""Signal generators for whole sets: clean reps, gradual form drift with a known onset, spikes, lost tracking.

Used by the evaluation harness, the detector tests and ``formwatch demo``. Each scenario is pose arrays plus the
ground truth (when the drift starts, when it crosses a given size), at any frame rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formwatch.core.registry import HIP_HINGE, HIP_EXTENSION, SHOULDER_ELEVATION
from formwatch.sim.synth import skeleton


@dataclass(frozen=True)
class Scenario:
    """A hinge set: ``reps`` reps of ``rep_period_s`` each after ``lead_in_s`` of standing."""

    fps: float = 30.0
    reps: int = 10
    rep_period_s: float = 3.0
    lead_in_s: float = 2.0
    tail_s: float = 1.5
    depth_deg: float = 70.0
    thigh_deg: float = 10.0
    drift_metric: str | None = None  # a registry metric name: shoulder elevation, lumbar arch, hip hinge (depth)
    drift_onset_rep: int = 7  # 1-based rep at whose start the drift begins
    drift_amount: float = 4.0  # cm of shrug, degrees of arch at lockout, or degrees of depth lost
    drift_duration_s: float = 6.0
    spike_at_s: float | None = None  # a one-frame 5 cm shrug
    dropout: tuple[float, float] | None = None  # (start_s, duration_s) with nobody detected
    noise_m: float = 0.0015  # landmark jitter (metres of body; MediaPipe-like)
    seed: int = 0
    rep_jitter: float = 0.05  # relative rep-to-rep variation of depth
    yaw_deg: float = 0.0  # 0 = exactly side-on; a little turn makes a drawn skeleton easier to read
    shoulder_bottom_cm: float = 0.0  # shoulders rise this much at the bottom of every rep (arms forward, a nod)
    shoulder_bottom_extra_cm: float = 0.0  # ... and this much more from rep ``shoulder_extra_from_rep`` on
    shoulder_extra_from_rep: int = 7
    start_at_bottom: bool = False  # a deadlift from the floor: the set starts (and ends) at the bottom; reps = pulls

    @property
    def duration_s(self) -> float:
        return self.lead_in_s + self.reps * self.rep_period_s + self.tail_s

    @property
    def drift_onset_s(self) -> float:
        return self.lead_in_s + (self.drift_onset_rep - 1) * self.rep_period_s

    def drift_crossing_s(self, level: float) -> float:
        """When the drift reaches ``level`` (its own units), or inf if it never does."""
        if self.drift_metric is None or level > self.drift_amount:
            return float("inf")
        return self.drift_onset_s + self.drift_duration_s * level / self.drift_amount


def generate(s: Scenario) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``t_s (T,)``, image and world ``(T, 33, 4)`` of the scenario, float32 poses as MediaPipe gives."""
    t, image, world, _ = generate_with_truth(s)
    return t, image, world


def generate_with_truth(s: Scenario) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """As :func:`generate`, plus the true signals: shrug (cm), arch (deg), hinge (deg) per frame."""
    rng = np.random.default_rng(s.seed)
    t = np.arange(int(round(s.duration_s * s.fps))) / s.fps
    # Rep profile: a smooth down-and-up (raised cosine) per rep, with slight rep-to-rep variation.
    depth = s.depth_deg * (1 + s.rep_jitter * rng.uniform(-1, 1, s.reps))
    phase_t = t - s.lead_in_s
    rep_index = np.clip((phase_t // s.rep_period_s).astype(int), 0, s.reps - 1)
    in_set = (phase_t >= 0) & (phase_t < s.reps * s.rep_period_s)
    phase = (phase_t % s.rep_period_s) / s.rep_period_s
    hinge = np.where(in_set, depth[rep_index] * 0.5 * (1 - np.cos(2 * np.pi * phase)), 0.0)
    if s.start_at_bottom:  # floor -> lockout -> floor each rep; set-up and end at the floor
        hinge = np.where(in_set, depth[rep_index] * 0.5 * (1 + np.cos(2 * np.pi * phase)), s.depth_deg)
    shrug = np.zeros_like(t)
    if s.shoulder_bottom_cm or s.shoulder_bottom_extra_cm:
        extra = np.where(rep_index + 1 >= s.shoulder_extra_from_rep, s.shoulder_bottom_extra_cm, 0.0)
        shrug = (s.shoulder_bottom_cm + extra) / 100.0 * np.where(in_set, hinge / np.maximum(depth[rep_index], 1e-9), 0.0)
    arch = np.zeros_like(t)
    if s.drift_metric is not None:
        ramp = np.clip((t - s.drift_onset_s) / s.drift_duration_s, 0, 1) * s.drift_amount
        if s.drift_metric == SHOULDER_ELEVATION:
            shrug = shrug + ramp / 100.0
        elif s.drift_metric == HIP_EXTENSION:
            # leaning back at lockout: the extension shows when the hinge is near the top
            arch = ramp * np.clip(1 - hinge / 20.0, 0, 1)
        elif s.drift_metric == HIP_HINGE:
            hinge = hinge * (1 - np.clip(ramp / np.maximum(depth[rep_index], 1e-9), 0, 1))
        else:
            raise ValueError(f"unknown drift metric {s.drift_metric!r}")
    if s.spike_at_s is not None:
        shrug[np.argmin(np.abs(t - s.spike_at_s))] += 0.05
    image, world = skeleton(hinge_deg=hinge - arch, thigh_deg=s.thigh_deg * hinge / max(s.depth_deg, 1e-9),
                            shrug_m=shrug, yaw_deg=s.yaw_deg, frame_size_px=(1280, 720))
    px_per_m = 300.0
    image[..., 0] += rng.normal(0, s.noise_m * px_per_m / 1280, image[..., 0].shape)
    image[..., 1] += rng.normal(0, s.noise_m * px_per_m / 720, image[..., 1].shape)
    world[..., :3] += rng.normal(0, s.noise_m, world[..., :3].shape)
    if s.dropout is not None:
        lost = (t >= s.dropout[0]) & (t < s.dropout[0] + s.dropout[1])
        image[lost] = np.nan
        world[lost] = np.nan
    truth = {SHOULDER_ELEVATION: 100.0 * shrug, HIP_EXTENSION: arch, HIP_HINGE: hinge,
             "rep_depth_deg": depth}
    return t, image.astype(np.float32), world.astype(np.float32), truth
