"""What the camera cannot see, in the user's words: the banner's sentence and the few words heard from 2-3 m.

One place words every view problem's code (core/kinematics.nan_reason's, core/reading_gate.py's and
core/scene_check.py's); a problem that carries numbers (how tall the person is, the frame rate) is worded from its
:class:`~formwatch.core.events.ViewProblem` so the numbers are the ones measured.
"""

from __future__ import annotations

from typing import Sequence

from formwatch.core.events import ViewProblem

__all__ = ["BODY_PARTS", "SCENE_CODES", "TOLD_ONLY", "VIEW_WORDS", "out_code", "view_problem_lines",
           "view_problem_words", "view_words"]

# (the banner's words, the few words for 2-3 m; '' when nothing is spoken)
VIEW_WORDS: dict[str, tuple[str, str]] = {
    "nobody": ("no one in view: step into the picture", "no one in view — step into the picture"),
    "body_unclear": ("shoulders or hips not clearly seen: step back so your whole body is in view",
                     "step back so your whole body is in view"),
    "front_view": ("the camera sees you from the front, where bending happens in depth: turn side-on", "turn side-on"),
    "side_view": ("the camera sees you from the front or at an angle: turn side-on to judge your back",
                  "turn side-on to judge your back"),
    "knees_unseen": ("knees not seen: step back so your knees are in view", "step back so your knees are in view"),
    "ears_unseen": ("ears not seen: keep your head in view", "keep your head in view"),
    "lost": ("can't see you: step back into view", "step back into view"),
    "followed_left": ("the person I follow left the picture: the set is paused until you are back",
                      "I can't see you — the set is paused"),
    "someone_else": ("someone else is in view — I'm following you", "someone else is in view — I'm following you"),
    "too_small": ("you are too small in the picture: move closer", "move closer"),
    "low_fps": ("too few frames a second to follow reps: reps are not judged", "too few frames to judge reps"),
    "camera_turned": ("the camera is on its side: turn it upright (or rotate the video) — nothing is judged until then",
                      "turn the camera upright"),
}

BODY_PARTS = ("head", "hands", "elbows", "shoulders", "hips", "knees", "feet")  # as said when out of the picture
_OUT_PREFIX = "out_of_picture_"
SCENE_CODES = ("nobody", "followed_left", "too_small", "low_fps", "camera_turned")  # leave nothing to judge (core/scene_check.py)
TOLD_ONLY = ("someone_else",)  # said and listed, but judged as before: no state of the screen


def out_code(part: str) -> str:
    """The code of a body part out of the picture."""
    return _OUT_PREFIX + part


def view_words(code: str) -> tuple[str, str]:
    """(long, short) words for a view problem's code ('', '' for an unknown one)."""
    if code.startswith(_OUT_PREFIX):
        part = code[len(_OUT_PREFIX):]
        are, them = ("is", "it") if part == "head" else ("are", "them")
        return (f"your {part} {are} out of the picture: what needs {them} is not judged",
                f"your {part} {are} out of the picture")
    return VIEW_WORDS.get(code, ("", ""))


def view_problem_words(problem: ViewProblem) -> tuple[str, str]:
    """(long, short) words for a view problem as measured: the numbers it carries in the sentence."""
    value, needed = problem.value, problem.needed
    if problem.problem == "too_small" and value == value and needed == needed:
        return (f"move closer: you are {value:.0f} px tall in the picture, I need {needed:.0f} "
                f"(or use a higher camera resolution)", "move closer")
    if problem.problem == "low_fps" and value == value and needed == needed:
        return (f"{value:.1f} frames a second is too few to follow reps (I need {needed:.0f}): reps are not judged, "
                f"holds only", "too few frames to judge reps")
    return view_words(problem.problem)


def view_problem_lines(problems: Sequence[ViewProblem]) -> list[str]:
    """A set's view problems for a terminal or a report: each problem once, when it was first said, in its long
    words (its first measure: the numbers said then)."""
    lines: dict[str, str] = {}
    for problem in problems:
        if problem.active and problem.problem not in lines:
            lines[problem.problem] = f"from {problem.t_s:.1f} s, {view_problem_words(problem)[0]}"
    return list(lines.values())
