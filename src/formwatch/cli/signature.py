"""``formwatch signature``: the person's signature movement profile, and why each limit in force moved."""

from __future__ import annotations

import argparse

from formwatch.cli.common import add_exercise_argument, add_profile_arguments
from formwatch.cli.history import history_rows


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("signature", help="your signature movement profile: how your sets go, the limits in force and "
                       "why they moved")
    add_exercise_argument(p, default=None, auto=False)
    add_profile_arguments(p)
    p.add_argument("--json", action="store_true", help="print JSON ({\"signatures\": [...]}) instead of text")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from formwatch.app.signature import describe, signature_of
    from formwatch.io.jsonfiles import dumps_strict
    from formwatch.cli.common import profile_from_args
    from formwatch.core.exercises import exercise_names

    profile = profile_from_args(args)
    name = profile.name if profile is not None else None
    with_sets = {r.summary.exercise for r in history_rows(args) if r.summary.exercise and r.profile == name}
    exercises = [args.exercise] if args.exercise else [e for e in exercise_names() if e in with_sets]
    found = [signature_of(e, name, profile) for e in exercises]
    if args.json:
        print(dumps_strict({"signatures": [{**sig.to_json(), "limit_changes": [c.to_json() for c in changes]} for sig, changes in found]},
                           indent=2))
    elif not found:
        print(f"no sets yet for {name or 'sets without a profile'}: the signature grows from your sets")
    else:
        print("\n\n".join(describe(sig, changes) for sig, changes in found))
    return 0
