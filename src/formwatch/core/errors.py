"""The one exception type whose message a user reads: one line that says what is wrong and what to do."""


class FormwatchError(Exception):
    """A problem the user can fix; the CLI prints its message as one line and exits non-zero."""

    exit_code = 2


def require_schema_version(data: dict[str, object], expected: int, where: str, error: type[Exception], fix: str) -> None:
    """Raise ``error`` unless the file's schema_version is ``expected``."""
    version = data.get("schema_version")
    if version != expected:
        raise error(f"{where} has schema_version {version!r}; this formwatch reads {expected}: {fix}")
