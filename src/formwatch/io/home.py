"""Where a user's data lives: one home for the pose model, profiles and recordings, whatever the working directory.

``$FORMWATCH_HOME``, else the platform's user data directory (``platformdirs``: ~/.local/share/formwatch on Linux,
~/Library/Application Support/formwatch on macOS, %LOCALAPPDATA%\\formwatch on Windows). A source checkout keeps
using its own ``models/`` (the model is provisioned there once). Nothing is written into the working directory
unless the user names it (``--out``).
"""

from __future__ import annotations

import os
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[3]  # src/formwatch/io/home.py -> the checkout's top level


def data_home() -> Path:
    """``$FORMWATCH_HOME`` or the platform's user data directory for formwatch."""
    given = os.environ.get("FORMWATCH_HOME")
    if given:
        return Path(given).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("formwatch", appauthor=False))


def _checkout(name: str) -> Path | None:
    """A folder of the source checkout formwatch runs from (None when installed from a wheel)."""
    folder = _CHECKOUT / name
    return folder if (_CHECKOUT / "pyproject.toml").is_file() and folder.is_dir() else None


def models_dir() -> Path:
    """``$FORMWATCH_MODELS_DIR``, a source checkout's ``models/``, or ``<home>/models``."""
    given = os.environ.get("FORMWATCH_MODELS_DIR")
    return Path(given) if given else (_checkout("models") or data_home() / "models")


def calibration_dir() -> Path:
    """``$FORMWATCH_CALIBRATION_DIR`` or ``<home>/calibration``: the same profiles from any directory."""
    given = os.environ.get("FORMWATCH_CALIBRATION_DIR")
    return Path(given) if given else data_home() / "calibration"


def recordings_dir() -> Path:
    """``<home>/recordings``: where a set is recorded unless ``--out`` says otherwise."""
    return data_home() / "recordings"


def describe() -> str:
    """One line for --help: where things are on this machine now."""
    return (f"Your data lives in {data_home()} ($FORMWATCH_HOME): profiles in {calibration_dir()}, recordings in "
            f"{recordings_dir()}; the pose model in {models_dir()}.")
