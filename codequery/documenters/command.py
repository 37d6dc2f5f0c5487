"""The `command` documenter: any LLM command line that reads a prompt on stdin.

The configured argv template is filled in per argument and run directly, never through a
shell, so a path or model name is always one literal argument. It runs in the repository's
root, wherever codequery was started: that is where approval (`trust`) looks for the files
it names. Running it (time limit, killing its whole process group) is
`process.run_process`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from codequery.documenters import prompt_version
from codequery.documenters.builtin import BuiltinDocumenter, with_reading_notes
from codequery.documenters.llm_output import parse_record
from codequery.documenters.process import run_process
from codequery.documenters.prompting import load_template, render_prompt
from codequery.errors import CodeQueryError
from codequery.records import FileDoc

_ARG_PLACEHOLDER = re.compile(r"\{(model|path|language)\}")


class CommandDocumenter:
    name = "command"
    inline = False  # a slow, maybe billed call: never inside a job's database transaction

    def __init__(
        self,
        argv_template: list[str],
        model: str | None,
        timeout: float,
        template: Path | None = None,
        cwd: Path | None = None,
    ) -> None:
        if not argv_template:
            raise CodeQueryError(
                "the command documenter needs a command: pass it to init "
                "(codequery init --documenter command --command 'your-llm-cli -m {model}') "
                'or set documenter.command in .code-query/config.json, e.g. "command": '
                '["your-llm-cli", "-m", "{model}"] (the prompt is sent on stdin, the record is '
                "read from stdout)"
            )
        if not model and any("{model}" in arg for arg in argv_template):
            raise CodeQueryError(
                "documenter.command uses {model} but no model is set; set documenter.model "
                "in .code-query/config.json or pass --model"
            )
        self.argv_template = list(argv_template)
        self.model = model
        self.timeout = timeout
        self.cwd = cwd
        # Loaded now so a bad template fails `codequery init`, not every file later.
        self._template = load_template(template)
        self.version = prompt_version(self._template, json.dumps(self.argv_template))
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

    def blocked(self) -> str | None:
        return None  # nothing to log in to

    def document(self, path: str, language: str, text: str) -> FileDoc:
        hint = self._builtin.document(path, language, text)
        prompt = render_prompt(self._template, path, language, text, hint)
        return with_reading_notes(parse_record(self.run(self.argv(path, language), prompt)),
                                  hint)

    def run(self, argv: list[str], prompt: str) -> str:
        """Run `argv` with `prompt` on stdin; its stdout, or `DocumenterError`."""
        stdout, _, _ = run_process(
            argv,
            prompt.encode("utf-8"),
            self.timeout,
            role="the command documenter's executable",
            hint="install it on PATH or give its full path in documenter.command in "
            ".code-query/config.json",
            cwd=self.cwd,
        )
        return stdout.decode("utf-8", "replace")
