"""The signature movement profile from the history: the limits a set starts with, and ``formwatch signature``.

A set with a calibrated profile starts with the limits in force for that person and exercise (core/signature.py
decides them from the recent sets); every move is written to the history's ``limit_changes`` with its sentence and
said on the terminal, so a person and their physiotherapist can always see why a limit is what it is.
"""

from __future__ import annotations

import math
import sys
from typing import Any, Sequence

from dataclasses import dataclass

from formwatch.core.exercises import exercise_names, get_exercise
from formwatch.core.profile import Profile
from formwatch.core.plan import SetPlan, make_plan
from formwatch.core.set_judge import AUTO, SetJudge
from formwatch.core.signature import LimitChange, Signature, evolve_limits, summarise
from formwatch.io.history import History
from formwatch.io.history_rows import HistorySet, LimitMove


def safety_limits(exercise: str, profile: Profile | None) -> dict[str, float]:
    """Each watched metric's calibrated limit: the profile's, else the metric's default (none: not limited) — the
    plan's safety limits (core/plan.py), decided there once."""
    return dict(make_plan(exercise, profile).safety_limits)


def evolved_limits(exercise: str, profile: Profile) -> tuple[dict[str, float], list[LimitChange]]:
    """The limits in force this person's next set of ``exercise`` is judged with, and how they moved since the
    last set; read from the history, nothing written (:func:`record_limit_changes` is the separate step)."""
    spec = get_exercise(exercise)
    with History(read_only=True) as history:
        sets = history.sets(spec.name, profile=profile.name)
        return evolve_limits(spec, sets, safety_limits(exercise, profile),
                             history.limits_in_force(profile.name, spec.name))


def record_limit_changes(exercise: str, profile: Profile, changes: list[LimitChange], say: bool = True) -> None:
    """Keep the moves in the history (each with its sentence) and, with ``say``, print them: when a set starts."""
    if not changes:
        return
    with History() as history:
        history.record_limit_changes(profile.name, get_exercise(exercise).name, changes)
    if say:
        for change in changes:
            print(f"formwatch: {change.sentence}", file=sys.stderr)


def plan_for(exercise: str, profile: Profile | None, use_history: bool) -> tuple[SetPlan, list[LimitChange]]:
    """The plan a set of ``exercise`` starts with (core/plan.py): the profile's neutral and safety limits and, when
    the set goes into the history, the limits in force the person's history supports; and the moves to record."""
    if profile is None or not use_history:
        return make_plan(exercise, profile), []
    limits, changes = evolved_limits(exercise, profile)
    return make_plan(exercise, profile, evolved=limits, prior_reference=prior_reference(exercise, profile)), changes


def prior_reference(exercise: str, profile: Profile) -> dict[str, Any] | None:
    """The phase-matched reference of this person's latest clean, complete set of ``exercise`` (relative to the
    same calibrated neutral), or None: what rep 1 of the next set is judged against at the same phase."""
    spec = get_exercise(exercise)
    if not spec.has_reps:
        return None
    with History(read_only=True) as history:
        sets = history.sets(spec.name, profile=profile.name)
    for row in reversed(sets):
        if row.status == "done" and row.summary.stop is None and row.summary.judge.reference is not None:
            return dict(row.summary.judge.reference)
    return None


def start_plan(exercise: str, profile: Profile | None, use_history: bool) -> SetPlan:
    """:func:`plan_for`, with its limit moves recorded and said: for a set that starts now."""
    plan, changes = plan_for(exercise, profile, use_history)
    if profile is not None:
        record_limit_changes(exercise, profile, changes)
    return plan


@dataclass(frozen=True)
class PlanInputs:
    """What the history adds to an exercise's plan for a batch of sets (a folder): the limits in force and the
    latest clean set's reference, read once when the batch starts, so that every file of it is judged alike."""

    evolved: dict[str, float]
    prior_reference: dict[str, Any] | None


def batch_plans(profile: Profile | None, use_history: bool) -> dict[str, PlanInputs]:
    """Every exercise's :class:`PlanInputs` as the history stands now (their limit moves recorded and said once);
    empty without a profile or the history."""
    if profile is None or not use_history:
        return {}
    out = {}
    for exercise in exercise_names():
        limits, changes = evolved_limits(exercise, profile)
        record_limit_changes(exercise, profile, changes)
        out[exercise] = PlanInputs(limits, prior_reference(exercise, profile))
    return out


def batch_judge(exercise: str | None, profile: Profile | None, plans: dict[str, PlanInputs]) -> SetJudge | None:
    """A judge for one file of a batch: its plans from :func:`batch_plans`, never from the history as it moves."""
    if exercise is None:
        return None

    def plan(name: str) -> SetPlan:
        inputs = plans.get(name)
        if inputs is None:
            return make_plan(name, profile)
        return make_plan(name, profile, evolved=inputs.evolved, prior_reference=inputs.prior_reference)

    return SetJudge(plan, exercise=None if exercise == AUTO else exercise)


def judge_for(exercise: str | None, profile: Profile | None, history: bool = False) -> SetJudge | None:
    """A set's judge, judging by the plan the set starts with (:func:`start_plan`: the profile's neutral and safety
    limits, the history's limits in force, their moves recorded now); ``"auto"``: the exercise recognised first
    (core/set_judge.py), its plan made the same way once it is known; None: metrics only."""
    if exercise is None:
        return None
    return SetJudge(lambda name: start_plan(name, profile, history), exercise=None if exercise == AUTO else exercise)


def signature_of(exercise: str, profile_name: str | None, profile: Profile | None) -> tuple[Signature,
                                                                                         list[LimitMove]]:
    """The signature of one person's sets of one exercise, and the history of its limit changes."""
    spec = get_exercise(exercise)
    with History(read_only=True) as history:
        sets = history.sets(spec.name, profile=profile_name)
        if profile_name is None:
            sets = [s for s in sets if s.profile is None]
        changes = history.limit_changes(profile_name, spec.name) if profile_name else []
        in_force = history.limits_in_force(profile_name, spec.name) if profile_name else {}
    return summarise(spec, profile_name, sets, safety_limits(spec.name, profile), in_force), changes


def describe(sig: Signature, changes: list[LimitMove]) -> str:
    """The signature as a few lines a person reads at a terminal."""
    who = sig.profile or "no profile"
    if not sig.sets:
        return f"{sig.exercise} ({who}): no sets yet."
    lines = [f"{sig.exercise} ({who}): {sig.sets} sets, {sig.completed_sets} completed"
             + (f", {sig.interrupted_sets} interrupted" if sig.interrupted_sets else "")]
    if not math.isnan(sig.typical_clean_reps):
        lines.append(f"  typical set: {sig.typical_clean_reps:.0f} clean reps" if get_exercise(sig.exercise).has_reps
                     else f"  typical hold: {sig.typical_held_s:.0f} s")
    if sig.judged_reps:
        lines.append(f"  rep verdicts: {sig.faulty_reps} faulty and {sig.noted_reps} with a note, of "
                     f"{sig.judged_reps} reps")
    if sig.stopped_sets:
        after = (f"after {sig.reps_to_stop:.0f} clean reps (median)" if get_exercise(sig.exercise).has_reps
                 else "in the hold")
        lines.append(f"  stopped {sig.stopped_sets} of {sig.completed_sets} sets, {after}; most often by: "
                     f"{sig.ending_fault_label} ({sig.ending_fault_sets} sets)")
    if not math.isnan(sig.depth_deg):
        lines.append(f"  your reps: depth {sig.depth_deg:.0f} deg, {sig.down_s:.1f} s down, {sig.up_s:.1f} s up")
    for m in sig.metrics:
        if m.clean_reps == 0 and math.isnan(m.safety_limit):
            continue
        peak = f"clean reps peak {m.typical_peak:.1f}{m.unit} (up to {m.largest_peak:.1f})" if m.clean_reps \
            else "no clean reps measured yet"
        limit = "" if math.isnan(m.safety_limit) else \
            f"; limit in force {m.limit_in_force:.1f}{m.unit} (calibrated {m.safety_limit:.1f})"
        lines.append(f"  {m.label}: {peak}{limit}")
    for change in changes[-5:]:
        lines.append(f"  {change.at[:10]}: {change.sentence}")
    return "\n".join(lines)


def all_signatures(rows: Sequence[HistorySet]) -> list[tuple[Signature, list[LimitMove]]]:
    """A signature for every (profile, exercise) among ``rows``, with the profile's calibrated limits when its
    file is still there (else the metrics' defaults)."""
    from formwatch.core.errors import FormwatchError
    from formwatch.io.home import calibration_dir
    from formwatch.io.profiles import load_profile

    pairs = sorted({(r.profile or "", r.summary.exercise) for r in rows if r.summary.exercise})
    out = []
    for name, exercise in pairs:
        profile = None
        if name:
            try:
                profile = load_profile(name, calibration_dir())
            except FormwatchError:
                profile = None
        out.append(signature_of(exercise, name or None, profile))
    return out


def short_lines(signatures: list[tuple[Signature, list[LimitMove]]]) -> list[str]:
    """A few lines a screen has room for: per person and exercise, the typical set, what ends it, the limits."""
    lines = []
    for sig, _ in signatures:
        who = f"{sig.exercise} ({sig.profile or 'no profile'})"
        if not get_exercise(sig.exercise).has_reps:  # a hold: its seconds, never "0 clean reps"
            typical = "" if math.isnan(sig.typical_held_s) else f": typically holds {sig.typical_held_s:.0f} s"
        else:
            typical = "" if math.isnan(sig.typical_clean_reps) else f": typically {sig.typical_clean_reps:.0f} clean reps"
        if sig.judged_reps and (sig.faulty_reps or sig.noted_reps):
            typical += f" ({sig.faulty_reps} faulty, {sig.noted_reps} with a note, of {sig.judged_reps} reps)"
        lines.append(who + typical)
        if sig.stopped_sets:
            lines.append(f"  ended most often by {sig.ending_fault_label} ({sig.ending_fault_sets} of "
                         f"{sig.stopped_sets} stops)")
        moved = [m for m in sig.metrics if not math.isnan(m.safety_limit) and m.limit_in_force < m.safety_limit]
        for m in moved:
            lines.append(f"  {m.label} limit {m.limit_in_force:.1f}{m.unit} (calibrated {m.safety_limit:.1f})")
    return lines
