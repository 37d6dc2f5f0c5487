import click
import pytest

from codequery import __version__
from codequery.cli.app import cli
from tests.helpers import cli_run


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # the top level loads its commands lazily
        command = group.get_command(ctx, name)
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


ALL = list(_commands(cli))


def test_every_command_module_is_listed():
    assert {path[0] for path, _ in ALL} >= {"init", "search", "worker", "queue", "serve"}


@pytest.mark.parametrize("path,command", ALL, ids=[" ".join(p) for p, _ in ALL])
def test_every_command_explains_itself(tmp_path, path, command):
    assert command.help and len(command.help.strip()) > 20
    for flag in ("-h", "--help"):
        result = cli_run(tmp_path, *path, flag)
        assert result.exit_code == 0
        assert "Usage:" in result.stdout
    for param in command.params:
        if isinstance(param, click.Option) and param.name not in ("help",):
            assert param.help, f"{' '.join(path)} {param.opts} has no help"


def test_version(tmp_path):
    assert cli_run(tmp_path, "--version").stdout.strip().endswith(__version__)


@pytest.mark.parametrize("command", ["init", "setup"])
def test_the_mode_help_says_manual_queues_nothing_without_a_worker(tmp_path, command):
    said = " ".join(cli_run(tmp_path, command, "--help").stdout.split())
    assert ("manual only wakes a running worker: with none, nothing is queued and the index "
            "catches up when one starts") in said
    assert "always queue" not in said


@pytest.mark.parametrize("command", ["stop", "restart"])
def test_worker_stop_help_says_running_llm_calls_are_killed(tmp_path, command):
    said = " ".join(cli_run(tmp_path, "worker", command, "--help").stdout.split())
    if command == "stop":
        assert "Documenter commands still running (LLM calls) are killed at once" in said
    assert "finish first" not in said and "let running jobs finish" not in said
    assert "before stopping it harder (SIGTERM, then SIGKILL)" in said


@pytest.mark.parametrize("args, says", [
    (["serve", "--port", "18767", "--token", "x"], "--port and --token need --http"),
    (["serve", "--token", "x"], "--token needs --http"),
    (["document", "src/invoices.py", "--priority", "low"], "--priority needs --queue"),
])
def test_an_option_that_needs_another_is_an_error_without_it(initialized_repo, args, says):
    # a new user's trial: `serve --port N --token T` served stdio, saying nothing
    result = cli_run(initialized_repo, *args)
    assert result.exit_code == 2 and says in result.stderr


def test_the_token_from_the_environment_is_no_error_for_stdio(initialized_repo, monkeypatch):
    monkeypatch.setenv("CODEQUERY_TOKEN", "x")
    result = cli_run(initialized_repo, "serve", "--port", "1")
    assert "--port needs --http" in result.stderr and "--token" not in result.stderr


@pytest.mark.parametrize("typed,meant", [
    ("serach", "search"), ("docter", "doctor"), ("statuss", "status"),
    ("mcp", "serve"), ("MCP", "serve"), ("reindex", "document --all")])
def test_a_command_mistyped_or_called_otherwise_is_named(tmp_path, typed, meant):
    # a new user's trial: `codequery mcp` and `codequery serach` said only "No such command"
    result = cli_run(tmp_path, typed)
    assert result.exit_code == 2
    assert f"No such command '{typed}'. Did you mean '{meant}'?" in result.output


def test_a_command_like_no_other_gets_no_guess(tmp_path):
    result = cli_run(tmp_path, "xyzzy")
    assert result.exit_code == 2
    assert "No such command 'xyzzy'." in result.output and "Did you mean" not in result.output
