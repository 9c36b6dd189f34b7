"""Every state the overlay shows, as plain view states with realistic, long-worded texts: what the text-fit tests
render at laptop and monitor sizes and what scripts/make_screenshots.py puts in docs/images/states/."""

from __future__ import annotations

from typing import TYPE_CHECKING

from formwatch.core.cues import problem_banner
from formwatch.core.events import Against, Stop, ViewProblem
from formwatch.core.exercises import get_exercise, judged_spec
from formwatch.core.registry import HIP_EXTENSION, LUMBAR_CURVE, SHOULDER_ELEVATION
from formwatch.core.verdict import GaugeReading
from formwatch.core.view_check import TURN_CAMERA_FIX, setup_line
from formwatch.core.wording import ASK_WHICH, stop_far_lines, stop_headline, stop_panel
from formwatch.ui.view_model import Gauge, OverlayState, gauges_for

if TYPE_CHECKING:
    from formwatch.ui.routine_card import Card


def _gauges(fractions: tuple[float, ...], limits: tuple[float, ...]) -> tuple[Gauge, ...]:
    names = get_exercise("hinge").gauge_names
    return gauges_for("hinge", tuple(GaugeReading(n, f, v) for n, f, v in zip(names, fractions, limits)))


def _stopped(stop: Stop, exercise: str, gauges: tuple[Gauge, ...], rep: int = 0, counter: str = "") -> OverlayState:
    return OverlayState(state="stopped", banner=f"STOP — {stop_headline(stop, exercise)}", rep=rep, gauges=gauges,
                        fault_metric=stop.metric, summary=stop_panel(stop, exercise),
                        far_summary=stop_far_lines(stop, exercise), counter=counter)


def overlay_states() -> dict[str, OverlayState]:
    """name -> state, one for each thing a person may read on the live screen."""
    rounding = judged_spec("hinge", LUMBAR_CURVE)
    stop = Stop(31.4, 7, LUMBAR_CURVE, 7.2, 5.0, "phase", Against.OWN_REPS)
    hold_stop = Stop(42.7, 0, HIP_EXTENSION, 13.0, 8.0, "limit", Against.NEUTRAL, held_s=42.7)
    shoulders = Stop(22.6, 7, SHOULDER_ELEVATION, 0.9, 0.6, "phase", Against.OWN_REPS)
    gauges = _gauges((0.3, 0.1, 0.2, 0.1), (0.6, 4.0, 5.0, 10.0))
    front, front_far = problem_banner("Ready", "front_view")
    body, body_far = problem_banner("Paused", "body_unclear")
    side, side_far = problem_banner("Back not judged", "side_view")
    small, small_far = problem_banner("Not judged", ViewProblem(3.0, "too_small", 41.0, 85.0))
    slow, slow_far = problem_banner("Not judged", ViewProblem(2.0, "low_fps", 4.0, 10.0))
    nobody, nobody_far = problem_banner("Not judged", "nobody")
    turned, turned_far = problem_banner("Not judged", "camera_turned")
    left, left_far = problem_banner("Not judged", "followed_left")
    states = {
        "ready": OverlayState(state="ready", banner="Get into position, side-on to the camera, and stand still",
                              gauges=gauges),
        "ready-front": OverlayState(state="ready", banner=front, gauges=gauges, far_banner=front_far),
        "asking": OverlayState(state="ready", banner=ASK_WHICH, rep=2),  # reps counted, nothing judged
        "back-not-judged": OverlayState(state="clean", banner=side, rep=2, gauges=gauges, fps=30.0, latency_ms=24.0,
                                        far_banner=side_far),
        "too-small": OverlayState(state="paused", banner=small, far_banner=small_far, fps=30.0, latency_ms=22.0),
        "too-few-frames": OverlayState(state="paused", banner=slow, far_banner=slow_far, fps=4.0, latency_ms=30.0),
        "camera-turned": OverlayState(state="paused", banner=turned, far_banner=turned_far, fps=30.0),
        "no-one-in-view": OverlayState(state="paused", banner=nobody, far_banner=nobody_far, fps=30.0),
        "followed-left": OverlayState(state="paused", banner=left, rep=3, gauges=gauges, far_banner=left_far,
                                      fps=30.0),
        "clean": OverlayState(state="clean", banner="Clean", rep=4, gauges=gauges, fps=30.0, latency_ms=24.0,
                              pacing="Breathe out as you rise"),
        "breath-held": OverlayState(state="clean", banner="Clean", counter="Hold 31 s", gauges=gauges[:1], fps=30.0,
                                    latency_ms=25.0, pacing="Keep breathing: breath held 3 s — breathe out slowly",
                                    pacing_kind="held"),
        "lite-model": OverlayState(state="clean", banner="Clean", rep=5, gauges=gauges, fps=30.0, latency_ms=19.0,
                                   model_note="Lite pose model: the full one could not keep up"),
        "hold": OverlayState(state="clean", banner="Clean", counter="Hold 24 s", gauges=gauges[:1], fps=30.0,
                             latency_ms=25.0, pacing="Breathe slowly: 6 breaths a minute · now 11"),
        "drifting": OverlayState(state="drifting", banner=f"Careful — {rounding.drifting}", rep=6,
                                 gauges=_gauges((0.4, 0.2, 0.8, 0.3), (0.6, 4.0, 5.0, 10.0)), fps=30.0,
                                 latency_ms=26.0, fault_metric=LUMBAR_CURVE),
        "paused": OverlayState(state="paused", banner=body, rep=3, gauges=gauges, fps=29.0,
                               latency_ms=25.0, dropped_fraction=0.15,
                               far_banner=body_far),
        "stopped": _stopped(stop, "hinge", gauges, rep=7),
        "stopped-shoulders": _stopped(shoulders, "hinge", gauges, rep=7),
        "stopped-hold": _stopped(hold_stop, "plank", gauges[:1], counter="Hold 43 s"),
        "setup-camera-turned": OverlayState(state="calibrating", banner=setup_line(3, 5, TURN_CAMERA_FIX)),
        "calibrating": OverlayState(state="calibrating", banner="Calibrating: stand side-on, relaxed, whole body in "
                                    "view, and hold still — 3", counter="3"),
    }
    return states


def routine_cards() -> dict[str, Card]:
    """A routine's cards between sets (ui/routine_card.py): an exercise's introduction and a rest."""
    from formwatch.ui.routine_card import intro_card, rest_card

    from formwatch.app.routines import load_routine
    from formwatch.core.set_summary import SetSummary
    from formwatch.core.wording import asked_amount

    first, second = load_routine("morning").steps[:2]  # a built-in routine's own words
    return {"routine-intro": intro_card(1, 3, first.exercise, first.target(), first.cue),
            "routine-rest": rest_card(first.rest_s, second.exercise, second.target(), asked_amount(
                SetSummary(judged_set=True, exercise=first.exercise, reps=5, asked=first.asked())))}
