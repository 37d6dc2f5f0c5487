"""Regular expressions compiled when first used, not when their module is imported.

A search starts a Python process for one question: compiling every pattern the ranking
and the documenters know (for test files, build files, C++ headers...) took about 15 ms
of that, for patterns most searches never use. Standard library only."""

from __future__ import annotations

import re

_METHODS = ("search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer")


class LazyPattern:
    """Stands for `re.compile(pattern, flags)`: `.pattern` is there at once; the first
    use of anything else compiles it, and its methods are then the compiled pattern's own
    (an attribute of this object, so later calls cost no more than a compiled one's)."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self._flags = flags

    def __getattr__(self, name: str) -> object:  # called only for what is not set yet
        if name.startswith("__"):
            raise AttributeError(name)
        compiled = re.compile(self.pattern, self._flags)
        for method in _METHODS:
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy({self.pattern!r})"


def lazy(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """A pattern compiled on first use (see LazyPattern), typed as what it stands for."""
    return LazyPattern(pattern, flags)  # type: ignore[return-value]
