import json
import subprocess
import sys

import pytest

from codequery.defaults import MAX_FILE_BYTES
from tests.helpers import cli_json, cli_run, commit_all, run_installed, write


def test_search_json_shape_and_ranking(repo):
    cli_run(repo, "init")
    results = cli_json(repo, "search", "parse_invoice")
    assert results[0]["path"] == "src/invoices.py"
    assert set(results[0]) >= {"path", "score", "overview", "snippet", "stale"}
    assert results[0]["stale"] is False
    assert isinstance(results[0]["score"], float)


def test_search_piped_prints_a_block_per_result(repo):
    cli_run(repo, "init")
    result = cli_run(repo, "search", "invoices")
    assert result.exit_code == 0
    first, *rest = result.stdout.splitlines()
    path, score, *where = first.split()
    assert path == "src/invoices.py" and float(score) >= 0
    assert where == ["line", "6"]  # where parse_invoice, named with the word, is
    assert rest[0].startswith("    ") and "**" in rest[0]  # the matching line, marked
    assert "─" not in result.stdout and "┃" not in result.stdout  # no table when piped


def _in_a_terminal(repo, *args: str) -> str:
    """What `codequery ARGS` shows in a terminal 120 columns wide."""
    import os
    import pty

    leader, follower = pty.openpty()
    done = subprocess.run([sys.executable, "-m", "codequery", "-C", str(repo), *args],
                          stdin=follower, stdout=follower, stderr=follower,
                          env={**os.environ, "COLUMNS": "120", "TERM": "xterm"}, timeout=60)
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal is closed once read to the end
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    text = out.decode(errors="replace")
    assert done.returncode == 0, text
    return text


def test_search_in_a_terminal_shows_a_table(repo):
    cli_run(repo, "init")
    text = _in_a_terminal(repo, "search", "invoices")
    assert "invoices.py" in text and "overview" in text and "━" in text


def test_search_with_fts_syntax_characters_never_fails(repo):
    cli_run(repo, "init")
    for text in ['"', "-", "NOT", "a:b", "*", "(", "total -x NOT"]:
        result = cli_run(repo, "search", "--", text)
        assert result.exit_code == 0, (text, result.output)


def test_edited_and_deleted_files_are_marked_stale(repo):
    cli_run(repo, "init")
    write(repo, {"src/invoices.py": "# changed on disk\n"})
    (repo / "web/app.js").unlink()
    found = {r["path"]: (r["stale"], r["gone"]) for r in cli_json(repo, "search", "invoice*")}
    assert found["src/invoices.py"] == (True, False)
    assert found["web/app.js"] == (True, True)  # an agent would open what is not there
    assert found["README.md"] == (False, False)
    piped = cli_run(repo, "search", "invoice*").stdout
    assert "src/invoices.py" in piped and "(stale)" in piped
    assert "(gone from the work tree)" in piped
    changed = cli_json(repo, "show", "src/invoices.py")
    assert changed["stale"] is True and changed["gone"] is False
    gone = cli_json(repo, "show", "web/app.js")
    assert gone["stale"] is True and gone["gone"] is True
    assert "stale: the file is gone from the work tree" in cli_run(repo, "show",
                                                                   "web/app.js").stdout


def test_show_json_has_the_contract_keys(repo):
    cli_run(repo, "init")
    record = cli_json(repo, "show", "src/invoices.py")
    for key in ("path", "language", "overview", "functions", "classes", "imports", "exports",
                "documenter", "content_sha", "documented_at"):
        assert key in record
    assert record["classes"][0]["name"] == "InvoiceTotaler"
    assert record["documenter"] == "builtin"


def test_show_renders_for_people(repo):
    cli_run(repo, "init")
    result = cli_run(repo / "src", "show", "invoices.py")
    assert result.exit_code == 0, result.output
    assert "parse_invoice" in result.stdout and "InvoiceTotaler" in result.stdout


def test_show_gives_a_class_bases_as_its_language_reads(repo):
    """`class X(Base)` is Python's way: a Java class that implements Provider is not
    shown as if Python had written it."""
    write(repo, {"src/Line.java": "/** Line endings. */\npublic class LineEndings "
                                  "implements Provider {\n  void read() {}\n}\n",
                 "src/shapes.py": "class Square(Shape):\n    def area(self):\n"
                                  "        return 1\n"})
    commit_all(repo, "two classes with bases")
    cli_run(repo, "init")
    java = cli_run(repo, "show", "src/Line.java")
    assert java.exit_code == 0, java.output
    assert "class LineEndings (based on Provider)" in java.stdout
    assert "LineEndings(Provider)" not in java.stdout
    assert "class Square(Shape)" in cli_run(repo, "show", "src/shapes.py").stdout


def test_a_file_of_thousands_of_functions_shows_the_first_and_says_how_many_more(
        repo, monkeypatch):
    # a generated file of 52,000 functions took 23 s to lay out; search read them all
    from codequery import ranking

    write(repo, {"src/generated.py": "".join(f"def handler_{i}(event):\n    return {i}\n"
                                             for i in range(260))})
    commit_all(repo, "generated")
    cli_run(repo, "init")
    shown = cli_run(repo, "show", "src/generated.py").stdout
    assert "handler_199(" in shown and "handler_200(" not in shown
    assert "… and 60 more (`codequery show --json` lists them all)" in shown
    assert len(cli_json(repo, "show", "src/generated.py")["functions"]) == 260
    monkeypatch.setattr(ranking, "DEFINITIONS_READ", 100)
    doc = cli_json(repo, "show", "src/generated.py")
    assert len(list(ranking.symbol_names(doc))) == len(ranking.symbol_lines(doc)) == 100
    assert len(ranking.symbols_of(doc, ranking.DEFINITIONS_READ)) == 100
    assert len(ranking.symbols_of(doc)) == 260  # as the full-text index is derived
    # past what a search reads, a name is still found by the full-text index, and what
    # the search shows of the file comes from the first DEFINITIONS_READ, and of the
    # rest, the definition named exactly as asked
    [hit] = [r for r in cli_json(repo, "search", "handler_259")
             if r["path"] == "src/generated.py"]
    assert [s["name"] for s in hit["symbols"]] == ["handler_259"]
    [hit] = [r for r in cli_json(repo, "search", "handler_25*")
             if r["path"] == "src/generated.py"]
    assert "handler_259" not in [s["name"] for s in hit["symbols"]]  # no prefix past them


def test_show_unknown_path_is_a_clear_error(repo):
    cli_run(repo, "init")
    result = cli_run(repo, "show", "nope.py")
    assert result.exit_code == 1
    assert "no record for nope.py: git does not track it" in result.stderr
    long = cli_run(repo, "show", "x" * 5000)  # a path pasted wrong is not echoed whole
    assert long.exit_code == 1 and len(long.stderr) < 400
    assert "... (5000 characters): git does not track it" in long.stderr


def test_an_error_naming_a_path_with_a_line_break_or_an_escape_code_stays_one_line(repo):
    cli_run(repo, "init")
    result = cli_run(repo, "show", "a\nb\x1b[31m.py")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "\x1b" not in result.stderr
    assert "no record for a\\nb\\x1b[31m.py" in result.stderr


@pytest.mark.parametrize("name,content,why", [
    ("bin.dat", b"\x00\x01", "binary"), ("big.txt", "x" * (MAX_FILE_BYTES + 1), "too large")])
def test_show_of_a_skipped_file_says_why_and_gives_no_useless_advice(repo, name, content,
                                                                     why):
    write(repo, {name: content})
    commit_all(repo, "a file codequery skips")
    cli_run(repo, "init")
    result = cli_run(repo, "show", name)
    assert result.exit_code == 1
    assert result.stderr == (f"error: {name} is tracked but skipped ({why}): codequery keeps "
                             "no record of it\n")


def test_show_of_an_excluded_file_says_it_is_skipped(repo):
    from tests.helpers import configure

    cli_run(repo, "init", "--no-document")
    configure(repo, files={"exclude": ["web/*"]})
    result = cli_run(repo, "show", "web/app.js")
    assert "web/app.js is tracked but skipped (excluded)" in result.stderr


def test_show_of_a_tracked_file_not_documented_yet_says_how_to_document_it(repo):
    cli_run(repo, "init", "--no-document")
    result = cli_run(repo, "show", "README.md")
    assert result.exit_code == 1
    assert "no record for README.md yet; `codequery document README.md`" in result.stderr
    assert cli_run(repo, "document", "README.md").exit_code == 0  # the advice works
    assert cli_json(repo, "show", "README.md")["path"] == "README.md"


def test_search_imports_neither_the_worker_nor_pydantic(repo):
    """A search starts quickly: the worker, the settings' validation and the tables stay
    unloaded (`--json`), as `python -X importtime` shows."""
    cli_run(repo, "init")
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "codequery", "-C", str(repo), "search",
         "invoice", "--json"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)[0]["path"] == "src/invoices.py"
    loaded = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines()}
    assert loaded & {"huey", "pydantic", "psutil", "rich", "git", "mcp"} == set()
    piped = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "codequery", "-C", str(repo), "search",
         "invoice"], capture_output=True, text=True)
    assert piped.stdout.startswith("src/invoices.py"), piped.stderr[-2000:]
    loaded = {line.split("|")[-1].strip().split(".")[0] for line in piped.stderr.splitlines()}
    assert "rich" not in loaded


def test_piped_results_show_the_overview_once(capsys):
    from codequery.cli.reading import _print_plain

    overview = "Request: a Koa **Request** object is an abstraction on top of the request " * 3
    _print_plain([{"path": "docs/request.md", "score": 1.5, "stale": False,
                   "snippet": overview[:150] + " …", "overview": overview.replace("**", "")},
                  {"path": "lib/a.js", "score": 1.0, "stale": True, "snippet": "**a**: b",
                   "overview": "Defines a."}])
    assert capsys.readouterr().out.splitlines() == [
        "docs/request.md  1.50", "    " + overview[:150] + " …",
        "lib/a.js  1.00  (stale)", "    **a**: b", "    Defines a."]


def test_a_copy_of_a_file_is_shown_once_with_its_other_paths(repo):
    # ZString's Unity package repeats its library byte for byte
    code = "".join(f"def step_{i}(invoice):\n    return invoice['total{i}']\n\n"
                   for i in range(12))
    write(repo, {"src/totals.py": code, "unity/Assets/Scripts/totals.py": code})
    commit_all(repo, "copies")
    cli_run(repo, "init")
    results = cli_json(repo, "search", "invoice totals steps")
    paths = [r["path"] for r in results]
    assert paths.count("src/totals.py") == 1 and "unity/Assets/Scripts/totals.py" not in paths
    shown = next(r for r in results if r["path"] == "src/totals.py")
    assert shown["copies"] == ["unity/Assets/Scripts/totals.py"]
    assert all(r["copies"] == [] for r in results if r is not shown)
    piped = cli_run(repo, "search", "invoice totals steps").stdout
    assert "    also at unity/Assets/Scripts/totals.py" in piped.splitlines()
    table = _in_a_terminal(repo, "search", "invoice totals steps")
    assert "also at" in table and "totals.py" in table
    # a copy edited since (not documented again yet) is a copy no longer
    write(repo, {"unity/Assets/Scripts/totals.py": code + "# changed\n"})
    shown = next(r for r in cli_json(repo, "search", "invoice totals steps")
                 if r["path"] == "src/totals.py")
    assert shown["copies"] == []


def test_control_characters_in_a_record_never_reach_the_terminal_or_mark_a_match(tmp_path):
    from tests.helpers import make_repo

    repo = make_repo(tmp_path / "odd", {"paint.py": '"""Terminal \x1b[31mred\x1b[0m colour '
                                        'and \x02bell\x03 codes."""\n\n\ndef paint():\n'
                                        '    """Paint \x1b]0;title\x07 text."""\n'})
    cli_run(repo, "init")
    piped = cli_run(repo, "search", "terminal colour")
    [hit] = cli_json(repo, "search", "terminal colour")
    shown = cli_run(repo, "show", "paint.py")
    for text in (piped.stdout, hit["snippet"], shown.stdout):
        assert not any(ord(ch) < 32 and ch != "\n" for ch in text), repr(text)
    assert "**bell**" not in hit["snippet"]  # a \x02 of the file is not a mark
    assert "**Terminal**" in hit["snippet"]


def test_a_records_text_reaches_the_terminal_whole_but_its_escape_codes_do_not(tmp_path):
    from tests.helpers import make_repo

    repo = make_repo(tmp_path / "odd", {"fa.py": '"""Saves می\u200cخواهم 👩\u200d💻 10\u00a0MB '
                                        'in \x1b[31mred\x1b[0m \ue0b0."""\n'})
    cli_run(repo, "init")
    piped = cli_run(repo, "search", "saves")
    shown = cli_run(repo, "show", "fa.py")
    whole = "Saves می\u200cخواهم 👩\u200d💻 10 MB in red \ue0b0."
    assert piped.stdout.splitlines()[1:] == ["    **Saves**" + whole[5:]]
    assert whole in shown.stdout and "[31m" not in shown.stdout, repr(shown.stdout)


@pytest.mark.parametrize(("snippet", "shown", "bold"), [
    ("Pass \\*\\*kwargs to the **widget**.", "Pass **kwargs to the widget.", ["widget"]),
    ("Pass \\*\\***kwargs** to the **widget**", "Pass **kwargs to the widget",
     ["kwargs", "widget"]),
    ("char \\*\\*\\***argv**) **widget**", "char ***argv) widget", ["argv", "widget"]),
    ("\\***kwargs**", "*kwargs", ["kwargs"]),
    ("on \\\\**widget** [red]x[/red]", "on \\widget [red]x[/red]", ["widget"]),
])
def test_the_table_shows_the_texts_own_stars_as_they_are_and_marks_only_matches(
        snippet: str, shown: str, bold: list[str]):
    from rich.text import Text

    from codequery.cli.reading import _highlight_marks

    text = Text.from_markup(_highlight_marks(snippet))
    assert text.plain == shown
    assert [text.plain[span.start:span.end] for span in text.spans] == bold


def test_piped_results_do_not_repeat_an_overviews_first_sentence(capsys):
    from codequery.cli.reading import _print_plain

    overview = "Defines createApplication (JavaScript module). createApplication: Create an app."
    _print_plain([{"path": "lib/express.js", "score": 1.5, "stale": False,
                   "snippet": "Defines createApplication (JavaScript module).",
                   "overview": overview},
                  {"path": "lib/api.js", "score": 1.0, "stale": False,
                   "snippet": "Defines api (JavaScript module).",
                   "overview": "Defines api (JavaScript module)."}])
    assert capsys.readouterr().out.splitlines() == [
        "lib/express.js  1.50", "    " + overview,
        "lib/api.js  1.00", "    Defines api (JavaScript module)."]


def test_piped_results_read_a_snippets_escaped_stars_as_the_texts_own(capsys):
    from codequery.cli.reading import _print_plain

    overview = "Pass **kwargs on to C:\\widgets. Render them."
    _print_plain([{"path": "render.py", "score": 1.0, "stale": False,
                   "snippet": "Pass \\*\\*kwargs on to C:\\\\widgets.", "overview": overview}])
    assert capsys.readouterr().out.splitlines() == ["render.py  1.00", "    " + overview]


def test_show_gives_a_type_without_methods_one_line_not_an_empty_table(repo):
    write(repo, {"src/Handling.cs": "namespace Acme;\n\n"
                 "/// <summary>How numbers are read.</summary>\n"
                 "public enum FloatParseHandling { Double, Decimal }\n"})
    commit_all(repo)
    cli_run(repo, "init")
    result = cli_run(repo, "show", "src/Handling.cs")
    assert result.exit_code == 0, result.output
    assert "enum FloatParseHandling: How numbers are read.  line 4" in result.stdout
    assert "signature" not in result.stdout  # no table header for no methods


def test_show_of_a_folder_asks_for_one_of_its_files(repo):
    cli_run(repo, "init")
    result = cli_run(repo, "show", "src")
    assert result.exit_code == 1
    assert "src is a folder; give one of its files" in result.stderr


def test_search_prints_a_path_with_a_line_break_quoted_on_one_line(tmp_path):
    from tests.helpers import make_repo

    repo = make_repo(tmp_path / "odd", {"new\nline.py": "def newline_name():\n    pass\n"})
    cli_run(repo, "init")
    first, *_ = cli_run(repo, "search", "newline_name").stdout.splitlines()
    # with the line where the function asked for is defined
    assert first.split() == ['"new\\nline.py"', first.split()[1], "line", "1"]
    assert cli_json(repo, "search", "newline_name")[0]["path"] == "new\nline.py"  # JSON: as is
    # and `show` takes the path as search printed it
    assert cli_json(repo, "show", first.split()[0])["path"] == "new\nline.py"
    # as a shell passes it, its quotes taken off
    assert cli_json(repo, "show", "new\\nline.py")["path"] == "new\nline.py"
    missing = cli_run(repo, "show", '"nothing\\nhere.py"')
    assert missing.exit_code == 1 and "nothing" in missing.stderr


def test_no_results_for_a_huge_query_echoes_only_its_start(repo):
    cli_run(repo, "init")
    query = "zqxj" * 450  # under MAX_QUERY_CHARS (longer is an error, not echoed)
    result = cli_run(repo, "search", query)
    assert result.exit_code == 0
    assert result.stderr.startswith(f"no results for {query[:60]!r}... (1800 characters) ")
    short = cli_run(repo, "search", "zqxj")
    documented = cli_json(repo, "status")["index"]["documented"]
    assert short.stderr == (f"no results for 'zqxj' among {documented} documented files: "
                            "try other words, or names from the code\n")


def test_no_results_names_the_files_edited_since_they_were_documented(repo):
    # a trial's agent searched for a word it had just written into a file, uncommitted:
    # nothing said that the edit was not indexed yet
    write(repo, {"src/sort.py": "def order(items):\n    return sorted(items)\n"})
    commit_all(repo, "sort")
    cli_run(repo, "init")
    write(repo, {"src/sort.py": "def order(items):\n    return zqxjlike(items)\n"})
    said = cli_run(repo, "search", "zqxjlike").stderr
    assert said.rstrip("\n").endswith(
        "; edited since documented, their new words not indexed yet: src/sort.py "
        "(`codequery document` indexes them)")


def test_no_results_in_an_empty_index_says_the_index_is_empty(repo):
    cli_run(repo, "init", "--no-document")
    result = cli_run(repo, "search", "zqxj")
    assert result.exit_code == 0
    assert "no results for 'zqxj': the index is empty" in result.stderr


@pytest.mark.parametrize("lines,shown", [(None, ""), ([4, 4], "  line 4"),
                                         ([3, 5], "  lines 3-5")])
def test_plain_output_says_where_the_words_meet(lines, shown):
    from codequery.cli import search_output

    assert search_output.meeting({"lines": lines}) == shown


@pytest.mark.parametrize(("result", "shown"), [
    ({"lines": [7, 21], "snippet_line": 109}, "  (line 109)"),
    ({"lines": [100, 120], "snippet_line": 109}, ""),  # the snippet is of those lines
    ({"lines": None, "snippet_line": 109}, ""),  # then meeting names its line
    ({"lines": [7, 21], "snippet_line": None}, ""),
    ({"lines": [104, 110], "snippet_line": 100}, ""),  # the body the lines fall in
    ({"lines": [7, 21], "snippet_line": 109, "stale": True}, ""),  # two versions
    ({"lines": None, "snippet_line": 80, "symbols": [{"name": "retry", "line": 10}]},
     "  (line 80)")])
def test_plain_output_says_where_a_snippet_from_elsewhere_is(result, shown):
    from codequery.cli import search_output

    assert search_output.snippet_place(result) == shown
    if not result["lines"]:
        # the first symbol named with the question's words, else the snippet's
        assert search_output.meeting(result) == (
            "  line 10" if result.get("symbols") else "  line 109")
    printed = search_output.plain([{"path": "src/net.py", "score": 1.0, "stale": False,
                                    "snippet": "**peer**: The client address.",
                                    "overview": "Sockets.", **result}])
    assert printed.splitlines()[1] == "    **peer**: The client address." + shown


def test_a_utf16_csharp_file_is_documented_searched_and_shown_as_text(repo):
    source = ("/// <summary>Rounds every invoice total to whole cents.</summary>\n"
              "public class CentRounding\n{\n"
              "    public decimal Round(decimal total) => total;\n}\n")
    write(repo, {"src/CentRounding.cs": source.encode("utf-16")})
    commit_all(repo, "a file Visual Studio saved as UTF-16")
    cli_run(repo, "init")
    results = cli_json(repo, "search", "how are invoice totals rounded to cents")
    assert results[0]["path"] == "src/CentRounding.cs"
    assert results[0]["lines"] is not None  # read for rescoring as text too
    assert not results[0]["stale"]
    shown = cli_json(repo, "show", "src/CentRounding.cs")
    assert "CentRounding" in json.dumps(shown)


def test_a_latin_1_file_reads_as_it_was_written(repo):
    # "café naïve" had been shown as "caf\ufffd na\ufffdve"
    write(repo, {"src/menu.py": 'def order_coffee():\n    """Serve a café crème, naïve '
                                'style."""\n'.encode("latin-1"),
                 "src/mixed.py": "def f():\n    \"\"\"Un café.\"\"\"\n".encode() + b"# \xff\n"})
    commit_all(repo, "a legacy file, and UTF-8 with a stray byte")
    cli_run(repo, "init")
    [menu] = cli_json(repo, "show", "src/menu.py")["functions"]
    assert menu["summary"] == "Serve a café crème, naïve style."
    assert "Un café." in json.dumps(cli_json(repo, "show", "src/mixed.py"), ensure_ascii=False)
    [hit] = [r for r in cli_json(repo, "search", "naïve café") if r["path"] == "src/menu.py"]
    assert "café" in hit["snippet"]


def test_an_unknown_option_says_how_to_search_for_it(initialized_repo):
    result = cli_run(initialized_repo, "search", "retry", "-x")
    assert result.exit_code == 2
    assert "put -- before the query: codequery search [OPTIONS] -- WORDS" in result.stderr
    misspelt = cli_run(initialized_repo, "search", "--jsn", "retry").stderr
    assert "Did you mean '--json'?" in misspelt and "put --" not in misspelt
    found = cli_run(initialized_repo, "search", "--json", "--", "-x")
    assert found.exit_code == 0 and json.loads(found.stdout) == []
    # show takes a path, which may start with '-' too
    result = cli_run(initialized_repo, "show", "-notes.md")
    assert result.exit_code == 2
    assert "put -- before it (or ./): codequery show [OPTIONS] -- PATH" in result.stderr


def test_show_into_a_pipe_wraps_a_long_overview_whole(tmp_path):
    from tests.helpers import make_repo

    words = " ".join(f"word{i}" for i in range(30))
    repo = make_repo(tmp_path / "long", {"m.py": f'"""{words}."""\n\ndef f():\n    pass\n'})
    cli_run(repo, "init")
    shown = cli_run(repo, "show", "m.py").stdout
    assert "word0" in shown and "word29" in shown  # whole, not cut off


def test_show_into_a_pipe_is_plain_text_with_each_name_whole(repo):
    # a trial's agent read `show | cat` as an 80-column table that cut
    # `MarkFlagsMutuallyExclusiv` / `e` in two
    long_name = "mark_flags_mutually_exclusive_when_the_command_is_invoked_" * 2
    write(repo, {"src/groups.py": f'"""Flag groups."""\n\n\nclass Groups(Base):\n'
                                  f'    def {long_name}(self, names):\n'
                                  f'        """Mark the flags exclusive."""\n'})
    commit_all(repo, "groups")
    cli_run(repo, "init")
    lines = cli_run(repo, "show", "src/groups.py").stdout.splitlines()
    assert lines[0].startswith("src/groups.py  python, 6 lines, ")
    assert lines[1].startswith("by builtin at ") and lines[3] == "Flag groups."
    # with its line, as a class without methods has it (a trial: only --json had it)
    assert "class Groups(Base)  line 4" in lines
    at = next(k for k, line in enumerate(lines) if long_name in line)
    assert lines[at].split(maxsplit=1) == ["5", f"def {long_name}(self, names)"]
    assert lines[at + 1].strip() == "Mark the flags exclusive."
    assert not any(ch in "".join(lines) for ch in "│┃╭━")  # no table, no panel


def test_show_heads_methods_on_a_type_declared_elsewhere_as_such():
    from codequery.cli.record_text import class_title

    record = {"language": "go"}
    assert class_title(record, {"name": "Command", "defined": False}) == "methods of Command"
    assert class_title(record, {"name": "Group", "summary": "A group."}) == (
        "class Group: A group.")


def test_piped_results_say_a_symbols_line_once_and_cut_an_overview_at_a_word(capsys):
    from codequery.cli.reading import _print_plain

    overview = ("Defines BaseLauncher, BaseLauncher.decoratorFactory (JavaScript module). "
                "BaseLauncher: Base launcher that any custom launcher extends.")
    long = "Defines " + ", ".join(f"handler_number_{i}" for i in range(12)) + " (Python module)."
    _print_plain([{"path": "lib/base.js", "score": 2.0, "stale": False,
                   "snippet": "**BaseLauncher**: Base **launcher** that any custom "
                              "**launcher** extends.", "overview": overview},
                  {"path": "lib/many.py", "score": 1.0, "stale": False, "snippet": "",
                   "overview": long}])
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == [
        "lib/base.js  2.00",
        "    **BaseLauncher**: Base **launcher** that any custom **launcher** extends.",
        "    Defines BaseLauncher, BaseLauncher.decoratorFactory (JavaScript module)."]
    assert out[3] == "lib/many.py  1.00"
    shown = out[4].removeprefix("    ")
    assert len(shown) <= 160 and shown.endswith("…")
    assert long.startswith(shown[:-1]) and long[len(shown) - 1] in " ,"  # a whole word


def test_a_query_with_a_byte_that_is_no_utf8_is_refused_in_words(initialized_repo):
    # a review: a path-like query with such a byte ended in "codequery hit a bug"
    import os

    query = os.fsdecode(b"src/x\xff.py")
    for result in (run_installed(initialized_repo, "search", query),
                   run_installed(initialized_repo, "search", "--json", query)):
        assert result.returncode == 1 and result.stdout == ""
        assert "the query is not valid text: character 6" in result.stderr
        assert "bug" not in result.stderr
    # as the MCP server asks: half a surrogate pair in JSON (the official client cannot
    # send one; a raw client can) had been an "unexpected" tool error
    from codequery import operations
    from codequery.errors import CodeQueryError
    from codequery.workspace import Workspace

    with pytest.raises(CodeQueryError, match="not valid text: character 4"):
        operations.search(Workspace(initialized_repo), "inv\ud800oice")


def test_a_config_that_is_no_json_still_lets_search_read_the_index(initialized_repo):
    # an edit half done, or a merge conflict, in config.json: the last good copy names
    # the dataset, and the search says what it did
    repo = initialized_repo
    settings = repo / ".code-query" / "config.json"
    settings.write_text("{\n<<<<<<< HEAD\n", encoding="utf-8")
    for result in (run_installed(repo, "search", "invoice"),  # the quick path
                   cli_run(repo, "search", "--limit", "5", "invoice")):  # click's
        assert result.stdout.startswith("src/invoices.py"), result.stderr
        assert "config.json is not valid JSON; read the index as its last good copy" \
            in " ".join(result.stderr.split())
    # the other commands that read on say so too (a new user's trial: they said nothing)
    for result in (cli_run(repo, "show", "src/invoices.py"),
                   cli_run(repo, "queue", "list")):
        assert result.exit_code == 0, result.stderr
        assert "config.json is not valid JSON; read the index as its last good copy" \
            in " ".join(result.stderr.split())
    (repo / ".code-query" / "config.last.json").unlink()  # no copy: the error, as before
    failed = run_installed(repo, "search", "invoice")
    assert failed.returncode != 0 and "not valid JSON" in failed.stderr
    assert failed.stdout == ""


@pytest.mark.parametrize("text,said", [
    ("[]", "does not hold a JSON object of settings"),
    ('"hi"', "does not hold a JSON object of settings"),
    ('{"version": 1}', "does not name a dataset")])
def test_a_config_that_is_json_but_no_settings_still_lets_search_read_the_index(
        initialized_repo, text, said):
    # a new user's trial: `[]` or `{"version": 1}` stopped search and status, where a
    # config that is no JSON read on from the last good copy
    repo = initialized_repo
    (repo / ".code-query" / "config.json").write_text(text, encoding="utf-8")
    for result in (run_installed(repo, "search", "invoice"),
                   cli_run(repo, "search", "--limit", "5", "invoice")):
        assert result.stdout.startswith("src/invoices.py"), result.stderr
        assert f"config.json {said}; read the index as its last good copy" \
            in " ".join(result.stderr.split())
    status = cli_run(repo, "status")
    assert status.exit_code == 0, status.stderr
    told = " ".join(status.stdout.split())
    assert "(this report reads its last good copy)" in told
    if text.startswith("{"):
        assert "dataset: missing" in told
    else:  # in JSON's words, not the validation library's
        assert "must hold a JSON object of settings, not a" in told
        assert "instance of Config" not in told


def test_a_config_that_is_json_but_invalid_is_warned_of_and_search_goes_on(initialized_repo):
    # a new user's trial: `status` failed on it while `search` said nothing
    import json

    repo = initialized_repo
    settings = repo / ".code-query" / "config.json"
    good = settings.read_text(encoding="utf-8")
    settings.write_text(json.dumps({**json.loads(good), "documenter": {"name": "bogus"}}),
                        encoding="utf-8")
    for result in (run_installed(repo, "search", "invoice"),  # the quick path
                   cli_run(repo, "search", "--limit", "5", "invoice")):  # click's
        assert result.stdout.startswith("src/invoices.py"), result.stderr
        said = " ".join(result.stderr.split())
        assert "warning: invalid config" in said and "documenter.name" in said
        assert "(the index is read all the same)" in said
    edited = {**json.loads(good), "documenter": {"name": "builtin", "timeout_seconds": 99}}
    settings.write_text(json.dumps(edited), encoding="utf-8")  # good, unlike its copy
    for _ in range(2):  # checked once, then known good by its copy
        result = run_installed(repo, "search", "invoice")
        assert result.stdout.startswith("src/invoices.py") and result.stderr == ""
    assert (repo / ".code-query" / "config.last.json").read_text(
        encoding="utf-8") == json.dumps(edited)


def test_no_results_names_a_file_left_out_of_the_index_that_the_words_name(initialized_repo):
    repo = initialized_repo
    write(repo, {"data/huge_table.py": "x = 1\n" * 1_000_000})  # over the size limit
    commit_all(repo, "a generated table")
    assert cli_run(repo, "document").exit_code == 0
    said = run_installed(repo, "search", "huge_table").stderr
    assert "no results for 'huge_table'" in said
    assert "not indexed: data/huge_table.py (too large" in said
    assert "too large to index" not in said  # named already
    elsewhere = run_installed(repo, "search", "zebra").stderr
    assert "not indexed" not in elsewhere
    # the answer may be in it all the same (a name in a 10 MB file)
    # named (a new user's trial: "grep them" did not say which)
    assert ("1 file too large to index was not searched (grep them): data/huge_table.py"
            in elsewhere)


def test_piped_results_say_a_sentence_of_the_overview_once(capsys):
    # "Defines spaceCadetFrob (Swift)." had come twice: the snippet, then the overview
    from codequery.cli.reading import _print_plain

    _print_plain([{"path": "a.swift", "score": 1.0, "stale": False,
                   "snippet": "Defines **spaceCadetFrob** (Swift).",
                   "overview": "Defines spaceCadetFrob (Swift). Frobs the cadet."}])
    assert capsys.readouterr().out.splitlines() == [
        "a.swift  1.00", "    Defines **spaceCadetFrob** (Swift).", "    Frobs the cadet."]


def test_piped_results_say_the_kind_of_anything_but_source(capsys):
    # a test ranked 2nd had read as one more source file
    from codequery.cli.reading import _print_plain

    _print_plain([{"path": "src/a.py", "score": 2.0, "stale": False, "snippet": "x",
                   "overview": "", "kind": "source"},
                  {"path": "tests/test_a.py", "score": 1.0, "stale": False, "snippet": "y",
                   "overview": "", "kind": "test"}])
    heads = [line for line in capsys.readouterr().out.splitlines() if not line[0].isspace()]
    assert heads == ["src/a.py  2.00", "tests/test_a.py  1.00  [test]"]


def test_piped_results_keep_an_overview_whole_when_the_snippet_is_one_of_its_words(capsys):
    from codequery.cli.reading import _print_plain

    overview = "Prints titles; truncated ones are rerun later."
    _print_plain([{"path": "a.py", "score": 1.0, "stale": False, "snippet": "**run**",
                   "overview": overview}])
    assert capsys.readouterr().out.splitlines() == ["a.py  1.00", "    **run**",
                                                    "    " + overview]


def test_piped_results_without_an_overview_are_printed(capsys):
    # a spec or a generated parser has no overview: a symbol's line in the snippet
    # (`name: summary`) was looked for in it and crashed the plain output
    from codequery.cli.reading import _print_plain

    _print_plain([{"path": f"spec/{n}.rb", "score": 1.0, "stale": False,
                   "snippet": "**deliver**: sends the **mail**", "overview": overview}
                  for n, overview in (("a", ""), ("b", None), ("c", "x"))])
    assert capsys.readouterr().out.splitlines() == [
        "spec/a.rb  1.00", "    **deliver**: sends the **mail**",
        "spec/b.rb  1.00", "    **deliver**: sends the **mail**",
        "spec/c.rb  1.00", "    **deliver**: sends the **mail**", "    x"]


def test_a_server_that_had_read_the_config_searches_on_when_it_breaks(initialized_repo):
    # the MCP server reads the whole config for status and metrics: a later edit that
    # is no JSON must not stop its searches either
    from codequery import operations
    from codequery.workspace import Workspace

    ws = Workspace(initialized_repo)
    assert ws.config.dataset  # read whole
    settings = initialized_repo / ".code-query" / "config.json"
    settings.write_text('{"dataset": ', encoding="utf-8")
    assert [r["path"] for r in operations.search(ws, "invoice", 5)][0] == "src/invoices.py"
    assert "not valid JSON" in ws.settings_trouble


def test_a_query_too_long_is_one_clear_error_not_a_crash(initialized_repo):
    # a word of 51,000 characters was more than SQLite's LIKE takes: "hit a bug"
    result = run_installed(initialized_repo, "search", "y" * 51_000)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "the query is too long (51,000 characters; at most 2,000)" in result.stderr
    assert "hit a bug" not in result.stderr
    assert run_installed(initialized_repo, "search", "invoice " * 200).returncode == 0


def test_minus_c_after_the_command_says_where_it_goes(initialized_repo):
    result = cli_run(initialized_repo, "search", "-C", str(initialized_repo), "invoice")
    assert result.exit_code == 2
    assert "-C DIR goes before the command: codequery -C DIR search WORDS" in result.stderr


def test_no_results_names_no_skipped_file_for_a_stop_word(initialized_repo):
    # "the" is no word of a question: `theme.bin` is not what "the zebra" names
    repo = initialized_repo
    write(repo, {"assets/theme.bin": "\0" * 100})
    commit_all(repo, "a binary")
    assert cli_run(repo, "document").exit_code == 0
    assert "not indexed" not in run_installed(repo, "search", "the zebra").stderr
    assert "not indexed: assets/theme.bin (binary)" in \
        run_installed(repo, "search", "theme").stderr


def test_search_help_tells_the_query_limit_that_holds(repo):
    from codequery import operations

    said = " ".join(cli_run(repo, "search", "--help").output.split())
    assert f"at most {operations.MAX_QUERY_CHARS:,} characters" in said
    assert "puts that file first" in said


def test_the_snippet_is_the_definition_the_lines_shown_fall_in(initialized_repo):
    # loguru: "add a custom log level" pointed at Logger.level's lines and showed the
    # snippet of Logger.add, which held as many of the words
    filler = "".join(f"        step_{i} = {i}\n" for i in range(120))
    write(initialized_repo, {"src/logbook.py": (
        "class Logbook:\n"
        "    def add(self, sink):\n"
        '        """Add a handler sending log messages to a sink."""\n'
        + filler +
        "    def level(self, name, number):\n"
        '        """Add, update or retrieve a logging level."""\n'
        "        # a custom level: add it to the known levels, log at it\n"
        "        self.levels[name] = number\n"
        "        return self.custom_level(name)\n")})
    commit_all(initialized_repo, "logbook")
    cli_run(initialized_repo, "document")
    [hit] = [r for r in cli_json(initialized_repo, "search", "add a custom log level")
             if r["path"] == "src/logbook.py"]
    assert hit["lines"] and hit["lines"][0] > 120, hit
    assert hit["snippet"].startswith("**level**:"), hit["snippet"]


def test_a_query_of_common_words_only_says_so_on_both_paths(initialized_repo):
    # a trial's "the how where" ranked files by "the", and said nothing of it
    note = "every word of the query is a common word (the, how, where)"
    assert note in run_installed(initialized_repo, "search", "the how where").stderr
    assert note in cli_run(initialized_repo, "search", "the", "how", "where").stderr
    for query in ("how is the invoice parsed", "where is parse_invoice"):
        assert "common word" not in run_installed(initialized_repo, "search", query).stderr


def test_a_search_for_a_file_not_documented_yet_says_so(initialized_repo, monkeypatch):
    monkeypatch.setenv("CODEQUERY_SKIP", "1")  # the hook documents nothing
    write(initialized_repo, {"lib/kookaburra.js": "function laugh() { return 1; }\n"})
    commit_all(initialized_repo, "a bird")
    for result in (run_installed(initialized_repo, "search", "lib/kookaburra.js"),  # quick
                   cli_run(initialized_repo, "search", "-n", "3", "lib/kookaburra.js")):
        assert ("note: no record for lib/kookaburra.js yet; `codequery document "
                "lib/kookaburra.js` documents it") in result.stderr


def test_a_folder_path_as_the_query_puts_its_files_first(initialized_repo, monkeypatch):
    # a new user's trial: `search lib/internal/` gave a file of `support/` first
    monkeypatch.setenv("CODEQUERY_SKIP", "1")
    write(initialized_repo, {"lib/internal/queue.js": "function drain() {}\n",
                             "lib/internal/heap.js": "function push() {}\n",
                             "support/internal_tools.js": "// internal lib helpers\n"
                                                          "function internalLib() {}\n"})
    commit_all(initialized_repo, "folders")
    assert cli_run(initialized_repo, "document").exit_code == 0
    write(initialized_repo, {"lib/top.js": "function top() {}\n"})
    commit_all(initialized_repo, "a file at the top of lib")
    assert cli_run(initialized_repo, "document").exit_code == 0
    # a folder at the top, said so by its last slash (a review: `src/` was words)
    assert cli_json(initialized_repo, "search", "lib/")[0]["path"].startswith("lib/")
    for query in ("lib/internal/", "lib/internal", "./lib/internal"):
        found = [r["path"] for r in cli_json(initialized_repo, "search", query)]
        assert found[:2] == ["lib/internal/heap.js", "lib/internal/queue.js"], (query, found)
    tests_only = cli_json(initialized_repo, "search", "--tests", "lib/internal/")
    assert not any(r["path"].startswith("lib/internal/") for r in tests_only)


def test_a_name_past_the_definitions_a_search_reads_still_gets_its_line(initialized_repo,
                                                                         monkeypatch):
    # a new user's trial: in a generated file of 10,000 functions, the 9,001st had no line
    from codequery import ranking

    monkeypatch.setenv("CODEQUERY_SKIP", "1")
    count = ranking.DEFINITIONS_READ + 100
    body = [f"function gen{i}Thing(a) {{ return a + {i}; }}" for i in range(count)]
    body.append("function capybaraSwim(water) { return water; }")
    write(initialized_repo, {"web/generated.js": "\n".join(body) + "\n"})
    commit_all(initialized_repo, "generated")
    assert cli_run(initialized_repo, "document").exit_code == 0
    [first, *_] = cli_json(initialized_repo, "search", "capybaraSwim")
    assert first["path"] == "web/generated.js"
    assert first["symbols"] == [{"name": "capybaraSwim", "kind": "function",
                                 "line": count + 1, "summary": ""}]
    assert first["snippet_line"] == count + 1
