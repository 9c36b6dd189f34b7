"""``formwatch calibrate``: fit, save, list and show personal neutral-posture profiles."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from formwatch.cli.common import add_exercise_argument, add_model_size_argument, default_calibration_dir, model_path
from formwatch.core.calibration import fit_profile
from formwatch.core.profile import describe
from formwatch.core.silhouette import empty_profile
from formwatch.io.profiles import list_profiles, load_profile, save_profile
from formwatch.core.errors import FormwatchError


def _status(text: str) -> None:
    """A progress line for a person at a terminal (not for pipes and logs, where only results and errors go)."""
    if sys.stderr.isatty():
        print(text, file=sys.stderr, flush=True)


def poses_from_video(path: Path, model: Path | None
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int], np.ndarray]:
    """Poses and trunk profiles of every frame of a video (a progress bar on a terminal)."""
    from formwatch.app.analyze import Progress
    from formwatch.capture.models.provision import find_or_provision
    from formwatch.capture.pose import PoseEstimator
    from formwatch.capture.sources import VideoFileSource

    source = VideoFileSource(path)
    model_info = find_or_provision(model)
    t, image, world, profile = [], [], [], []
    bar = Progress(source.info.frame_count)
    with PoseEstimator(model_info.path) as estimator:
        for frame in source:
            sample = estimator.estimate(frame, frame.t_capture_s)
            t.append(sample.t_s)
            image.append(sample.image)
            world.append(sample.world)
            profile.append(sample.profile)
            bar.update(len(t))
    bar.finish()
    if not t:
        raise FormwatchError(f"{path} gave no frames: record again")
    return (np.asarray(t), np.stack(image), np.stack(world), (source.info.frame_width, source.info.frame_height),
            np.stack([p if p is not None else empty_profile() for p in profile]))


def poses_from_camera(device: int | str, model: Path | None, seconds: float = 6.0, countdown_s: int = 5
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int]]:
    """Guide the person in the terminal, then record ``seconds`` of them standing still."""
    from formwatch.capture.models.provision import find_or_provision
    from formwatch.capture.pose import PoseEstimator
    from formwatch.capture.sources import CameraSource

    model_info = find_or_provision(model)
    source = CameraSource(device)
    print("Stand side-on to the camera, 2-3 m away, relaxed, whole body (head to ankles) in view.")
    for n in range(countdown_s, 0, -1):
        print(f"  starting in {n} ...", flush=True)
        time.sleep(1.0)
    print(f"Hold still for {seconds:.0f} s.", flush=True)
    source.start()
    t, image, world = [], [], []
    start = time.monotonic()
    try:
        with PoseEstimator(model_info.path) as estimator:
            while time.monotonic() - start < seconds:
                frame = source.mailbox.get(timeout_s=1.0)
                if frame is None:
                    raise FormwatchError(source.ended_reason or f"camera {device!r} stopped sending pictures")
                sample = estimator.estimate(frame, frame.t_capture_s - start)
                t.append(sample.t_s)
                image.append(sample.image)
                world.append(sample.world)
    finally:
        source.stop()
    print("Done.")
    return np.asarray(t), np.stack(image), np.stack(world), (source.info.frame_width, source.info.frame_height)


def run(args: argparse.Namespace) -> int:
    calibration_dir = args.calibration_dir or default_calibration_dir()
    if args.list:
        names = list_profiles(calibration_dir)
        print("\n".join(names) if names else f"no profiles in {calibration_dir}/ yet")
        return 0
    if args.show:
        print(describe(load_profile(args.show, calibration_dir)))
        return 0
    if not args.profile:
        raise FormwatchError("name the profile: formwatch calibrate --profile NAME --video FILE (or --camera N)")
    if args.recording:
        from formwatch.io.recording import load_recording

        rec = load_recording(args.recording)
        t, image, world, size, source = rec.t_s, rec.image, rec.world, rec.frame_size_px, f"recording {rec.path}"
        profiles = rec.profile
    elif args.video:
        _status(f"Reading {args.video} ...")
        t, image, world, size, profiles = poses_from_video(args.video, model_path(args))
        source = f"video {args.video}"
    else:
        device = int(args.camera) if str(args.camera).isdigit() else args.camera
        t, image, world, size = poses_from_camera(device, model_path(args))
        source = f"camera {device}"
        profiles = None
    _status("Fitting your neutral posture ...")
    profile = fit_profile(args.profile, t, image, world, size, exercise=args.exercise, source=source,
                          profile=profiles)
    path = save_profile(profile, calibration_dir)
    print(describe(profile))
    print(f"saved: {path}  (use it with --profile {profile.name})", file=sys.stderr if args.quiet else sys.stdout)
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("calibrate", help="fit your neutral posture once per camera set-up (a profile)")
    p.add_argument("--profile", help="name of the profile to create (calibration/NAME.json)")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--camera", default="0", help="camera index or device path (default: 0)")
    src.add_argument("--video", type=Path, help="a video of you standing still, side-on")
    src.add_argument("--recording", type=Path, help="an existing recording directory")
    p.add_argument("--calibration-dir", type=Path, default=None, help="where profiles live (default: calibration/ in your data home)")
    add_exercise_argument(p, default="hinge", auto=False)
    p.add_argument("--model", type=Path, help="pose model .task file")
    add_model_size_argument(p, live=False)
    p.add_argument("--list", action="store_true", help="list the profiles")
    p.add_argument("--show", metavar="NAME", help="show one profile")
    p.add_argument("--quiet", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=run)

