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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "images")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        # The demo window a moment after the stop (the simulated set stops at about 22.7 s; played at 2x).
        formwatch("demo", "--speed", "2", "--exit-after", "12.5", "--screenshot", str(args.out / "demo.png"),
                  "--out", f"{tmp}/demo-window")
        formwatch("demo", "--headless", "--out", f"{tmp}/demo")
        formwatch("replay", f"{tmp}/demo", "--screenshot", str(args.out / "replay.png"), "--exit-after", "2")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
