"""The pure core imports only NumPy and the standard library (no Qt, OpenCV or MediaPipe)."""

import subprocess
import sys


def test_core_modules_load_no_gui_vision_or_pose_libraries():
    code = (
        "import sys, pkgutil, importlib, formwatch.core as core\n"
        "for m in pkgutil.iter_modules(core.__path__): importlib.import_module('formwatch.core.' + m.name)\n"
        "bad = [m for m in ('PyQt6', 'cv2', 'mediapipe', 'pyqtgraph') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
