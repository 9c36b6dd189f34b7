"""JSON files a user owns (recording metadata, profiles): written atomically and privately, read with clear errors."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from formwatch.core.errors import require_schema_version

__all__ = ["FILE_MODE", "dumps_strict", "json_safe", "read_json_object", "require_schema_version", "write_json_atomic"]

FILE_MODE = 0o600  # recordings and profiles are health data: readable by the user only


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Write JSON through a temporary file and a rename, so a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(json_safe(data), f, indent=2, allow_nan=False)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def dumps_strict(value: Any, indent: int | None = None) -> str:
    """JSON that every parser reads: NaN and infinities as null, NumPy values as Python ones."""
    return json.dumps(json_safe(value), indent=indent, allow_nan=False)


def json_safe(value: Any) -> Any:
    """NaN and inf become null; NumPy scalars become Python numbers."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist())
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def read_json_object(path: Path, error: type[Exception], fix: str) -> dict[str, Any]:
    """A JSON object from ``path``, or ``error`` with one line: what is wrong and ``fix``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise error(f"{path} is not valid JSON ({type(exc).__name__}): {fix}") from None
    if not isinstance(data, dict):
        raise error(f"{path} must hold a JSON object: {fix}")
    return data
