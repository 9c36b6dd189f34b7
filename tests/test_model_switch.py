"""Live moves to the lite model when the full one cannot keep up with the camera, and back when there is room;
each switch is said and recorded."""

import numpy as np

from formwatch.capture.model_switch import AutoModelEstimator, SwitchConfig, SwitchPolicy


def feed(policy, times_ms, start_s=0.0, fps=30.0):
    decisions = []
    for i, ms in enumerate(times_ms):
        decision = policy.observe(start_s + i / fps, ms)
        if decision:
            decisions.append((round(start_s + i / fps, 2), decision))
    return decisions


def test_a_full_model_with_room_stays():
    rng = np.random.default_rng(0)
    assert feed(SwitchPolicy(30.0), 22 + rng.normal(0, 2, 900)) == []


def test_no_room_for_30_fps_moves_to_lite_within_the_window_then_back_when_the_machine_is_free():
    policy = SwitchPolicy(30.0)
    slow = feed(policy, np.full(200, 38.0))  # p95 38 ms > 0.9 x 33 ms
    assert slow and slow[0][1] == "lite" and slow[0][0] <= SwitchConfig().warmup_s + 1.5
    assert policy.current == "lite"
    # Still busy on lite (29 ms, so full would be ~38): it stays on lite, however long.
    assert feed(policy, np.full(1800, 29.0), start_s=10.0) == []
    # The other program closed: lite takes 12 ms, full would take ~16, well within the frame: back to full,
    # but not before the first retry time.
    back = feed(policy, np.full(1200, 12.0), start_s=80.0)
    assert back and back[0][1] == "full"


def test_a_retry_that_fails_again_waits_longer_before_the_next():
    cfg = SwitchConfig(first_retry_s=20.0)
    policy = SwitchPolicy(30.0, cfg)
    feed(policy, np.full(250, 40.0))  # too slow for full, and lite busy too at first (their ratio measured as 1)
    feed(policy, np.full(900, 10.0), start_s=9.0)  # looks free: back to full after 20 s
    assert policy.current == "full"
    feed(policy, np.full(200, 40.0), start_s=39.0)  # but full is still too slow: lite again, soon
    assert policy.current == "lite" and policy._retry_s == 40.0


def test_a_slow_warm_up_is_not_load():
    """The first frames of a model are slow (graph set-up): 40 slow ones, then 8 ms frames, never switch."""
    times = np.concatenate([np.full(40, 120.0), np.full(900, 8.0)])
    assert feed(SwitchPolicy(30.0), times) == []


class FakeClock:
    """Time that moves only when a stand-in model 'works': no test depends on how fast this machine is."""

    def __init__(self):
        self.now_s = 0.0

    def __call__(self):
        return self.now_s


class Timed:
    def __init__(self, name, seconds, log, clock=None):
        self.name, self.seconds, self.log, self.clock = name, seconds, log, clock

    def estimate(self, frame, t_s):
        self.clock.now_s = max(self.clock.now_s, t_s) + self.seconds
        self.log.append(self.name)
        return self.name

    def close(self):
        pass


def test_the_wrapper_switches_models_and_records_why(tmp_path):
    log, said = [], []
    lite_file = tmp_path / "pose_landmarker_lite.task"
    lite_file.write_bytes(b"x")
    clock = FakeClock()
    auto = AutoModelEstimator(Timed("full", 0.040, log, clock), lite_file, lambda p: Timed("lite", 0.001, log, clock),
                              30.0, ("pose_landmarker_full.task", "pose_landmarker_lite.task"), say=said.append,
                              clock=clock)
    auto._loader.join()
    for i in range(150):
        auto.estimate(None, i / 30)
    assert log[0] == "full" and log[-1] == "lite"
    (switch,) = auto.switches
    assert switch["from"] == "pose_landmarker_full.task" and switch["to"] == "pose_landmarker_lite.task"
    assert switch["p95_ms"] > 30 and "switched to the lite model" in said[0]
    auto.close()


def test_without_a_lite_model_it_stays_on_full_and_says_how_to_get_one():
    log, said = [], []
    clock = FakeClock()
    auto = AutoModelEstimator(Timed("full", 0.040, log, clock), None, None, 30.0, say=said.append, clock=clock)
    for i in range(150):
        auto.estimate(None, i / 30)
    assert set(log) == {"full"} and auto.switches == [] and len(said) == 1
    assert "formwatch models --model-size lite" in said[0]


def test_the_advice_to_get_the_lite_model_waits_until_frames_are_dropped():
    """A slow full model that still takes every camera frame gets no advice; the first dropped frame brings it,
    once."""
    log, said, dropped = [], [], [0]
    clock = FakeClock()
    auto = AutoModelEstimator(Timed("full", 0.040, log, clock), None, None, 30.0, say=said.append, clock=clock,
                              dropped=lambda: dropped[0])
    for i in range(150):
        auto.estimate(None, i / 30)
    assert said == [] and auto.message == ""
    dropped[0] = 3
    for i in range(150, 300):
        auto.estimate(None, i / 30)
    assert len(said) == 1 and "formwatch models --model-size lite" in said[0]
