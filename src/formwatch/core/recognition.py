"""Which exercise is this? Recognised from the movement itself, by the end of the first rep or 2 s of a hold.

Three features of the landmarks decide, each a column the pipeline already computes (pure NumPy, no model):

- **body orientation**, the trunk's incline from vertical (facing-corrected: negative = lying face up):
  standing (|incline| < 40° at some moment), lying or on all fours (|incline| >= 60° for 2 s, never upright);
- **which joints move**: a standing exercise is a rep once the hips fold >= 35° and come back >= 15°;
- **how**: at the rep's deepest point a squat bends hips and knees about equally (hip/knee 0.9-1.0 on the squat
  frames of ../shared/data/landmarks), a hinge folds the hips 1.3-2.3 times more than the knees (the deadlift and
  RDL clips of ../shared/data/video). Lying: knees straight and hips open is a plank (push-ups too), knees bent
  face up a bridge, knees bent face down with the hips folded a bird-dog.

Standing for 6 s with no rep is "none of these" (a curl, a shrug), said provisionally: a rep later still switches
it. A recognised exercise is then kept (the person corrects it with a key or ``--exercise``). docs/recognition.md
gives the confusion matrix on the shared clips.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from formwatch.core.events import Recognised
from formwatch.core.registry import HIP_HINGE, KNEE_FLEXION, REGISTRY, SHANK_INCLINE, TRUNK_INCLINE

__all__ = ["RecognitionConfig", "ExerciseRecognizer"]


@dataclass(frozen=True)
class RecognitionConfig:
    """Thresholds, units in the names; docs/recognition.md says where each comes from."""

    hold_s: float = 3.0  # a lying / all-fours posture held this long decides
    lying_incline_deg: float = 60.0  # face up (a bridge's trunk rises to ~60° from vertical at its top)
    prone_incline_deg: float = 75.0  # face down the trunk is horizontal within 15° (a deadlift's set-up: 45-72°)
    floor_shank_deg: float = 50.0  # face down the shins lie along the floor (a deadlift's stand near vertical)
    upright_incline_deg: float = 40.0
    rep_range_deg: float = 35.0  # the hips fold this far from their most open ...
    turn_back_deg: float = 15.0  # ... and come back this far: a rep
    squat_hip_knee_ratio: float = 1.15  # below: hips and knees bend together (squat)
    bent_knee_deg: float = 45.0  # knees bent (bridge, bird-dog) vs straight (plank)
    straight_knee_deg: float = 30.0
    open_hip_deg: float = 45.0  # a plank's hips are open (< this); a bird-dog's folded
    none_after_s: float = 6.0  # standing this long without a rep: none of these (for now)
    evaluate_every_s: float = 0.25  # the features are looked at this often, not every frame
    window_s: float = 12.0  # only the last seconds are kept


def _clip01(x: float) -> float:
    return float(min(1.0, max(0.0, x)))


class ExerciseRecognizer:
    """Feeds on the pipeline's metrics rows; :attr:`current` is its word so far."""

    def __init__(self, config: RecognitionConfig = RecognitionConfig()) -> None:
        self.config = config
        self._cols = [REGISTRY.index(n) for n in (TRUNK_INCLINE, HIP_HINGE, KNEE_FLEXION, SHANK_INCLINE)]
        self._rows: deque[tuple[float, float, float, float, float]] = deque()  # (t, incline, hip, knee, shank)
        self._next_eval = -math.inf
        self._first_t: float | None = None
        self.current: Recognised | None = None

    def step(self, t_s: float, metrics: np.ndarray) -> Recognised | None:
        """One frame; returns a recognition when it is new or changed at this frame, else None."""
        if self._first_t is None:
            self._first_t = t_s
        c = self._cols
        self._rows.append((t_s, float(metrics[c[0]]), float(metrics[c[1]]), float(metrics[c[2]]),
                           float(metrics[c[3]])))
        if t_s < self._next_eval or (self.current is not None and self.current.exercise is not None):
            return None
        self._next_eval = t_s + self.config.evaluate_every_s
        while self._rows and t_s - self._rows[0][0] > self.config.window_s:
            self._rows.popleft()
        found = self._decide(t_s, final=False)
        if found is not None and (self.current is None or found.exercise != self.current.exercise):
            self.current = found
            return found
        return None

    def finish(self, t_s: float) -> Recognised:
        """At the end of the input: the word so far, else the best guess from what was seen."""
        if self.current is None or self.current.exercise is None:
            found = self._decide(t_s, final=True)
            if found is not None:
                self.current = found
        if self.current is None:
            self.current = Recognised(t_s, None, 0.0)  # too little movement seen to recognise an exercise
        return self.current

    # ------------------------------------------------------------------------------------------------ rules
    def _decide(self, t_s: float, final: bool) -> Recognised | None:
        if not self._rows:
            return None
        a = np.asarray(self._rows)
        t, incline, hip, knee, shank = a[:, 0], a[:, 1], a[:, 2], a[:, 3], a[:, 4]
        rep = self._rep(t_s, incline, hip, knee)
        if rep is not None:
            return rep
        cfg = self.config
        recent = t >= t_s - cfg.hold_s
        if final or t_s - t[0] >= cfg.hold_s:
            window = recent if not final else np.ones_like(recent)
            lying = self._lying(t_s, incline[window], hip[window], knee[window], shank[window], final)
            if lying is not None:
                return lying
        seen = incline[~np.isnan(incline)]
        upright = float(np.mean(np.abs(seen) < cfg.upright_incline_deg)) if seen.size else 0.0
        standing_s = t_s - (self._first_t if self._first_t is not None else t_s)
        if (standing_s >= cfg.none_after_s or final) and upright >= 0.8:
            hips = hip[~np.isnan(hip)]
            moved = float(np.ptp(hips)) if hips.size else 0.0
            return Recognised(t_s, None, round(_clip01(0.5 + (cfg.rep_range_deg - moved) / 50.0), 2),
                              evidence={"standing_s": round(standing_s, 1), "hip_moved_deg": round(moved, 1)})
        return None

    def _rep(self, t_s: float, incline: np.ndarray, hip: np.ndarray, knee: np.ndarray) -> Recognised | None:
        """A standing rep: the hips fold far enough and come back; then squat or hinge from the deepest point."""
        cfg = self.config
        if np.all(np.isnan(hip)):
            return None
        deepest = int(np.nanargmax(hip))
        low_before = np.nanmin(hip[: deepest + 1])
        after = hip[deepest:]
        low_after = np.nanmin(after) if np.any(~np.isnan(after)) else math.nan
        top = float(np.nanmax(hip))
        folded = top - min(low_before, low_after) if not math.isnan(low_after) else top - low_before
        came_back = top - low_after if not math.isnan(low_after) else 0.0
        if folded < cfg.rep_range_deg or came_back < cfg.turn_back_deg:
            return None
        if not np.any(np.abs(incline[~np.isnan(incline)]) < cfg.upright_incline_deg):
            return None  # never upright: not a standing exercise (a bird-dog's hips move too)
        bottom = hip >= top - 10.0
        hip_b, knee_b = float(np.nanmedian(hip[bottom])), float(np.nanmedian(knee[bottom]))
        if math.isnan(knee_b):
            return None
        ratio = hip_b / max(knee_b, 1.0)
        exercise = "squat" if ratio < cfg.squat_hip_knee_ratio else "hinge"
        confidence = _clip01(abs(ratio - cfg.squat_hip_knee_ratio) / 0.3)
        return Recognised(t_s, exercise, round(confidence, 2),
                          evidence={"hip_fold_deg": round(folded, 1), "knee_deg": round(knee_b, 1),
                                    "hip_knee_ratio": round(ratio, 3)})

    def _lying(self, t_s: float, incline: np.ndarray, hip: np.ndarray, knee: np.ndarray, shank: np.ndarray,
               final: bool) -> Recognised | None:
        """Lying or on all fours for the whole window: plank, bridge or bird-dog from the knees and hips."""
        cfg = self.config
        valid = ~np.isnan(incline)
        if valid.sum() < max(3, 0.7 * incline.size):
            return None
        inc = incline[valid]
        if np.any(np.abs(inc) < cfg.upright_incline_deg) or np.median(np.abs(inc)) < cfg.lying_incline_deg:
            return None
        knee_m, hip_m, inc_m = float(np.nanmedian(knee)), float(np.nanmedian(hip)), float(np.median(inc))
        lying = float(np.median(np.abs(inc)))
        sure = _clip01((lying - cfg.lying_incline_deg) / 20.0) * (0.7 if final else 1.0)
        if inc_m >= 0 and (lying < cfg.prone_incline_deg or not np.nanmedian(shank) >= cfg.floor_shank_deg):
            return None  # face down but not flat, or shins standing: bent over on the feet (a deadlift's set-up)
        words = {"trunk_from_upright_deg": round(lying, 1), "face_up": 1.0 if inc_m < 0 else 0.0,
                 "knee_deg": round(knee_m, 1), "hip_deg": round(hip_m, 1)}
        if knee_m < cfg.straight_knee_deg and hip_m < cfg.open_hip_deg:
            margin = _clip01((cfg.straight_knee_deg - knee_m) / 15.0)
            return Recognised(t_s, "plank", round(min(sure, margin), 2), evidence=words)
        if knee_m >= cfg.bent_knee_deg:
            margin = _clip01((knee_m - cfg.bent_knee_deg) / 20.0)
            if inc_m < 0:
                return Recognised(t_s, "bridge", round(min(sure, margin), 2), evidence=words)
            if hip_m >= cfg.open_hip_deg:
                return Recognised(t_s, "bird-dog", round(min(sure, margin), 2), evidence=words)
        return None
