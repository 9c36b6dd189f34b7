"""Screenshots of the product for the README, made offscreen with the same code a user runs.

    .venv/bin/python scripts/make_screenshots.py [--out docs/images]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def formwatch(*args: str) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    subprocess.run([sys.executable, "-m", "formwatch", *args], check=True, env=env, cwd=REPO)


def states(out: Path, size: tuple[int, int] = (1366, 768)) -> None:
    """Every overlay state at a 1366x768 laptop's size (ui/states.py)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from formwatch.ui.live_window import qt_app
    from formwatch.ui.overlay import OverlayWidget
    from formwatch.ui.states import overlay_states

    app = qt_app()  # keep a reference while the widget lives
    out.mkdir(parents=True, exist_ok=True)
    widget = OverlayWidget((1280, 720))
    widget.resize(*size)
    for name, state in overlay_states().items():
        widget.details = False  # the set-time screen, as a person sees it from 2-3 m
        widget.set_view(state)
        widget.grab().save(str(out / f"{name}.png"))
        widget.details = True  # D: every gauge and number
        widget.grab().save(str(out / f"{name}-details.png"))
    from formwatch.ui.states import routine_cards
    from formwatch.ui.routine_card import RoutineCardWidget

    for name, card in routine_cards().items():  # a routine's introductions and rests, in the window
        shown = RoutineCardWidget(card, clock=lambda: 0.0)
        shown.resize(*size)
        shown.grab().save(str(out / f"{name}.png"))
    del widget, app


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "images")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        # The demo window a moment after the stop (the simulated set stops at about 21.4 s; played at 2x).
        formwatch("demo", "--speed", "2", "--exit-after", "12.5", "--screenshot", str(args.out / "demo.png"),
                  "--out", f"{tmp}/demo-window")
        formwatch("demo", "--headless", "--out", f"{tmp}/demo")
        formwatch("replay", f"{tmp}/demo", "--screenshot", str(args.out / "replay.png"), "--exit-after", "2")
        formwatch("replay", f"{tmp}/demo", "--export-png", str(args.out / "replay_export.png"))
        video = REPO.parent / "shared" / "data" / "video" / "kaiakol_data_videos_pushup_incorrect_001.mp4"
        if video.is_file():  # the live window on real footage, the silhouette's edges drawn on the person:
            # to look at here, never committed (the clips' owners gave no licence to redistribute them)
            (args.out / "local").mkdir(exist_ok=True)
            formwatch("live", "--video", str(video), "--exercise", "plank", "--screenshot",
                      str(args.out / "local" / "live_pushups.png"), "--exit-after", "5", "--out", f"{tmp}/live")
    states(args.out / "states")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
