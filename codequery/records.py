"""The documentation record: what a documenter produces and what the store keeps.

`FileDoc` is the part a documenter writes (builtin analysis or an LLM's answer);
`FileRecord` adds the facts codequery itself knows about the file. Both are validated,
so an LLM that answers with the wrong shape is a failure, never a half-written record;
the common near-misses (a string for a list, `purpose` or `description` for `summary`, a
bare name for a function, nulls for optional fields) are read as what they mean.
"""

from __future__ import annotations

from typing import Any, ClassVar, get_origin

from pydantic import BaseModel, ConfigDict, Field, model_validator

# What models write instead of `summary`.
_SUMMARY_ALIASES = ("purpose", "description", "doc", "docstring")


class _Model(BaseModel):
    # LLMs add chatter keys; ignoring them beats failing a whole record over one.
    model_config = ConfigDict(extra="ignore")
    named: ClassVar[bool] = False  # a bare string may stand for {"name": ...}

    @model_validator(mode="before")
    @classmethod
    def _near_misses(cls, value: Any) -> Any:
        """A model's answer in a slightly different shape, read as meant: a string for a
        list of them, null for an empty text, `purpose` or `description` for `summary`,
        a bare name for an object with a name."""
        if cls.named:
            value = _as_named(value)
        if not isinstance(value, dict):
            return value
        fixed = dict(value)
        for name, field in cls.model_fields.items():
            if name not in fixed:
                continue
            if get_origin(field.annotation) is list:
                fixed[name] = _as_list(fixed[name])
            elif (field.annotation is str and fixed[name] is None
                  and not field.is_required()):
                fixed[name] = ""
        return fixed


def _as_list(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    return value


def _as_named(value: Any) -> Any:
    if isinstance(value, str):
        return {"name": value}
    if isinstance(value, dict) and not value.get("summary"):
        for alias in _SUMMARY_ALIASES:
            if isinstance(value.get(alias), str):
                return {**value, "summary": value[alias]}
    return value


class Function(_Model):
    named = True
    name: str = Field(min_length=1)
    signature: str = ""
    summary: str = Field("", description="One line: what it is for (docstring's first line).")
    line: int | None = None


class ClassInfo(_Model):
    named = True
    name: str = Field(min_length=1)
    bases: list[str] = Field(default_factory=list)
    summary: str = ""
    methods: list[Function] = Field(default_factory=list)
    line: int | None = None
    # False: the file adds methods to a type declared elsewhere (Go's methods on another
    # file's type, a Rust `impl` of a type not declared in the file)
    defined: bool = True
    # what the language calls it (class, interface, struct, enum, trait, type, module,
    # ...), where the documenter knows; None: a class, or not said
    kind: str | None = None


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
    # The words the file uses, for search only (see search_text.vocabulary); empty for a
    # secret-looking file, whose content is never read into the index.
    terms: str = Field("", repr=False)
