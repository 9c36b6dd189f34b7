"""argparse types with ranges: a number the program cannot use is refused where it is parsed, in one line that says
what is wanted, rather than running with it (a negative smoothing frequency, a negative number of days)."""

from __future__ import annotations

import argparse
import math

__all__ = ["MAX_DAYS", "days", "positive_count", "positive_hz", "positive_seconds", "positive_speed"]

MAX_DAYS = 36_525.0
"""A hundred years: the longest look back that means anything (and that a date can be computed for)."""


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number: give {what}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"'{text}' is not a finite number: give {what}")
    return value


def _positive(text: str, what: str) -> float:
    value = _number(text, what)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not above 0: give {what}")
    return value


def positive_hz(text: str) -> float:
    """A frequency in Hz: finite and above 0."""
    return _positive(text, "a frequency above 0 Hz, such as 6")


def positive_seconds(text: str) -> float:
    """A duration in seconds: finite and above 0."""
    return _positive(text, "a number of seconds above 0, such as 30")


def positive_speed(text: str) -> float:
    """A playback speed (1 = real time): finite and above 0."""
    return _positive(text, "a speed above 0, such as 2 for twice real time")


def days(text: str) -> float:
    """A look back in days: finite, at least 0 (today only) and at most a hundred years."""
    value = _number(text, "a number of days from 0 to 36525, such as 7")
    if not 0 <= value <= MAX_DAYS:
        raise argparse.ArgumentTypeError(f"{text} days is outside 0..{MAX_DAYS:.0f}: give a number of days such as 7")
    return value


def positive_count(text: str) -> int:
    """A whole count of at least 1 (workers, repetitions)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number: give a count of 1 or more") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is below 1: give a count of 1 or more")
    return value
