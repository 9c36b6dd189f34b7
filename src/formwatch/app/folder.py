"""``formwatch analyze DIR --jobs N``: every video in a folder through analyze, in parallel processes.

Each video is analysed whole in one worker (its own pose model: MediaPipe is not shared between processes) into its
own recording under the output folder. The work goes to any ``concurrent.futures``-style executor — a local process
pool by default, a Dask cluster's for a clinic (``--scheduler ADDRESS``, the optional ``formwatch[cluster]`` extra) —
so one damaged file is reported and skipped and never stops the rest.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from formwatch.app.signature import PlanInputs
from formwatch.core.errors import FormwatchError

VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v")


@dataclass(frozen=True)
class FileOutcome:
    """One video's result: where its recording is, its summary and the notes on its input, or the one-line reason
    it was skipped. Plain data (it crosses process boundaries)."""

    video: str
    recording: str | None
    frames: int
    seconds: float
    video_seconds: float
    summary: dict[str, Any] | None = None  # the set's summary (summary.json's SetSummary JSON)
    error: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FolderJob:
    """How every video of a folder is analysed: as ``formwatch analyze FILE`` would with the same options."""

    exercise: str | None = None
    model: str | None = None
    profile: str | None = None  # a profile's name or path, loaded in each worker
    calibration_dir: str | None = None
    history: bool = False
    plans: dict[str, PlanInputs] = field(default_factory=dict)  # the history's limits, read once for the batch


def videos_in(folder: Path) -> list[Path]:
    return sorted(p for p in Path(folder).iterdir() if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES)


def analyze_one(video: str, out_dir: str, job: FolderJob) -> FileOutcome:
    """One video through analyze (runs in a worker process; everything in and out is plain data), as
    ``formwatch analyze FILE`` with the job's options: the same judge, profile and history row — its limits in force
    those of the batch's start, so that the order the files finish in never changes a verdict."""
    from formwatch.app.analyze import analyze
    from formwatch.app.signature import batch_judge
    from formwatch.io.profiles import load_profile

    started = time.monotonic()
    try:
        from formwatch.io.home import calibration_dir

        where = Path(job.calibration_dir) if job.calibration_dir else calibration_dir()
        profile = load_profile(job.profile, where) if job.profile else None
        result = analyze(Path(video), Path(out_dir), Path(job.model) if job.model else None,
                         detector=batch_judge(job.exercise, profile, job.plans),
                         neutral=profile.neutral_vector() if profile is not None else None,
                         extra_meta={"profile": profile.to_json()} if profile is not None else None,
                         progress=False, history=job.history, lanes=1)  # the files themselves run in parallel
    except FormwatchError as exc:
        return FileOutcome(Path(video).name, None, 0, time.monotonic() - started, 0.0, None, str(exc))
    s = result.summary
    return FileOutcome(Path(video).name, str(result.path), s.frames, time.monotonic() - started,
                       float(s.duration_s), s.to_json(), None, tuple(result.notes))


def _seconds(video: Path) -> float:
    """A video's length as its header claims (0 when it cannot be read: it fails fast in its worker)."""
    from formwatch.capture.sources import SourceError, probe_video

    try:
        info = probe_video(video)
    except SourceError:
        return 0.0
    return info.frame_count / info.fps


def longest_first(videos: list[Path]) -> list[Path]:
    """The order the videos are handed out in: longest first, so that the workers finish together instead of one
    starting the longest clip last (the classic longest-processing-time rule)."""
    return sorted(videos, key=lambda v: (-_seconds(v), v.name))


def analyze_folder(folder: Path, out_dir: Path, job: FolderJob = FolderJob(), jobs: int = 1,
                   executor: Executor | None = None, progress: bool | None = None) -> list[FileOutcome]:
    """Every video in ``folder`` into ``out_dir/<video name>``, ``jobs`` at a time (or on ``executor``), longest
    first. Each worker process keeps its imports across clips; each clip gets a pose model of its own (0.1 s once a
    process has loaded one: the only fresh tracking state MediaPipe's Tasks API offers, docs/performance.md)."""
    videos = longest_first(videos_in(folder))
    if not videos:
        raise FormwatchError(f"{folder} holds no videos ({', '.join(VIDEO_SUFFIXES)}): give a folder of clips")
    out_dir.mkdir(parents=True, exist_ok=True)
    own = executor is None
    pool = executor or ProcessPoolExecutor(max_workers=max(1, jobs))
    show = sys.stderr.isatty() if progress is None else progress
    outcomes: list[FileOutcome] = []
    try:
        futures = [pool.submit(analyze_one, str(v), str(out_dir / v.stem), job) for v in videos]
        for future in as_completed(futures):
            outcomes.append(future.result())
            if show:
                done = len(outcomes)
                bar = "#" * int(30 * done / len(videos))
                sys.stderr.write(f"\r[{bar:<30}] {done}/{len(videos)} videos ")
                sys.stderr.flush()
    finally:
        if show:
            sys.stderr.write("\n")
        if own:
            pool.shutdown()
    return sorted(outcomes, key=lambda o: o.video)


def dask_executor(address: str) -> Any:
    """A Dask cluster's executor (``pip install 'formwatch[cluster]'``)."""
    try:
        from distributed import Client
    except ImportError:
        raise FormwatchError("--scheduler needs Dask: pip install 'formwatch[cluster]'") from None
    try:
        return Client(address, timeout=10).get_executor()  # type: ignore[no-untyped-call]  # Dask has no stubs
    except OSError as exc:
        raise FormwatchError(f"cannot reach the Dask scheduler at {address} ({exc}): check the address") from None
