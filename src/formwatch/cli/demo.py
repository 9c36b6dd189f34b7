"""``formwatch demo``: a simulated person doing hip hinges whose shoulders creep up from rep 7, through the very
same pipeline and detector as the live path, until the set is ended. Headless when there is no display."""

from __future__ import annotations

import os
import sys
from dataclasses import asdict
from pathlib import Path

from formwatch.core.detector import Detector, StopEvent
from formwatch.core.driver import SetDriver, samples_of
from formwatch.core.sample import PoseSample
from formwatch.core.registry import SHOULDER_ELEVATION
from formwatch.sim.scenarios import Scenario, generate
from formwatch.core.session import FrameResult, SetSession
from formwatch.io.recording import RecordingWriter, default_output_dir

DEMO_SCENARIO = Scenario(fps=30.0, reps=10, drift_metric=SHOULDER_ELEVATION, drift_onset_rep=7,
                         drift_amount=4.0, drift_duration_s=6.0, seed=42, yaw_deg=25.0)
DEMO_FRAME_SIZE = (1280, 720)


def display_available() -> bool:
    """True when a Qt window can be shown (a display, or an explicitly chosen Qt platform)."""
    if os.environ.get("QT_QPA_PLATFORM", "") in ("offscreen", "minimal"):
        return False
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or sys.platform in ("win32", "darwin")


def demo_meta() -> dict:
    return {"source": "formwatch demo (simulated hip hinges, shoulders creeping up from rep 7)",
            "fps": DEMO_SCENARIO.fps, "frame_width": DEMO_FRAME_SIZE[0], "frame_height": DEMO_FRAME_SIZE[1],
            "exercise": "hinge", "scenario": asdict(DEMO_SCENARIO)}


class _StatePrinter:
    """A driver sink that prints each completed rep, each change of state and the stop."""

    def __init__(self) -> None:
        self.last_state, self.last_rep = "", 0

    def on_frame(self, sample: PoseSample, result: FrameResult, row: object, bgr: object = None) -> None:
        verdict, t_s = result.verdict, sample.t_s
        if verdict.rep != self.last_rep:
            print(f"  {t_s:6.2f} s  rep {verdict.rep} done")
            self.last_rep = verdict.rep
        if verdict.state != self.last_state and verdict.state != "stopped":
            print(f"  {t_s:6.2f} s  {verdict.state}")
            self.last_state = verdict.state

    def on_stop(self, stop: StopEvent) -> None:
        print(f"  {stop.t_s:6.2f} s  STOP — {stop.reason}")
        if stop.advice:
            print(f"            Next time: {stop.advice}.")


def run_headless(out: Path | None) -> int:
    """Run the demo in lockstep, print the states as they change and the stop; keep the recording."""
    t, image, world = generate(DEMO_SCENARIO)
    session = SetSession(DEMO_FRAME_SIZE, detector=Detector("hinge"))
    print("formwatch demo: a simulated person does hip hinges; from rep 7 their shoulders start to creep up.")
    with RecordingWriter(out or default_output_dir("demo"), demo_meta(), session.columns) as writer:
        driver = SetDriver(session, [writer, _StatePrinter()])
        try:
            driver.run(samples_of(t, image, world), until_stop=True)
        finally:
            writer.summary_on_exit = session.summary()
    print(f"recording: {writer.path}  (replay it with: formwatch replay {writer.path})")
    return 0
