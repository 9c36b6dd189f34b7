"""Every state the overlay shows, as plain view states with realistic, long-worded texts: what the text-fit tests
render at laptop and monitor sizes and what scripts/make_screenshots.py puts in docs/images/states/."""

from __future__ import annotations

from typing import Any

from formwatch.core.exercises import get_exercise
from formwatch.core.registry import HIP_HINGE, LUMBAR_CURVE, SHOULDER_ELEVATION
from formwatch.core.rules import make_stop
from formwatch.ui.view_model import Gauge, OverlayState, far_message, far_stop_lines, gauges_for, stop_summary


def _gauges(fractions: tuple[float, ...], limits: tuple[float, ...]) -> tuple[Gauge, ...]:
    specs = get_exercise("hinge").watched_specs()
    from formwatch.core.registry import REGISTRY

    return gauges_for(specs + (REGISTRY[HIP_HINGE],), fractions, limits)


def overlay_states() -> dict[str, OverlayState]:
    """name -> state, one for each thing a person may read on the live screen."""
    hinge = get_exercise("hinge").watched_specs()
    rounding = hinge[[s.name for s in hinge].index(LUMBAR_CURVE)]
    stop = make_stop(31.4, 7, rounding, 7.2, 5.0, "limit", 6, sentence_rule="phase")
    hold_stop = make_stop(42.7, 0, hinge[1], 13.0, 8.0, "limit", 0, held_s=42.7)
    shoulders = make_stop(22.6, 7, SHOULDER_ELEVATION, 0.9, 0.6, "limit", 6, sentence_rule="phase")
    gauges = _gauges((0.3, 0.1, 0.2, 0.1), (0.6, 4.0, 5.0, 10.0))
    states = {
        "ready": OverlayState(state="ready", banner="Get into position, side-on to the camera, and stand still",
                              gauges=gauges),
        "ready-front": OverlayState(state="ready", banner="Ready — the camera sees you from the front, where bending "
                                    "happens in depth: turn side-on", gauges=gauges),
        "clean": OverlayState(state="clean", banner="Clean", rep=4, gauges=gauges, fps=30.0, latency_ms=24.0,
                              pacing="Breathe out as you rise"),
        "breath-held": OverlayState(state="clean", banner="Clean", counter="Hold 31 s", gauges=gauges[:1], fps=30.0,
                                    latency_ms=25.0, pacing="Keep breathing: breath held 3 s — breathe out slowly"),
        "lite-model": OverlayState(state="clean", banner="Clean", rep=5, gauges=gauges, fps=30.0, latency_ms=19.0,
                                   model_note="Lite pose model: the full one could not keep up"),
        "hold": OverlayState(state="clean", banner="Clean", counter="Hold 24 s", gauges=gauges[:1], fps=30.0,
                             latency_ms=25.0, pacing="Breathe slowly: 6 breaths a minute · now 11"),
        "drifting": OverlayState(state="drifting", banner=f"Careful — {rounding.drifting}", rep=6,
                                 gauges=_gauges((0.4, 0.2, 0.8, 0.3), (0.6, 4.0, 5.0, 10.0)), fps=30.0,
                                 latency_ms=26.0, fault_metric=LUMBAR_CURVE),
        "paused": OverlayState(state="paused", banner="Paused — shoulders or hips not clearly seen: step back so your "
                               "whole body is in view", rep=3, gauges=gauges, fps=29.0, latency_ms=25.0,
                               dropped_fraction=0.15),
        "stopped": OverlayState(state="stopped", banner=f"STOP — {stop.headline}", rep=7, gauges=gauges,
                                fps=30.0, latency_ms=25.0, fault_metric=LUMBAR_CURVE, summary=stop_summary(stop), far_summary=far_stop_lines(stop)),
        "stopped-shoulders": OverlayState(state="stopped", banner=f"STOP — {shoulders.headline}", rep=7,
                                          gauges=gauges, fault_metric=SHOULDER_ELEVATION,
                                          summary=stop_summary(shoulders), far_summary=far_stop_lines(shoulders)),
        "stopped-hold": OverlayState(state="stopped", banner=f"STOP — {hold_stop.headline}", counter="Hold 43 s",
                                     gauges=gauges[:1], summary=stop_summary(hold_stop),
                                     far_summary=far_stop_lines(hold_stop)),
        "calibrating": OverlayState(state="calibrating", banner="Calibrating: stand side-on, relaxed, whole body in "
                                    "view, and hold still — 3", counter="3"),
    }
    for state in states.values():  # as the view model makes them: the 2-3 m panel's short message
        state.far_banner = state.far_banner or far_message(state.banner)
    return states


def routine_cards() -> dict[str, Any]:
    """A routine's cards between sets (ui/routine_card.py): an exercise's introduction and a rest."""
    from formwatch.ui.routine_card import intro_card, rest_card

    from formwatch.app.routines import load_routine

    first, second = load_routine("morning").steps[:2]  # a built-in routine's own words
    return {"routine-intro": intro_card(1, 3, first.exercise, first.target(), first.cue),
            "routine-rest": rest_card(first.rest_s, second.exercise, second.target())}
