"""codequery setup: a wizard for a new user; every question also has a flag."""

from __future__ import annotations

import shutil
from pathlib import Path

import click
from rich.markup import escape

from codequery import blocking
from codequery import config as config_mod
from codequery.cli.app import State, cli, stderr_console
from codequery.errors import CodeQueryError
from codequery.workspace import default_dataset

WORKER_CHOICES = ("start", "service", "none")


@cli.command()
@click.option("--dataset", help="Name of this repository's dataset.")
@click.option("--documenter", type=click.Choice(["builtin", "claude", "command"]),
              help="Who writes the records (claude is offered when it is on PATH).")
@click.option("--model", help="Model for an LLM documenter (empty: the CLI's default).")
@click.option("--command", "command_line",
              help="With --documenter command: the LLM CLI to run, e.g. 'llm -m {model}' "
                   "(see `codequery init --help`).")
@click.option("--mode", type=click.Choice(["auto", "manual", "sync"]),
              help="What a commit does: " + config_mod.MODE_HELP)
@click.option("--hooks/--no-hooks", default=None, help="Install the git hooks.")
@click.option("--worker", type=click.Choice(WORKER_CHOICES),
              help="Start a worker now, install it as a per-user service, or neither.")
@click.option("--document/--no-document", default=None,
              help="Document every tracked file now.")
@click.option("--mcp-client", type=click.Choice(["claude", "cursor", "vscode", "none"]),
              help="Write the MCP config that connects this coding agent to the index.")
@click.option("--yes", is_flag=True, help="Accept the defaults for every question not given "
              "as a flag (runs unattended).")
@click.pass_context
def setup(ctx: click.Context, dataset: str | None, documenter: str | None, model: str | None,
          command_line: str | None, mode: str | None, hooks: bool | None, worker: str | None,
          document: bool | None, mcp_client: str | None, yes: bool) -> None:
    """Set codequery up in this repository, step by step.

    Asks for the dataset name, the documenter and its model, the processing mode, whether
    to install the git hooks, how the worker should run, whether to document everything
    now, and which coding agent to connect over MCP. Defaults come from an existing
    config. `--yes` accepts every default.
    """
    from codequery.cli.documents import NotDocumentedYet, init
    from codequery.cli.service_commands import install_service
    from codequery.cli.worker_commands import start

    state: State = ctx.obj
    ws = state.workspace
    current = (config_mod.load(ws.paths.config) if ws.paths.config.exists()
               else config_mod.Config(dataset=default_dataset(ws.root)))

    # The questions' flags in the order they are asked, without those given already.
    unanswered = [flag for flag, value in (
        ("--dataset", dataset), ("--documenter", documenter), ("--command", command_line),
        ("--model", model), ("--mode", mode), ("--hooks/--no-hooks", hooks),
        ("--worker", worker), ("--document/--no-document", document),
        ("--mcp-client", mcp_client))
        if value is None]

    def asking(flag: str, question: str, prompt):  # noqa: ANN001, ANN202
        try:
            return prompt()
        except click.Abort as exc:
            if isinstance(exc.__context__, KeyboardInterrupt):
                raise KeyboardInterrupt from None  # Ctrl-C: exit 130, as everywhere
            click.echo(err=True)  # the question is left without its line end
            # --model and --command matter to some documenters: named when they are the
            # question.
            asked = ("--command", "--model") if flag == "--command" else (flag,)
            left = " ".join(f for f in unanswered[unanswered.index(flag):]
                            if f not in ("--model", "--command") or f in asked)
            raise CodeQueryError(
                f"setup got no answer to {question!r}: its input ended (no terminal?); pass "
                f"--yes to accept the defaults, or answer with flags: {left}") from None

    def ask(value, flag: str, question: str, default, **options):  # noqa: ANN001, ANN202
        if value is not None or yes:
            return default if value is None else value
        return asking(flag, question,
                      lambda: click.prompt(question, default=default, err=True, **options))

    def confirm(value: bool | None, flag: str, question: str, default: bool = True) -> bool:
        if value is not None or yes:
            return default if value is None else value
        return asking(flag, question,
                      lambda: click.confirm(question, default=default, err=True))

    dataset = ask(dataset, "--dataset", "Dataset name", current.dataset)
    offered = ["builtin"] + (["claude"] if shutil.which(current.documenter.executable) else [])
    if current.documenter.name not in offered:
        offered.append(current.documenter.name)
    documenter = ask(documenter, "--documenter", "Documenter (builtin: offline analysis; "
                     "claude: the Claude CLI)", current.documenter.name,
                     type=click.Choice(offered))
    if documenter == "command" and command_line is None and not current.documenter.command:
        if yes:
            raise CodeQueryError("the command documenter needs a command: pass --command "
                                 "'...' (the LLM CLI to run, e.g. 'llm -m {model}')")
        command_line = asking("--command", "Command (the LLM CLI to run)",
                              lambda: click.prompt("Command (the LLM CLI to run, e.g. "
                                                   "'llm -m {model}')", err=True,
                                                   value_proc=_command_line))
    if documenter == "claude" and (reason := _cannot_call(current, ws.root)) is not None:
        # said now, not after every other question and a cost estimate of calls that
        # cannot be made
        stderr_console().print(
            f"codequery: the claude documenter cannot be called now: {escape(reason)}. The "
            "files wait in the queue until it can (a worker checks every "
            f"{blocking.RECHECK_SECONDS:.0f}s); `builtin` documents them offline meanwhile.")
    if documenter != "builtin":
        model = ask(model, "--model", "Model", current.documenter.model or "",
                    show_default=False) or None
    mode = ask(mode, "--mode", "What a commit does", current.processing.mode,
               type=click.Choice(["auto", "manual", "sync"]))
    hooks = confirm(hooks, "--hooks/--no-hooks", "Install the git hooks?")
    worker = ask(worker, "--worker", "Background worker: start it now, install it as a "
                 "service, or none", "start", type=click.Choice(WORKER_CHOICES))
    document = confirm(document, "--document/--no-document", "Document every tracked file now?")
    mcp_client = ask(mcp_client, "--mcp-client", "Connect a coding agent over MCP", "none",
                     type=click.Choice(["claude", "cursor", "vscode", "none"]))

    not_done = None
    try:
        outcome = ctx.invoke(init, documenter=documenter, model=model,
                             command_line=command_line, mode=mode, dataset=dataset,
                             no_hooks=not hooks, no_document=not document, yes=yes)
    except NotDocumentedYet as exc:  # (claude not logged in): the worker asked for takes
        not_done, outcome = exc, None  # their jobs, and goes on by itself once it can
    if outcome is not None and outcome.declined and worker in ("start", "service"):
        # a worker would make the very calls just refused
        stderr_console().print("codequery: the worker was not started, as it would document "
                               "those files now; `codequery worker start` when you want it")
        worker = "none"
    if worker == "start":
        ctx.invoke(start, threads=None)
    elif worker == "service":
        ctx.invoke(install_service, platform=None, dry_run=False)
    if mcp_client != "none":
        from codequery.cli.serve_commands import mcp_config

        ctx.invoke(mcp_config, client=mcp_client, write=True)
    if not_done is not None:
        raise not_done
    stderr_console().print("codequery: set up; try `codequery search WORDS` or "
                           "`codequery status`")


def _command_line(text: str) -> str:
    """A command as the wizard is given it, checked as init will split it (asked again
    when it cannot be)."""
    import shlex

    try:
        if shlex.split(text):
            return text
    except ValueError as exc:
        raise click.BadParameter(f"{exc}: {text!r}") from None
    raise click.BadParameter("the command is empty")


def _cannot_call(current: config_mod.Config, root: Path) -> str | None:
    """Why the claude documenter could not be called now (`claude auth status`, no model
    call), or None."""
    from codequery.documenters import create

    settings = current.documenter.model_copy(update={"name": "claude"})
    try:
        return create(settings, root).blocked()
    except CodeQueryError as exc:  # not installed, or not runnable
        return str(exc)
