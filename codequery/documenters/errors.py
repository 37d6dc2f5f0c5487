"""The error an LLM documenter raises when one file could not be documented."""


class DocumenterError(Exception):
    """One file's documenting failed (bad answer, crash, timeout); the others carry on.

    Not a `CodeQueryError`: it is reported per file by the documenting loop, not as a
    fatal problem of the whole command.
    """


class DocumenterTimeout(DocumenterError):
    """The documenter did not answer within its time limit (its process group is gone)."""
