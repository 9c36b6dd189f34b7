"""What a file really is, from its first bytes, so an error can say "a text file", not "give an .mp4 file"."""

from __future__ import annotations

from pathlib import Path

__all__ = ["describe_file"]

_MAGIC: tuple[tuple[bytes, int, str], ...] = (  # (bytes, offset, what)
    (b"ftyp", 4, "an MP4/MOV video"),
    (b"RIFF", 0, "a RIFF file (AVI or WAV)"),
    (b"\x1a\x45\xdf\xa3", 0, "a Matroska/WebM video"),
    (b"\x89PNG", 0, "a PNG picture"),
    (b"\xff\xd8\xff", 0, "a JPEG picture"),
    (b"GIF8", 0, "a GIF picture"),
    (b"%PDF", 0, "a PDF document"),
    (b"PK\x03\x04", 0, "a zip archive"),
    (b"SQLite format 3", 0, "an SQLite database"),
    (b"\x93NUMPY", 0, "a NumPy array file"),
)


def describe_file(path: Path) -> str:
    """A few words for what ``path`` holds: "empty (0 bytes)", "a text file", "a PNG picture", "an MP4/MOV video",
    or "unrecognised data"."""
    try:
        with open(path, "rb") as f:
            head = f.read(512)
    except OSError as exc:
        return f"unreadable ({exc.strerror})"
    if not head:
        return "empty (0 bytes)"
    for magic, offset, what in _MAGIC:
        if head[offset:offset + len(magic)] == magic:
            return what
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return "unrecognised data"
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return "a text file" if printable >= 0.95 * len(text) else "unrecognised data"
