"""From a processed frame and the detector's state to what the overlay shows (plain data, testable without Qt)."""

from __future__ import annotations

import math
from typing import Any

from formwatch.core.kinematics import Col, nan_reason
from formwatch.ui.overlay import GAUGE_LIMIT_KEYS, OverlayState

_DRIFT_WORDS = ("shoulders creeping up", "low back arching", "hinge getting shallower")


def overlay_state(live: Any, detector: Any, stop: Any = None) -> OverlayState:
    """Banner, gauges and counters for ``live`` (a LiveResult); ``stop`` is the latched StopEvent, if any."""
    verdict = live.result.verdict
    limits = tuple(float(detector.limits.get(k, math.nan)) if detector is not None else math.nan
                   for k in GAUGE_LIMIT_KEYS)
    if verdict is None:
        return OverlayState(state="clean", banner="Watching (no exercise chosen)", fps=live.fps,
                            latency_ms=live.latency_ms)
    gauges = verdict.deviations
    state = "stopped" if stop is not None else verdict.state
    fault = ""
    finite = [(g, i) for i, g in enumerate(gauges) if not math.isnan(g)]
    worst = max(finite, default=(0.0, -1))
    if stop is not None:
        banner = f"STOP — {stop.reason}"
        fault = stop.metric
    elif state in ("ready", "paused") and (why := nan_reason(live.result.metrics, Col.HIP_HINGE_DEG)):
        banner = f"{'Paused' if state == 'paused' else 'Ready'} — {why}"  # say what is wrong, in the user's words
    elif state == "ready":
        banner = "Ready — start your first rep" if detector is not None and detector.rest_level is not None \
            else "Get into position, side-on to the camera, and stand still"
    elif state == "paused":
        banner = "Paused — can't see you: step back into view"
    elif state == "drifting" and worst[1] >= 0:
        banner = f"Careful — {_DRIFT_WORDS[worst[1]]}"
        fault = GAUGE_LIMIT_KEYS[worst[1]]
    else:
        banner = "Clean"
    summary = ""
    if stop is not None:
        where = f"at rep {stop.rep}, " if stop.rep else ""
        summary = (f"Set ended {where}{stop.t_s:.1f} s in\n{stop.reason}\n\n"
                   "Press Space for a new set, Q to quit.")
    counter = ""
    spec = getattr(detector, "spec", None)
    if spec is not None and not spec.has_reps:
        held = detector.held_s
        counter = f"Hold {held:.0f} s" if held is not None else "Hold"
    return OverlayState(state=state, banner=banner, rep=verdict.rep, gauges=gauges, limits=limits, fps=live.fps,
                        latency_ms=live.latency_ms, fault_metric=fault, summary=summary, counter=counter)
