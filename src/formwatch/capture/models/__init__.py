"""Provisioning the pose model offline (bundled from the mediapipe wheel, verified by sha256)."""
