"""Profiles on disk: ``<calibration dir>/<name>.json``, written atomically and privately, validated on load."""

from __future__ import annotations

from pathlib import Path

from formwatch.core.profile import Profile, ProfileError, profile_from_json, validate_name
from formwatch.io.jsonfiles import read_json_object, write_json_atomic


def profile_path(name: str, calibration_dir: Path) -> Path:
    return calibration_dir / f"{validate_name(name)}.json"


def save_profile(profile: Profile, calibration_dir: Path) -> Path:
    """Write ``<dir>/<name>.json`` atomically, readable by the user only."""
    path = profile_path(profile.name, calibration_dir)
    try:
        calibration_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_json_atomic(path, profile.to_json())
    except OSError as exc:
        raise ProfileError(f"cannot write {path} ({exc.strerror}): choose another --calibration-dir") from None
    return path


def load_profile(name_or_path: str | Path, calibration_dir: Path) -> Profile:
    """Load and validate a profile by name (from ``calibration_dir``) or by path; clear errors, never a traceback."""
    path = Path(name_or_path)
    if path.suffix != ".json":
        path = profile_path(str(name_or_path), calibration_dir)
    if not path.is_file():
        known = ", ".join(list_profiles(calibration_dir)) or "none yet"
        raise ProfileError(f"no profile {path}: run 'formwatch calibrate --profile NAME' first (profiles: {known})")
    return profile_from_json(read_json_object(path, ProfileError, "calibrate again to replace it"), str(path))


def list_profiles(calibration_dir: Path) -> list[str]:
    if not calibration_dir.is_dir():
        return []
    return sorted(p.stem for p in calibration_dir.glob("*.json") if not p.name.startswith("."))
