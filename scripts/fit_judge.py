"""Fit every threshold, band and weight the judge decides with, from named, labelled data — and write them, with
their provenance, to src/formwatch/data/judge_fit.json (what formwatch ships and judges with).

    python scripts/fit_judge.py --data ../shared/data [--out src/formwatch/data/judge_fit.json]

The data: ../shared/data/video's clips with labels.csv (exercise, form correct / incorrect / demo, reps by eye,
view, source), their MediaPipe poses estimated once and cached (app/pose_cache.py), read through the very pipeline
the judge reads. What is fitted, and from what (formwatch.core.judge_params says how each is used):

- the camera's angle past which side-view metrics are not judged, from the clips labelled side against those
  labelled front or oblique;
- the recogniser's weights (a multinomial logistic model over the movement's features), from every clip's exercise;
  the distance from every window of an exercise seen past which a window is unlike it (none of these), and the
  confidence below which it asks instead of guessing, both by leave-one-source-out within the clips;
- norms by phase: what correct reps read, metric by metric, per band of the driver's angle (the mean and spread of
  each correct rep's reading there), from the reps of clips labelled correct or instructional, and the margin past
  which a first set gets a note, chosen so that under leave-one-source-out no more than 5 % of correct reps would;
- the readings' quality bars (a plausible rate of change, a plausible spread at the bottom of a rep), from the
  correct reps' own readings;
- a first set's limit of each metric judged from a population zero (hip extension past straight), by exercise, from
  how far correct and instructional sets went past it.

scripts/evaluate_judge.py calls :func:`fit` once per held-out source (leave one source out).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

import math  # noqa: E402
from statistics import NormalDist  # noqa: E402
import time  # noqa: E402
from types import MappingProxyType  # noqa: E402

import numpy as np  # noqa: E402

from formwatch.core.judge_params import JudgeParams, Norm, RecognitionModel  # noqa: E402
from formwatch.core.recognition import NONE_CLASS as NONE  # noqa: E402


@dataclass(frozen=True)
class Clip:
    """One labelled clip: its labels and its cached poses."""

    file: str
    exercise: str  # hinge, squat, bridge, bird-dog, plank, or none
    activity: str
    form: str  # correct, incorrect, demo, mixed
    note: str
    reps: int | None  # whole reps counted by eye (None: a hold or not counted)
    reps_text: str
    view: str
    source: str  # the repository: the unit of cross-validation
    poses: Path
    person: bool = True  # a person found in most frames


def load_clips(data: Path) -> list[Clip]:
    """Every clip of ``data``/video/labels.csv, with its poses (estimated now if not cached)."""
    from formwatch.app.pose_cache import cached_poses
    from formwatch.capture.models.provision import find_or_provision
    from formwatch.io.recording import load_recording

    model = find_or_provision(None).path
    with open(data / "video" / "labels.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    clips = []
    for row in rows:
        video = data / "video" / row["file"]
        if not video.is_file():
            continue
        poses = cached_poses(video, model)
        seen = load_recording(poses).image[:, 0, 0]
        reps = int(row["reps"]) if row["reps"].strip().isdigit() else None
        clips.append(Clip(row["file"], row["exercise"], row["activity"], row["form"], row["note"], reps,
                          row["reps"], row["view"], row["source"].split(" @")[0].strip(), poses,
                          bool((seen == seen).mean() >= 0.5)))
    return clips


# --------------------------------------------------------------------------------------------- the clips' series
_SERIES: dict[Path, tuple[np.ndarray, np.ndarray]] = {}
SIDE_LABELS = ("side",)  # clips labelled side-on; front, oblique and front-oblique are the others
FALSE_NOTES = 0.05  # the share of correct reps a first set's norms may note, under leave-one-source-out
MIN_SETS = 5  # correct sets an exercise needs for a margin (fewer: its norms give no note)
RATE_QUANTILE = 0.999  # a trunk reading's plausible rate of change: all but the fastest 0.1 % of correct frames


def series(clip: Clip) -> tuple[np.ndarray, np.ndarray]:
    """The clip's frame times and metrics rows, through the pipeline every mode uses (cached in memory)."""
    if clip.poses not in _SERIES:
        from formwatch.core.driver import metrics_of
        from formwatch.core.session import SetSession
        from formwatch.io.recording import load_recording

        rec = load_recording(clip.poses)
        _SERIES[clip.poses] = (rec.t_s, metrics_of(SetSession(rec.frame_size_px), rec.t_s, rec.image, rec.world,
                                                   rec.profile, rec.others_in_view))
    return _SERIES[clip.poses]


def _column(name: str) -> int:
    from formwatch.core.registry import REGISTRY

    return REGISTRY.index(name)


# ---------------------------------------------------------------------------------------- the camera's angle
def fit_side_view(clips: list[Clip]) -> float:
    """The camera angle below which a clip is side-on: the cut between the side-on clips' median angles and the
    front or oblique ones' that misclassifies fewest (balanced), midway between the nearest two on each side."""
    from formwatch.core.registry import VIEW_ANGLE

    angles, side = [], []
    for clip in clips:
        if not clip.person:
            continue
        _, rows = series(clip)
        values = rows[:, _column(VIEW_ANGLE)]
        if np.isfinite(values).any():
            angles.append(float(np.nanmedian(values)))
            side.append(clip.view.strip() in SIDE_LABELS)
    a, s = np.array(angles), np.array(side)
    candidates = np.unique(a)
    best, cut = -1.0, 90.0
    for low, high in zip(candidates[:-1], candidates[1:]):
        c = 0.5 * (low + high)
        accuracy = 0.5 * (np.mean(a[s] <= c) + (np.mean(a[~s] > c) if (~s).any() else 1.0))
        if accuracy > best:
            best, cut = accuracy, c
    return round(float(cut), 1)


def fit_rate(clips: list[Clip]) -> float:
    """The fastest a trunk reading changes on correct clips (degrees a second, all but the top 0.1 %)."""
    from formwatch.core.registry import LUMBAR_CURVE, RIB_FLARE

    rates = []
    for clip in clips:
        if clip.form not in ("correct", "demo") or not clip.person:
            continue
        t, rows = series(clip)
        for name in (LUMBAR_CURVE, RIB_FLARE):
            v = rows[:, _column(name)]
            ok = np.isfinite(v[1:]) & np.isfinite(v[:-1])
            rates.append(np.abs(np.diff(v))[ok] / np.diff(t)[ok])
    return round(float(np.quantile(np.concatenate(rates), RATE_QUANTILE)), 1)


# ------------------------------------------------------------------------------------------- recognition
CLASSES = ("hinge", "squat", "bridge", "bird-dog", "plank", NONE)
BARS = tuple(round(0.30 + 0.05 * i, 2) for i in range(14))  # the confidence bars tried: 0.30 ... 0.95
WRONG_COST = 2.0  # a wrong exercise costs twice what asking does (asking: the person presses E once)
UNLIKE_SHARE = 0.05  # of a known exercise's windows, this share may lie farther from it than a window called unlike
WINDOW_STEP_S = 1.0  # the recogniser is fitted on windows sampled this often along each clip
_WINDOWS: dict[tuple[Path, float], list[dict[str, float]]] = {}


def recognition_windows(clip: Clip, step_s: float = WINDOW_STEP_S) -> list[dict[str, float]]:
    """The recogniser's features along the clip, in time order: each window as it would be evaluated live (the
    last WINDOW_S seconds up to that moment), every ``step_s`` from MIN_SEEN_S on, and at the clip's end."""
    key = (clip.poses, step_s)
    if key not in _WINDOWS:
        _WINDOWS[key] = windows_along(*series(clip), step_s)
    return _WINDOWS[key]


def windows_along(t: np.ndarray, rows: np.ndarray, step_s: float) -> list[dict[str, float]]:
    """The recogniser's features over metrics ``rows`` at times ``t``: the last WINDOW_S seconds every ``step_s``
    from MIN_SEEN_S on, and at the end (the only one when the rows span less)."""
    from formwatch.core.recognition import COLUMNS, MIN_SEEN_S, WINDOW_S, window_features

    data = rows[:, [_column(n) for n in COLUMNS]]
    ends = [*np.arange(t[0] + MIN_SEEN_S, t[-1], step_s), t[-1]]
    return [window_features(data[(t >= end - WINDOW_S) & (t <= end)]) for end in ends]


def live_windows(clip: Clip) -> list[dict[str, float]]:
    """The windows the recogniser decides on live (every EVALUATE_EVERY_S): where a wrong answer can slip in
    between the fit's windows, so the bar and the unlike distance are chosen on these."""
    from formwatch.core.recognition import EVALUATE_EVERY_S

    return recognition_windows(clip, EVALUATE_EVERY_S)


def _matrix(windows: list[dict[str, float]], features: tuple[str, ...]) -> np.ndarray:
    return np.array([[w.get(f, math.nan) for f in features] for w in windows], dtype=float)


def _fit_model(clips: list[Clip], bar: float, unlike_beyond: float = math.inf) -> RecognitionModel:
    """The multinomial logistic model (scikit-learn, L2, classes balanced, each clip's windows weighing as one
    clip) on every window of ``clips``, standardised and NaN at the centre — as core/recognition.py reads it —
    with each exercise's windows kept (``seen``: a window unlike all of them is none of these)."""
    from sklearn.linear_model import LogisticRegression

    from formwatch.core.recognition import FEATURES

    xs, ys, ws = [], [], []
    for clip in clips:
        windows = recognition_windows(clip)
        xs.append(_matrix(windows, FEATURES))
        ys += [clip.exercise] * len(windows)
        ws += [1.0 / len(windows)] * len(windows)
    x = np.vstack(xs)
    centre = np.nanmean(x, axis=0)
    scale = np.nanstd(x, axis=0)
    scale[~(scale > 0)] = 1.0
    z = np.nan_to_num((x - centre) / scale, nan=0.0)
    model = LogisticRegression(class_weight="balanced", max_iter=5000).fit(z, ys, sample_weight=np.array(ws))
    labels = np.array(ys)
    seen = {name: tuple(tuple(round(float(v), 3) for v in row) for row in z[labels == name])
            for name in sorted(set(ys)) if name != NONE}
    return RecognitionModel(FEATURES, tuple(round(float(v), 6) for v in centre),
                            tuple(round(float(v), 6) for v in scale), tuple(str(c) for c in model.classes_),
                            tuple(tuple(round(float(w), 6) for w in row) for row in model.coef_),
                            tuple(round(float(b), 6) for b in model.intercept_), bar,
                            MappingProxyType(seen), unlike_beyond)


def fit_hold_still(clips: list[Clip]) -> float:
    """How far a joint may move in a window of a hold: the cut midway between the most any labelled hold's window
    moved and the least a rhythmic set lying or on all fours moved (its windows' median)."""
    from formwatch.core.recognition import HOLDS, movement_deg

    usable = [c for c in clips if c.person]
    held = [movement_deg(w) for c in usable if c.exercise in HOLDS for w in recognition_windows(c)]
    lying = [float(np.median([movement_deg(w) for w in recognition_windows(c)])) for c in usable
             if c.exercise not in HOLDS and np.median([w.get("upright_share", 1.0) for w in recognition_windows(c)]) == 0]
    if not held or not lying:
        return math.inf
    return round(0.5 * (max(held) + min(lying)), 1)


def recognised_as(model: RecognitionModel, windows: list[dict[str, float]], bar: float,
                  hold_still_max_deg: float = math.inf, side_view_max_deg: float = math.inf) -> str | None:
    """What the recogniser would end saying over these windows at ``bar``: the first exercise it is sure of,
    else "none" if it was sure of that, else None (it asked)."""
    return answer_at(words_of(model, windows, hold_still_max_deg, side_view_max_deg), bar)


def words_of(model: RecognitionModel, windows: list[dict[str, float]], hold_still_max_deg: float = math.inf,
             side_view_max_deg: float = math.inf) -> list[tuple[str | None, float]]:
    """The model's word on each window: (its likeliest class, how sure), as core/recognition.py reads it."""
    from formwatch.core.recognition import likeliest

    return [likeliest(model, w, hold_still_max_deg, side_view_max_deg)[:2] for w in windows]


def answer_at(words: list[tuple[str | None, float]], bar: float) -> str | None:
    """What the recogniser ends saying from these words at ``bar`` (see :func:`recognised_as`)."""
    answer = None
    for best, sure in words:
        if best is not None and sure >= bar:
            if best != NONE:
                return best
            answer = NONE
    return answer


def _unlike_beyond(models: dict[str, RecognitionModel], clips: list[Clip]) -> float:
    """The distance past which a window is unlike an exercise as seen: each source's exercise windows measured
    against the windows of that exercise in every other source (``models``: each source's model fitted without
    it); the distance UNLIKE_SHARE of them lie beyond (each clip weighing as one)."""
    distances, weights = [], []
    for clip in clips:
        model = models[clip.source]
        if clip.exercise == NONE or clip.exercise not in model.seen:
            continue
        windows = live_windows(clip)
        distances += [model.distance_to_seen(clip.exercise, w) for w in windows]
        weights += [1.0 / len(windows)] * len(windows)
    if not distances:
        return math.inf
    order = np.argsort(distances)
    share = np.cumsum(np.asarray(weights)[order]) / sum(weights)
    return round(float(np.asarray(distances)[order][np.searchsorted(share, 1.0 - UNLIKE_SHARE)]), 2)


def fit_recognition(clips: list[Clip], hold_still_max_deg: float = math.inf,
                    side_view_max_deg: float = math.inf) -> RecognitionModel:
    """The recogniser, by leave-one-source-out within ``clips`` (each source's clips recognised by a model fitted
    without them): first the distance past which a window is unlike an exercise as seen (:func:`_unlike_beyond`),
    then the bar scoring most right answers less WRONG_COST a wrong one; then the model refitted on them all."""
    usable = [c for c in clips if c.person and c.exercise in CLASSES]
    sources = sorted({c.source for c in usable})
    models = {source: _fit_model([c for c in usable if c.source != source], 0.0) for source in sources}
    unlike_beyond = _unlike_beyond(models, usable)
    score = dict.fromkeys(BARS, 0.0)
    for source in sources:
        model = replace(models[source], unlike_beyond=unlike_beyond)
        for clip in (c for c in usable if c.source == source):
            words = words_of(model, live_windows(clip), hold_still_max_deg, side_view_max_deg)
            for bar in BARS:
                answer = answer_at(words, bar)
                score[bar] += 0.0 if answer is None else (1.0 if answer == clip.exercise else -WRONG_COST)
    bar = max(BARS, key=lambda b: (score[b], b))  # a tie: the higher bar (surer answers)
    return _fit_model(usable, bar, unlike_beyond)


# ------------------------------------------------------------------------------------------------- the norms
EXERCISES = ("hinge", "squat", "bridge", "bird-dog")
BANDS = 4
# The metrics a first set is held to other people's correct reps on: the trunk's own shape, which differs between
# people's correct reps around a curve of the movement's phase. Shoulder elevation and hip extension are not: their
# zero is the person's own neutral or the hips straight (core/rep_verdicts.py judges them there).
NORM_METRICS = ("lumbar_curve_deg", "rib_flare_deg")


def _edges(exercise: str, clips: list[Clip], side_view_max_deg: float) -> tuple[float, ...]:
    """The bands' edges over the driver's readings where the norms' metrics are read: the camera side-on (off the
    side the driver is the world fold, whose standing reads higher: its frames would move bands no norm is read in)."""
    from formwatch.core.exercises import get_exercise
    from formwatch.core.registry import VIEW_ANGLE

    driver = get_exercise(exercise).driver
    values = np.concatenate([rows[rows[:, _column(VIEW_ANGLE)] <= side_view_max_deg, _column(driver)]
                             for rows in (series(c)[1] for c in clips)])
    values = values[np.isfinite(values)]
    low, high = np.quantile(values, [0.2, 0.99])
    return tuple(round(float(v), 1) for v in np.linspace(low, high, BANDS + 1))


def _rep_readings(clip: Clip, params: JudgeParams) -> list[dict[str, tuple[float, ...]]]:
    """Each rep's readings per band, as the judge reads them (the exercise given, ``params``' bands)."""
    from formwatch.core.detector import Detector
    from formwatch.sim.evaluation import judge_rows

    t, rows = series(clip)
    summary = judge_rows(Detector(clip.exercise, params=params), t, rows, until_stop=False)
    return [dict(j.readings) for j in summary.judged]


def _norm_of(values: dict[str, list[float]], floor: float) -> tuple[float, float]:
    """Mean and spread of one band's readings grouped by source: the sources' means weigh alike; the spread is the
    spread between sources and within them together (a new person is a new source)."""
    means = [float(np.mean(v)) for v in values.values() if v]
    if len(means) < 2:
        return math.nan, math.nan
    within = [float(np.var(v)) for v in values.values() if len(v) > 1]
    spread = math.sqrt(float(np.var(means, ddof=1)) + (float(np.mean(within)) if within else 0.0))
    return float(np.mean(means)), max(spread, floor)


def _fit_norms(clips: list[Clip], params: JudgeParams,
               margins: dict[str, float] | None) -> dict[str, dict[str, Norm]]:
    """Each exercise's norms (means and spreads per band) from its correct clips, with its margin of ``margins``
    (none fitted: no note from them); ``margins`` None: every margin 1, each reading's ratio its z itself."""
    from formwatch.core.exercises import get_exercise

    out: dict[str, dict[str, Norm]] = {}
    for exercise in EXERCISES:
        correct = [c for c in clips if c.exercise == exercise and c.form in ("correct", "demo") and c.person]
        if len({c.source for c in correct}) < 2:
            continue
        edges = _edges(exercise, correct, params.side_view_max_deg)
        spec = get_exercise(exercise)
        probe = JudgeParams(params.side_view_max_deg, params.max_rate_deg_s, norms={exercise: {
            m.name: Norm(edges, (math.nan,) * BANDS, (math.nan,) * BANDS, math.inf) for m in spec.watched_specs()
            if m.name in NORM_METRICS}})
        readings = {c: _rep_readings(c, probe) for c in correct}
        norms = {}
        margin = 1.0 if margins is None else margins.get(exercise, math.inf)
        for metric in spec.watched_specs():
            if metric.name not in NORM_METRICS:
                continue
            means, spreads = [], []
            for band in range(BANDS):
                by_source: dict[str, list[float]] = {}
                for clip, reps in readings.items():
                    for rep in reps:
                        value = rep.get(metric.name, (math.nan,) * BANDS)[band]
                        if value == value:
                            by_source.setdefault(clip.source, []).append(value)
                mean, spread = _norm_of(by_source, metric.phase_min_change or 1.0)
                means.append(mean)
                spreads.append(spread)
            n_reps = sum(len(r) for r in readings.values())
            if any(m == m for m in means):
                norms[metric.name] = Norm(edges, tuple(means), tuple(spreads), margin, n_reps,
                                          len({c.source for c in correct}))
        out[exercise] = norms
    return out


# ------------------------------------------------------------------------------------- the population limits
def _held_peak(t_s: np.ndarray, values: np.ndarray, hold_s: float) -> float:
    """The largest level the readings stayed at or above for ``hold_s`` on end, as the judge's debounce counts it
    (from the first frame over to one ``hold_s`` later); NaN readings break a stretch; -inf: never held."""
    best = -math.inf
    start = 0
    for i in range(len(t_s)):
        reach = t_s[i] - hold_s + 1e-9
        while start + 1 <= i and t_s[start + 1] <= reach:
            start += 1
        window = values[start:i + 1]
        if t_s[start] <= reach and not np.isnan(window).any():
            best = max(best, float(window.min()))
    return best


def set_peak(clip: Clip, metric: str, base: JudgeParams) -> float:
    """How far past its population zero ``metric`` went in the clip, held for the judge's debounce, as the judge
    reads it (the exercise given, that metric alone watched, no rule: nothing stops the set early)."""
    from formwatch.core.detector import Detector
    from formwatch.core.exercises import get_exercise
    from formwatch.core.plan import make_plan
    from formwatch.core.verdict import State

    spec = replace(get_exercise(clip.exercise), watched=(metric,), judged_lower=(), rules=())
    detector = Detector(plan=make_plan(spec), params=base)
    t, rows = series(clip)
    deviation = np.full(len(t), np.nan)
    for i, (ti, row) in enumerate(zip(t.tolist(), rows)):
        if detector.step(ti, row).state in (State.CLEAN, State.DRIFTING):  # judging: the set under way
            deviation[i] = detector.from_neutral[0]  # the one metric watched
    return _held_peak(t, deviation, detector.config.debounce_s)


def fit_population_limits(clips: list[Clip], base: JudgeParams) -> dict[str, dict[str, float]]:
    """Each exercise's first-set limit of each metric judged from a population zero (hip extension: the hips
    straight): correct and instructional sets' held peaks taken as normal, mean + 1.64 sd (<= 5 % of correct sets
    noted, as the norms' margins); an exercise with fewer than :data:`MIN_SETS` such sets keeps the registry's."""
    from formwatch.core.exercises import exercise_names, get_exercise
    from formwatch.core.registry import REGISTRY

    tail = NormalDist().inv_cdf(1.0 - FALSE_NOTES)
    out: dict[str, dict[str, float]] = {}
    for exercise in exercise_names():
        sets = [c for c in clips if c.exercise == exercise and c.form in ("correct", "demo") and c.person]
        for metric in get_exercise(exercise).watched:
            if REGISTRY[metric].natural_zero is None:
                continue
            peaks = [p for c in sets if math.isfinite(p := set_peak(c, metric, base))]
            if len(peaks) >= MIN_SETS:
                out.setdefault(exercise, {})[metric] = round(float(np.mean(peaks) + tail * np.std(peaks, ddof=1)), 1)
    return out


def fit(clips: list[Clip]) -> JudgeParams:
    """Every fitted value from ``clips`` (scripts/evaluate_judge.py leaves one source out of them)."""
    base = JudgeParams(fit_side_view(clips), fit_rate(clips), fit_hold_still(clips))
    margins = fit_margins(clips, base)
    norms = _fit_norms(clips, base, margins)
    return JudgeParams(base.side_view_max_deg, base.max_rate_deg_s, base.hold_still_max_deg,
                       fit_recognition(clips, base.hold_still_max_deg, base.side_view_max_deg),
                       norms={e: MappingProxyType(n) for e, n in norms.items()},
                       population_limits={e: MappingProxyType(v)
                                          for e, v in fit_population_limits(clips, base).items()},
                       provenance={"data": "../shared/data/video (labels.csv)", "clips": len(clips),
                                   "sources": len({c.source for c in clips}), "margins": margins,
                                   "command": "python scripts/fit_judge.py --data ../shared/data",
                                   "date": time.strftime("%Y-%m-%d")})


def fit_margins(clips: list[Clip], base: JudgeParams) -> dict[str, float]:
    """Each exercise's margin (in spreads) past which a first set's rep gets a note: the smallest that, with every
    source's norms fitted without it, notes no more than :data:`FALSE_NOTES` of that exercise's correct sets (a set
    is noted by its worst rep; clips labelled correct and instructional ones). With a dozen sets an exercise, the
    empirical 95th percentile is the sample's largest value and jumps with every source left out; the sets' worst
    z is taken as normal instead (mean + 1.64 sd), and an exercise with fewer than :data:`MIN_SETS` gets none."""
    from formwatch.core.exercises import get_exercise
    from formwatch.core.norms import against_norm

    worst: dict[str, list[float]] = {}  # each correct set's worst z over its reps, metrics and bands
    for source in sorted({c.source for c in clips}):
        norms = _fit_norms([c for c in clips if c.source != source], base, None)
        for clip in clips:
            if clip.source != source or clip.form not in ("correct", "demo") or clip.exercise not in norms:
                continue
            held = JudgeParams(base.side_view_max_deg, base.max_rate_deg_s, norms={clip.exercise: norms[clip.exercise]})
            spec = get_exercise(clip.exercise)
            zs = [found[0] for rep in _rep_readings(clip, held) for m in spec.watched_specs()
                  if m.name in norms[clip.exercise] and m.name in rep
                  and (found := against_norm(m, rep[m.name], norms[clip.exercise][m.name])) is not None]
            if zs:
                worst.setdefault(clip.exercise, []).append(max(zs))
    tail = NormalDist().inv_cdf(1.0 - FALSE_NOTES)
    return {e: round(float(np.mean(z) + tail * np.std(z, ddof=1)), 2) for e, z in worst.items() if len(z) >= MIN_SETS}


def _compact_lists(text: str) -> str:
    """Each list of plain numbers on one line (the recogniser's kept windows are hundreds of rows)."""
    return re.sub(r"\[\s+([-0-9.e,\snul]+?)\s+\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=REPO / "src" / "formwatch" / "data" / "judge_fit.json")
    args = parser.parse_args()
    clips = load_clips(args.data)
    params = fit(clips)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(_compact_lists(json.dumps(params.to_json(), indent=1)) + "\n", encoding="utf-8")
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
