"""Which release of a service this process runs: the version its package was built with.

The version is derived from git when the package is built or installed (hatch-vcs: the newest
tag ``<service>-v<version>`` and the commits since it; an image build passes it in as
``SETUPTOOLS_SCM_PRETEND_VERSION``), and read back here from the installed package's metadata.
``--version``, ``/health/live`` and every event's ``sourceversion`` show it
(docs/operations.md, "Releases").
"""

from __future__ import annotations

import functools
from importlib.metadata import PackageNotFoundError, version

UNKNOWN = "unknown"


@functools.cache
def release_version(service: str) -> str:
    """The installed version of ``forlob-<service>`` (``shared`` for the operator tool), or
    ``unknown`` where the package is not installed (source on the path, no metadata)."""
    try:
        return version(f"forlob-{service}")
    except PackageNotFoundError:
        return UNKNOWN


def version_line(program: str, service: str) -> str:
    """What ``<program> --version`` prints."""
    return f"{program} {release_version(service)}"
