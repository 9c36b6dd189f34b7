"""``formwatch demo``: a simulated person doing hip hinges whose shoulders creep up from rep 7, through the very
same pipeline and detector as the live path, until the set is ended. Headless when there is no display."""

from __future__ import annotations

import argparse
from pathlib import Path

from formwatch.core.cues import CuePolicy
from formwatch.core.detector import Detector
from formwatch.core.driver import SetDriver, samples_of
from formwatch.core.frame_record import FrameRecord
from formwatch.core.sample import PoseSample
from formwatch.core.session import SetSession
from formwatch.core.wording import stop_advice
from formwatch.io.recording import RecordingWriter, default_output_dir
from formwatch.sim.demo import DEMO_FRAME_SIZE, DEMO_SCENARIO, demo_meta
from formwatch.sim.scenarios import generate
from formwatch.cli.arg_types import positive_seconds, positive_speed


class _CuePrinter:
    """A driver sink that prints what the set says as it goes (core/cues.py: the terminal's and the voice's
    words), and what to do after the stop."""

    def __init__(self) -> None:
        self.policy = CuePolicy()

    def on_record(self, sample: PoseSample, record: FrameRecord, bgr: object = None) -> None:
        for cue in self.policy.cues(record):
            print(f"  {cue.t_s:6.2f} s  {cue.text}")
        if record.stop is not None and any(e is record.stop for e in record.events):
            print(f"            Next time: {stop_advice(record.stop, record.exercise)}.")


def run_headless(out: Path | None) -> int:
    """Run the demo in lockstep, print the states as they change and the stop; keep the recording."""
    t, image, world = generate(DEMO_SCENARIO)
    session = SetSession(DEMO_FRAME_SIZE, detector=Detector("hinge"))
    print("formwatch demo: a simulated person does hip hinges; from rep 7 their shoulders start to creep up.")
    with RecordingWriter(out or default_output_dir("demo"), demo_meta(), session.schema) as writer:
        driver = SetDriver(session, [writer, _CuePrinter()])
        try:
            driver.run(samples_of(t, image, world), until_stop=True)
        finally:
            writer.summary_on_exit = session.summary()
    print(f"recording: {writer.path}  (replay it with: formwatch replay {writer.path})")
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("demo", help="watch formwatch end a simulated set whose shoulders start creeping up")
    p.add_argument("--headless", action="store_true", help="no window: print the states and the stop")
    p.add_argument("--out", type=Path, help="recording directory (default: <your data home>/recordings/demo-<time>)")
    p.add_argument("--screenshot", type=Path, help="save a picture of the window to this PNG")
    p.add_argument("--exit-after", type=positive_seconds, default=None, metavar="SECONDS", help="close the window after this")
    p.add_argument("--speed", type=positive_speed, default=1.0, help="play faster (2 = twice real time)")
    p.set_defaults(func=run_command)


def run_command(args: argparse.Namespace) -> int:
    from formwatch.ui.desktop import say_why_headless, why_no_window

    if args.headless or why_no_window() and not args.screenshot:
        say_why_headless()
        return run_headless(args.out)
    from formwatch.ui.demo_window import run_demo_window

    return run_demo_window(args)
