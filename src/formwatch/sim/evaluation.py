"""Run scenarios through the very same session (pipeline + detector) in lockstep: the evaluation harness's engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from formwatch.core.detector import Detector, DetectorConfig
from formwatch.core.events import Event, Stop
from formwatch.core.set_judge import Judge, SetJudge
from formwatch.core.set_summary import SetSummary, fold
from formwatch.core.registry import HIP_HINGE, HIP_EXTENSION, REGISTRY, SHOULDER_ELEVATION
from formwatch.sim.scenarios import Scenario, generate, generate_with_truth
from formwatch.core.session import SetSession


@dataclass
class ScenarioOutcome:
    scenario: Scenario
    stop: Stop | None
    reps: int
    states: list[str]
    detector: Detector | None = None
    summary: SetSummary | None = None


def run_scenario(scenario: Scenario, exercise: str = "hinge", limits: dict[str, float] | None = None,
                 config: DetectorConfig = DetectorConfig()) -> ScenarioOutcome:
    """Generate the scenario's poses and feed them frame by frame; stop feeding at the latched stop."""
    t, image, world = generate(scenario)
    detector = Detector(exercise, config, limits=limits, profile_loaded=limits is not None)
    session = SetSession((1280, 720), detector=detector,
                         neutral=_synthetic_neutral() if limits is not None else None)
    states = []
    for i in range(len(t)):
        record = session.step(float(t[i]), image[i], world[i])
        states.append(record.state)
        if record.stop is not None:
            break
    return ScenarioOutcome(scenario, detector.stop, len(detector.reps), states, detector, session.summary())


def judge_rows(detector: Judge | SetJudge, t: np.ndarray, metrics: np.ndarray, until_stop: bool = True
               ) -> SetSummary:
    """Metrics rows (registry-indexed, one a frame) through a judge, as the session would feed them; the set's
    summary folded from the events (the tests' and the evaluations' way to judge rows without poses)."""
    judge = detector if isinstance(detector, SetJudge) else SetJudge.of(detector)
    events: list[Event] = []
    for ti, row in zip(t, metrics):
        judgement = judge.step(float(ti), row)
        events += judgement.events
        if until_stop and judgement.stop is not None:
            break
    events += judge.finish()
    exercise = judge.exercise
    return fold(events, judge.facts(), exercise.name if exercise is not None else None)


def _synthetic_neutral() -> np.ndarray:
    """The neutral a calibration of the synthetic body would find: its standing metrics."""
    from formwatch.core.pipeline import metrics_batch
    from formwatch.sim.synth import skeleton

    image, world = skeleton()
    raw = metrics_batch(image[None], world[None], (1280, 720))[0]
    neutral = np.zeros(len(REGISTRY))
    relative = list(REGISTRY.relative_columns)
    neutral[relative] = np.nan_to_num(raw[relative])
    return neutral


PROFILE_LIMITS = {SHOULDER_ELEVATION: 2.0, HIP_EXTENSION: 8.0}
DRIFTS: dict[str, dict[str, Any]] = {  # metric -> scenario settings of a realistic gradual fault starting at rep 7
    SHOULDER_ELEVATION: dict(drift_amount=4.0, drift_duration_s=6.0),
    HIP_EXTENSION: dict(drift_amount=15.0, drift_duration_s=6.0),
    HIP_HINGE: dict(drift_amount=30.0, drift_duration_s=6.0),
}


def limit_crossing_s(scenario: Scenario, limits: dict[str, float], depth_limit_fraction: float = 0.15,
                     min_depth_loss_deg: float = 10.0, baseline_reps: int = 2) -> float:
    """When the generated fault first passes the limit (the truth the detection delay is measured from).

    Shoulders and arch: the first frame the true signal exceeds the limit. Depth: the bottom of the first rep
    whose depth falls short of the first reps' mean by more than the limit (a rep's depth exists at its bottom).
    """
    t, _, _, truth = generate_with_truth(scenario)
    metric = scenario.drift_metric
    if metric in (SHOULDER_ELEVATION, HIP_EXTENSION):
        # The lumbar-arch metric is extension past the straight line, so its truth is (arch - hinge).
        signal = truth[metric] - (truth[HIP_HINGE] if metric == HIP_EXTENSION else 0.0)
        over = np.flatnonzero(signal > limits[metric])
        return float(t[over[0]]) if len(over) else float("inf")
    depths = []
    for rep in range(scenario.reps):
        start = scenario.lead_in_s + rep * scenario.rep_period_s
        inside = (t >= start) & (t < start + scenario.rep_period_s)
        k = np.argmax(np.where(inside, truth[HIP_HINGE], -np.inf))
        depths.append((float(truth[HIP_HINGE][k]), float(t[k])))
    base = float(np.mean([d for d, _ in depths[:baseline_reps]]))
    limit = max(depth_limit_fraction * base, min_depth_loss_deg)
    for depth, when in depths:
        if base - depth > limit:
            return when
    return float("inf")


@dataclass
class HarnessReport:
    clean_sets: int
    false_stops: int
    delays_s: dict[str, list[float]]
    missed: dict[str, int]
    wrong_metric: dict[str, int]


def run_harness(clean_sets: int = 100, drift_sets: int = 20, fps_choices: tuple[float, ...] = (15.0, 30.0, 60.0),
                limits: dict[str, float] | None = PROFILE_LIMITS) -> HarnessReport:
    """Clean sets with realistic noise, spikes and dropouts (false stops), then each drift (detection delay)."""
    rng = np.random.default_rng(2026)
    false_stops = 0
    for i in range(clean_sets):
        fps = float(fps_choices[i % len(fps_choices)])
        spike = float(rng.uniform(4, 30)) if i % 3 == 0 else None
        dropout = (float(rng.uniform(4, 28)), 1.0) if i % 4 == 1 else None
        scenario = Scenario(fps=fps, seed=1000 + i, spike_at_s=spike, dropout=dropout,
                            noise_m=float(rng.uniform(0.001, 0.003)))
        if run_scenario(scenario, limits=limits).stop is not None:
            false_stops += 1
    delays: dict[str, list[float]] = {m: [] for m in DRIFTS}
    missed = {m: 0 for m in DRIFTS}
    wrong = {m: 0 for m in DRIFTS}
    for metric, settings in DRIFTS.items():
        for i in range(drift_sets):
            fps = float(fps_choices[i % len(fps_choices)])
            scenario = Scenario(fps=fps, seed=2000 + i, drift_metric=metric, **settings)
            stop = run_scenario(scenario, limits=limits).stop
            if stop is None:
                missed[metric] += 1
            elif stop.metric != metric:
                wrong[metric] += 1
            else:
                delays[metric].append(stop.t_s - limit_crossing_s(scenario, limits or PROFILE_LIMITS))
    return HarnessReport(clean_sets, false_stops, delays, missed, wrong)
