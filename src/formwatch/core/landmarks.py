"""MediaPipe BlazePose landmark numbering, by name, so that no code says ``23`` where it means the left hip."""

from enum import IntEnum

N_LANDMARKS = 33
N_CHANNELS = 4  # x, y, z, visibility


class Lm(IntEnum):
    """Index of each BlazePose landmark in a ``(33, 4)`` pose array."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


# Bones drawn for the skeleton overlay, as (from, to) pairs.
SKELETON_EDGES: tuple[tuple[Lm, Lm], ...] = (
    (Lm.LEFT_EAR, Lm.LEFT_SHOULDER), (Lm.RIGHT_EAR, Lm.RIGHT_SHOULDER),
    (Lm.LEFT_SHOULDER, Lm.RIGHT_SHOULDER), (Lm.LEFT_HIP, Lm.RIGHT_HIP),
    (Lm.LEFT_SHOULDER, Lm.LEFT_HIP), (Lm.RIGHT_SHOULDER, Lm.RIGHT_HIP),
    (Lm.LEFT_SHOULDER, Lm.LEFT_ELBOW), (Lm.LEFT_ELBOW, Lm.LEFT_WRIST),
    (Lm.RIGHT_SHOULDER, Lm.RIGHT_ELBOW), (Lm.RIGHT_ELBOW, Lm.RIGHT_WRIST),
    (Lm.LEFT_HIP, Lm.LEFT_KNEE), (Lm.LEFT_KNEE, Lm.LEFT_ANKLE), (Lm.LEFT_ANKLE, Lm.LEFT_FOOT_INDEX),
    (Lm.RIGHT_HIP, Lm.RIGHT_KNEE), (Lm.RIGHT_KNEE, Lm.RIGHT_ANKLE), (Lm.RIGHT_ANKLE, Lm.RIGHT_FOOT_INDEX),
    (Lm.LEFT_HEEL, Lm.LEFT_FOOT_INDEX), (Lm.RIGHT_HEEL, Lm.RIGHT_FOOT_INDEX),
)
