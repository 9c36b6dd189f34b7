"""Frames in, poses out: camera and video sources, the latest-frame mailbox, MediaPipe pose, the model bundle."""
