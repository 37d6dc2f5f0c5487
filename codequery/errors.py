"""The one user-facing error type. Anything else that escapes is a bug."""


class CodeQueryError(Exception):
    """A problem the user can fix: the message says what went wrong and what to do."""


class NotFound(CodeQueryError):
    """What was asked for by name (a job id) does not exist: over HTTP a 404, not a 400."""
