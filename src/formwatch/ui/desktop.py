"""Can a window open here? Asked before Qt is loaded: a display, and on Linux the system libraries Qt's X11 platform
plugin needs. Without them Qt aborts the whole process (SIGABRT, exit 134) with only its own message; asked first,
formwatch says in one line which packages to install and runs the command without a window where it can.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["display_available", "missing_libraries", "packages_for", "why_no_window"]

_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)


def _platform_plugin() -> Path | None:
    """The X11 platform plugin Qt would load, found the way Qt finds it (its environment variables first)."""
    folders = [os.environ.get("QT_QPA_PLATFORM_PLUGIN_PATH", "")]
    folders += [str(Path(p) / "platforms") for p in os.environ.get("QT_PLUGIN_PATH", "").split(os.pathsep) if p]
    spec = importlib.util.find_spec("PyQt6")
    if spec is not None and spec.submodule_search_locations:
        folders.append(str(Path(list(spec.submodule_search_locations)[0]) / "Qt6" / "plugins" / "platforms"))
    for folder in filter(None, folders):
        plugin = Path(folder) / "libqxcb.so"
        if plugin.is_file():
            return plugin
    return None


def missing_libraries(ldd_output: str) -> list[str]:
    """The libraries ``ldd`` could not find, each once, in its order."""
    return list(dict.fromkeys(_NOT_FOUND.findall(ldd_output)))


def packages_for(libraries: list[str]) -> list[str]:
    """Debian/Ubuntu package names for library file names, by Debian's naming rule (libxcb-icccm.so.4 ->
    libxcb-icccm4; a name ending in a digit takes a hyphen: libxkbcommon-x11.so.0 -> libxkbcommon-x11-0)."""
    packages = []
    for library in libraries:
        stem, _, version = library.partition(".so.")
        stem = stem.lower()
        packages.append(f"{stem}{'-' if stem[-1:].isdigit() else ''}{version.split('.')[0]}" if version else stem)
    return list(dict.fromkeys(packages))


def _x11_window_wanted() -> bool:
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    return (sys.platform.startswith("linux") and bool(os.environ.get("DISPLAY")) and platform in ("", "xcb")
            and os.environ.get("XDG_SESSION_TYPE") != "wayland")


@functools.cache
def _x11_blocker() -> str:
    """Why Qt's X11 plugin cannot load ("" when it can, or when that cannot be told: no ldd, no plugin file)."""
    plugin, ldd = _platform_plugin(), shutil.which("ldd")
    if plugin is None or ldd is None:
        return ""
    try:
        out = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    missing = missing_libraries(out)
    if not missing:
        return ""
    own = [m for m in missing if m.startswith("libQt6")]
    if own:
        return (f"Qt's own libraries ({', '.join(own)}) are missing beside its X11 plugin {plugin} (reinstall "
                "PyQt6: pip install --force-reinstall PyQt6)")
    return (f"Qt needs {' and '.join(missing)}, missing here (on Debian or Ubuntu: sudo apt install "
            f"{' '.join(packages_for(missing))})")


def why_no_window() -> str:
    """Why no window can be shown here, in one line with what to do; "" when one can."""
    if os.environ.get("QT_QPA_PLATFORM", "") in ("offscreen", "minimal"):
        return "Qt's platform is set to offscreen"
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) and sys.platform not in ("win32",
                                                                                                      "darwin"):
        return "no display found"
    return _x11_blocker() if _x11_window_wanted() else ""


def display_available() -> bool:
    """True when a Qt window can be shown: a display, and what Qt's platform plugin needs to open one there."""
    return not why_no_window()


def say_why_headless(even_without_display: bool = False) -> None:
    """One line on stderr when a command that would open a window runs without one: always for a display whose
    window cannot open (the missing packages named); for no display at all only when asked (``live`` says it,
    the demo's quick start does not)."""
    why = why_no_window()
    if why and (even_without_display or why == _x11_blocker()):
        print(f"formwatch: no window: {why}; running without one", file=sys.stderr)
