"""The port a server of codequery listens on (`serve --http`, a worker's metrics): on
127.0.0.1 only, taken before anything starts, so a port in use is said at once."""

from __future__ import annotations

import socket

from codequery.errors import CodeQueryError


def bound(port: int, option: str) -> socket.socket:
    """A socket bound to 127.0.0.1:`port` (SO_REUSEADDR: a port a closed server left in
    TIME_WAIT is free), or a CodeQueryError that says to choose another `option`."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as exc:
        sock.close()
        raise CodeQueryError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}; choose "
                             f"another {option}") from None
    return sock
