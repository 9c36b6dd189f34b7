"""The metric and exercise registries: one spec is all a new metric needs, and aliases people use are accepted."""

import csv
import math

import numpy as np
import pytest

from conftest import write_synthetic_recording
from formwatch.core.detector import Detector
from formwatch.core.exercises import ExerciseSpec, get_exercise, registered_exercise
from formwatch.core.landmarks import Lm
from formwatch.core.registry import REGISTRY, SHOULDER_ELEVATION, MetricSpec, Worse
from formwatch.sim.synth import skeleton


def wrist_drop_cm(image, world, profile, frame_size_px):
    """A toy metric: how far the left wrist hangs below the left hip, in centimetres (world landmarks)."""
    return 100.0 * (world[..., Lm.LEFT_WRIST, 1] - world[..., Lm.LEFT_HIP, 1])


TOY = MetricSpec("toy_wrist_drop_cm", " cm", 1, "Toy wrist drop", "Toy wrist dropped", "toy wrist dropping",
                 "Lift the toy wrist", Worse.HIGHER, (-200.0, 200.0), 5.0, 5.0, compute=wrist_drop_cm,
                 segments=((Lm.LEFT_ELBOW, Lm.LEFT_WRIST),), colour="#00ff88")


def test_a_metric_registered_in_a_test_reaches_csv_detector_gauge_and_replay(tmp_path, qtbot):
    from formwatch.app.analyze import analyze
    from formwatch.app.replay_data import load_replay
    from formwatch.ui.replay_window import ReplayWindow
    from formwatch.ui.view_model import view

    t = np.arange(90) / 30
    image, world = skeleton(hinge_deg=np.linspace(0, 60, 90))
    rec = write_synthetic_recording(tmp_path / "in", t, image, world)
    with REGISTRY.registered(TOY), registered_exercise(
            ExerciseSpec("toy-hinge", +1.0, 25.0, 12.0, watched=(SHOULDER_ELEVATION, TOY.name))):
        detector = Detector("toy-hinge")
        assert TOY.name in detector.gauge_names  # the detector's watch list
        result = analyze(rec, tmp_path / "out", detector=detector, progress=False)
        with open(result.path / "metrics.csv", newline="") as f:
            rows = list(csv.reader(f))
        header = rows[0]
        assert TOY.name in header and f"{TOY.name}_dev" in header and f"{TOY.name}_limit" in header
        values = np.array([float(r[header.index(TOY.name)]) for r in rows[1:]])
        expected = wrist_drop_cm(image, world, None, (1280, 720))
        # Computed from the pose, not copied: it follows it (the live One Euro filter lags a little on the way).
        np.testing.assert_allclose(values, expected, atol=1.0)
        assert values[-1] - values[0] > 5.0

        data = load_replay(result.path)
        assert TOY.name in data.traces  # a replay trace
        state = view(data.records[len(t) - 1])
        toy_gauge = [g for g in state.gauges if g.name == TOY.name]
        assert toy_gauge and toy_gauge[0].label == "Toy wrist drop" and toy_gauge[0].limit == 5.0  # a gauge
        window = ReplayWindow(data)
        qtbot.addWidget(window)
        assert TOY.name in window.curves
    assert TOY.name not in REGISTRY and len(REGISTRY) == len(REGISTRY.names)  # gone after the block


def test_a_metric_outside_its_plausible_range_is_nan_and_counted():
    from formwatch.core.session import SetSession

    impossible = MetricSpec("toy_always_999", "", 0, "Toy", compute=lambda i, w, p, s: 999.0, plausible=(-10.0, 10.0))
    with REGISTRY.registered(impossible):
        session = SetSession((1280, 720))
        image, world = skeleton()
        metrics = session.step(0.0, image, world).metrics
        assert math.isnan(metrics[REGISTRY.index(impossible.name)])
        assert session.summary().implausible_readings == 1


def test_registering_twice_or_without_a_formula_is_refused():
    with pytest.raises(ValueError, match="registered already"):
        REGISTRY.register(REGISTRY[SHOULDER_ELEVATION])
    with pytest.raises(ValueError, match="compute function"):
        REGISTRY.register(MetricSpec("toy_no_formula", "", 0))
    with pytest.raises(KeyError, match="unknown metric"):
        ExerciseSpec("toy-bad", 1.0, 10.0, 5.0, watched=("no_such_metric",))


@pytest.mark.parametrize("word, name", [("deadlift", "hinge"), ("RDL", "hinge"), ("good morning", "hinge"),
                                        ("glute bridge", "bridge"), ("glute_bridge", "bridge"), ("plank", "plank"),
                                        ("bird-dog", "bird-dog")])
def test_exercise_aliases_people_use(word, name):
    assert get_exercise(word).name == name


def test_an_unknown_exercise_names_the_choices():
    with pytest.raises(ValueError, match="choose one of hinge, squat"):
        get_exercise("zumba")


def test_kinematics_columns_follow_the_registry():
    from formwatch.core.kinematics import Col

    assert [c.name.lower() for c in Col] == list(REGISTRY.names[: len(Col)])
