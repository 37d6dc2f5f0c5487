"""The documentation record: what a documenter produces and what the store keeps.

`FileDoc` is the part a documenter writes (builtin analysis or an LLM's answer);
`FileRecord` adds the facts codequery itself knows about the file. Both are validated,
so an LLM that answers with the wrong shape is a failure, never a half-written record.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    # LLMs add chatter keys; ignoring them beats failing a whole record over one.
    model_config = ConfigDict(extra="ignore")


class Function(_Model):
    name: str
    signature: str = ""
    summary: str = Field("", description="One line: what it is for (docstring's first line).")
    line: int | None = None


class ClassInfo(_Model):
    name: str
    bases: list[str] = Field(default_factory=list)
    summary: str = ""
    methods: list[Function] = Field(default_factory=list)
    line: int | None = None


class FileDoc(_Model):
    """The documented content of one file."""

    overview: str = ""
    functions: list[Function] = Field(default_factory=list)
    classes: list[ClassInfo] = Field(default_factory=list)
    imports: list[str] = Field(default_factory=list)
    exports: list[str] = Field(default_factory=list)
    dependencies: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class FileRecord(FileDoc):
    """A stored record: the documented content plus what codequery knows of the file."""

    path: str
    language: str
    size: int
    line_count: int
    content_sha: str
    documenter: str
    model: str | None = None
    documented_at: str
    duration_ms: int | None = None
    cost_usd: float | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    stale: bool | None = None
