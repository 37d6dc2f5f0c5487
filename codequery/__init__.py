"""codequery: a searchable documentation index of a git repository, current on every commit.

This package's top level imports nothing: the git hooks import submodules of it and must
stay on the standard library.
"""

__version__ = "0.1.0"
