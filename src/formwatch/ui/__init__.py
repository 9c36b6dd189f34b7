"""The PyQt6 shell: overlay, live window, replay. Only this package imports Qt."""
