"""init and document: building the index."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from codequery import config as config_mod
from codequery.cli.app import State, cli, require_with, stderr_console
from codequery.cli.failures import InterruptSaid
from codequery.cli.progress import file_progress
from codequery.errors import CodeQueryError
from codequery.local_run import Outcome, Request, document_now, prepare, submit
from codequery.printable import shown_path
from codequery.wording import plural
from codequery.workspace import STATE_GITIGNORE, Workspace, default_dataset

pass_state = click.pass_obj


def _apply_options(cfg: config_mod.Config, **options: str | None) -> config_mod.Config:
    data = cfg.model_dump()
    if options["dataset"]:
        data["dataset"] = options["dataset"]
    if options["documenter"]:
        data["documenter"]["name"] = options["documenter"]
    if options["model"]:
        data["documenter"]["model"] = options["model"]
    if options.get("command"):
        import shlex

        try:  # split as a shell would, never run by one
            data["documenter"]["command"] = shlex.split(options["command"])
        except ValueError as exc:
            raise click.BadParameter(f"{exc}: {options['command']!r}",
                                     param_hint="'--command'") from exc
    if options["mode"]:
        data["processing"]["mode"] = options["mode"]
    _warn_unused(data["documenter"]["name"], options)
    return config_mod.Config.model_validate(data)


def _warn_unused(documenter: str, options: dict[str, str | None]) -> None:
    """Options the chosen documenter does not use are kept (for a later switch), and
    said so: a trial's `init --command ...` with the builtin documenter passed unsaid."""
    unused = [f"--{name}" for name, used_by in (("model", ("claude", "command")),
                                                 ("command", ("command",)))
              if options.get(name) and documenter not in used_by]
    if unused:
        click.echo(f"codequery: note: the {documenter} documenter does not use "
                   f"{' or '.join(unused)}; kept in the config for a documenter that does",
                   err=True)


def _run_documenting(ws: Workspace, only: list[str] | None, force: bool,
                     yes: bool = False) -> Outcome:
    from codequery.jobs import JobRunner

    runner = JobRunner(ws)
    request = blocked = None
    if not runner.documenter.inline:
        # the paths first: one that cannot be documented is the error to give
        request = prepare(ws, runner, only, force=force)
        # a check that costs no call (`claude auth status`): before any is asked for
        if (blocked := runner.caller.blocked_now()) is not None:
            stderr_console().print(f"codequery: the {runner.documenter.name} documenter "
                                   f"cannot be called: {escape(blocked)}")
        # blocked: no call can be made, so there is no cost to ask about; the run leaves
        # the files pending, and says so, with or without a terminal
        answer = "yes" if blocked is not None else _cost_accepted(
            ws, runner, request, yes, follows_tree=only is None and not force)
        if answer != "yes":  # queued for the worker (no terminal to ask), or refused
            return Outcome(declined=answer == "no")
    done: list[str] = []  # the files this run has finished, for an interrupted run

    with file_progress("documenting") as (on_total, on_file):
        def finished(path: str) -> None:
            done.append(path)
            on_file(path)

        try:
            outcome = document_now(ws, only, force=force, on_total=on_total, on_file=finished,
                                   runner=runner, request=request)
        except KeyboardInterrupt:
            stderr_console().print(
                f"codequery: interrupted after {plural(len(done), 'file')}; what is done is "
                "kept, run `codequery document` to continue")
            raise InterruptSaid from None
    _report(outcome, said=blocked)
    return outcome


def _cost_accepted(ws: Workspace, runner, request: Request, yes: bool,  # noqa: ANN001
                   follows_tree: bool = True) -> str:
    """Above `confirm_above` calls, say what the run will cost and ask: "yes" (go ahead),
    "no" (refused), or "queued": without a terminal there is nobody to ask, and the very
    same work goes to the queue instead. `follows_tree`: the run is what the index needs
    to follow the tree (not a --force, not named files), which a worker would do anyway."""
    import sys

    from codequery.planning import estimate

    found = estimate(runner, request)
    if yes or found.calls <= ws.config.documenter.confirm_above:
        return "yes"
    console = stderr_console()
    console.print(f"codequery: {found.describe(runner.documenter)}")
    if not sys.stdin.isatty():
        queued = submit(ws, runner, request).queued
        _print_queued(ws, queued, request)
        console.print("codequery: no terminal to ask, so the files "
                      + ("were queued for the worker instead" if queued
                         else "wait in the queue for the worker")
                      + " (pass --yes to document them now)")
        return "queued"
    if click.confirm("Go ahead?", default=False, err=True):
        return "yes"
    console.print(_declined(ws, runner.documenter.name) if follows_tree
                  else "codequery: nothing documented, nothing queued")
    return "no"


def _declined(ws: Workspace, documenter: str) -> str:
    """What a refused run of the whole tree leaves: nothing done now, but the index follows
    the tree, so a worker documents those files whenever one runs (and one that runs does
    it now). Not said of a --force or of named files: no worker redoes those by itself."""
    from codequery import liveness

    said = (f"codequery: nothing documented. The index follows the checked-out tree: a worker "
            f"documents these files with the {documenter} documenter whenever one runs")
    if liveness.worker_alive(ws.paths):
        said += " - and one is running now (`codequery worker stop` holds them)"
    return said + ("; to keep them from the LLM, set up another documenter "
                   "(`codequery init --documenter builtin` works offline)")


class NotDocumentedYet(CodeQueryError):
    """A run that left files pending, failed or dead: their jobs wait for a worker."""


def _not_done(outcome: Outcome) -> CodeQueryError:
    n = len(outcome.failed) + outcome.left + outcome.dead
    return NotDocumentedYet(f"{plural(n, 'file')} {'is' if n == 1 else 'are'} not documented "
                          "yet (see above)")


# How many of a run's skipped files its report names.
SKIPPED_NAMED = 5


def _report(outcome: Outcome, said: str | None = None) -> None:
    console = stderr_console()
    parts = [f"{outcome.documented} documented"]
    if outcome.reused:  # pointed at a record kept already: no documenter call
        parts.append(f"{outcome.reused} reused (the same content as a file documented before)")
    if outcome.unchanged - outcome.reused or not outcome.reused:
        parts.append(f"{outcome.unchanged - outcome.reused} unchanged")
    if outcome.removed:
        parts.append(f"{outcome.removed} removed")
    if outcome.gone:  # named, deleted from disk: git has it until `git rm` or a commit
        parts.append(f"{outcome.gone} not on disk (deleted; the record stays until the "
                     "deletion is staged or committed)")
    skipped = sum(outcome.skipped.values())
    if skipped:
        reasons = ", ".join(f"{n} {why}" for why, n in outcome.skipped.most_common())
        parts.append(f"{skipped} skipped ({reasons})")
    if outcome.failed:
        parts.append(f"{len(outcome.failed)} failed")
    if outcome.dead:
        parts.append(f"{outcome.dead} dead (codequery queue retry --all-dead)")
    if outcome.by_worker:
        parts.append(f"{outcome.by_worker} done by the worker")
    if outcome.left:
        parts.append(f"{outcome.left} left pending")
    console.print("codequery: " + ", ".join(parts))
    if outcome.skipped_now:  # which files, as found in this run (a trial asked which)
        named = sorted(outcome.skipped_now)
        console.print("codequery: skipped: " + escape(", ".join(
            f"{shown_path(path)} ({why})" for path, why in named[:SKIPPED_NAMED]))
            + (f", … and {len(named) - SKIPPED_NAMED} more" if len(named) > SKIPPED_NAMED
               else ""))
    if outcome.blocked and not (said and said in outcome.blocked):  # `said`: told before
        console.print(f"codequery: calls stopped: {escape(outcome.blocked)}")
    by_reason: dict[str, list[str]] = {}
    for path, error in outcome.failed:
        by_reason.setdefault(error, []).append(path)
    for error, paths in by_reason.items():  # "5 files: not logged in", not 5 lines of it
        shown = ", ".join(map(shown_path, paths[:3])) + (", ..." if len(paths) > 3 else "")
        console.print(f"[red]failed[/red] {len(paths)} file{'s' if len(paths) > 1 else ''}"
                      f" ({escape(shown)}): {escape(error)}", markup=True)
    if outcome.left and outcome.needs_login:
        # running `document` again does nothing until then
        console.print("codequery: what is not done keeps a pending job: once the documenter "
                      "can be called, a worker documents it (codequery worker start); or "
                      "document offline now: codequery init --documenter builtin")
    elif outcome.failed or outcome.left:
        console.print("codequery: what is not done keeps a pending job; the worker retries it "
                      "(codequery worker start), or run `codequery document` again")


EXCLUDE_LINES = ("# codequery: its state stays out of git; only the settings are shared",
                 "/.code-query/*", "!/.code-query/config.json", "!/.code-query/.gitignore")


def _exclude_state(ws: Workspace) -> None:
    """Also in .git/info/exclude: a branch made before .code-query/.gitignore was
    committed would otherwise show the databases as untracked files."""
    import os

    from codequery import git

    try:
        out = git.run(["rev-parse", "--git-path", "info/exclude"], ws.root)
        path = ws.root / os.fsdecode(out.strip())
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        if EXCLUDE_LINES[1] in text.splitlines():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out_file:
            out_file.write(("" if not text or text.endswith("\n") else "\n")
                           + "\n".join(EXCLUDE_LINES) + "\n")
    except (OSError, CodeQueryError):
        pass  # cosmetic: `git status` may list the state files on such branches


def _stage_config(ws: Workspace) -> None:
    """The settings travel with the repository: staged in git, for the user to commit."""
    from codequery import git

    _exclude_state(ws)

    rel = [p.relative_to(ws.root).as_posix() for p in (ws.paths.config, ws.paths.gitignore)]
    console = stderr_console()
    # as committed already, in the work tree and in git's index: nothing to stage, nothing
    # to say (init run again, unchanged; not a change staged before and undone on disk,
    # which a commit would still take)
    if all(git.committed(ws.root, path) for path in rel) and not any(
            git.run(["diff", *cached, "--name-only", "HEAD", "--", *rel], ws.root,
                    check=False) for cached in ([], ["--cached"])):
        return
    # what git tracks is staged with -u, which a rule ignoring .code-query does not refuse
    # (a plain add stages it and still fails); what it does not, with a plain add
    known = set(git.split_z(git.run(["ls-files", "-z", "--", *rel], ws.root)))
    try:
        if tracked := [p for p in rel if p in known]:
            git.run(["add", "-u", "--", *tracked], ws.root)
        if untracked := [p for p in rel if p not in known]:
            git.run(["add", "--", *untracked], ws.root)
    except CodeQueryError as exc:
        rule = git.ignore_rule(ws.root, rel[0])
        if rule is not None:
            console.print(f"codequery: could not stage {rel[0]}: git ignores it "
                          f"({escape(rule)}); so that every branch and clone has the "
                          f"settings, stage it anyway with `git add -f {' '.join(rel)}` (its "
                          "own .gitignore keeps the rest of .code-query out of git), or "
                          "remove that rule")
        else:
            console.print(f"codequery: could not stage {rel[0]} ({escape(str(exc))}); add "
                          "it to git yourself so that every branch and clone has the settings")
        return
    console.print(f"codequery: staged {rel[0]} in git; commit it so that every branch and "
                  "clone has the settings")


@cli.command()
@click.option("--documenter", type=click.Choice(["builtin", "claude", "command"]),
              help="Who writes the records (default builtin: offline static analysis).")
@click.option("--model", help="Model for an LLM documenter.")
@click.option("--command", "command_line",
              help="With --documenter command: the LLM CLI to run, as one string split as a "
                   "shell would (never run by one), e.g. 'llm -m {model}'; the prompt goes to "
                   "its stdin, the record is read from its stdout.")
@click.option("--mode", type=click.Choice(["auto", "manual", "sync"]),
              help="What a commit does: " + config_mod.MODE_HELP)
@click.option("--dataset", help="Name of this repository's dataset (default: its folder name).")
@click.option("--no-hooks", is_flag=True, help="Do not install the git hooks.")
@click.option("--no-document", is_flag=True, help="Set up only; document nothing yet.")
@click.option("--yes", is_flag=True, help="Do not ask before a large LLM run.")
@pass_state
def init(state: State, documenter: str | None, model: str | None, command_line: str | None,
         mode: str | None, dataset: str | None, no_hooks: bool, no_document: bool,
         yes: bool) -> Outcome | None:
    """Set up codequery in this repository and document every tracked file.

    Writes .code-query/config.json (kept in git) and creates the database. Safe to run
    again: existing settings are kept unless an option changes them.
    """
    ws = state.workspace
    if ws.paths.config.exists():
        cfg = config_mod.load(ws.paths.config)
    else:
        cfg = config_mod.Config(dataset=default_dataset(ws.root))
    cfg = _apply_options(cfg, dataset=dataset, documenter=documenter, model=model, mode=mode,
                         command=command_line)
    from codequery.documenters import create

    create(cfg.documenter, ws.root)  # fails before anything is written
    ws.paths.state_dir.mkdir(exist_ok=True)
    ws.paths.gitignore.write_text(STATE_GITIGNORE, encoding="utf-8")
    config_mod.save(cfg, ws.paths.config)
    from codequery import trust

    trust.approve(ws.paths, cfg.documenter)  # running init here is the approval
    ws.forget_config()
    console = stderr_console()
    console.print(f"codequery: dataset {cfg.dataset!r} in {ws.paths.state_dir}")
    ws.store  # noqa: B018 - creates and migrates the database now
    _stage_config(ws)
    from codequery import registry

    registry.register(ws.root)  # `worker start --all` serves it
    if not no_hooks:
        from codequery.cli.hook_commands import install_hooks_into

        install_hooks_into(state)
    if no_document:
        return None
    outcome = _run_documenting(ws, None, force=False, yes=yes)
    if outcome.unfinished:
        raise _not_done(outcome)
    return outcome  # for setup, which invokes it


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--all", "all_files", is_flag=True, help="Every tracked file (the default).")
@click.option("--force", is_flag=True, help="Re-document even files whose content is unchanged.")
@click.option("--queue", "to_queue", is_flag=True,
              help="Hand the files to the background worker instead; prints the queue ids.")
@click.option("--priority", type=click.Choice(["high", "normal", "low"]), default="normal",
              show_default=True, help="With --queue: which jobs the worker takes first.")
@click.option("--yes", is_flag=True, help="Do not ask before a large LLM run.")
@pass_state
def document(state: State, paths: tuple[str, ...], all_files: bool, force: bool,
             to_queue: bool, priority: str, yes: bool) -> None:
    """Document files now, in this process, showing progress (or queue them with --queue).

    PATHS are files or directories; without them every tracked file is documented.
    Files whose content has not changed since they were documented cost nothing.
    Ctrl-C stops at once and keeps every record written so far.
    """
    require_with("--queue", to_queue, "priority")
    ws = state.workspace
    ws.require_initialized()
    if paths and all_files:
        raise click.UsageError("give PATHS or --all, not both")
    only = [_in_repository(ws, p, state.cwd) for p in paths] or None
    if only and "." in only:
        only = None
    if to_queue:
        _queue(ws, only, priority, force)
        return
    outcome = _run_documenting(ws, only, force, yes)
    if outcome.unfinished:
        raise _not_done(outcome)


def _in_repository(ws: Workspace, path: str, cwd: Path) -> str:
    """A path given to `document` -> repository-relative ("." for the whole repository);
    a name that cannot be stored is told so, not "not tracked by git". (A symlink out of
    the repository is counted as skipped, not refused: see local_run.)"""
    from codequery import operations

    rel = ws.relative(path, cwd)
    operations.require_storable(rel)
    return rel


def _queue(ws: Workspace, only: list[str] | None, priority: str, force: bool = False) -> None:
    from codequery.jobs import JobRunner

    runner = JobRunner(ws)
    request = prepare(ws, runner, only, force=force)
    _print_queued(ws, submit(ws, runner, request, priority=priority).queued, request)


def _print_queued(ws: Workspace, queued: list, request: Request) -> None:
    """The jobs just queued; or, when none was, whether the files wait in jobs queued
    before (the worker has them) or are documented already."""
    from codequery import liveness

    for item in queued:
        click.echo(f"{item.id}\t{shown_path(item.path)}")
    console = stderr_console()
    merged = sum(1 for q in queued if q.coalesced)
    dead = len(request.plan.dead)
    waiting = request.plan.queued - dead  # their jobs pending or at work
    if queued:
        after = ""
    elif waiting or dead:  # not documented yet: the worker has them, or they wait on you
        after = "; " + ", ".join(
            ([f"{plural(waiting, 'file')} already queued"] if waiting else [])
            + ([f"{dead} dead (codequery queue retry --all-dead)"] if dead else []))
    else:
        after = "; everything is documented already"
    console.print(f"codequery: {plural(len(queued), 'job')} queued"
                  + (f" ({merged} merged into pending jobs)" if merged else "") + after)
    if (queued or waiting) and not liveness.worker_alive(ws.paths):
        console.print("codequery: no worker is running; start one with: codequery worker start")

