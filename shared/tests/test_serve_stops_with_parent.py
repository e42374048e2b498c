"""A service the test kit started ends with its starter: a test run killed without its teardown
(a timeout's SIGKILL, a closed terminal) leaves no service process behind (forlob_testkit.serve)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

# The starter: starts a "service" in a session of its own and names itself its starter (as
# forlob_testkit.processes does), says its pid, and waits to be killed. The service imports what
# forlob_testkit.serve imports, then watches its starter as serve.main does.
STARTER = """
import os, subprocess, sys, time
from forlob_testkit.parent import PARENT_ENV
service = subprocess.Popen(
    [sys.executable, "-c", "import forlob_testkit.serve; from forlob_testkit.parent import stop_with_parent; "
     "stop_with_parent(0.05); import time; time.sleep(120)"],
    env={**os.environ, PARENT_ENV: str(os.getpid())},
    start_new_session=True,
)
print(service.pid, flush=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has ended; only its (gone) parent's reaper has not collected it yet.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.02)
    return not _alive(pid)


def _started() -> tuple[subprocess.Popen[str], int]:
    starter = subprocess.Popen([sys.executable, "-c", STARTER], stdout=subprocess.PIPE, text=True)
    assert starter.stdout is not None
    return starter, int(starter.stdout.readline())


def _kill(starter: subprocess.Popen[str], service: int) -> bool:
    """SIGKILL the starter (no teardown at all); whether the service ended by itself."""
    try:
        starter.send_signal(signal.SIGKILL)
        starter.wait(10)
        return _gone_within(service, 15)
    finally:
        if _alive(service):
            os.kill(service, signal.SIGKILL)


def test_a_service_runs_while_its_starter_does_and_ends_when_it_is_killed() -> None:
    starter, service = _started()
    assert not _gone_within(service, 3)
    assert _kill(starter, service), "the service outlived the process that started it"


def test_a_starter_killed_while_the_service_is_still_starting_leaves_nothing() -> None:
    starter, service = _started()  # killed at once: the service's imports are not done
    assert _kill(starter, service), "the service outlived the process that started it"
