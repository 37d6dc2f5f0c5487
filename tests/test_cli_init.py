import json

from codequery.store import Store, connect
from tests.helpers import cli_run, make_repo


def test_init_writes_config_gitignore_database_and_documents(repo):
    result = cli_run(repo, "init")
    assert result.exit_code == 0, result.output
    state = repo / ".code-query"
    cfg = json.loads((state / "config.json").read_text())
    assert cfg["dataset"] == "repo"
    assert cfg["documenter"]["name"] == "builtin"
    assert "!config.json" in (state / ".gitignore").read_text()
    db = Store(connect(state / "code_data.db"), "repo")
    assert db.paths() == {"README.md", "src/invoices.py", "web/app.js"}
    assert "3 documented" in result.stderr


def test_init_options_set_config_fields(repo):
    result = cli_run(repo, "init", "--dataset", "billing", "--mode", "manual", "--model", "m1",
                     "--no-document")
    assert result.exit_code == 0, result.output
    cfg = json.loads((repo / ".code-query/config.json").read_text())
    assert (cfg["dataset"], cfg["processing"]["mode"], cfg["documenter"]["model"]) == (
        "billing", "manual", "m1")
    db = Store(connect(repo / ".code-query/code_data.db"), "billing")
    assert db.count() == 0
    # kept, and said to be unused by the builtin documenter (a trial: stored unsaid)
    assert ("note: the builtin documenter does not use --model; kept in the config for a "
            "documenter that does") in " ".join(result.stderr.split())
    claude = cli_run(repo, "init", "--documenter", "claude", "--command", "llm -m x",
                     "--no-document")
    # the model kept from before is claude's to use: only --command is said
    assert "the claude documenter does not use --command;" in " ".join(claude.stderr.split())


def test_init_twice_keeps_settings_and_redoes_nothing(repo):
    cli_run(repo, "init", "--mode", "sync")
    again = cli_run(repo, "init")
    assert again.exit_code == 0, again.output
    assert "0 documented, 3 unchanged" in again.stderr
    cfg = json.loads((repo / ".code-query/config.json").read_text())
    assert cfg["processing"]["mode"] == "sync"


def test_init_outside_a_git_repository_is_a_clear_error(tmp_path):
    result = cli_run(tmp_path, "init")
    assert result.exit_code == 1
    assert "not inside a git work tree" in result.stderr


def test_init_with_a_broken_config_says_what_is_wrong(repo):
    (repo / ".code-query").mkdir()
    (repo / ".code-query/config.json").write_text('{"dataset": "x", "colour": 1}')
    result = cli_run(repo, "init")
    assert result.exit_code == 1
    assert "colour" in result.stderr and "config.json" in result.stderr


def test_init_from_a_subdirectory_uses_the_top_level(repo):
    result = cli_run(repo / "src", "init", "--no-document")
    assert result.exit_code == 0, result.output
    assert (repo / ".code-query/config.json").exists()
    assert not (repo / "src/.code-query").exists()


def test_init_stages_the_config_and_keeps_the_rest_out_of_git(repo):
    result = cli_run(repo, "init")
    from tests.helpers import git

    assert "staged .code-query/config.json" in result.stderr
    status = git(repo, "status", "--porcelain", "--untracked-files=all")
    assert status.split() == ["A", ".code-query/.gitignore", "A", ".code-query/config.json"]
    # committed, init again: nothing to stage, nothing said; a changed setting is said again
    git(repo, "commit", "-q", "-m", "settings")
    again = cli_run(repo, "init", "--no-document").stderr
    assert "codequery: staged" not in again and "could not stage" not in again
    assert "staged .code-query/config.json" in cli_run(
        repo, "init", "--no-document", "--documenter", "command", "--command", "llm").stderr
    # the file back as committed, the change still staged: init stages it back too (a new
    # user's trial: init claude, then init builtin, left the index saying claude while the
    # file said builtin, and the next commit would have taken claude)
    config = repo / ".code-query" / "config.json"
    config.write_text(git(repo, "show", "HEAD:.code-query/config.json"))
    assert git(repo, "status", "--porcelain", "--", ".code-query").startswith("MM")
    cli_run(repo, "init", "--no-document")
    assert git(repo, "status", "--porcelain", "--", ".code-query").strip() == ""


def test_empty_repository_initialises(tmp_path):
    repo = make_repo(tmp_path / "empty", {})
    result = cli_run(repo, "init")
    assert result.exit_code == 0, result.output
    assert "0 documented" in result.stderr


def test_init_in_a_repository_that_ignores_code_query_says_why_and_how_to_stage(repo):
    from tests.helpers import commit_all, git

    (repo / ".gitignore").write_text("build/\n.code-query\n")
    commit_all(repo, "ignore the state folder")
    result = cli_run(repo, "init", "--no-document")
    assert result.exit_code == 0, result.output
    said = " ".join(result.stderr.split())
    assert ("could not stage .code-query/config.json: git ignores it "
            "(.gitignore:2: .code-query)") in said
    assert "hint:" not in said
    advice = "git add -f .code-query/config.json .code-query/.gitignore"
    assert advice in said
    git(repo, *advice.split()[1:])  # the advice works, and stages the settings alone
    status = git(repo, "status", "--porcelain", "--untracked-files=all")
    assert status.split() == ["A", ".code-query/.gitignore", "A", ".code-query/config.json"]
    # committed, init again: nothing to stage, nothing said; a changed setting is said again
    git(repo, "commit", "-q", "-m", "settings")
    again = cli_run(repo, "init", "--no-document").stderr
    assert "codequery: staged" not in again and "could not stage" not in again
    assert "staged .code-query/config.json" in cli_run(
        repo, "init", "--no-document", "--documenter", "command", "--command", "llm").stderr


def test_init_takes_the_command_documenters_command_in_one_step(repo):
    without = cli_run(repo, "init", "--documenter", "command", "--no-document")
    assert without.exit_code != 0 and "--command" in without.output
    assert not (repo / ".code-query" / "config.json").exists()
    result = cli_run(repo, "init", "--documenter", "command", "--model", "m1",
                     "--command", "my-llm -m {model} --system 'be brief; no prose'",
                     "--no-document", "--no-hooks")
    assert result.exit_code == 0, result.output
    cfg = json.loads((repo / ".code-query" / "config.json").read_text())
    assert cfg["documenter"]["command"] == ["my-llm", "-m", "{model}", "--system",
                                            "be brief; no prose"]
    unbalanced = cli_run(repo, "init", "--command", "my-llm 'open", "--no-document")
    assert unbalanced.exit_code == 2 and "--command" in unbalanced.output


def test_a_copy_of_a_file_is_counted_as_reused_not_documented_twice(tmp_path):
    from tests.helpers import make_repo

    body = "def shared():\n    return 1\n"
    repo = make_repo(tmp_path / "copies", {"a/util.py": body, "b/util.py": body})
    result = cli_run(repo, "init")
    assert result.exit_code == 0, result.output
    assert ("1 documented, 1 reused (the same content as a file documented before)"
            in result.stderr)
    assert "unchanged" not in result.stderr  # a first run changed every file's record


def test_the_progress_bar_shows_a_long_path_by_its_end_marked_as_cut():
    from codequery.cli.progress import _shortened

    long = "packages/" * 6 + "src/very/deep/file_name.ts"
    shown = _shortened(long)
    assert len(shown) == 40 and shown.startswith("…") and shown.endswith("/file_name.ts")
    assert _shortened("src/a.py") == "src/a.py"
    assert _shortened("src/new\nline.py") == '"src/new\\nline.py"'  # quoted as search does
