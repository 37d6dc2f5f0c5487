"""The error an LLM documenter raises when one file could not be documented."""


class DocumenterError(Exception):
    """One file's documenting failed (bad answer, crash, timeout); the others carry on.

    Not a `CodeQueryError`: it is reported per file by the documenting loop, not as a
    fatal problem of the whole command.
    """


class DocumenterTimeout(DocumenterError):
    """The documenter did not answer within its time limit (its process group is gone)."""


class DocumenterBlocked(DocumenterError):
    """The documenter cannot work for any file until the user acts (not logged in, a bad
    API key). `reason` is one line saying what to do."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DocumenterBusy(DocumenterError):
    """The model's API is rate-limited or overloaded (429, 529): not the file's fault;
    try again after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after
