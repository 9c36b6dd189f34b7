"""``formwatch analyze``: a video file or an existing recording through the same step function, into a recording."""

from __future__ import annotations

import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from formwatch.core.pipeline import PipelineConfig
from formwatch.core.driver import SetDriver
from formwatch.core.frame_record import FrameRecord
from formwatch.core.sample import PoseSample
from formwatch.core.session import SetSession
from formwatch.core.set_judge import Judge, SetJudge
from formwatch.core.set_summary import SetSummary
from formwatch.core.errors import FormwatchError
from formwatch.io.set_record import SetRecord
from formwatch.io.recording import RecordingWriter, default_output_dir, load_recording


@dataclass
class AnalysisResult:
    path: Path
    summary: SetSummary
    frames_per_s: float  # processing speed
    notes: list[str]


class Progress:
    """A one-line progress bar on stderr (frames, frames/s, time left), only when stderr is a terminal: tqdm's, so
    the time left follows the recent rate (not the average since start, which model start-up and the first frames'
    warm-up make about twice too long) and the line is closed cleanly."""

    def __init__(self, total: int, enabled: bool | None = None) -> None:
        self.total = total
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.done = 0
        self._bar: Any = None  # made at the first frame, so model loading does not count

    def on_record(self, sample: PoseSample, record: FrameRecord, bgr: np.ndarray | None) -> None:
        """As a sink of the set driver: one more frame done."""
        self.done += 1
        self.update(self.done)

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=self.total or None, initial=done, unit=" frames", file=sys.stderr, leave=False,
                             dynamic_ncols=True, mininterval=0.2, smoothing=0.1,
                             bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} frames  {rate_fmt}  {remaining} left")
            return
        self._bar.update(done - self._bar.n)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def default_lanes() -> int:
    """Stretches of one clip analysed at once: one a core (MediaPipe keeps one core busy per stream), at most 4."""
    import os

    return max(1, min(os.cpu_count() or 1, 4))


MIN_INPUT_S = 0.5  # shorter input holds no rep and no hold: refused before anything is written (the shortest
# labelled clip, a partial deadlift rep, is 0.97 s long: it is judged)


def _too_short(path: Path, seconds: float) -> FormwatchError:
    return FormwatchError(f"{path} holds only {seconds:.2f} s of frames: formwatch needs at least {MIN_INPUT_S:g} s "
                          "of exercise; record a longer clip (nothing was written)")


def _video_samples(path: Path, model_path: Path, notes: list[str], lanes: int = 1
                   ) -> tuple[Iterator[PoseSample], dict[str, Any], int]:
    from formwatch.capture.lanes import LaneReader
    from formwatch.capture.pose import PoseEstimator
    from formwatch.capture.sources import VideoFileSource, frames_at_least, read_ahead

    source = VideoFileSource(path)
    info = source.info
    needed = int(np.ceil(MIN_INPUT_S * info.fps))
    if info.frame_count < needed or not frames_at_least(path, needed):  # the header may claim more than there is
        raise _too_short(path, min(info.frame_count, needed - 1) / info.fps)

    def samples() -> Iterator[PoseSample]:
        if lanes > 1:  # stretches of the clip on every core (capture/lanes.py)
            reader = LaneReader(path, info, lambda: PoseEstimator(model_path), lanes)
            yield from reader
            source.frames_read = reader.frames_read
        else:
            with PoseEstimator(model_path) as estimator:
                for frame in read_ahead(source):  # the next frames decode while this one is in the model
                    yield estimator.estimate(frame, frame.t_capture_s)
        if source.truncated:
            meta["truncated"] = True  # the recording's meta learns of a cut while the frames are read
            notes.append(f"{path.name} ends early: kept the {source.frames_read} frames before the cut "
                         f"(its header claims {info.frame_count})")

    meta = {"source": str(path), "fps": info.fps, "frame_width": info.frame_width, "frame_height": info.frame_height}
    return samples(), meta, info.frame_count


def _history_record(wanted: bool | str, judge: SetJudge | None, meta: dict[str, Any], path: Path
                    ) -> SetRecord | None:
    """The set's row in the history (written as running now), or None when the set is not to be recorded."""
    if not wanted:
        return None
    profile = (meta.get("profile") or {}).get("name")
    source = wanted if isinstance(wanted, str) else "analyze"
    exercise = judge.exercise if judge is not None else None  # recognised: the set's end names it
    return SetRecord(source, exercise.name if exercise is not None else None, profile, str(path))


def analyze(
    input_path: Path,
    out_dir: Path | None = None,
    model: Path | None = None,
    detector: SetJudge | Judge | None = None,
    neutral: np.ndarray | None = None,
    extra_meta: dict[str, Any] | None = None,
    config: PipelineConfig = PipelineConfig(),
    progress: bool | None = None,
    history: bool | str = False,
    lanes: int | None = None,
    cancelled: Any = None,
    asked: dict[str, float] | None = None,
) -> AnalysisResult:
    """Analyse a video file or a recording directory and write a new recording; returns where and what.
    ``history``: also record the set in the history (io/history.py), as running at once and complete at the end
    (a string names where the set came from: "routine"; True: "analyze"). ``lanes``: stretches of a video analysed
    at once (default: one a core; capture/lanes.py). ``cancelled()``, asked between frames (app/interrupt.py):
    True ends the analysis there, the recording and the history saying "interrupted"."""
    input_path = Path(input_path)
    notes: list[str] = []
    if not input_path.exists():
        raise FormwatchError(f"{input_path} does not exist: give a video file or a recording directory")
    if input_path.is_dir():
        recording = load_recording(input_path)
        samples: Iterator[PoseSample] = recording.samples()
        meta: dict[str, Any] = {k: recording.meta[k] for k in ("source", "fps", "frame_width", "frame_height",
                                                                 "model") if k in recording.meta}
        meta["source"] = f"recording {input_path}"
        total = len(recording.t_s)
        span_s = float(recording.t_s[-1] - recording.t_s[0]) if total else 0.0
        if span_s + 1.0 / float(meta.get("fps") or 30.0) < MIN_INPUT_S:
            raise _too_short(input_path, span_s)
    else:
        from formwatch.capture.models.provision import find_or_provision

        model_info = find_or_provision(model)
        lanes = default_lanes() if lanes is None else lanes
        samples, meta, total = _video_samples(input_path, model_info.path, notes, lanes)
        meta["pose_lanes"] = lanes
        meta["model"] = {"name": model_info.name, "sha256": model_info.sha256, "origin": model_info.origin}
    meta["settings"] = {"pipeline": asdict(config)}
    meta.update(extra_meta or {})

    session = SetSession((int(meta["frame_width"]), int(meta["frame_height"])), config, neutral, detector)
    bar = Progress(total, progress)
    started = time.monotonic()
    completed = False
    with RecordingWriter(out_dir or default_output_dir(input_path.stem), meta, session.schema) as writer:
        writer.expected_frames = total or None
        record = _history_record(history, session.judge, meta, writer.path)
        try:
            completed = SetDriver(session, [writer, bar]).run(samples, cancelled=cancelled)
        finally:
            bar.finish()
            elapsed = time.monotonic() - started
            summary = session.summary().with_(input_notes=tuple(notes), truncated=bool(meta.get("truncated")),
                                              interrupted=not completed, asked=asked)
            if meta.get("truncated"):
                writer.update_meta(truncated=True)
            writer.summary_on_exit = summary
            if record is not None:
                record.finish(summary, interrupted=not completed)
    if session.frames == 0:
        raise FormwatchError(f"{input_path} gave no frames to analyze: record again or choose another file")
    return AnalysisResult(writer.path, summary, session.frames / max(elapsed, 1e-9), notes)
