"""A service process the test kit starts ends with its starter (forlob_testkit.serve calls
:func:`stop_with_parent` first; forlob_testkit.processes names itself the starter)."""

from __future__ import annotations

import os
import signal
import threading
import time

# Who started this process, as the starter said (read at start, the parent may already be gone
# by the time the service's imports are done); else the parent this process has.
PARENT_ENV = "FORLOB_TESTKIT_PARENT_PID"


def stop_with_parent(poll: float = 1.0) -> None:
    """End this process (SIGTERM: the service's graceful stop) once whoever started it is gone.

    The test kit starts services in sessions of their own, so a test run killed without its
    teardown (a timeout, SIGKILL, a closed terminal) would otherwise leave them running on the
    machine, holding ports, queues and databases. Watching the parent's pid works whichever of the
    starter's threads made the process, unlike the kernel's parent-death signal."""
    parent = int(os.environ.get(PARENT_ENV) or os.getppid())

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="stop-with-parent", daemon=True).start()
