"""``formwatch demo`` with a window: the simulated set played as a camera through the live window."""

from __future__ import annotations

import argparse
from pathlib import Path

from formwatch.sim.demo import DEMO_FRAME_SIZE, DEMO_SCENARIO, demo_meta
from formwatch.core.detector import Detector
from formwatch.sim.scenarios import generate
from formwatch.core.session import SetSession
from formwatch.app.live import FakeEstimator, LiveRunner
from formwatch.io.recording import RecordingWriter, default_output_dir
from formwatch.capture.sources import ScheduledSource
from formwatch.ui.live_window import LiveWindow, close_on_interrupt, qt_app, schedule_screenshot_and_exit


def build_demo_runner(out: Path | None, speed: float = 1.0) -> LiveRunner:
    t, image, world = generate(DEMO_SCENARIO)
    session = SetSession(DEMO_FRAME_SIZE, detector=Detector("hinge"))
    writer = RecordingWriter(out or default_output_dir("demo"), demo_meta(), session.schema)
    return LiveRunner(ScheduledSource(t, DEMO_FRAME_SIZE, speed), FakeEstimator(image, world), session, writer)


def run_demo_window(args: argparse.Namespace) -> int:
    app = qt_app()
    runner = build_demo_runner(args.out, args.speed)
    window = LiveWindow(runner, DEMO_FRAME_SIZE, title="formwatch demo — simulated hip hinges")
    schedule_screenshot_and_exit(window, args.screenshot, args.exit_after)
    close_on_interrupt(window)
    window.show()
    app.exec()
    from formwatch.core.wording import verdict_line

    summary = window.summaries[-1] if window.summaries else runner.finish()
    print(verdict_line(summary) if summary.stop is not None else "The demo ended before a stop.")
    print(f"recording: {runner.writer.path if runner.writer is not None else '-'}")
    return 0
