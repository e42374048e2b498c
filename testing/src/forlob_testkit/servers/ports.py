"""Ports on the loopback for the test kit's servers and service processes."""

from __future__ import annotations

import socket
import threading

LOOPBACK = "127.0.0.1"

_HANDED_OUT: set[int] = set()
_HANDED_OUT_LOCK = threading.Lock()  # the fault suite starts servers from worker threads


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now, and that this test process has
    not handed out before.

    The kernel picks it (bind to port 0), so parallel test workers do not collide the way a fixed
    range would. But the kernel may pick a port it picked a moment ago, once that socket is
    closed: two services of one test system, whose ports are chosen before either binds, could
    then be given the same one, and the second would answer for the first. So a port is handed
    out once per process. There is still a window between closing this socket and the server
    binding the port in which another process could take it; the test kit's processes then move
    to another port (forlob_testkit.processes), and the other servers fail to start and say so,
    rather than silently talking to the wrong process.
    """
    with _HANDED_OUT_LOCK:
        while True:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.bind((LOOPBACK, 0))
                port: int = sock.getsockname()[1]
            if port not in _HANDED_OUT:
                _HANDED_OUT.add(port)
                return port


def port_taken(port: int) -> bool:
    """Whether something holds ``port`` on 127.0.0.1 (a bind there fails)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as a server binds it
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return True
        return False


def port_accepts(port: int) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=0.5):
            return True
    except OSError:
        return False
