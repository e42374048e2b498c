"""No service image installs the test support (testing/, forlob_testkit) or pytest.

Read without a Docker engine: each services/*/Dockerfile copies neither testing/ nor the whole
build context, syncs only its own package without the dev group, the package's locked dependency
closure (uv.lock, what `uv sync --frozen --no-dev --package` installs) holds neither forlob-testkit
nor pytest, and .dockerignore keeps testing/ out of the build context.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILES = sorted(ROOT.glob("services/*/Dockerfile"))
TEST_ONLY = {"forlob-testkit", "pytest", "pytest-asyncio", "testcontainers"}


def _instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", dockerfile.read_text(encoding="utf-8"))
    found = []
    for line in joined.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, arguments = stripped.partition(" ")
            found.append((keyword.upper(), arguments.strip()))
    return found


def _locked_closure(package: str) -> set[str]:
    """The names uv.lock installs for ``package`` with its extras, without any dependency group."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    packages = {entry["name"]: entry for entry in lock["package"]}
    visited: set[tuple[str, tuple[str, ...]]] = set()
    pending: list[tuple[str, tuple[str, ...]]] = [(package, ())]
    while pending:
        name, extras = pending.pop()
        if (name, extras) in visited:
            continue
        visited.add((name, extras))
        entry = packages[name]
        edges = list(entry.get("dependencies", []))
        for extra in extras:
            edges += entry.get("optional-dependencies", {}).get(extra, [])
        pending += [(edge["name"], tuple(edge.get("extra", []))) for edge in edges]
    return {name for name, _ in visited}


def test_every_service_has_a_dockerfile_here() -> None:
    assert {path.parent.name for path in DOCKERFILES} >= {"referral", "attendance", "notifications", "reporting", "web"}


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda path: path.parent.name)
def test_image_copies_no_test_support(dockerfile: Path) -> None:
    for keyword, arguments in _instructions(dockerfile):
        if keyword not in {"COPY", "ADD"}:
            continue
        every = shlex.split(arguments)
        if any(word.startswith("--from") for word in every):
            continue  # from another stage or image, not from the build context
        words = [word for word in every if not word.startswith("--")]
        for source in words[:-1]:
            copied = Path(source.rstrip("/")).parts or (".",)
            assert copied[0] not in {".", "testing"}, f"{dockerfile.relative_to(ROOT)} copies {source!r} into the image"


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda path: path.parent.name)
def test_image_syncs_its_own_package_without_the_dev_group(dockerfile: Path) -> None:
    service = dockerfile.parent.name
    runs = [arguments for keyword, arguments in _instructions(dockerfile) if keyword == "RUN"]
    syncs = [arguments for arguments in runs if "uv sync" in arguments]
    assert syncs, f"{dockerfile.relative_to(ROOT)} installs nothing with uv sync"
    for command in syncs:
        words = shlex.split(command)
        assert "--no-dev" in words, f"{service}: {command}"
        assert "--frozen" in words, f"{service}: {command}"
        assert words[words.index("--package") + 1] in {f"forlob-{service}", "forlob-${SERVICE}"}, command
        assert not {"--all-packages", "--all-groups", "--group", "--dev", "--only-dev"} & set(words), command


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda path: path.parent.name)
def test_locked_service_closure_has_no_test_support(dockerfile: Path) -> None:
    closure = _locked_closure(f"forlob-{dockerfile.parent.name}")
    assert "forlob-shared" in closure  # the walk follows workspace members
    assert closure & TEST_ONLY == set()


def test_the_dev_environment_does_install_the_testkit() -> None:
    """The other side: the root project's dev group brings it, so `uv sync` (tests, bench, deploy/local) has it."""
    root = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "forlob-testkit" in root["dependency-groups"]["dev"]
    assert "testing" in root["tool"]["uv"]["workspace"]["members"]


def test_dockerignore_keeps_testing_out_of_the_build_context() -> None:
    patterns = {
        line.strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert "testing" in patterns
