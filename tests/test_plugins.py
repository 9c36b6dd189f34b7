"""Plug-ins, each defined whole in this file: a per-frame rule (its class and one registration), and a screen state a
judge of its own reports (its colour and message, one registration). A toy metric and a toy exercise are
tests/test_registry.py's; a toy rule at a rep's end is tests/test_plan.py's."""

import numpy as np
import pytest

from formwatch.core.events import Against, Stop
from formwatch.core.exercises import ExerciseSpec, registered_exercise
from formwatch.core.registry import SHOULDER_ELEVATION
from formwatch.core.rules import Debounce, registered_rule
from formwatch.sim.evaluation import run_scenario
from formwatch.sim.scenarios import Scenario


class ShouldersDownAlways:
    """A toy per-frame rule: the shoulders never more than 0.5 cm above the set's neutral, for 0.3 s."""

    def __init__(self):
        self.debounce = Debounce(0.3)

    def reset(self):
        self.debounce.reset()

    def step(self, ctx):
        if not ctx.judging:
            self.debounce.reset()
            return None
        watched = ctx.state.watched
        limits = [0.5 if m.name == SHOULDER_ELEVATION else float("inf") for m in watched]
        i = self.debounce.over(ctx.t_s, watched, ctx.absolute, limits)
        if i is None:
            return None
        return Stop(ctx.t_s, ctx.rep, watched[i].name, ctx.absolute[i], 0.5, "shoulders-down", Against.NEUTRAL)


def test_a_per_frame_rule_is_a_class_and_a_registration():
    scenario = Scenario(drift_metric=SHOULDER_ELEVATION, drift_onset_rep=4, drift_amount=4.0, drift_duration_s=6.0,
                        reps=8)
    with registered_rule("shoulders-down", lambda config, spec: ShouldersDownAlways()):
        spec = ExerciseSpec("toy-strict-hinge", +1.0, 25.0, 12.0, rules=("shoulders-down",), rest_max_deg=35.0)
        with registered_exercise(spec):
            outcome = run_scenario(scenario, exercise="toy-strict-hinge")
    stop = outcome.stop
    assert stop is not None and stop.rule == "shoulders-down" and stop.metric == SHOULDER_ELEVATION
    assert stop.rep >= 4 and stop.value > 0.5  # after the creep began, not before
    assert outcome.summary.judged[-1].verdict.value == "fault" and outcome.summary.judged[-1].rep == stop.rep


class WarmingUp:
    """A toy judge: a hinge detector whose first 3 s are a warm-up, reported as a state of its own."""

    def __init__(self):
        from formwatch.core.detector import Detector

        self.detector = Detector("hinge")

    def finish(self):
        return self.detector.finish()

    def reset(self):
        self.detector.reset()

    def replace_plan(self, plan):
        self.detector.replace_plan(plan)

    def facts(self):
        return self.detector.facts()

    @property
    def exercise(self):
        return self.detector.exercise

    @property
    def gauge_names(self):
        return self.detector.gauge_names

    def step(self, t_s, metrics, breath=None):
        from dataclasses import replace

        judgement = self.detector.step(t_s, metrics, breath)
        return replace(judgement, state="warming-up") if t_s < 3.0 else judgement


def test_a_screen_state_a_judge_reports_is_one_registration(qtbot):
    from PyQt6.QtGui import QColor

    from formwatch.core.session import SetSession
    from formwatch.sim.scenarios import generate
    from formwatch.ui.overlay import OverlayWidget
    from formwatch.ui.view_model import ScreenState, registered_screen_state, view

    t, image, world = generate(Scenario(reps=2))
    session = SetSession((1280, 720), detector=WarmingUp())
    records = [session.step(float(t[i]), image[i], world[i]) for i in range(len(t))]
    with registered_screen_state("warming-up", ScreenState("#8844ff", lambda record: "Warming up — take it easy")):
        first, later = view(records[10]), view(records[-1])
        assert first.state == "warming-up" and first.banner == "Warming up — take it easy"
        assert later.state != "warming-up" and later.banner != first.banner
        widget = OverlayWidget((1280, 720))
        qtbot.addWidget(widget)
        widget.resize(1366, 768)
        widget.set_frame(None, image[10])
        widget.set_view(first)
        picture = widget.grab().toImage()
    panel = widget.panel  # the state's colour is painted down the panel's left edge
    x, y = int(panel.x + 5), int(panel.y + panel.h / 2)
    assert picture.pixelColor(x, y) == QColor("#8844ff")
    assert "warming-up" not in __import__("formwatch.ui.view_model", fromlist=["x"]).SCREEN_STATES
    with pytest.raises(ValueError):
        with registered_screen_state("clean", ScreenState("#000000")):
            pass
    assert np.isfinite(records[-1].t_s)
