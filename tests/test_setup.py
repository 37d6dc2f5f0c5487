import json

import pytest

from codequery import liveness, worker_control
from codequery.paths import RepoPaths
from tests.helpers import cli_run, run_installed


def test_the_wizard_asks_and_sets_up(repo):
    # dataset, documenter, mode, hooks, worker, document, MCP client
    answers = "billing\nbuiltin\nmanual\ny\nnone\ny\nclaude\n"
    result = cli_run(repo, "setup", input=answers)
    assert result.exit_code == 0, result.output
    for question in ("Dataset name", "Documenter", "What a commit does", "git hooks",
                     "Background worker", "Document every tracked file", "coding agent"):
        assert question in result.stderr
    mcp = json.loads((repo / ".mcp.json").read_text())
    assert mcp["mcpServers"]["codequery"]["args"] == ["-C", str(repo), "serve"]
    cfg = json.loads((repo / ".code-query/config.json").read_text())
    assert (cfg["dataset"], cfg["processing"]["mode"]) == ("billing", "manual")
    assert (repo / ".git/hooks/post-commit").exists()
    assert "3 documented" in result.stderr


def test_defaults_come_from_the_existing_config(repo):
    cli_run(repo, "init", "--dataset", "kept", "--mode", "sync", "--no-document")
    result = cli_run(repo, "setup", input="\n\n\nn\nnone\nn\n\n")
    assert result.exit_code == 0, result.output
    cfg = json.loads((repo / ".code-query/config.json").read_text())
    assert (cfg["dataset"], cfg["processing"]["mode"]) == ("kept", "sync")


def test_yes_runs_unattended_and_starts_the_worker(repo):
    try:
        result = cli_run(repo, "setup", "--yes", "--dataset", "quiet")
        assert result.exit_code == 0, result.output
        for question in ("Dataset name", "Documenter", "git hooks", "Background worker"):
            assert question not in result.stderr
        assert json.loads((repo / ".code-query/config.json").read_text())["dataset"] == "quiet"
        assert liveness.worker_alive(RepoPaths(repo))
    finally:
        worker_control.stop(RepoPaths(repo), timeout=5)


def test_flags_answer_their_questions(repo):
    result = cli_run(repo, "setup", "--dataset", "d", "--documenter", "builtin", "--mode",
                     "auto", "--no-hooks", "--worker", "none", "--no-document",
                     "--mcp-client", "none")
    assert result.exit_code == 0, result.output
    assert "Dataset name" not in result.stderr
    assert not (repo / ".git/hooks/post-commit").exists()


def test_each_question_lists_its_choices_once(repo):
    answers = "billing\nbuiltin\nmanual\nn\nnone\nn\nnone\n"
    result = cli_run(repo, "setup", input=answers)
    assert result.exit_code == 0, result.output
    assert result.stderr.count("(auto, manual, sync)") == 1
    assert result.stderr.count("(claude, cursor, vscode, none)") == 1


def test_without_answers_setup_says_to_pass_yes_or_flags(repo):
    import subprocess

    done = run_installed(repo, "setup", "--dataset", "d", stdin=subprocess.DEVNULL)
    assert done.returncode == 1
    assert "Aborted!" not in done.stderr
    [error] = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert "got no answer to 'Documenter" in error and "--yes" in error
    assert error.endswith("answer with flags: --documenter --mode --hooks/--no-hooks "
                          "--worker --document/--no-document --mcp-client")
    assert not (repo / ".code-query").exists()  # nothing was set up half-way


def test_the_command_documenter_is_set_up_with_its_command(repo):
    import sys

    result = cli_run(repo, "setup", "--documenter", "command", "--command",
                     f"{sys.executable} -c pass", "--yes", "--no-document", "--no-hooks",
                     "--worker", "none", "--mcp-client", "none")
    assert result.exit_code == 0, result.output
    cfg = json.loads((repo / ".code-query/config.json").read_text())
    assert cfg["documenter"]["command"] == [sys.executable, "-c", "pass"]


def test_the_command_documenter_without_a_command_sets_nothing_up(repo):
    result = cli_run(repo, "setup", "--documenter", "command", "--yes", "--no-document")
    assert result.exit_code == 1 and "pass --command" in result.stderr
    result = cli_run(repo, "init", "--documenter", "command", "--no-document")
    assert result.exit_code == 1 and "needs a command" in result.stderr
    assert not (repo / ".code-query").exists()  # not even its .gitignore


@pytest.mark.parametrize("first_answer", ["", "'unclosed\n"])
def test_the_wizard_asks_the_command_documenter_for_its_command(repo, first_answer):
    """Asked again for a command that does not split as init will split it."""
    import sys

    answers = f"d\n{first_answer}{sys.executable} -c pass\n\nauto\nn\nnone\nn\nnone\n"
    result = cli_run(repo, "setup", "--documenter", "command", input=answers)
    assert result.exit_code == 0, result.output
    assert "Command (the LLM CLI to run" in result.stderr
    assert ("No closing quotation" in result.stderr) == bool(first_answer)
    cfg = json.loads((repo / ".code-query/config.json").read_text())
    assert cfg["documenter"]["command"] == [sys.executable, "-c", "pass"]


def test_setup_out_of_answers_at_the_command_names_the_model_too(repo):
    import subprocess

    done = run_installed(repo, "setup", "--dataset", "d", "--documenter", "command",
                         stdin=subprocess.DEVNULL)
    assert done.returncode == 1
    [error] = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert "answer with flags: --command --model --mode" in error
