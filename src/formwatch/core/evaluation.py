"""Run scenarios through the very same session (pipeline + detector) in lockstep: the evaluation harness's engine."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formwatch.core.detector import Detector, DetectorConfig, StopEvent
from formwatch.core.scenarios import Scenario, generate
from formwatch.core.session import SetSession


@dataclass
class ScenarioOutcome:
    scenario: Scenario
    stop: StopEvent | None
    reps: int
    states: list[str]


def run_scenario(scenario: Scenario, exercise: str = "hinge", limits: dict[str, float] | None = None,
                 config: DetectorConfig = DetectorConfig()) -> ScenarioOutcome:
    """Generate the scenario's poses and feed them frame by frame; stop feeding at the latched stop."""
    t, image, world = generate(scenario)
    detector = Detector(exercise, config, limits=limits, profile_loaded=limits is not None)
    session = SetSession((1280, 720), detector=detector,
                         neutral=_synthetic_neutral() if limits is not None else None)
    states = []
    for i in range(len(t)):
        result = session.step(float(t[i]), image[i], world[i])
        states.append(result.verdict.state)
        if result.verdict.stop is not None:
            break
    return ScenarioOutcome(scenario, detector.stop, len(detector.reps), states)


def _synthetic_neutral() -> np.ndarray:
    """The neutral a calibration of the synthetic body would find: its standing metrics."""
    from formwatch.core.kinematics import N_COLS, RELATIVE_METRICS, compute_metrics
    from formwatch.core.synth import skeleton

    raw = compute_metrics(*skeleton(), (1280, 720))
    neutral = np.zeros(N_COLS)
    neutral[list(RELATIVE_METRICS)] = raw[list(RELATIVE_METRICS)]
    return neutral
