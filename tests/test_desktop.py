"""A window that cannot open is said before Qt loads (ui/desktop.py): the missing system libraries named with the
packages to install, the command run without a window where it can, never Qt's abort; Qt's chatter goes to a log."""

import os
import shutil
import sys

import pytest

from conftest import run_formwatch
from formwatch.ui.desktop import _platform_plugin, missing_libraries, packages_for

LDD_ON_A_BARE_DESKTOP = """\
\tlinux-vdso.so.1 (0x00007ffd4b1f2000)
\tlibQt6XcbQpa.so.6 => /opt/PyQt6/Qt6/lib/libQt6XcbQpa.so.6 (0x00007f0e1c400000)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxkbcommon-x11.so.0 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0e1c000000)
"""


def test_the_missing_libraries_and_their_packages_are_named():
    missing = missing_libraries(LDD_ON_A_BARE_DESKTOP)
    assert missing == ["libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxkbcommon-x11.so.0"]
    assert packages_for(missing) == ["libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxkbcommon-x11-0"]
    assert packages_for(["libEGL.so.1", "libdbus-1.so.3"]) == ["libegl1", "libdbus-1-3"]


@pytest.fixture
def broken_plugin(tmp_path):
    """Qt's X11 plugin copied away from the libraries beside it: Qt could not load it, as on a desktop missing
    what the plugin needs (found by Qt's own QT_QPA_PLATFORM_PLUGIN_PATH)."""
    plugin = _platform_plugin()
    if plugin is None or shutil.which("ldd") is None or not sys.platform.startswith("linux"):
        pytest.skip("needs Linux, ldd and PyQt6's X11 plugin")
    folder = tmp_path / "platforms"
    folder.mkdir()
    shutil.copy(plugin, folder / plugin.name)
    return folder


def run_with_display(args, tmp_path, plugin_folder):
    env_keys = {"DISPLAY": ":0", "QT_QPA_PLATFORM_PLUGIN_PATH": str(plugin_folder)}
    saved = {k: os.environ.get(k) for k in (*env_keys, "QT_QPA_PLATFORM", "XDG_SESSION_TYPE")}
    os.environ.update(env_keys)
    os.environ.pop("QT_QPA_PLATFORM", None)
    os.environ.pop("XDG_SESSION_TYPE", None)
    try:
        return run_formwatch(args, tmp_path / "home", tmp_path)
    finally:
        for k, v in saved.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)


def test_a_window_that_cannot_open_runs_the_demo_without_one_and_says_why(tmp_path, broken_plugin):
    result = run_with_display(["demo", "--speed", "50"], tmp_path, broken_plugin)
    assert result.returncode == 0, result.stderr  # not Qt's abort (134)
    first = result.stderr.strip().splitlines()[0]
    assert first.startswith("formwatch: no window: ") and "running without one" in first
    assert "STOP" in result.stdout and "Traceback" not in result.stderr


@pytest.mark.parametrize("args, words", [(["progress"], "use --out FILE.png"),
                                         (["replay", "REC"], "use --export-png FILE")])
def test_a_window_only_command_says_what_to_install_or_use_instead(tmp_path, broken_plugin, args, words):
    from conftest import write_synthetic_recording
    from formwatch.sim.synth import skeleton
    import numpy as np

    if "REC" in args:
        image, world = skeleton(hinge_deg=np.zeros(60))
        args = ["replay", str(write_synthetic_recording(tmp_path / "rec", np.arange(60) / 30, image, world))]
    result = run_with_display(args, tmp_path, broken_plugin)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and words in lines[0] and "missing" in lines[0], result.stderr


def test_qt_messages_go_to_the_log_not_the_terminal(tmp_path, monkeypatch, capfd):
    from PyQt6.QtCore import qInstallMessageHandler, qWarning

    from formwatch.ui import qt_log

    monkeypatch.setattr(qt_log, "log_path", lambda: tmp_path / "logs" / "qt.log")
    qt_log.send_qt_messages_to_log()
    try:
        qWarning("PulseAudioService: pa_context_connect() failed")
    finally:
        qInstallMessageHandler(None)  # Qt's own handler again for the other tests
    assert "PulseAudioService" in (tmp_path / "logs" / "qt.log").read_text()
    assert "PulseAudioService" not in capfd.readouterr().err
