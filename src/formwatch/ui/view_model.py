"""What the overlay shows, as plain data (no Qt): banner, gauges, counters, fault segments.

Built from a live frame and the detector (:func:`overlay_state`) or from a recording's stored per-frame verdicts
(:func:`replay_state`), so replay shows exactly what live showed. Labels, units and segments come from the metric
registry.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from formwatch.core.kinematics import Col, nan_reason
from formwatch.core.landmarks import Lm
from formwatch.core.exercises import gauge_specs
from formwatch.core.registry import REGISTRY, MetricSpec
from formwatch.core.rules import seconds_text


@dataclass(frozen=True)
class Gauge:
    """One metric against its limit: ``fraction`` = deviation / limit (1.0 at the limit), ``limit`` in units."""

    name: str
    label: str
    unit: str
    digits: int
    fraction: float
    limit: float
    drifting: str = ""  # the orange banner's words for it ("low back rounding")

    @property
    def reading(self) -> str:
        """"1.2 cm of 2.0 cm" (only the harmful direction: a shrug up, not down), or a dash when unknown."""
        if math.isnan(self.fraction) or math.isnan(self.limit):
            return "—"
        amount = max(self.fraction, 0.0) * self.limit
        return f"{amount:.{self.digits}f}{self.unit} of {self.limit:.{self.digits}f}{self.unit}"


def gauges_for(specs: tuple[MetricSpec, ...], fractions: tuple[float, ...], limits: tuple[float, ...]
               ) -> tuple[Gauge, ...]:
    """Gauges for the metrics, labelled from their specs (as the exercise judges them)."""
    return tuple(Gauge(spec.name, spec.label, spec.unit, spec.digits, float(fraction), float(limit), spec.drifting)
                 for spec, fraction, limit in zip(specs, fractions, limits))


@dataclass
class OverlayState:
    """Everything the overlay paints; plain values so tests can assert on them."""

    state: str = "ready"
    banner: str = "Get into position, side-on to the camera"
    rep: int = 0
    gauges: tuple[Gauge, ...] = field(default_factory=tuple)
    fps: float = 0.0
    latency_ms: float = math.nan
    fault_metric: str = ""
    summary: str = ""
    far_banner: str = ""  # the message for 2-3 m when the banner is long: what to do, in a few words
    far_summary: str = ""  # the stop for 2-3 m: when, what to do (its first clause), the keys (ui/set_screen.py)
    counter: str = ""  # overrides "Rep N" (a hold shows its seconds)
    dropped_fraction: float = 0.0  # share of camera frames the pipeline could not take (said on screen past 10 %)
    pacing: str = ""  # the breathing cue for this moment ("Breathe out as you rise")
    model_note: str = ""  # which pose model runs when it is not the default (live moved to lite to keep up)

    @property
    def fault_segments(self) -> frozenset[tuple[Lm, Lm]]:
        """Skeleton segments to draw in the fault colour (both directions)."""
        if self.fault_metric not in REGISTRY:
            return frozenset()
        segments = REGISTRY[self.fault_metric].segments
        return frozenset(segments) | frozenset((b, a) for a, b in segments)


KEYS_STOPPED = "Space: new set · Q: quit"  # D (details) and E (exercise) are in --help and the README  # one set of key hints for every screen (banner, panel, help)
KEYS_ENDED = "R: resume · Q: quit"
KEYS_ENDED_NO_RESUME = "Q: quit"
_JUDGED_BY = {"phase": "More than in your first reps at the same point of the movement.",
              "gross": "Far past the usual limit, so the set ended at once.",
              "drift": "Worsening rep after rep: the next rep would have passed the limit."}


def stop_summary(stop: Any) -> str:
    """The stop panel's text, each thing said once, in order: what and how much, at which rep, what it was judged
    against, what to do next, the keys. (The banner says the same what and how much: the panel does not repeat the
    reason sentence, which says it again.)"""
    when = f"Rep {stop.rep}, {seconds_text(stop.t_s)} into the set" if stop.rep else \
        f"{seconds_text(stop.t_s)} into the set"
    lines = [f"Set ended: {stop.headline or stop.metric}.", when + "."]
    judged = _JUDGED_BY.get(getattr(stop, "judged", "") or getattr(stop, "rule", ""), "")
    if judged:
        lines.append(judged)
    if getattr(stop, "advice", ""):
        lines.append(f"What to do: {stop.advice}.")
    return "\n".join(lines) + f"\n\n{KEYS_STOPPED}"


def stop_words(stop: Any) -> str:
    """What is spoken at a stop: the screen's words — the message's what and how much, then the panel's when and
    what to do (the keys are for the keyboard, not said)."""
    lines = [line for line in far_stop_lines(stop).splitlines() if line != KEYS_STOPPED]
    return ". ".join([f"Stop. {stop.headline or stop.reason}"] + lines).replace("°", " degrees") + "."


def far_message(banner: str) -> str:
    """The banner in a few words for the 2-3 m panel: what to do now. "Paused — shoulders or hips not clearly seen:
    step back so your whole body is in view" -> "Paused — step back so your whole body is in view"."""
    head, sep, rest = banner.partition(" — ")
    if not sep or len(banner) <= 32:
        return ""
    todo = rest.rsplit(": ", 1)[-1]
    return f"{head} — {todo[:1].upper()}{todo[1:]}" if len(todo) < len(rest) else ""


def far_stop_lines(stop: Any) -> str:
    """The stop as the 2-3 m panel says it, under the message that gives what and how much: at which rep, what to
    do (the advice's first clause: the rest is spoken, and in the details view), the keys."""
    when = f"Rep {stop.rep} · {seconds_text(stop.t_s)}" if stop.rep else f"After {seconds_text(stop.t_s)}"
    advice = (getattr(stop, "advice", "") or "").replace(":", ";").split(";")[0].strip()
    return "\n".join(line for line in (when, advice, KEYS_STOPPED) if line)


CALM_RATE_BPM = 6.0  # the rhythm a hold is paced to: slow, diaphragmatic breathing
HELD_CUE_S = 2.0  # a breath held this long is said on screen (and spoken with --voice), before any stop
HELD_CUE_PREFIX = "Keep breathing"


def pacing_cue(detector: Any, phase: str, breath: Any = None) -> str:
    """Breath as choreography: out on the effort, in on the return; in a hold a calm rhythm, and the measured one.
    A breath held for ``HELD_CUE_S`` comes first, in any exercise: a cue, not a stop (the plank's stop is its own
    rule, a few seconds later)."""
    held = breath is not None and getattr(breath, "held", False) and breath.held_s >= HELD_CUE_S
    if held and not detector.spec.has_reps:
        return f"{HELD_CUE_PREFIX}: breath held {breath.held_s:.0f} s — breathe out slowly"
    if not detector.spec.has_reps:
        measured = f" · now {breath.rate_bpm:.0f}" if breath is not None and breath.rate_bpm == breath.rate_bpm \
            else ""
        return f"Breathe slowly: {CALM_RATE_BPM:.0f} breaths a minute{measured}"
    # For flexion exercises (hinge, squat) the effort is the way up; for extension ones (bridge, bird-dog) the reach.
    effort = "up" if detector.spec.driver_sign > 0 else "down"
    effort_words = "rise" if effort == "up" else "reach"
    if held:  # held across the reps (bracing): breathe with them
        return f"{HELD_CUE_PREFIX}: breath held {breath.held_s:.0f} s — breathe out as you {effort_words}"
    if breath is not None and getattr(breath, "strained", False):
        return f"Breathing hard ({breath.rate_bpm:.0f} a minute, shallow) — slow down, breathe out as you {effort_words}"
    if phase == effort:
        return "Breathe out as you " + ("rise" if effort == "up" else "reach")
    if phase in ("up", "down"):
        return "Breathe in as you " + ("lower" if effort == "up" else "return")
    return ""


def speakable(line: str) -> str:
    """A screen line as the voice reads it: dashes as pauses, degrees in words."""
    return line.replace(" — ", ": ").replace("—", ":").replace("°", " degrees")


def spoken_pacing(line: str) -> str:
    """What the voice says for a breathing cue: its advice, without the live numbers ("Keep breathing: breath held
    3 s — breathe out as you rise" -> "Keep breathing. Breathe out as you rise.")."""
    if not line:
        return ""
    if line.startswith(HELD_CUE_PREFIX):
        advice = line.split("—")[-1].strip()
        return f"{HELD_CUE_PREFIX}. {advice[:1].upper()}{advice[1:]}."
    words = re.sub(r" \([^)]*\)", "", line.split(" · ")[0]).replace(":", ",").strip()
    return " ".join(f"{part[:1].upper()}{part[1:]}." for part in words.split(" — "))



LINE_SHOWN_S = 4.0  # the recognised exercise and a rep's verdict stay on screen this long


def spoken_line(detector: Any, t_s: float) -> str:
    """The line of the moment, before the breathing cue: the exercise just recognised ("Looks like a hinge — press
    E to change"), or the last rep's note or fault ("Rep 3: low back rounded 12° — hinge from the hips ..."),
    for a few seconds after each."""
    recognition = getattr(detector, "recognition", None)
    if recognition is not None and getattr(detector, "recognised", False) and \
            0.0 <= t_s - recognition.t_s < LINE_SHOWN_S and detector.exercise_source == "recognised":
        return detector.recognition_text
    verdicts = getattr(detector, "rep_verdicts", None)
    if verdicts is not None and verdicts.last_line and verdicts.verdicts and \
            0.0 <= t_s - verdicts.verdicts[-1].t_end_s < LINE_SHOWN_S:
        return verdicts.last_line
    return ""


def overlay_state(live: Any, detector: Any, stop: Any = None) -> OverlayState:
    """Banner, gauges and counters for ``live`` (a LiveResult); ``stop`` is the latched StopEvent, if any."""
    verdict = live.result.verdict
    if verdict is None:
        return OverlayState(state="clean", banner="Watching (no exercise chosen)", fps=live.fps,
                            latency_ms=live.latency_ms, model_note=getattr(live, "model_note", ""))
    gauges = gauges_for(detector.gauge_specs, verdict.deviations, detector.gauge_limits())
    state = "stopped" if stop is not None else verdict.state
    fault = ""
    worst = max(((g.fraction, g) for g in gauges if not math.isnan(g.fraction)), default=(0.0, None),
                key=lambda pair: pair[0])[1]
    if stop is not None:
        banner = f"STOP — {stop.headline or stop.reason}"
        fault = stop.metric
    elif state in ("ready", "paused") and (why := nan_reason(live.result.metrics, Col.HIP_HINGE_DEG)):
        banner = f"{'Paused' if state == 'paused' else 'Ready'} — {why}"  # say what is wrong, in the user's words
    elif state == "ready" and not getattr(detector, "recognised", True):
        banner = f"{detector.recognition_text} — start when ready"  # auto: nothing judged until it is known
    elif state == "ready":
        banner = "Ready — start your first rep" if detector.rest_level is not None \
            else "Get into position, side-on to the camera, and stand still"
    elif state == "paused":
        banner = "Paused — can't see you: step back into view"
    elif state == "drifting" and worst is not None:
        banner = f"Careful — {worst.drifting}"
        fault = worst.name
    else:
        banner = "Clean"
    counter = ""
    if not detector.spec.has_reps:
        held = detector.held_s
        counter = f"Hold {seconds_text(held)}" if held is not None else "Hold"
    seen = live.processed + live.dropped
    rep = stop.rep if stop is not None and stop.rep else verdict.rep  # the rep the set ended in, as the panel says
    pacing = "" if stop is not None else (spoken_line(detector, getattr(verdict, "t_s", math.nan)) or
                                          pacing_cue(detector, verdict.phase, getattr(live.result, "breath", None)))
    return OverlayState(state=state, banner=banner, rep=rep, gauges=gauges, fps=live.fps,
                        dropped_fraction=live.dropped / seen if seen else 0.0,
                        latency_ms=live.latency_ms, fault_metric=fault,
                        summary=stop_summary(stop) if stop is not None else "",
                        far_summary=far_stop_lines(stop) if stop is not None else "", far_banner=far_message(banner),
                        counter=counter, pacing=pacing, model_note=getattr(live, "model_note", ""))


def replay_state(data: Any, index: int) -> OverlayState:
    """The overlay at frame ``index`` of a replay (a ReplayData), from the verdicts recorded with it."""
    t = float(data.t_s[index])
    stop = data.stop
    reps_done = sum(1 for r in data.reps if r["end_s"] <= t)
    if stop and t >= stop["t_s"]:
        return OverlayState(state="stopped", banner=f"STOP — {stop.get('headline') or stop['reason']}", rep=reps_done,
                            fault_metric=stop["metric"])
    verdicts = data.verdicts
    detected = any(not math.isnan(trace[index]) for trace in data.traces.values())
    if verdicts is None:
        return OverlayState(state="clean" if detected else "paused", banner=f"Replay  {t:.1f} s", rep=reps_done)
    names = verdicts.gauge_names
    nan = math.nan
    specs = gauge_specs(str(data.summary.get("exercise", "")), names)
    gauges = gauges_for(specs, tuple(float(verdicts.deviations[g][index]) for g in names),
                        tuple(float(verdicts.limits[g][index]) if g in verdicts.limits else nan for g in names))
    state = verdicts.state[index] or "clean"
    banner = f"Replay  {t:.1f} s" + ("" if detected else " — no pose in this frame")
    rep = verdicts.rep[index]
    return OverlayState(state=state, banner=banner, rep=int(rep) if rep == rep else reps_done, gauges=gauges)
