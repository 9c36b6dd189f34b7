"""formwatch: a real-time, camera-based exercise form monitor for back care."""

__version__ = "0.1.0"
