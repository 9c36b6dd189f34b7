"""Live model choice that keeps up: when the full pose model's recent p95 leaves no room for the camera's frame
rate, move to the lite model; move back when the machine has room again.

:class:`SwitchPolicy` is the decision alone (times in, "switch to X" out), tested with known timings;
:class:`AutoModelEstimator` wraps two loaded estimators (the lighter one loads in the background at start, so a
switch costs no frames) and keeps every switch with its reason for the recording's meta and the screen.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from formwatch.capture.pose import PoseModel
from formwatch.capture.sources import Frame
from formwatch.core.sample import PoseSample


@dataclass(frozen=True)
class SwitchConfig:
    """When to move; units in the names."""

    window_s: float = 3.0  # the recent inference times judged
    min_samples: int = 30  # ... at least this many of them
    warmup_s: float = 2.0  # a model's first seconds (graph set-up, caches filling) are not its load: not judged
    budget_fraction: float = 0.9  # p95 above this share of the frame interval: no room left
    back_fraction: float = 0.6  # estimated heavy-model p95 below this share: room to move back
    first_retry_s: float = 20.0  # time on the lighter model before trying the heavier one again
    max_retry_s: float = 160.0  # the wait doubles after each failed try, up to this


class SwitchPolicy:
    """Decides from inference times alone. ``observe`` returns "lite" or "full" when it is time to switch."""

    def __init__(self, camera_fps: float, config: SwitchConfig = SwitchConfig()) -> None:
        self.config = config
        self.interval_ms = 1000.0 / max(camera_fps, 1.0)
        self.current = "full"
        self._times: deque[tuple[float, float]] = deque()
        self._since_s = -np.inf
        self._retry_s = config.first_retry_s
        self._full_over_lite = 1.3  # how much slower full is than lite; measured at each switch
        self._full_p95_ms = np.nan
        self._first_lite_p95 = np.nan
        self.last_p95_ms = np.nan
        self._warm_from_s: float | None = None  # when the running model's warm-up ends

    def _p95(self, now_s: float) -> float:
        while self._times and now_s - self._times[0][0] > self.config.window_s:
            self._times.popleft()
        if len(self._times) < self.config.min_samples:
            return np.nan
        return float(np.percentile([ms for _, ms in self._times], 95))

    def observe(self, now_s: float, pose_ms: float) -> str | None:
        if self._warm_from_s is None:
            self._warm_from_s = now_s + self.config.warmup_s
        if now_s < self._warm_from_s:
            return None
        self._times.append((now_s, pose_ms))
        p95 = self._p95(now_s)
        self.last_p95_ms = p95
        if np.isnan(p95):
            return None
        if self.current == "full" and p95 > self.config.budget_fraction * self.interval_ms:
            self._full_p95_ms = p95
            return self._switch("lite", now_s)
        if self.current == "lite":
            if not np.isnan(self._full_p95_ms) and np.isnan(self._first_lite_p95):
                self._first_lite_p95 = p95
                self._full_over_lite = max(self._full_p95_ms / p95, 1.0)
            waited = now_s - self._since_s >= self._retry_s
            if waited and p95 * self._full_over_lite < self.config.back_fraction * self.interval_ms:
                return self._switch("full", now_s)
        return None

    def _switch(self, to: str, now_s: float) -> str:
        if to == "lite" and now_s - self._since_s < self._retry_s + self.config.window_s * 2:
            self._retry_s = min(2 * self._retry_s, self.config.max_retry_s)  # full failed again soon: wait longer
        self.current = to
        self._since_s = now_s
        self._warm_from_s = now_s + self.config.warmup_s
        self._times.clear()
        self._first_lite_p95 = np.nan
        return to


class AutoModelEstimator:
    """Two pose estimators (full and lite) behind one ``estimate``; the policy picks which runs each frame."""

    def __init__(self, full: PoseModel, lite_path: Path | None, make: Callable[[Path], PoseModel], camera_fps: float,
                 names: tuple[str, str] = ("full", "lite"), say: Callable[[str], None] | None = None,
                 clock: Callable[[], float] = time.monotonic, config: SwitchConfig = SwitchConfig(),
                 dropped: Callable[[], int] | None = None) -> None:
        self.clock = clock  # seconds; injected by tests so that no decision depends on this machine's speed
        self.dropped = dropped  # camera frames dropped so far: the advice to get the lite model waits for one
        self._advice_due = False
        self.estimators: dict[str, PoseModel] = {"full": full}
        self.names = {"full": names[0], "lite": names[1]}
        self.policy = SwitchPolicy(camera_fps, config)
        self.switches: list[dict[str, object]] = []
        self.say = say
        self.message = ""  # the newest switch in words, for the screen
        self._loader: threading.Thread | None = None
        if lite_path is not None:
            def load() -> None:
                try:
                    self.estimators["lite"] = make(lite_path)
                except Exception:  # noqa: BLE001 - no lite model: stay on full, say so when it matters
                    pass
            self._loader = threading.Thread(target=load, name="load-lite-model", daemon=True)
            self._loader.start()

    @property
    def current(self) -> str:
        return self.policy.current

    @property
    def note(self) -> str:
        """For the screen: said while the lite model runs in place of the full one."""
        return "Lite pose model: the full one could not keep up" if self.policy.current == "lite" else ""

    def estimate(self, frame: Frame, t_s: float) -> PoseSample:
        estimator = self.estimators.get(self.policy.current, self.estimators["full"])
        start = self.clock()
        sample = estimator.estimate(frame, t_s)
        decision = self.policy.observe(start, 1e3 * (self.clock() - start))
        if decision is not None:
            self._switched(decision, t_s)
        if self._advice_due and (self.dropped is None or self.dropped() > 0):
            self._advise_lite()
        return sample

    def _advise_lite(self) -> None:
        """Say once how to get the lite model — only once the camera's frames are really being dropped: a slow
        model that still takes every frame needs no advice."""
        self._advice_due = False
        self.message = ("This computer cannot run the full pose model at the camera's rate: run "
                        "'formwatch models --model-size lite' once, and formwatch will switch by itself.")
        if self.say:
            self.say(self.message)

    def _switched(self, to: str, t_s: float) -> None:
        if to not in self.estimators:  # the lighter model is not there (yet): stay, and say why once
            self.policy.current = "full"
            self._advice_due = self._advice_due or not self.message
            return
        p95 = round(self.policy.last_p95_ms, 1)
        frm = "lite" if to == "full" else "full"
        if to == "lite":
            self.message = (f"The full pose model needs {p95:.0f} ms a frame here (p95), more than the camera's "
                            f"{self.policy.interval_ms:.0f} ms: switched to the lite model.")
        else:
            self.message = "There is room again: switched back to the full pose model."
        self.switches.append({"t_s": round(t_s, 2), "from": self.names[frm], "to": self.names[to], "p95_ms": p95,
                              "why": self.message})
        if self.say:
            self.say(self.message)

    def close(self) -> None:
        if self._loader is not None:
            self._loader.join(timeout=10.0)
        for estimator in self.estimators.values():
            estimator.close()
