"""Running an LLM command line: argv (never a shell), input on stdin, a hard time limit.

The command runs in its own session (process group) so that the end of every call (an
answer, a timeout, Ctrl-C) can kill everything it started, including grandchildren that
would otherwise keep its pipes open or run on unseen.
Shared by the `command` and `claude` documenters.
"""

from __future__ import annotations

import contextlib
import os
import select
import selectors
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from codequery.documenters.errors import DocumenterError, DocumenterTimeout

# After the group is killed, how long to wait for the pipes to close; only a grandchild
# that escaped the group (its own setsid) can hold them longer.
_REAP_SECONDS = 2.0

# Once the command itself has exited, how long a child it left holding the pipes may keep
# them open before it is killed and the command's output used as it stands.
_PIPE_GRACE_SECONDS = 1.0

# How often to look whether the command has exited while its pipes are still open.
_POLL_SECONDS = 0.05


# Process groups of the commands running now: a worker that stops kills them on its way
# out, since they sit in sessions of their own that no signal to the worker reaches.
_RUNNING: set[int] = set()
_RUNNING_LOCK = threading.Lock()


_STOPPING = threading.Event()

# The environment variable each command is started with, naming the worker's repository
# (see mark_calls): a worker started after one that was killed (`kill -9`, whose commands
# live on in sessions of their own) finds them by it and ends them (see reap_left_calls).
CALLER_MARK = "CODEQUERY_CALLER"
_mark: str | None = None


def mark_calls(mark: str | None) -> None:
    """Start every command from now on with CALLER_MARK set to `mark` (None: unmarked)."""
    global _mark
    _mark = mark


def reap_left_calls(mark: str) -> int:
    """Kill the process groups of commands a worker marked `mark` left running: how many.
    Only a group's leader is asked (the command itself), and only a process of this
    user whose environment can be read."""
    import psutil

    reaped = 0
    for proc in psutil.process_iter():
        try:
            if proc.pid == os.getpid() or os.getpgid(proc.pid) != proc.pid:
                continue
            if proc.environ().get(CALLER_MARK) != mark:
                continue
            os.killpg(proc.pid, signal.SIGKILL)
            reaped += 1
        except (psutil.Error, ProcessLookupError, PermissionError):
            continue
    return reaped


def stopping() -> bool:
    return _STOPPING.is_set()


def stop_event() -> threading.Event:
    """Set once this process is stopping (see kill_running): a wait on it ends then."""
    return _STOPPING


# What a command may write on stdout or on stderr, each: an LLM CLI's answer for a file,
# with its envelope, is kilobytes; past this it is stopped, not read into memory.
MAX_OUTPUT_BYTES = 16 * 2**20


class _TooMuch(Exception):
    """A command wrote past MAX_OUTPUT_BYTES on a stream (named by the message)."""


class Stopped(DocumenterError):
    """The command was killed because this process is stopping; the job was not at fault."""


def kill_running(*, for_good: bool = False) -> int:
    """Kill every command this process is running (the worker's shutdown); `for_good`
    also kills any command started from now on."""
    with _RUNNING_LOCK:
        if for_good:
            _STOPPING.set()
        groups = list(_RUNNING)
    for group in groups:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signal.SIGKILL)
    return len(groups)


def last_line(stderr: bytes, limit: int = 300) -> str:
    """The last non-empty line of an error output, shortened: usually the actual error."""
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    if not lines:
        return "(no error output)"
    line = lines[-1].strip()
    return line if len(line) <= limit else line[: limit - 3] + "..."


def exit_error(executable: str, returncode: int, stderr: bytes) -> DocumenterError:
    """The error for a command that exited non-zero or was killed by a signal."""
    name = Path(executable).name
    if returncode < 0:
        return DocumenterError(f"{name} was killed by signal {-returncode}: {last_line(stderr)}")
    return DocumenterError(f"{name} exited with code {returncode}: {last_line(stderr)}")


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill the command and everything in its process group, then reap it."""
    # start_new_session: the group id is the command's pid. Failing means it is all gone.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    # Only a grandchild that escaped the group (its own setsid) can still hold the pipes:
    # what it writes is not the command's answer.
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()
    try:
        proc.wait(timeout=_REAP_SECONDS)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _exited(proc: subprocess.Popen[bytes]) -> bool:
    """Whether the command has exited, without reaping it: while it is a zombie its pid,
    which is also its group's id, cannot be reused, so killing the group stays safe."""
    return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def _exchange(proc: subprocess.Popen[bytes], stdin: bytes, timeout: float
              ) -> tuple[bytes, bytes]:
    """Write `stdin`, read stdout and stderr until the command has exited; its output.

    Unlike `communicate`, a command that has exited but left a child holding its pipes
    gets only `_PIPE_GRACE_SECONDS` more: its answer is complete, and the child must not
    turn it into a timeout. `subprocess.TimeoutExpired` past `timeout`; the command is
    not reaped (the caller kills its group first).
    """
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    deadline = time.monotonic() + timeout
    output: dict[int, list[bytes]] = {proc.stdout.fileno(): [], proc.stderr.fileno(): []}
    read = dict.fromkeys(output, 0)
    offset = 0
    exited_at: float | None = None
    with selectors.DefaultSelector() as selector:
        if stdin:
            selector.register(proc.stdin, selectors.EVENT_WRITE)
        else:
            proc.stdin.close()
        selector.register(proc.stdout, selectors.EVENT_READ)
        selector.register(proc.stderr, selectors.EVENT_READ)
        while True:
            now = time.monotonic()
            if exited_at is None and _exited(proc):
                exited_at = now
            if exited_at is not None and (not selector.get_map()
                                          or now >= exited_at + _PIPE_GRACE_SECONDS):
                break
            if now >= deadline:
                raise subprocess.TimeoutExpired(proc.args, timeout)
            wait = min(_POLL_SECONDS, deadline - now)
            if not selector.get_map():
                time.sleep(min(wait, 0.01))  # pipes closed, exit imminent
                continue
            for key, _ in selector.select(wait):
                if key.fileobj is proc.stdin:
                    try:
                        offset += os.write(key.fd, stdin[offset:offset + select.PIPE_BUF])
                    except BrokenPipeError:
                        offset = len(stdin)  # it stopped reading; its answer may still come
                    if offset >= len(stdin):
                        selector.unregister(proc.stdin)
                        with contextlib.suppress(BrokenPipeError):
                            proc.stdin.close()
                    continue
                data = os.read(key.fd, 32768)
                if data:
                    output[key.fd].append(data)
                    read[key.fd] += len(data)
                    if read[key.fd] > MAX_OUTPUT_BYTES:
                        raise _TooMuch("stdout" if key.fileobj is proc.stdout else "stderr")
                else:
                    selector.unregister(key.fileobj)
    return (b"".join(output[proc.stdout.fileno()]), b"".join(output[proc.stderr.fileno()]))


def run_process(
    argv: Sequence[str],
    stdin: bytes,
    timeout: float,
    *,
    role: str = "the executable",
    hint: str = "install it on PATH or give its full path",
    timeout_setting: str = "documenter.timeout_seconds",
    check: bool = True,
    cwd: Path | None = None,
) -> tuple[bytes, bytes, int]:
    """Run `argv` with `stdin`; its (stdout, stderr, returncode).

    `role` and `hint` word the error for a missing executable ("{role} 'x' was not found;
    {hint}"). With `check` a non-zero exit is a `DocumenterError` naming the exit code and
    the last line of stderr; without it the caller gets the code (the Claude CLI explains
    its failures on stdout). A timeout is a `DocumenterTimeout`. Whatever the outcome, the
    whole process group is dead when this returns or raises.
    """
    executable = argv[0]
    try:
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            cwd=cwd,
            env=None if _mark is None else {**os.environ, CALLER_MARK: _mark},
        )
    except FileNotFoundError:
        raise DocumenterError(f"{role} {executable!r} was not found; {hint}") from None
    except PermissionError:
        raise DocumenterError(f"{role} {executable!r} is not executable") from None
    with _RUNNING_LOCK:
        _RUNNING.add(proc.pid)
        stopping = _STOPPING.is_set()
    try:
        if stopping:
            raise Stopped("the worker is stopping")
        stdout, stderr = _exchange(proc, stdin, timeout)
    except subprocess.TimeoutExpired:
        raise DocumenterTimeout(
            f"{Path(executable).name} timed out after {timeout:g} s ({timeout_setting})"
        ) from None
    except _TooMuch as exc:
        raise DocumenterError(
            f"{Path(executable).name} wrote more than {MAX_OUTPUT_BYTES // 2**20} MiB on its "
            f"{exc}; it was stopped (an answer for one file is far smaller)") from None
    finally:
        # Whatever the call leaves running (a child on its pipes, a daemon) ends with it,
        # however it ends: Ctrl-C reaches only our own process group, not the command's
        # new session, and without this the LLM would keep running (and billing).
        _kill_group(proc)
        with _RUNNING_LOCK:
            _RUNNING.discard(proc.pid)
    if _STOPPING.is_set() and proc.returncode < 0:
        raise Stopped("the worker is stopping; the command was killed")
    if check and proc.returncode != 0:
        raise exit_error(executable, proc.returncode, stderr)
    return stdout, stderr, proc.returncode
