"""``formwatch bench``'s figures of the per-frame core: the step, the whole path after pose, the trunk profile, a
recording's metrics, the optical-flow chest signal (each in microseconds or frames a second, never asserted)."""

from __future__ import annotations

import time
from typing import Callable

import numpy as np

from formwatch.core.pipeline import Pipeline, metrics_batch
from formwatch.sim.synth import skeleton


def _percentiles(samples: list[float], scale: float) -> dict[str, float]:
    arr = np.asarray(samples) * scale
    return {"p50": round(float(np.median(arr)), 3), "p95": round(float(np.percentile(arr, 95)), 3),
            "max": round(float(arr.max()), 3)}


def _noisy_hinge_set(frames: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Times, image and world landmarks (float32, as from MediaPipe, with noise) and silhouette profiles of a
    synthetic hinge set."""
    rng = np.random.default_rng(1)
    t = np.arange(frames) / 30.0
    image, world = skeleton(hinge_deg=45 + 40 * np.sin(t), shrug_m=0.01 * np.sin(0.3 * t))
    image = (image + rng.normal(0, 0.002, image.shape)).astype(np.float32)
    world = (world + rng.normal(0, 0.002, world.shape)).astype(np.float32)
    return t, image, world, _drawn_profiles(rng)


def _time_steps(step: Callable[[float, np.ndarray, np.ndarray, np.ndarray], object], frames: int
                ) -> dict[str, float]:
    """Each frame's ``step`` timed (microseconds; the first 100 frames, warming up, left out)."""
    t, image, world, profiles = _noisy_hinge_set(frames)
    timings = []
    clock = time.perf_counter
    for i in range(frames):
        start = clock()
        step(float(t[i]), image[i], world[i], profiles[i % len(profiles)])
        timings.append(clock() - start)
    return _percentiles(timings[100:], 1e6)


def bench_step(frames: int = 5000) -> dict[str, float]:
    """Per-frame live step time on a synthetic hinge set with noise (float32 input, as from MediaPipe)."""
    return _time_steps(Pipeline((1280, 720)).step, frames)


def bench_session_step(frames: int = 5000) -> dict[str, float]:
    """The whole per-frame path after pose: the step above, the breathing, the judge (a hinge, its rules behind one
    hook) and the frame's record — what every mode runs each frame."""
    from formwatch.core.detector import Detector
    from formwatch.core.session import SetSession

    return _time_steps(SetSession((1280, 720), detector=Detector("hinge")).step, frames)


def _drawn_profiles(rng: np.random.Generator, count: int = 50) -> np.ndarray:
    """Trunk profiles of a drawn torso with edge noise (what the step reads the trunk metrics from)."""
    from formwatch.core.silhouette import trunk_profile
    from formwatch.sim.torso import TorsoShape, torso_mask

    mask, image = torso_mask(TorsoShape(back_bend_deg=8.0), tilt_deg=30.0)
    base = trunk_profile(mask, image)
    noisy = np.repeat(base[None], count, axis=0)
    noisy[:, :2] += rng.normal(0, 0.002, noisy[:, :2].shape).astype(np.float32)
    return noisy


def bench_trunk_profile(repeats: int = 300) -> dict[str, float]:
    """The trunk profile from a 1280x720 soft mask and its landmarks (per frame, after MediaPipe)."""
    from formwatch.core.silhouette import trunk_profile
    from formwatch.sim.torso import TorsoShape, torso_mask

    mask, image = torso_mask(TorsoShape(back_bend_deg=8.0), frame_size_px=(1280, 720), hip_px=(600.0, 500.0),
                             torso_px=260.0, tilt_deg=30.0)
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        trunk_profile(mask, image)
        timings.append(time.perf_counter() - start)
    return _percentiles(timings[10:], 1e6)


def bench_batch(frames: int = 100_000, repeats: int = 5) -> float:
    """Frames per second of the metrics over a whole recording at once (median of ``repeats``)."""
    t = np.arange(frames) / 30.0
    image, world = skeleton(hinge_deg=45 + 40 * np.sin(t))
    image, world = image.astype(np.float32), world.astype(np.float32)
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        metrics_batch(image, world, (1280, 720))
        rates.append(frames / (time.perf_counter() - start))
    return float(np.median(rates))


def bench_chest_flow(frames: int = 200) -> dict[str, float]:
    """The optical-flow chest signal per 1280x720 frame (patch warp, DIS flow, texture-weighted average)."""
    from formwatch.capture.chest_flow import ChestFlow
    from formwatch.sim.torso import TorsoShape, torso_mask

    pictures = []
    for k in range(20):  # a trunk breathing out and in, drawn once and replayed
        mask, image = torso_mask(TorsoShape(front_offset=0.01 * np.sin(2 * np.pi * k / 20)), frame_size_px=(1280, 720),
                                 hip_px=(600.0, 500.0), torso_px=260.0, tilt_deg=70.0)
        pictures.append(((40 + 180 * mask).astype(np.uint8), image))
    flow, timings = ChestFlow(), []
    for i in range(frames):
        gray, image = pictures[i % len(pictures)]
        start = time.perf_counter()
        flow.step(gray, image)
        timings.append(time.perf_counter() - start)
    return _percentiles(timings[10:], 1e6)




def bench_following(frames: int = 3000) -> dict[str, float]:
    """Following one person among three (core/following.py): each frame's choice among the model's poses, in
    microseconds (the people searched for by the pose model are timed with it: ``pose_ms`` against
    ``pose_ms_one_person``)."""
    from dataclasses import replace

    from formwatch.core.following import PersonFollower
    from formwatch.core.sample import PoseSample

    t, image, world, _ = _noisy_hinge_set(frames)
    follower = PersonFollower()
    shift = np.zeros_like(image[0])
    timings = []
    clock = time.perf_counter
    for i in range(frames):
        people = []
        for dx in (0.0, 0.35, -0.3):  # the person and two others beside them, listed in turn
            shift[:, 0] = dx
            people.append(PoseSample(float(t[i]), image[i] + shift, world[i], None))
        first = i % 3
        sample = replace(people[first], others=tuple(people[:first] + people[first + 1:]))
        start = clock()
        follower.follow(sample)
        timings.append(clock() - start)
    return _percentiles(timings[100:], 1e6)
