"""``formwatch demo``: a simulated person doing hip hinges whose shoulders creep up from rep 7, through the very
same pipeline and detector as the live path, until the set is ended. Headless when there is no display."""

from __future__ import annotations

import os
import sys
from dataclasses import asdict
from pathlib import Path

from formwatch.core.detector import Detector
from formwatch.core.scenarios import Scenario, generate
from formwatch.core.session import SetSession
from formwatch.recording import RecordingWriter, default_output_dir

DEMO_SCENARIO = Scenario(fps=30.0, reps=10, drift_metric="shoulder_elevation_cm", drift_onset_rep=7,
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


def run_headless(out: Path | None) -> int:
    """Run the demo in lockstep, print the states as they change and the stop; keep the recording."""
    t, image, world = generate(DEMO_SCENARIO)
    detector = Detector("hinge")
    session = SetSession(DEMO_FRAME_SIZE, detector=detector)
    writer = RecordingWriter(out or default_output_dir("demo"), demo_meta(), session.columns)
    print("formwatch demo: a simulated person does hip hinges; from rep 7 their shoulders start to creep up.")
    last_state, last_rep = "", 0
    try:
        for i in range(len(t)):
            result = session.step(float(t[i]), image[i], world[i])
            writer.add(t[i], image[i], world[i], session.row(result))
            verdict = result.verdict
            if verdict.rep != last_rep:
                print(f"  {t[i]:6.2f} s  rep {verdict.rep} done")
                last_rep = verdict.rep
            if verdict.state != last_state and verdict.state != "stopped":
                print(f"  {t[i]:6.2f} s  {verdict.state}")
                last_state = verdict.state
            if verdict.stop is not None:
                writer.update_meta(stop=asdict(verdict.stop))
                print(f"  {verdict.stop.t_s:6.2f} s  STOP — {verdict.stop.reason}")
                break
    finally:
        path = writer.close(session.summary())
    print(f"recording: {path}  (replay it with: formwatch replay {path})")
    return 0
