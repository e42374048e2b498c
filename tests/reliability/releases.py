"""An earlier release of Forløb, built from the git history, to run beside this checkout.

Release N is a fixed commit of main (``RELEASE_N``), extracted with ``git archive`` into
``var/releases/<commit>/`` and installed there with the project's own command (``uv sync
--frozen``, no dev tools, the test kit included so that it runs on the test's clock) into a venv of
its own; uv's cache makes that a matter of seconds, and the build is kept for the next run.

Why a fixed commit, not a tag: tags are not always carried into a clone (CI clones the submitted
main), a commit of main is. ``git clone`` copies the whole history by default; a shallow clone
lacks the commit, so it is fetched (``git fetch --unshallow``, or the commit by id), and if that
fails the test fails saying how to fetch it. Move ``RELEASE_N`` to the previous release's commit
when a release is made (docs/reliability.md, "The rolling upgrade").
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Main just before releases were stamped: no `--version`, no `sourceversion`, notifications at
# migration 0012 (``alerts.level``). This checkout is release N+1.
RELEASE_N = "07e192085b6a607a655b3985e5db1fcb2638764e"


@dataclass(frozen=True)
class Release:
    commit: str
    root: Path

    @property
    def python(self) -> str:
        return str(self.root / ".venv" / "bin" / "python")

    def command(self, name: str) -> str:
        """One of the release's console scripts, e.g. ``forlob-notifications``."""
        return str(self.root / ".venv" / "bin" / name)


def _git(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, check=False)


def ensure_commit(commit: str) -> None:
    """The commit is in this clone, fetched if it must be; else the test fails saying why."""
    if _git("cat-file", "-e", f"{commit}^{{commit}}").returncode == 0:
        return
    tried = []
    if _git("rev-parse", "--is-shallow-repository").stdout.strip() == b"true":
        tried.append(("git fetch --unshallow", _git("fetch", "--quiet", "--unshallow")))
    if _git("cat-file", "-e", f"{commit}^{{commit}}").returncode != 0:
        tried.append((f"git fetch origin {commit}", _git("fetch", "--quiet", "origin", commit)))
    if _git("cat-file", "-e", f"{commit}^{{commit}}").returncode != 0:
        attempts = "; ".join(
            f"`{what}`: {result.stderr.decode(errors='replace').strip()[:200]}" for what, result in tried
        )
        pytest.fail(
            f"release N ({commit}, a commit of main) is not in the clone at {ROOT} and could not be fetched "
            f"({attempts or 'nothing to fetch from'}). Clone with full history (`git clone` does by default) "
            f"or run `git fetch --unshallow origin` first."
        )


def _uv() -> list[str]:
    found = shutil.which("uv")
    return [found] if found else [sys.executable, "-m", "uv"]


def build_release(commit: str = RELEASE_N) -> Release:
    """Release ``commit`` installed in ``var/releases/<commit>/.venv`` (reused when built before)."""
    release = Release(commit, ROOT / "var" / "releases" / commit)
    done = release.root / ".built"
    if done.exists():
        return release
    ensure_commit(commit)
    shutil.rmtree(release.root, ignore_errors=True)
    release.root.mkdir(parents=True)
    archive = _git("archive", "--format=tar", commit)
    assert archive.returncode == 0, archive.stderr.decode(errors="replace")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(release.root, filter="data")
    # Its own project, its own venv: nothing of this checkout's environment may leak in.
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")}
    installed = subprocess.run(
        [*_uv(), "sync", "--frozen", "--no-dev", "--package", "forlob-testkit", "--compile-bytecode"],
        cwd=release.root,
        env=env,
        capture_output=True,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr.decode(errors="replace")[-3000:]
    done.write_text(commit + "\n")
    return release


def migrate(command: str, service: str, database_url: str, *args: str) -> str:
    """``<command> migrate [args]`` (a release's ``forlob-<service>``) against ``database_url``."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("FORLOB_")},
        f"FORLOB_{service.upper()}_DATABASE_URL": database_url,
        "FORLOB_LOG_JSON": "true",
    }
    done = subprocess.run([command, "migrate", *args], env=env, capture_output=True, check=False)
    output = (done.stdout + done.stderr).decode(errors="replace")
    assert done.returncode == 0, f"{command} migrate {' '.join(args)} failed:\n{output[-3000:]}"
    return output


def this_release(service: str) -> str:
    """This checkout's ``forlob-<service>``."""
    return str(Path(sys.executable).parent / f"forlob-{service}")
