"""The recording format: a directory per set, written as it goes so a crash loses at most about a second.

Layout (docs/recording-format.md): ``meta.json``, ``poses.npz`` (``t_s``, ``image``, ``world``), ``metrics.csv``,
``summary.json`` and, when asked, ``video.mp4``. While a set runs, poses go to numbered chunk files
``poses-NNNNN.npz`` (one a second); finishing merges them into ``poses.npz``. A recording whose program died keeps
its chunks, and loading merges them, so nothing written is lost.
"""

from __future__ import annotations

import csv
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from formwatch.core.driver import samples_of
from formwatch.core.events import Stop, event_to_json
from formwatch.core.frame_record import FrameRecord
from formwatch.core.landmarks import N_CHANNELS, N_LANDMARKS
from formwatch.core.record import RecordSchema
from formwatch.core.sample import PoseSample
from formwatch.core.set_summary import SetSummary
from formwatch.core.silhouette import PROFILE_SHAPE
from formwatch.core.errors import FormwatchError
from formwatch.io.disk_space import DiskFullError, disk_full_line, is_disk_full
from formwatch.io.jsonfiles import FILE_MODE, read_json_object, require_schema_version, write_json_atomic
from formwatch.io.pose_file import NO_PROFILE, PoseArrays, PoseFileError, joined, read_poses, save_poses

SCHEMA_VERSION = 1
MAX_BUFFERED_FRAMES = 256  # a fast analysis flushes by count, so memory stays bounded whatever the speed
_CHUNK_GLOB = "poses-*.npz"
DIR_MODE = 0o700


class RecordingError(FormwatchError):
    """A recording on disk is missing, malformed or unreadable."""


@dataclass
class Recording:
    """A loaded recording: metadata and pose arrays (NaN rows where nobody was found)."""

    path: Path
    meta: dict[str, Any]
    t_s: np.ndarray  # (T,) float64
    image: np.ndarray  # (T, 33, 4) float32
    world: np.ndarray  # (T, 33, 4) float32
    profile: np.ndarray | None = None  # (T, 4, N_STATIONS) float32 trunk profiles; None in older recordings
    others_in_view: np.ndarray | None = None  # (T,) people found besides the one followed; None in older recordings

    @property
    def frame_size_px(self) -> tuple[int, int]:
        return int(self.meta["frame_width"]), int(self.meta["frame_height"])

    def samples(self) -> Iterator[PoseSample]:
        """The recording as the stream of samples it was made from (the followed person, and the others' count)."""
        return samples_of(self.t_s, self.image, self.world, self.profile, self.others_in_view)


def prepare_output_dir(path: Path) -> Path:
    """Create a new, empty recording directory, or fail now with a clear line (before any set starts)."""
    refuse_nested_recording(path)
    try:
        if path.exists() and any(path.iterdir()):
            raise RecordingError(f"output directory {path} is not empty: choose a new --out directory")
        path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        probe = path / ".write-test"
        with open(probe, "wb") as f:
            f.write(b"\0" * 65536)  # a full disk fails here, not mid-set
        probe.unlink()
    except PermissionError:
        raise RecordingError(f"cannot write to {path}: choose a directory you can write to with --out") from None
    except OSError as exc:
        hint = "free some disk space" if exc.errno == 28 else "choose a directory you can write to"
        raise RecordingError(f"cannot write to {path} ({exc.strerror}): {hint} with --out") from None
    return path


def refuse_nested_recording(path: Path, option: str = "--out") -> None:
    """:class:`RecordingError` when ``path`` lies inside an existing recording (a folder with meta.json) or
    through a looping symbolic link: one recording nested in another is found by neither."""
    from formwatch.io.outputs import refuse_link_loop

    refuse_link_loop(path, option)
    for folder in Path(os.path.abspath(path)).parents:
        if (folder / "meta.json").is_file():
            raise RecordingError(f"{option} {path} is inside the recording {folder}: choose a folder outside it")


def default_output_dir(stem: str, base: Path | None = None) -> Path:
    """``<stem>-<YYYYmmdd-HHMMSS>`` in the data home's recordings (or in ``base``), never an existing one."""
    from formwatch.io.home import recordings_dir

    root = base or recordings_dir()
    name = f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"
    path, n = root / name, 1
    while path.exists():
        n += 1
        path = root / f"{name}-{n}"
    return path


@dataclass(frozen=True)
class _Kept:
    """What of a recording is on disk whole: frames in chunk files, the time of the last, metrics.csv's length."""

    frames: int
    t_s: float
    csv_bytes: int
    npz_bytes: int


class RecordingWriter:
    """Writes a recording as the set goes: pose chunks every ``flush_every_s`` seconds, metrics rows as they come."""

    def __init__(self, path: Path, meta: dict[str, Any], schema: RecordSchema, flush_every_s: float = 1.0) -> None:
        self.path = prepare_output_dir(path)
        self.meta = {"schema_version": SCHEMA_VERSION, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **meta}
        self.flush_every_s = flush_every_s
        self._t: list[float] = []
        self._image: list[np.ndarray] = []
        self._world: list[np.ndarray] = []
        self._profile: list[np.ndarray] = []
        self._others: list[int] = []
        self._chunk = 0
        self._last_flush = time.monotonic()
        self.schema = schema
        fd = os.open(self.path / "metrics.csv", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        self._csv_file = os.fdopen(fd, "w", newline="", encoding="utf-8")
        self._csv = csv.writer(self._csv_file)
        self._csv.writerow(schema.header)
        self.frames = 0
        self.closed = False
        self.video: Any = None  # an object with write(bgr) and release(), when the user asked to keep video
        self.summary_on_exit: SetSummary | None = None  # what a ``with`` block's end writes as summary.json
        self.expected_frames: int | None = None  # when known (a file): a full disk's line says the space needed
        self.failed: FormwatchError | None = None  # why writing stopped (a full disk); what was whole is kept
        self._kept = _Kept(frames=0, t_s=0.0, csv_bytes=self._csv_file.tell(), npz_bytes=0)
        write_json_atomic(self.path / "meta.json", self.meta)

    def add(self, t_s: float, image: np.ndarray, world: np.ndarray, row: list[str] | None = None,
            bgr: np.ndarray | None = None, profile: np.ndarray | None = None, others_in_view: int = 0) -> None:
        """Append one frame (poses and trunk profile copied) and its record's row; flushes about once a second."""
        if self.failed is not None:
            raise self.failed
        if self.video is not None and bgr is not None:
            self.video.write(bgr)
        self._t.append(float(t_s))
        self._image.append(np.asarray(image, dtype=np.float32).copy())
        self._world.append(np.asarray(world, dtype=np.float32).copy())
        self._profile.append(np.asarray(profile, dtype=np.float32).copy() if profile is not None else NO_PROFILE)
        self._others.append(others_in_view)
        if row is not None:
            try:
                self._csv.writerow(row)
            except OSError as exc:  # its buffer spilled onto a full disk
                raise self._stop_writing(exc) from None
        self.frames += 1
        if len(self._t) >= MAX_BUFFERED_FRAMES or time.monotonic() - self._last_flush >= self.flush_every_s:
            self.flush()

    def flush(self) -> None:
        """Write buffered poses as the next chunk file and push metrics rows to disk. A write that fails (a full
        disk) ends the recording here, whole up to its last chunk: :meth:`_stop_writing`."""
        self._last_flush = time.monotonic()
        if self.failed is not None:
            raise self.failed
        try:
            self._csv_file.flush()
            if not self._t:
                return
            chunk = self.path / f"poses-{self._chunk + 1:05d}.npz"
            save_poses(chunk, PoseArrays(np.asarray(self._t), np.stack(self._image), np.stack(self._world),
                                         np.stack(self._profile), np.asarray(self._others, dtype=np.int8)))
        except OSError as exc:
            raise self._stop_writing(exc) from None
        self._chunk += 1
        self._kept = _Kept(self._kept.frames + len(self._t), self._t[-1], self._csv_file.tell(),
                           self._kept.npz_bytes + chunk.stat().st_size)
        self._t, self._image, self._world, self._profile, self._others = [], [], [], [], []

    def _stop_writing(self, exc: OSError) -> FormwatchError:
        """Writing failed: drop what is buffered, cut metrics.csv back to the frames kept in whole chunks (a
        replay shows exactly those), mark meta.json incomplete, and say in one line what happened and what to do."""
        self._t, self._image, self._world, self._profile, self._others = [], [], [], [], []
        for release in (self._csv_file.close, *([self.video.release] if self.video is not None else [])):
            try:
                release()
            except OSError:
                pass  # its buffer is what could not be written
        try:
            os.truncate(self.path / "metrics.csv", self._kept.csv_bytes)
            self.update_meta(incomplete={"why": exc.strerror or str(exc), "frames": self._kept.frames,
                                         "until_s": self._kept.t_s})
        except OSError:
            pass  # the chunks read without it
        if is_disk_full(exc):
            per_frame = (self._kept.npz_bytes + self._kept.csv_bytes) / max(self._kept.frames, 1)
            fps = float(self.meta.get("fps") or 30.0)
            needed = 2.2 * per_frame * self.expected_frames if self.expected_frames else None  # chunks + merged
            self.failed = DiskFullError(disk_full_line(self.path, self._kept.t_s, needed, per_frame * fps * 60))
        else:
            self.failed = RecordingError(f"the recording in {self.path} could not be written "
                                         f"({exc.strerror or exc}): it is kept up to {self._kept.t_s:.1f} s; "
                                         "choose another folder with --out")
        return self.failed

    # -------------------------------------------------------------- as a sink of the set driver (core/driver.py)
    def on_record(self, sample: PoseSample, record: FrameRecord, bgr: np.ndarray | None = None) -> None:
        self.add(sample.t_s, sample.image, sample.world, self.schema.encode(record), bgr, sample.profile,
                 sample.others_in_view)
        for event in record.events:
            if isinstance(event, Stop):  # into meta.json at once: a crash after it keeps the stop
                try:
                    self.update_meta(stop=event_to_json(event))
                except OSError as exc:
                    raise self._stop_writing(exc) from None

    def __enter__(self) -> "RecordingWriter":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close(self.summary_on_exit)

    def update_meta(self, **fields: Any) -> None:
        """Add fields to meta.json (for example the stop event) and rewrite it atomically."""
        self.meta.update(fields)
        if self.failed is None:  # after a failed write only _stop_writing's own mark (made before it fails) goes in
            write_json_atomic(self.path / "meta.json", self.meta)

    def close(self, summary: SetSummary | None = None) -> Path:
        """Flush, merge the chunks into poses.npz, write summary.json. Safe to call twice."""
        if self.closed:
            return self.path
        if self.failed is not None:  # the chunks stay as they are: merging them needs the space there is not
            self.closed = True
            return self.path
        self.flush()
        self._csv_file.close()
        if self.video is not None:
            self.video.release()
        merge_chunks(self.path)
        if summary is not None:
            write_json_atomic(self.path / "summary.json", summary.to_json())
        self.closed = True
        return self.path


def _read(path: Path) -> PoseArrays:
    try:
        return read_poses(path)
    except PoseFileError as exc:
        raise RecordingError(str(exc)) from None


def merge_chunks(path: Path) -> None:
    """Fold ``poses-*.npz`` chunks (and any existing poses.npz) into one poses.npz; remove the chunks."""
    chunks = sorted(path.glob(_CHUNK_GLOB))
    if not chunks:
        if not (path / "poses.npz").exists():
            save_poses(path / "poses.npz", PoseArrays(np.zeros(0), np.zeros((0, N_LANDMARKS, N_CHANNELS)),
                                                      np.zeros((0, N_LANDMARKS, N_CHANNELS))))
        return
    parts = ([path / "poses.npz"] if (path / "poses.npz").exists() else []) + chunks
    save_poses(path / "poses.npz", joined([_read(p) for p in parts]))
    for chunk in chunks:
        chunk.unlink()


def load_recording(path: Path) -> Recording:
    """Load and validate a recording directory; every problem is a :class:`RecordingError` with the fix."""
    path = Path(path)
    if not path.is_dir():
        raise RecordingError(f"{path} is not a recording directory")
    meta_path = path / "meta.json"
    if not meta_path.is_file():
        raise RecordingError(f"{path} has no meta.json: it is not a formwatch recording")
    meta = read_json_object(meta_path, RecordingError, "the file is damaged")
    require_schema_version(meta, SCHEMA_VERSION, str(meta_path), RecordingError, "upgrade formwatch or re-record")
    for key in ("frame_width", "frame_height"):
        value = meta.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 100_000:
            raise RecordingError(f"{meta_path}: {key} must be a positive whole number of pixels, not {value!r}")
    parts = ([path / "poses.npz"] if (path / "poses.npz").exists() else []) + sorted(path.glob(_CHUNK_GLOB))
    if not parts:
        if isinstance(meta.get("incomplete"), dict):  # the set stopped before its first chunk was written
            raise RecordingError(f"{path} holds no frames: writing stopped ({meta['incomplete'].get('why')}) before "
                                 "the first second was saved; record the set again")
        raise RecordingError(f"{path} has no poses.npz: nothing to analyze")
    poses = joined([_read(p) for p in parts])
    t_s, image, world, profile = poses.t_s, poses.image, poses.world, poses.profile
    _validate_arrays(path, t_s, image, world)
    if profile is not None and profile.shape != (len(t_s),) + PROFILE_SHAPE:
        raise RecordingError(f"{path}/poses.npz: trunk_profile must have shape ({len(t_s)}, 4, {PROFILE_SHAPE[1]}), "
                             f"not {profile.shape}")
    return Recording(path, meta, t_s.astype(np.float64), image.astype(np.float32), world.astype(np.float32),
                     profile, poses.others_in_view)


def _validate_arrays(path: Path, t_s: np.ndarray, image: np.ndarray, world: np.ndarray) -> None:
    shape = (N_LANDMARKS, N_CHANNELS)
    if t_s.ndim != 1 or not np.issubdtype(t_s.dtype, np.number):
        raise RecordingError(f"{path}/poses.npz: t_s must be a 1-D array of seconds")
    for name, arr in (("image", image), ("world", world)):
        if arr.ndim != 3 or arr.shape[1:] != shape or arr.shape[0] != len(t_s) or not np.issubdtype(
                arr.dtype, np.number):
            raise RecordingError(f"{path}/poses.npz: {name} must have shape ({len(t_s)}, 33, 4), not {arr.shape}")
    if len(t_s) and (not np.isfinite(t_s).all() or (np.diff(t_s) <= 0).any()):
        raise RecordingError(f"{path}/poses.npz: t_s must be finite and strictly increasing")
