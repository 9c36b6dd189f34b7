"""Files a command is asked to write (``--out``, ``--csv``, ``--export-png``, ``--export-csv``): checked before the
work starts, written whole or not at all.

A report that took a minute to draw and then fails on an unwritable path wastes the minute and, written in place,
can leave half a file behind. So every output path is tried first (its folder made, a scratch file created and
removed there), and the file itself is written to a hidden temporary beside it and renamed into place.
"""

from __future__ import annotations

import errno
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from formwatch.core.errors import FormwatchError

__all__ = ["OutputError", "check_output_file", "atomic_output", "refuse_link_loop"]


class OutputError(FormwatchError):
    """An output path cannot be written."""


def refuse_link_loop(path: Path, option: str) -> None:
    """:class:`OutputError` when ``path`` or a folder above it is a symbolic link that points back into itself: writing
    there would fail half-way ("File exists") or replace the link."""
    for part in (path, *path.parents):
        if part.is_symlink():
            try:
                os.stat(part)
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    raise OutputError(f"{option} {path}: {part} is a symbolic link that loops back on itself; "
                                      "remove it or choose another path") from None


def check_output_file(path: Path, option: str) -> Path:
    """``path`` if a file can be written there (its folder is created if missing); else :class:`OutputError`
    naming ``option``. Nothing is left behind but the folder."""
    path = Path(path)
    refuse_link_loop(path, option)
    if path.is_dir():
        raise OutputError(f"{option} {path} is a folder: give a file name, e.g. {path / 'out'}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".check"):
            pass
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise OutputError(f"{option} {path} cannot be written ({why}): choose a folder you can write to") from None
    return path


@contextmanager
def atomic_output(path: Path, option: str) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; once the block has written it, rename it into place (readable by the
    user only). On any error the temporary goes and ``path`` is untouched."""
    path = check_output_file(path, option)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        if not tmp.is_file() or tmp.stat().st_size == 0:
            raise OutputError(f"{option} {path}: nothing could be written there; choose another file")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"{option} {path} cannot be written ({exc.strerror or exc}): choose another file") \
            from None
    finally:
        tmp.unlink(missing_ok=True)
