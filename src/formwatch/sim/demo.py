"""The built-in demo's simulated set: hip hinges whose shoulders creep up from rep 7, and its recording's meta.

Shared by ``formwatch demo`` (cli/demo.py), the demo window (ui/demo_window.py) and the bench's rendered clip
(app/bench.py), so none of them reaches into another's module.
"""

from __future__ import annotations

from dataclasses import asdict

from formwatch.core.registry import SHOULDER_ELEVATION
from formwatch.sim.scenarios import Scenario

DEMO_SCENARIO = Scenario(fps=30.0, reps=10, drift_metric=SHOULDER_ELEVATION, drift_onset_rep=7,
                         drift_amount=4.0, drift_duration_s=6.0, seed=42, yaw_deg=25.0)
DEMO_FRAME_SIZE = (1280, 720)


def demo_meta() -> dict[str, object]:
    return {"source": "formwatch demo (simulated hip hinges, shoulders creeping up from rep 7)",
            "fps": DEMO_SCENARIO.fps, "frame_width": DEMO_FRAME_SIZE[0], "frame_height": DEMO_FRAME_SIZE[1],
            "exercise": "hinge", "scenario": asdict(DEMO_SCENARIO)}
