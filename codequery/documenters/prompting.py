"""The prompt an LLM documenter sends: the packaged template (or the user's) filled in.

The file's content is untrusted data. It goes between boundary markers carrying a random
per-call token, so text inside a file can neither pose as instructions nor end its block
early: it cannot know the token. The builtin record (the hint) is derived from the file
too (docstrings, comments), so it is wrapped the same way.
"""

from __future__ import annotations

import json
import re
import secrets
from importlib import resources
from pathlib import Path

from codequery.errors import CodeQueryError
from codequery.records import FileDoc

PACKAGED_TEMPLATE = "prompt.txt"
PACKAGED_BATCH_TEMPLATE = "prompt_batch.txt"

# One pass over the template: a value put in (file content, a path) is never scanned for
# placeholders again, and braces in it mean nothing (which str.format would choke on).
_PLACEHOLDER = re.compile(r"\{(path|language|hint|content|token)\}")
_BATCH_PLACEHOLDER = re.compile(r"\{(count|files|token)\}")
# The header line naming each file of a batch; an LLM stand-in finds the paths by it.
BATCH_PATH_LABEL = "Path (JSON string): "


def load_template(template: Path | None = None) -> str:
    """The user's template if one is configured, else the packaged prompt.txt."""
    if template is None:
        return resources.files("codequery").joinpath(PACKAGED_TEMPLATE).read_text("utf-8")
    try:
        text = template.read_text(encoding="utf-8")
    except OSError as exc:
        raise CodeQueryError(f"cannot read prompt template {template}: {exc.strerror}") from None
    if "{content}" not in text:
        raise CodeQueryError(
            f"prompt template {template} has no {{content}} placeholder, so the LLM would "
            "never see the file; add it"
        )
    return text


def new_token(*texts: str) -> str:
    """A random marker code that occurs in none of `texts`.

    128 random bits make a collision practically impossible; the check covers a file that
    quotes a previous prompt verbatim.
    """
    while True:
        token = secrets.token_hex(16)
        if not any(token in text for text in texts):
            return token


def delimit(kind: str, token: str, text: str) -> str:
    """`text` between the begin and end markers of `kind` (FILE or HINT)."""
    return f"<<<{kind}-{token}>>>\n{text}\n<<<END-{kind}-{token}>>>"


def _hint_json(hint: FileDoc) -> str:
    return json.dumps(hint.model_dump(mode="json"), indent=1, ensure_ascii=False)


def render_prompt(template: str, path: str, language: str, text: str, hint: FileDoc) -> str:
    hint_json = _hint_json(hint)
    token = new_token(text, hint_json, path)
    values = {
        # JSON-quoted: a path may hold a newline, which must not start a line of its own.
        "path": json.dumps(path, ensure_ascii=False),
        "language": language,
        "hint": delimit("HINT", token, hint_json),
        "content": delimit("FILE", token, text),
        "token": token,
    }
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def build_prompt(
    path: str, language: str, text: str, hint: FileDoc, template: Path | None = None
) -> str:
    """The prompt documenting `path`, refining the builtin record `hint`."""
    return render_prompt(load_template(template), path, language, text, hint)


def render_batch_prompt(template: str, files: list[tuple[str, str, str, FileDoc]]) -> str:
    """One prompt for several `(path, language, text, hint)` files, answered by one object.

    One token serves all the blocks: it occurs in none of the files, so no file can end
    its own block or forge another file's header inside the real blocks.
    """
    hints = [_hint_json(hint) for _, _, _, hint in files]
    token = new_token(*(text for _, _, text, _ in files), *hints,
                      *(path for path, _, _, _ in files))
    sections = []
    pairs = zip(files, hints, strict=True)
    for number, ((path, language, text, _), hint_json) in enumerate(pairs, 1):
        sections.append(
            f"### File {number} of {len(files)}\n"
            # JSON-quoted: a path may hold a newline, which must not start a line of its own.
            f"{BATCH_PATH_LABEL}{json.dumps(path, ensure_ascii=False)}\n"
            f"Language: {language}\n\n"
            f"{delimit('HINT', token, hint_json)}\n\n"
            f"{delimit('FILE', token, text)}"
        )
    values = {"count": str(len(files)), "files": "\n\n".join(sections), "token": token}
    return _BATCH_PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def build_batch_prompt(files: list[tuple[str, str, str, FileDoc]]) -> str:
    """The prompt documenting several `(path, language, text, hint)` files in one call."""
    template = resources.files("codequery").joinpath(PACKAGED_BATCH_TEMPLATE).read_text("utf-8")
    return render_batch_prompt(template, files)
