"""The `command` documenter: any LLM command line that reads a prompt on stdin.

The configured argv template is filled in per argument and run directly, never through a
shell, so a path or model name is always one literal argument. The command runs in its
own session (process group) so that a timeout or Ctrl-C can kill everything it started,
including grandchildren that would otherwise keep its pipes open.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
from pathlib import Path

from codequery.documenters.builtin import BuiltinDocumenter
from codequery.documenters.errors import DocumenterError, DocumenterTimeout
from codequery.documenters.llm_output import parse_record
from codequery.documenters.prompting import load_template, render_prompt
from codequery.errors import CodeQueryError
from codequery.records import FileDoc

_ARG_PLACEHOLDER = re.compile(r"\{(model|path|language)\}")
# After the group is killed, how long to wait for the pipes to close; only a grandchild
# that escaped the group (its own setsid) can hold them longer.
_REAP_SECONDS = 2.0


def _last_line(stderr: bytes, limit: int = 300) -> str:
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    if not lines:
        return "(no error output)"
    line = lines[-1].strip()
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill the command and everything in its process group, then reap it."""
    # start_new_session: the group id is the command's pid. Failing means it is all gone.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    try:
        proc.communicate(timeout=_REAP_SECONDS)
    except (subprocess.TimeoutExpired, OSError, ValueError):
        # Someone outside the group holds the pipes (or an interrupted communicate left
        # them unusable): stop reading and just reap the child, which is dead.
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
        proc.wait()


class CommandDocumenter:
    name = "command"

    def __init__(
        self,
        argv_template: list[str],
        model: str | None,
        timeout: float,
        template: Path | None = None,
    ) -> None:
        if not argv_template:
            raise CodeQueryError(
                "the command documenter needs a command: set documenter.command in "
                '.code-query/config.json, e.g. "command": ["your-llm-cli", "-m", "{model}"] '
                "(the prompt is sent on stdin, the record is read from stdout)"
            )
        if not model and any("{model}" in arg for arg in argv_template):
            raise CodeQueryError(
                "documenter.command uses {model} but no model is set; set documenter.model "
                "in .code-query/config.json or pass --model"
            )
        self.argv_template = list(argv_template)
        self.model = model
        self.timeout = timeout
        # Loaded now so a bad template fails `codequery init`, not every file later.
        self._template = load_template(template)
        self._builtin = BuiltinDocumenter()

    def argv(self, path: str, language: str) -> list[str]:
        """The command for one file: each template argument filled in on its own."""
        # A path like "-rf" or "--yes" would read as an option; "./" keeps it a path.
        safe_path = f"./{path}" if path.startswith("-") else path
        values = {"model": self.model or "", "path": safe_path, "language": language}
        return [
            _ARG_PLACEHOLDER.sub(lambda match: values[match.group(1)], arg)
            for arg in self.argv_template
        ]

    def document(self, path: str, language: str, text: str) -> FileDoc:
        hint = self._builtin.document(path, language, text)
        prompt = render_prompt(self._template, path, language, text, hint)
        return parse_record(self.run(self.argv(path, language), prompt))

    def run(self, argv: list[str], prompt: str) -> str:
        """Run `argv` with `prompt` on stdin; its stdout, or `DocumenterError`."""
        executable = argv[0]
        try:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except FileNotFoundError:
            raise DocumenterError(
                f"the command documenter's executable {executable!r} was not found; "
                "install it on PATH or give its full path in documenter.command in "
                ".code-query/config.json"
            ) from None
        except PermissionError:
            raise DocumenterError(
                f"the command documenter's executable {executable!r} is not executable"
            ) from None
        try:
            stdout, stderr = proc.communicate(prompt.encode("utf-8"), timeout=self.timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise DocumenterTimeout(
                f"{Path(executable).name} timed out after {self.timeout:g} s "
                "(documenter.timeout_seconds)"
            ) from None
        except BaseException:
            # Ctrl-C reaches only our own process group, not the command's new session;
            # without this the LLM would keep running (and billing) after we are gone.
            _kill_group(proc)
            raise
        if proc.returncode < 0:
            raise DocumenterError(
                f"{Path(executable).name} was killed by signal {-proc.returncode}: "
                f"{_last_line(stderr)}"
            )
        if proc.returncode != 0:
            raise DocumenterError(
                f"{Path(executable).name} exited with code {proc.returncode}: "
                f"{_last_line(stderr)}"
            )
        return stdout.decode("utf-8", "replace")
