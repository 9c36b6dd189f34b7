"""``formwatch live``: camera (or a video played as a camera) -> overlay that ends the set; ``--headless`` prints.

Every set is recorded (poses always; video only with ``--keep-video``). Ctrl-C, closing the window or the camera
disappearing all finalise the recording; an unwritable ``--out`` is refused before the set starts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from formwatch.cli.common import (AUTO, add_exercise_argument, add_model_size_argument, add_profile_arguments,
                                  model_path, neutral_for, profile_from_args, profile_meta)
from formwatch.core.plan import SetPlan
from formwatch.core.session import SetSession
from formwatch.core.errors import FormwatchError
from formwatch.core.wording import verdict_line
from formwatch.app.interrupt import Interrupted, StopSignals
from formwatch.app.live import Estimator, LiveResult, LiveRunner
from formwatch.app.signature import judge_for
from formwatch.io.recording import RecordingWriter, default_output_dir, prepare_output_dir
from formwatch.cli.arg_types import positive_seconds

if TYPE_CHECKING:
    from formwatch.app.voice import VoiceCues
    from formwatch.capture.sources import LiveSource


def open_source(args: argparse.Namespace) -> LiveSource:
    from formwatch.capture.sources import CameraSource, PacedVideoSource
    from formwatch.capture.stream import NetworkCameraSource, is_stream_url

    if args.video is not None:
        return PacedVideoSource(args.video)
    if is_stream_url(args.camera):  # a phone's webcam app (capture/stream.py)
        return NetworkCameraSource(args.camera, say=lambda text: print(f"formwatch: {text}", file=sys.stderr,
                                                                          flush=True))
    device: int | str = int(args.camera) if str(args.camera).isdigit() else args.camera
    return CameraSource(device)


class _SetDirs:
    """Recording directories for successive sets: DIR, DIR-2, DIR-3, ..."""

    def __init__(self, first: Path) -> None:
        self.first = first
        self.count = 0

    def next(self) -> Path:
        self.count += 1
        return self.first if self.count == 1 else self.first.with_name(f"{self.first.name}-{self.count}")


def build_runner(args: argparse.Namespace) -> tuple[LiveRunner, Callable[[], RecordingWriter], Estimator]:
    from formwatch.capture.model_switch import AutoModelEstimator
    from formwatch.capture.models.provision import MODEL_NAME, find_or_provision, model_file_name
    from formwatch.capture.pose import PoseEstimator

    profile = profile_from_args(args)
    dirs = _SetDirs(args.out or default_output_dir("live"))
    prepare_output_dir(dirs.first)  # refuse an unwritable or full --out before anything starts
    try:
        model = find_or_provision(model_path(args))
        source = open_source(args)
    except FormwatchError:
        if not any(dirs.first.iterdir()):
            dirs.first.rmdir()  # nothing was recorded: leave no empty directory behind
        raise
    size = (source.info.frame_width, source.info.frame_height)
    history = not getattr(args, "no_history", False)
    session = SetSession(size, neutral=neutral_for(profile), detector=judge_for(args.exercise, profile, history))
    meta = {"source": f"video {args.video}" if args.video else f"camera {args.camera}", "fps": source.info.fps,
            "frame_width": size[0], "frame_height": size[1], "exercise": args.exercise,
            "model": {"name": model.name, "sha256": model.sha256, "origin": model.origin}, **profile_meta(profile)}

    def new_writer() -> RecordingWriter:
        writer = RecordingWriter(dirs.next(), meta, session.schema)
        if args.keep_video:
            from formwatch.capture.video_writer import attach_video

            attach_video(writer, size, source.info.fps)
        return writer

    estimator: Estimator = PoseEstimator(model.path)
    if args.model is None and getattr(args, "model_size", None) is None and model.name == MODEL_NAME:
        # The default: full, moving to lite by itself when full cannot keep up (capture/model_switch.py).
        lite = model.path.with_name(model_file_name("lite"))
        estimator = AutoModelEstimator(estimator, lite if lite.is_file() else None, PoseEstimator,
                                       source.info.fps or 30.0, (model.name, lite.name),
                                       say=lambda text: print(f"formwatch: {text}", file=sys.stderr, flush=True),
                                       dropped=lambda: source.mailbox.dropped)
    runner = LiveRunner(source, estimator, session, new_writer())
    runner.record_history = history
    runner.asked = getattr(args, "asked", None)  # a routine's step: what it asked, kept in the summary
    if getattr(args, "guided", None) is not None:  # formwatch start: set-up checklist, the neutral, then the set
        runner.request_calibration(args.guided(size))
    judge = session.judge
    if history and profile is not None and judge is not None:  # each new set (Space) starts with the limits in
        from formwatch.app.signature import start_plan  # force after the set just ended

        def plan_for_new_set() -> SetPlan | None:
            exercise = judge.exercise
            return start_plan(exercise.name, profile, True) if exercise is not None else None

        runner.plan_for_new_set = plan_for_new_set
    return runner, new_writer, estimator


def run_headless(args: argparse.Namespace) -> int:
    with StopSignals() as signals:  # from the start: Ctrl-C while the model loads is a flag too, never a traceback
        runner, _, estimator = build_runner(args)
        signals.on_signal = runner.request_stop
        if signals.received is not None:  # before the first frame: nothing to keep
            estimator.close()
            _discard_unstarted(runner)
            signals.raise_if_received("before the set started; nothing was recorded")
        return _run_headless(args, runner, estimator, signals)


def make_voice(args: argparse.Namespace) -> VoiceCues | None:
    """The spoken cues, or None; where they cannot be heard, one line says why (never silently)."""
    if not args.voice:
        return None
    from formwatch.app.voice import VoiceCues, why_silent

    if why := why_silent():
        print(f"formwatch: voice off: {why}; the cues stay on screen and in this terminal", file=sys.stderr)
        return None
    return VoiceCues(count_reps=getattr(args, "count_reps", True))


def _discard_unstarted(runner: LiveRunner) -> None:
    """The recording of a set that never saw a frame holds nothing: its folder goes, so nothing points at it."""
    import shutil

    writer = runner.writer
    if writer is not None and runner.stats.processed == 0:
        writer.close()
        shutil.rmtree(writer.path, ignore_errors=True)
        runner.writer = None


def _run_headless(args: argparse.Namespace, runner: LiveRunner, estimator: Estimator, signals: StopSignals) -> int:
    from formwatch.app.live_calibration import CalibrationWords
    from formwatch.core.cues import Cue, CuePolicy

    voice = make_voice(args)  # headless too: the person is 2-3 m away, not at the terminal
    policy = CuePolicy(count_reps=getattr(args, "count_reps", True))
    calibration_words = CalibrationWords()

    def tell(cue: Cue) -> None:
        print(f"  {cue.t_s:6.2f} s  {cue.text}", flush=True)
        if voice is not None and cue.spoken:
            voice.say(cue.spoken)

    def report(live: LiveResult) -> None:
        calibration = runner.calibration  # the guided set-up and calibration, as they go
        if calibration is not None and (cue := calibration_words.cue(calibration.message, live.record.t_s)):
            tell(cue)
        for cue in policy.cues(live.record):
            tell(cue)

    runner.on_result = report
    runner.source.start()  # the signals are read between frames, never raised inside MediaPipe
    try:
        reason = runner.run(args.exit_after)
        if signals.received is not None:
            reason = runner.end_reason = "interrupted"
    finally:
        runner.source.stop()
        if signals.received is not None and runner.stats.processed == 0:
            _discard_unstarted(runner)
        summary = runner.finish(interrupted=signals.received is not None)
        estimator.close()
        not_saved = runner.calibration.not_saved if runner.calibration is not None else ""
        if not_saved and voice is not None:
            voice.say(not_saved)
        if voice is not None:
            voice.close()
    live = summary.live or {}
    print(f"ended: {reason}; {live.get('processed', 0)} frames processed, {live.get('dropped', 0)} dropped")
    from formwatch.core.wording import dropped_note

    if note := dropped_note(live, bool(live.get("model_switches"))):
        print(f"note: {note}")
    if line := verdict_line(summary):
        print(line)
    if (tell_routine := getattr(args, "on_summary", None)) is not None:
        tell_routine(summary)
    if not_saved:
        print(f"formwatch: {not_saved}")
    print(f"recording: {runner.writer.path if runner.writer else '-'}")
    signals.raise_if_received("the set was saved as interrupted" if runner.writer is not None
                              else "before the first frame; nothing was recorded")
    return 0


def run_window(args: argparse.Namespace) -> int:
    from formwatch.app.live_calibration import CalibrationCapture
    from formwatch.cli.common import default_calibration_dir
    from formwatch.ui.live_window import LiveWindow, close_on_interrupt, qt_app, schedule_screenshot_and_exit

    app = qt_app()
    runner, new_writer, estimator = build_runner(args)
    size = runner.session.pipeline.frame_size_px

    def start_calibration() -> CalibrationCapture:
        judge = runner.session.judge
        exercise = judge.exercise if judge is not None else None
        return CalibrationCapture(args.profile or "default", size, args.calibration_dir or default_calibration_dir(),
                                  exercise=exercise.name if exercise is not None else "hinge")

    window = LiveWindow(runner, size, title="formwatch", new_writer=new_writer,
                        voice=make_voice(args), count_reps=getattr(args, "count_reps", True),
                        make_source=lambda: open_source(args), start_calibration=start_calibration)
    schedule_screenshot_and_exit(window, args.screenshot, args.exit_after)
    interrupt = close_on_interrupt(window)
    window.show()
    try:
        app.exec()
    finally:
        if window.isVisible():
            window.close()
        estimator.close()
    for summary in window.summaries:
        if line := verdict_line(summary):
            print(line)
    if window.summaries and (tell_routine := getattr(args, "on_summary", None)) is not None:
        tell_routine(window.summaries[-1])
    print(f"recording: {runner.writer.path if runner.writer else '-'}")
    if interrupt.received is not None:
        raise Interrupted(interrupt.received, "the set was saved as interrupted")
    return 0


def _first_run(args: argparse.Namespace) -> bool:
    """The camera, no profile named and none made yet, no guided set-up already under way: a newcomer, whom
    ``formwatch start``'s set-up protects from the first set. (A video file cannot answer a checklist.)"""
    from formwatch.cli.common import default_calibration_dir
    from formwatch.io.profiles import list_profiles

    if args.video is not None or args.profile is not None or getattr(args, "guided", None) is not None or \
            getattr(args, "routine_step", False):
        return False
    return not list_profiles(args.calibration_dir or default_calibration_dir())


def run(args: argparse.Namespace) -> int:
    from formwatch.ui.desktop import display_available, say_why_headless

    if _first_run(args):
        from formwatch.cli.start import run as run_start

        print("formwatch: no profile yet — the guided set-up first (as formwatch start)")  # errors alone on stderr
        return run_start(args)
    if args.exercise == AUTO:
        print("formwatch: recognising the exercise from your movement (say --exercise KIND to choose it; "
              "press E in the window to change it)")
    else:
        print(f"formwatch: watching {args.exercise}")
    if args.headless or (not display_available() and not args.screenshot):
        if not args.headless:
            say_why_headless(even_without_display=True)
        return run_headless(args)
    try:
        return run_window(args)
    except ImportError as exc:
        raise FormwatchError(f"the window cannot open ({exc}): run with --headless") from None


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("live", help="watch the camera and end the set the moment form degrades")
    add_live_arguments(p)
    p.set_defaults(func=run)


def add_live_arguments(p: argparse.ArgumentParser) -> None:
    """The options of ``live`` (``start`` takes the same)."""
    src = p.add_mutually_exclusive_group()
    src.add_argument("--camera", default="0", help="camera index or device path, or a phone's stream: "
                     "http://PHONE:PORT/video (MJPEG) or rtsp://… (default: 0)")
    src.add_argument("--video", type=Path, help="play a video file as if it were the camera")
    add_exercise_argument(p)
    add_profile_arguments(p)
    p.add_argument("--out", type=Path, help="recording directory (default: <your data home>/recordings/live-<time>)")
    p.add_argument("--keep-video", action="store_true", help="also keep the video (video.mp4); poses always kept")
    p.add_argument("--no-history", action="store_true", help="do not record these sets in your history")
    p.add_argument("--voice", action=argparse.BooleanOptionalAction, default=True,
                   help="speak the cues (the exercise recognised, each rep's note, the stop and what to do, the "
                        "breathing cue) through an offline speech engine (espeak-ng): on where there is one and a "
                        "sound device; --no-voice to keep quiet (S in the window)")
    p.add_argument("--count-reps", action=argparse.BooleanOptionalAction, default=True,
                   help="with the voice, say each clean rep's number (notes and faults are said either way)")
    p.add_argument("--model", type=Path, help="pose model .task file")
    add_model_size_argument(p, live=True)
    p.add_argument("--headless", action="store_true", help="no window: print the states and the stop")
    p.add_argument("--screenshot", type=Path, help="save a picture of the window to this PNG")
    p.add_argument("--exit-after", type=positive_seconds, default=None, metavar="SECONDS", help="end after this many seconds")

