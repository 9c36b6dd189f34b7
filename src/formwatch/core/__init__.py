"""The pure core: NumPy and the standard library only (no Qt, OpenCV or MediaPipe), so it runs anywhere and fast."""
