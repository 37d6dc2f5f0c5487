"""One work tree as codequery sees it: its paths, its config and its data."""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from codequery import defaults, git
from codequery.errors import CodeQueryError
from codequery.paths import RepoPaths
from codequery.store import Store, connect, damaged, disk_full, read_only, unusable

TYPE_CHECKING = False  # typing is not imported: a search does not need it
if TYPE_CHECKING:
    from codequery import config as config_mod

STATE_GITIGNORE = "# codequery: only the settings are shared\n*\n!.gitignore\n!config.json\n"


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.paths = RepoPaths(root)
        self._local = threading.local()
        self._config: config_mod.Config | None = None
        self._config_stamp: tuple | None = None
        self._dataset, self._dataset_stamp = "", -1  # the name alone, read without pydantic
        # why the settings were not read as they stand (see dataset), for a face to say
        self.settings_trouble: str | None = None

    @classmethod
    def find(cls, start: Path) -> Workspace:
        """The workspace of the work tree `start` is in, as git finds it."""
        return cls(git.toplevel(start))

    @classmethod
    def find_quickly(cls, start: Path) -> Workspace:
        """`find` for a search, whose start-up counts: a work tree codequery was set up in
        is found by its `.git` without starting git (see git.nearest_work_tree); in any
        other case git decides, and says why there is no work tree."""
        nearest = git.nearest_work_tree(start)
        if nearest is not None and RepoPaths(nearest).settings.exists():
            return cls(nearest)
        return cls.find(start)

    def require_initialized(self) -> None:
        if not self.paths.settings.exists():
            raise CodeQueryError(self.why_not_set_up())

    def why_not_set_up(self) -> str:
        """Not set up, or set up and its folder removed since: then git still tracks the
        settings, and restoring them (and the index, if kept elsewhere) beats rebuilding
        the index from nothing."""
        inside = self.paths.config.relative_to(self.root).as_posix()
        try:
            tracked = git.run(["ls-files", "-z", "--", inside], self.root, check=False)
        except CodeQueryError:
            tracked = b""
        if tracked.strip(b"\0"):
            return (f"{inside} is gone from the work tree though git tracks it: the "
                    f"{defaults.STATE_DIR}/ folder was removed (`git checkout -- "
                    f"{defaults.STATE_DIR}` restores the settings; the index is rebuilt "
                    "by `codequery init` unless you put it back)")
        return f"codequery is not set up in {self.root}; run `codequery init` there first"

    @property
    def config(self) -> config_mod.Config:
        """The settings, read again whenever the file changes (a server runs for long)."""
        self.require_initialized()
        path = self.paths.settings
        stamp = (path, path.stat().st_mtime_ns)
        if self._config is None or stamp != self._config_stamp:
            from codequery import config as config_mod  # pydantic: only when settings matter

            self._config = config_mod.load(path)
            self._config_stamp = stamp
        return self._config

    def config_or_last_good(self) -> tuple[config_mod.Config, str | None]:
        """The settings a report reads, and what is wrong with the file: its own (None),
        or, while it is broken, its last good copy's (and why); with no good copy, the
        file's error. Returned, not kept: a server's threads share this workspace."""
        try:
            return self.config, None
        except CodeQueryError as exc:
            from codequery import config as config_mod

            try:
                config = config_mod.load(self.paths.last_config)
            except CodeQueryError:
                raise exc from None
            return config, f"{exc} (this report reads its last good copy)"

    @property
    def dataset(self) -> str:
        """The dataset's name. Reading the index needs no more of the settings, so a
        search does not wait for the whole of them to be validated; an unreadable file
        gets the full check and its error."""
        if self._config is not None:
            try:
                dataset = self.config.dataset  # read again if the file changed
                self.settings_trouble = None
                return dataset
            except CodeQueryError:
                pass  # the file as it stands, read below: no JSON, its last good copy
        problem = None
        try:
            stamp = self.paths.settings.stat().st_mtime_ns
            if stamp == self._dataset_stamp:
                return self._dataset
            raw = self.paths.settings.read_text(encoding="utf-8-sig")
            data = json.loads(raw)
            name = data.get("dataset") if isinstance(data, dict) else None
            problem = (None if isinstance(name, str) and name
                       else "does not name a dataset" if isinstance(data, dict)
                       else "does not hold a JSON object of settings")
        except ValueError:  # no JSON (a merge conflict, an edit half done)
            name, problem = None, "is not valid JSON"
        except OSError:
            name = None
        if problem is not None:
            # the last good copy names the dataset, so that reading the index goes on
            last = _dataset_in(self.paths.last_config)
            if last:
                self.settings_trouble = (f"{self.paths.settings} {problem}; read the index "
                                         f"as its last good copy says (`codequery doctor` "
                                         f"says how to mend it)")
                return last
        if not isinstance(name, str) or not name:
            return self.config.dataset
        self._dataset, self._dataset_stamp = name, stamp
        self.settings_trouble = self._invalid(raw)
        return name

    def _invalid(self, raw: str) -> str | None:
        """What is wrong with settings that are JSON and name their dataset, or None: the
        same text as the last good copy is good (no pydantic for a search), other text
        is validated (which keeps it as the copy when good)."""
        try:
            if self.paths.last_config.read_text(
                    encoding="utf-8-sig") == raw:
                return None
        except (OSError, ValueError):
            pass
        try:
            self.config  # noqa: B018 - validates
        except CodeQueryError as exc:
            return f"{exc} (the index is read all the same)"
        return None

    def forget_config(self) -> None:
        self._config = None

    @property
    def store(self) -> Store:
        """This thread's connection to the data (a server calls in from many threads; a
        SQLite connection must not be shared between them)."""
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = Store(self.connect(), self.dataset)
        store.dataset = self.dataset  # follows a changed config
        return store

    def connect(self) -> sqlite3.Connection:
        """A new connection to the data database. One made here starts with the records
        of the repository's other work trees (see sibling_index); while the newest stash
        holds it, none is made (see check_not_stashed)."""
        self.require_initialized()
        new = not self.paths.data_db.exists()
        if new:
            self.check_not_stashed()
        self.paths.state_dir.mkdir(exist_ok=True)
        conn = connect(self.paths.data_db)
        if new:
            from codequery import sibling_index

            sibling_index.seed(conn, self.root)
        return conn

    def check_not_stashed(self) -> None:
        """A CodeQueryError if the index is missing because the newest stash, taken in
        this work tree, holds it (`git stash --all` takes the ignored .code-query/ along):
        anything made in its place now (a database, a queue, a lock) would stop `git stash
        pop` from putting it back ("already exists"). The stash is the repository's, not
        a work tree's: one taken in another work tree leaves this one free to start its
        own index."""
        if self.paths.data_db.exists():
            return
        inside = self.paths.data_db.relative_to(self.root).as_posix()
        try:
            held = git.run(["rev-parse", "-q", "--verify", f"refs/stash^3:{inside}"],
                           self.root, check=False).strip()
            if not held or not self._stashed_here():
                return
        except (CodeQueryError, OSError, ValueError):
            return
        raise CodeQueryError(f"the index ({inside}) is in the newest stash (`git stash --all` "
                             "took it): `git stash pop` puts it back; codequery writes "
                             "nothing in its place meanwhile")

    def _stashed_here(self) -> bool:
        """Whether the newest stash was taken in this work tree: on the commit it has
        checked out, and on its branch (git names the branch in the stash's message, "WIP
        on main: ..."; two work trees never have one branch checked out)."""
        head, parent = git.run(["rev-parse", "HEAD", "refs/stash^1"], self.root).split()
        if head != parent:
            return False
        said = git.run(["log", "-1", "--format=%s", "refs/stash"], self.root).decode(
            "utf-8", "replace")
        taken_on = re.match(r"(?:WIP on|On) (.+?): ", said)
        branch = git.run(["symbolic-ref", "-q", "--short", "HEAD"], self.root,
                         check=False).decode("utf-8", "replace").strip() or "(no branch)"
        return taken_on is None or taken_on.group(1) == branch

    def damage_error(self, exc: BaseException) -> CodeQueryError | None:
        """The user-facing error for a damaged data database (found by a query, after it
        opened), a full disk under it (a write's commit) or a read-only one, as `connect`
        reports them at open; None for anything else."""
        if not (damaged(exc) or disk_full(exc, self.paths.data_db) or read_only(exc)):
            return None
        return unusable(self.paths.data_db, exc)

    @contextlib.contextmanager
    def reporting_damage(self) -> Iterator[None]:
        """Within: a damaged data database is a CodeQueryError (see `damage_error`)."""
        try:
            yield
        except Exception as exc:
            error = self.damage_error(exc)
            if error is None:
                raise
            raise error from None

    def relative(self, user_path: str, cwd: Path) -> str:
        """A path as the user typed it (relative to cwd) -> repository-relative, POSIX."""
        # Resolve the directories but not the last name: a symlink in the repository is
        # documented under its own name.
        absolute = Path(os.path.normpath(os.path.join(os.path.realpath(cwd), user_path)))
        try:
            rel = absolute.relative_to(os.path.realpath(self.root))
        except ValueError:
            raise CodeQueryError(f"{user_path} is outside the repository {self.root}") from None
        return rel.as_posix()


def default_dataset(root: Path) -> str:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", root.name).strip("-.")
    return name or "repository"


def _dataset_in(path: Path) -> str | None:
    """The dataset a config file names, or None (no such file, or not readable)."""
    try:
        name = json.loads(path.read_text(encoding="utf-8-sig")).get("dataset")
    except (OSError, ValueError, AttributeError):
        return None
    return name if isinstance(name, str) and name else None
