"""``import mediapipe`` without paying half a second for matplotlib.

``mediapipe/__init__`` imports every Tasks vision module, and ``vision/drawing_utils`` imports
``matplotlib.pyplot`` for its ``plot_landmarks`` helper — 0.5 s of the 0.7 s ``import mediapipe`` takes on the
development machine (``python -X importtime``), paid by every ``formwatch analyze``, ``live`` and ``calibrate``
and by every worker of a folder analysis. formwatch never plots with it (pyqtgraph draws). So while mediapipe is
imported, ``matplotlib`` and ``matplotlib.pyplot`` stand in as empty placeholder modules, removed again at once: a
later ``import matplotlib`` (by anything) gets the real one. Where matplotlib is already imported nothing changes.
"""

from __future__ import annotations

import sys
import types
from typing import Any

__all__ = ["import_mediapipe"]

_PLACEHOLDERS = ("matplotlib", "matplotlib.pyplot")


def import_mediapipe() -> Any:
    """The ``mediapipe`` package, imported without matplotlib (see the module docstring)."""
    if "mediapipe" in sys.modules or "matplotlib" in sys.modules:
        import mediapipe

        return mediapipe
    placed = []
    for name in _PLACEHOLDERS:
        module = types.ModuleType(name, "placeholder while mediapipe imports (formwatch.capture.mediapipe_import)")
        sys.modules[name] = module
        placed.append(name)
    sys.modules["matplotlib"].pyplot = sys.modules["matplotlib.pyplot"]  # type: ignore[attr-defined]
    try:
        import mediapipe
    finally:
        for name in placed:
            if sys.modules.get(name) is not None and getattr(sys.modules[name], "__doc__", "").startswith(
                    "placeholder while mediapipe"):
                del sys.modules[name]
    return mediapipe
