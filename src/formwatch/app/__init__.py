"""Applications of the core: the live runner, analysis, calibration capture, replay data, the benchmark."""
