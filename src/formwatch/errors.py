"""The one exception type whose message a user reads: one line that says what is wrong and what to do."""


class FormwatchError(Exception):
    """A problem the user can fix; the CLI prints its message as one line and exits non-zero."""

    exit_code = 2
