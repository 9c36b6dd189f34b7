"""Build a MediaPipe Tasks ``pose_landmarker_*.task`` bundle from the two raw BlazePose TFLite models.

Why: only mediapipe wheels up to 0.10.21 carry BlazePose weights, and the landmark model in them lacks the TFLite
metadata (input ``NormalizationOptions``) that the Tasks API reads. We add that metadata with the flatbuffer schema
modules that ship inside mediapipe, then pack both models the way the Tasks API expects: a zip, stored (not
compressed), each member 4-byte aligned so it can be memory-mapped.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

DETECTOR_MEMBER = "pose_detector.tflite"
LANDMARKER_MEMBER = "pose_landmarks_detector.tflite"
_METADATA_NAME = b"TFLITE_METADATA"
_TFLITE_FILE_ID = b"TFL3"
_ALIGN_EXTRA_ID = 0xD935  # the id Android's zipalign uses for padding extra fields
_LANDMARK_OUTPUT_NAMES = ("landmarks", "pose_flag", "segmentation", "heatmap", "world_landmarks")


def add_landmark_metadata(model_bytes: bytes, size: str = "full") -> bytes:
    """Return the landmark model with image-input metadata added: RGB, pixel/255 (mean 0, std 255)."""
    import flatbuffers
    from mediapipe.tasks.metadata import metadata_schema_py_generated as meta
    from mediapipe.tasks.metadata import schema_py_generated as schema

    model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(model_bytes, 0))

    normalization = meta.NormalizationOptionsT()
    normalization.mean = [0.0]
    normalization.std = [255.0]
    process_unit = meta.ProcessUnitT()
    process_unit.optionsType = meta.ProcessUnitOptions.NormalizationOptions
    process_unit.options = normalization

    image_properties = meta.ImagePropertiesT()
    image_properties.colorSpace = meta.ColorSpaceType.RGB
    content = meta.ContentT()
    content.contentPropertiesType = meta.ContentProperties.ImageProperties
    content.contentProperties = image_properties
    stats = meta.StatsT()
    stats.max = [1.0]
    stats.min = [0.0]

    image_input = meta.TensorMetadataT()
    image_input.name = "image"
    image_input.content = content
    image_input.processUnits = [process_unit]
    image_input.stats = stats

    outputs = []
    for name in _LANDMARK_OUTPUT_NAMES[: len(model.subgraphs[0].outputs)]:
        tensor = meta.TensorMetadataT()
        tensor.name = name
        outputs.append(tensor)

    subgraph = meta.SubGraphMetadataT()
    subgraph.inputTensorMetadata = [image_input]
    subgraph.outputTensorMetadata = outputs

    model_metadata = meta.ModelMetadataT()
    model_metadata.name = f"BlazePose GHUM 3D landmarks ({size})"
    model_metadata.description = "33 body landmarks; metadata added by formwatch for the MediaPipe Tasks API"
    model_metadata.minParserVersion = "1.0.0"
    model_metadata.subgraphMetadata = [subgraph]

    builder = flatbuffers.Builder(1024)
    builder.Finish(model_metadata.Pack(builder), file_identifier=b"M001")
    metadata_bytes = bytes(builder.Output())

    buffer = schema.BufferT()
    buffer.data = list(metadata_bytes)
    model.buffers.append(buffer)
    entry = schema.MetadataT()
    entry.name = _METADATA_NAME
    entry.buffer = len(model.buffers) - 1
    model.metadata = [m for m in (model.metadata or []) if m.name != _METADATA_NAME] + [entry]

    out = flatbuffers.Builder(len(model_bytes) + 4096)
    out.Finish(model.Pack(out), file_identifier=_TFLITE_FILE_ID)
    return bytes(out.Output())


def write_task_bundle(detector_bytes: bytes, landmarker_bytes: bytes, destination: Path) -> None:
    """Write the ``.task`` zip: members stored uncompressed, each one's data 4-byte aligned."""
    with zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_STORED) as bundle:
        for name, data in ((DETECTOR_MEMBER, detector_bytes), (LANDMARKER_MEMBER, landmarker_bytes)):
            info = zipfile.ZipInfo(name, date_time=(2025, 1, 31, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            assert bundle.fp is not None  # open for writing
            header_end = bundle.fp.tell() + 30 + len(name.encode()) + 4  # local header + name + extra header
            pad = (-header_end) % 4
            info.extra = struct.pack("<HH", _ALIGN_EXTRA_ID, pad) + b"\0" * pad
            bundle.writestr(info, data)


def task_bundle_is_well_formed(path: Path) -> bool:
    """True when ``path`` is a zip holding both pose models, stored and 4-byte aligned."""
    try:
        with zipfile.ZipFile(path) as bundle, open(path, "rb") as raw:
            names = {info.filename: info for info in bundle.infolist()}
            if not {DETECTOR_MEMBER, LANDMARKER_MEMBER} <= set(names):
                return False
            for info in names.values():
                raw.seek(info.header_offset + 26)
                name_len, extra_len = struct.unpack("<HH", raw.read(4))
                if (info.header_offset + 30 + name_len + extra_len) % 4 or info.compress_type != zipfile.ZIP_STORED:
                    return False
            return True
    except (OSError, zipfile.BadZipFile):
        return False
