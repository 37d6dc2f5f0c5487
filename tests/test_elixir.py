"""The builtin documenter's Elixir outline: modules, functions and their docs, read the
way `mix format` lays them out."""

from codequery import languages, search_text
from codequery.documenters.builtin import BuiltinDocumenter

DOC = BuiltinDocumenter()

SOURCE = '''defmodule Plug.Conn.Query do
  @moduledoc """
  Conveniences for decoding and encoding URL-encoded queries.

  ## Examples

      iex> decode("foo=bar")["foo"]
      "bar"

  Nested structures are built from `[key]` brackets.
  """

  alias Plug.Conn.Utils
  import Bitwise

  @doc """
  Decodes the given `query`.

  Longer text.
  """
  @spec decode(String.t()) :: map
  def decode(query, initial \\\\ %{})
  def decode("", initial), do: initial
  def decode(query, initial) do
    query
  end

  @doc "Encodes a map into a query string."
  def encode(map), do: map

  @doc false
  def internal(x), do: x

  # Splits one key=value pair.
  defp split_pair(pair), do: pair

  defmodule Error do
    @moduledoc "Raised when a query cannot be decoded."
    defexception [:message]

    def message(e), do: e.message
  end

  def after_nested(x), do: x

  defmacro route(path) do
    quote do
      def unquote(path)(conn), do: conn
    end
  end
end
'''


def _outline():
    return DOC.document("lib/plug/conn/query.ex", "elixir", SOURCE)


def test_elixir_files_are_elixir():
    assert languages.detect("lib/plug/conn/query.ex") == "elixir"
    assert languages.detect("test/test_helper.exs") == "elixir"
    assert search_text.kind_of("lib/plug/conn/query.ex") == "source"


def test_the_moduledoc_is_the_overview_without_examples_or_headings():
    overview = _outline().overview
    assert overview.startswith("Conveniences for decoding and encoding URL-encoded queries.")
    assert "Nested structures are built" in overview
    assert "iex>" not in overview and "Examples" not in overview and '"bar"' not in overview


def test_modules_hold_their_functions_with_docs_and_lines():
    doc = _outline()
    query, error = doc.classes
    assert (query.name, query.line, query.kind) == ("Plug.Conn.Query", 1, "module")
    assert query.summary == "Conveniences for decoding and encoding URL-encoded queries."
    methods = {m.name: m for m in query.methods}
    assert list(methods) == ["decode", "encode", "internal", "split_pair", "after_nested",
                             "route"]  # one entry per function, not per clause
    assert methods["decode"].summary == "Decodes the given `query`."
    assert methods["decode"].line == 22
    assert methods["encode"].summary == "Encodes a map into a query string."
    assert methods["internal"].summary == ""  # @doc false
    assert methods["split_pair"].summary == "Splits one key=value pair."
    assert (error.name, error.summary) == ("Plug.Conn.Query.Error",
                                           "Raised when a query cannot be decoded.")
    assert [m.name for m in error.methods] == ["message"]
    assert doc.imports == ["Plug.Conn.Utils", "Bitwise"]


def test_a_file_of_bare_functions_and_an_unclosed_heredoc_still_give_an_outline():
    doc = DOC.document("x.exs", "elixir", 'def run(a), do: a\n@doc """\nnever closed\n')
    assert [f.name for f in doc.functions] == ["run"]


def test_a_licence_comment_does_not_hide_the_moduledoc_and_a_late_one_finds_its_module():
    source = """# SPDX-License-Identifier: Apache-2.0
# credo:disable-for-this-file

defmodule Plug.Parsers do
  defmodule RequestTooLargeError do
    @moduledoc "Error raised when the request is too large."
    defexception message: "too large"
  end

  @moduledoc \"\"\"
  Parses the request body.
  \"\"\"

  @doc "Attempts to parse the connection's request body."
  @callback parse(term) :: term

  # Builds the parser options.
  @impl true
  def init(opts), do: opts
end

defimpl Inspect, for: Plug.Conn do
  def inspect(conn, _), do: conn
end
"""
    doc = DOC.document("lib/plug/parsers.ex", "elixir", source)
    parsers, error, impl = doc.classes
    assert doc.overview == "Parses the request body."
    assert (parsers.name, parsers.summary) == ("Plug.Parsers", "Parses the request body.")
    assert error.name == "Plug.Parsers.RequestTooLargeError"
    assert error.summary == "Error raised when the request is too large."
    # the @callback's doc is not init's; the comment above `@impl` is
    assert [(m.name, m.summary) for m in parsers.methods] == [
        ("init", "Builds the parser options.")]
    assert (impl.name, [m.name for m in impl.methods]) == ("Inspect.Plug.Conn", ["inspect"])
    assert (parsers.kind, impl.kind) == ("module", "implementation")


def test_a_string_heredoc_is_not_read_as_code_and_lines_are_counted_by_newlines():
    source = ('defmodule A do\n  def warn, do: IO.warn("""\n  def fake(x)\n  defmodule Fake do\n'
              '  """)\n  # a\x0cb\n  def real(x), do: x\nend\n')
    doc = DOC.document("a.ex", "elixir", source)
    assert [c.name for c in doc.classes] == ["A"]
    assert [(m.name, m.line) for m in doc.classes[0].methods] == [("warn", 2), ("real", 7)]
