"""Find or make the pose model, offline: ``formwatch models`` and every command that needs a model.

Order: a ``--model PATH`` the user gives; a ``.task`` already in ``models/`` (full, then heavy, then lite; or the one
size asked for with ``--model-size``); Google's official download of the full model for users who are online (short
timeout, sha256 pinned); otherwise build it from the BlazePose weights inside Google's mediapipe 0.10.21 wheel,
fetched through pip with its sha256 checked. The lite and heavy landmark models are not in any wheel: they come from
Google's ``@mediapipe/pose`` package on the npm registry (tarball and both models sha256-pinned), bundled with the
wheel's pose detector the same way. Results are written atomically and proven by running the model before they are
kept.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from formwatch.core.errors import FormwatchError
from formwatch.capture.models.bundle import add_landmark_metadata, task_bundle_is_well_formed, write_task_bundle

if TYPE_CHECKING:
    import numpy as np

MODEL_SIZES = ("lite", "full", "heavy")
MODEL_NAME = "pose_landmarker_full.task"
SEARCH_ORDER = ("pose_landmarker_full.task", "pose_landmarker_heavy.task", "pose_landmarker_lite.task")
NPM_PACKAGE = "@mediapipe/pose"
NPM_VERSION = "0.5.1675469404"
NPM_TARBALL = f"{NPM_PACKAGE}/-/pose-{NPM_VERSION}.tgz"
NPM_TARBALL_SHA256 = "8bb349a7b3a3ba699df23be804ddd3b3eab810b50b15406894be257859388a84"
NPM_LANDMARKERS = {  # member of the tarball, sha256 (its full model is byte-identical to the wheel's)
    "lite": ("package/pose_landmark_lite.tflite", "f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61"),
    "heavy": ("package/pose_landmark_heavy.tflite",
              "59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe"),
}
OFFICIAL_URL = ("https://storage.googleapis.com/mediapipe-models/pose_landmarker/pose_landmarker_full/float16/1/"
                "pose_landmarker_full.task")
# Google's version-1 float16 full bundle (9,398,198 bytes), as pinned by many public projects that fetch it.
OFFICIAL_SHA256 = "5134a3aad27a58b93da0088d431f366da362b44e3ccfbe3462b3827a839011b1"
WHEEL_VERSION = "0.10.21"
WHEEL_FILE = "mediapipe-0.10.21-cp311-cp311-manylinux_2_28_x86_64.whl"
WHEEL_SHA256 = "05dc4a9e593655a79558d05d6227d31018c2537a4bd3362b51e230cf22aecfe3"
DETECTOR_IN_WHEEL = ("mediapipe/modules/pose_detection/pose_detection.tflite",
                     "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c")
LANDMARKER_IN_WHEEL = ("mediapipe/modules/pose_landmark/pose_landmark_full.tflite",
                       "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f")
DOWNLOAD_TIMEOUT_S = 5.0
HOW_TO_FIX = ("put a pose_landmarker_full.task (or _lite/_heavy) in {models_dir}, or pass --model PATH; "
              "online, 'formwatch models' fetches or builds one")


class ModelError(FormwatchError):
    """No usable pose model could be found or made."""


@dataclass(frozen=True)
class ModelInfo:
    """A model file ready to load, with where it came from."""

    path: Path
    sha256: str
    origin: str  # "given", "models/", "downloaded", "built from mediapipe 0.10.21 wheel"

    @property
    def name(self) -> str:
        return self.path.name


def default_models_dir() -> Path:
    """``$FORMWATCH_MODELS_DIR``, a source checkout's ``models/``, or the data home's (io/home.py)."""
    from formwatch.io.home import models_dir

    return models_dir()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def model_file_name(size: str) -> str:
    return f"pose_landmarker_{size}.task"


def find_or_provision(
    given: Path | None = None,
    models_dir: Path | None = None,
    allow_download: bool = True,
    log: Callable[[str], None] = _say,
    size: str | None = None,
) -> ModelInfo:
    """Return a usable model, making one in ``models_dir`` if there is none (see the module docstring).
    ``size`` (lite, full, heavy): that model and no other."""
    models_dir = models_dir or default_models_dir()
    if size is not None and given is None:
        return _find_or_provision_size(size, models_dir, allow_download, log)
    if given is not None:
        if not given.is_file():
            raise ModelError(f"model file {given} does not exist: check the --model path")
        if not task_bundle_is_well_formed(given):
            raise ModelError(f"{given} is not a MediaPipe pose landmarker .task bundle: "
                             f"{HOW_TO_FIX.format(models_dir=models_dir)}")
        return ModelInfo(given, sha256_of(given), "given")
    for name in SEARCH_ORDER:
        candidate = models_dir / name
        if candidate.is_file() and task_bundle_is_well_formed(candidate):
            return ModelInfo(candidate, sha256_of(candidate), "models/")
    return _find_or_provision_size("full", models_dir, allow_download, log)


def _find_or_provision_size(size: str, models_dir: Path, allow_download: bool,
                            log: Callable[[str], None]) -> ModelInfo:
    """The ``size`` model in ``models_dir``, provisioned there (once) when it is missing."""
    if size not in MODEL_SIZES:
        raise ModelError(f"no model size {size!r}: choose one of {', '.join(MODEL_SIZES)}")
    destination = models_dir / model_file_name(size)
    if destination.is_file() and task_bundle_is_well_formed(destination):
        return ModelInfo(destination, sha256_of(destination), "models/")
    log(f"formwatch: no {destination.name} in {models_dir}/ yet; provisioning it (once)")
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
    except OSError:
        raise ModelError(f"cannot create {models_dir}: {HOW_TO_FIX.format(models_dir=models_dir)}") from None
    if size == "full" and allow_download and _download_official(destination, log):
        return ModelInfo(destination, sha256_of(destination), "downloaded from Google")
    _build_from_wheel(destination, log, landmarker_size=size)
    origin = f"built from mediapipe {WHEEL_VERSION} wheel" + ("" if size == "full" else
                                                               f" and {NPM_PACKAGE}@{NPM_VERSION}")
    return ModelInfo(destination, sha256_of(destination), origin)


def _download_official(destination: Path, log: Callable[[str], None]) -> bool:
    """Try Google's official file; True when it arrived, is a well-formed bundle and runs."""
    tmp = destination.with_name(f".{destination.name}.download")
    try:
        with urllib.request.urlopen(OFFICIAL_URL, timeout=DOWNLOAD_TIMEOUT_S) as response, open(tmp, "wb") as f:
            shutil.copyfileobj(response, f)
    except (urllib.error.URLError, OSError, TimeoutError, ValueError):
        log("formwatch: Google's model server is out of reach; building the model from the mediapipe wheel instead")
        tmp.unlink(missing_ok=True)
        return False
    if sha256_of(tmp) != OFFICIAL_SHA256 or not task_bundle_is_well_formed(tmp) or not _runs(tmp):
        log("formwatch: the downloaded model does not match Google's published file; building it instead")
        tmp.unlink(missing_ok=True)
        return False
    os.replace(tmp, destination)
    return True


def _build_from_wheel(destination: Path, log: Callable[[str], None], landmarker_size: str = "full") -> None:
    """Fetch the pinned mediapipe wheel through pip, check it, add metadata, bundle, prove, then rename into place.
    A lite or heavy landmark model comes from the npm package instead of the wheel (it has only the full one)."""
    with tempfile.TemporaryDirectory(prefix="formwatch-model-") as tmpdir:
        work = Path(tmpdir)
        log(f"formwatch: fetching mediapipe {WHEEL_VERSION} (35 MB) through pip for its BlazePose weights")
        command = [sys.executable, "-m", "pip", "download", f"mediapipe=={WHEEL_VERSION}", "--no-deps",
                   "--only-binary=:all:", "--platform", "manylinux_2_28_x86_64", "--python-version", "3.11",
                   "--implementation", "cp", "--abi", "cp311", "--disable-pip-version-check", "-q", "-d", str(work)]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired):
            result = None
        wheel = work / WHEEL_FILE
        if result is None or result.returncode != 0 or not wheel.is_file():
            raise ModelError("no pose model and the package registry is out of reach: "
                             + HOW_TO_FIX.format(models_dir=destination.parent))
        if sha256_of(wheel) != WHEEL_SHA256:
            raise ModelError(f"the downloaded {WHEEL_FILE} does not match its pinned sha256; refusing to use it: "
                             + HOW_TO_FIX.format(models_dir=destination.parent))
        with zipfile.ZipFile(wheel) as whl:
            detector = whl.read(DETECTOR_IN_WHEEL[0])
            landmarker = whl.read(LANDMARKER_IN_WHEEL[0])
        for data, (member, expected) in ((detector, DETECTOR_IN_WHEEL), (landmarker, LANDMARKER_IN_WHEEL)):
            if hashlib.sha256(data).hexdigest() != expected:
                raise ModelError(f"{member} in the wheel does not match its pinned sha256; refusing to use it")
        if landmarker_size != "full":
            landmarker = _npm_landmarker(landmarker_size, work, log)
        tmp = destination.with_name(f".{destination.name}.building")
        write_task_bundle(detector, add_landmark_metadata(landmarker, landmarker_size), tmp)
        if not _runs(tmp):
            tmp.unlink(missing_ok=True)
            raise ModelError("the built pose model does not run: " + HOW_TO_FIX.format(models_dir=destination.parent))
        os.replace(tmp, destination)


def _npm_landmarker(size: str, work: Path, log: Callable[[str], None]) -> bytes:
    """The lite or heavy BlazePose landmark model from the pinned ``@mediapipe/pose`` tarball on the npm registry."""
    import tarfile

    registry = os.environ.get("npm_config_registry") or os.environ.get("NPM_CONFIG_REGISTRY") or \
        "https://registry.npmjs.org/"
    url = registry.rstrip("/") + "/" + NPM_TARBALL
    tarball = work / "pose.tgz"
    log(f"formwatch: fetching {NPM_PACKAGE}@{NPM_VERSION} (41 MB) from the npm registry for its {size} model")
    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(tarball, "wb") as f:
            shutil.copyfileobj(response, f)
    except (urllib.error.URLError, OSError, TimeoutError, ValueError):
        raise ModelError(f"the npm registry ({registry}) is out of reach for the {size} model: put a "
                         f"pose_landmarker_{size}.task in the models folder, or use --model-size full") from None
    if sha256_of(tarball) != NPM_TARBALL_SHA256:
        raise ModelError(f"the downloaded {NPM_PACKAGE}@{NPM_VERSION} does not match its pinned sha256; "
                         "refusing to use it")
    member, expected = NPM_LANDMARKERS[size]
    with tarfile.open(tarball, "r:gz") as archive:
        extracted = archive.extractfile(member)
        data = extracted.read() if extracted is not None else b""
    if hashlib.sha256(data).hexdigest() != expected:
        raise ModelError(f"{member} in {NPM_PACKAGE} does not match its pinned sha256; refusing to use it")
    return data


def _runs(path: Path) -> bool:
    """Prove a bundle: MediaPipe loads it and runs it; on a real photo (a person must be found) when available."""
    import numpy as np

    from formwatch.capture.pose import PoseEstimator

    photo = real_test_photo()
    frame = photo if photo is not None else np.zeros((256, 256, 3), dtype=np.uint8)
    try:
        with PoseEstimator(path, running_mode="image") as estimator:
            sample = estimator.estimate_bgr(frame, 0)
    except Exception:  # noqa: BLE001 - any failure to load or run means "not a working model"
        return False
    return photo is None or bool(np.isfinite(sample.image).all())


def real_test_photo() -> "np.ndarray | None":
    """The CC0 'camera' photo (a man with a tripod) from scikit-image as a BGR frame, or None when not installed."""
    import numpy as np

    try:
        from skimage import data
    except ImportError:
        return None
    gray = data.camera()  # type: ignore[no-untyped-call]  # scikit-image has no stubs
    return np.ascontiguousarray(np.stack([gray] * 3, axis=-1))
