"""Product code carries no test support: test helpers live in the dev-only testkit (testing/,
``forlob_testkit``), which no image installs (tests/deploy/test_images_without_test_support.py).

Under shared/src and services/*/src no module or package is named ``testing``, none imports
pytest, the testkit or another package's ``testing`` module, and no product pyproject declares
the testkit or pytest as a dependency.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT_SOURCES = [ROOT / "shared" / "src", *sorted(ROOT.glob("services/*/src"))]
FORBIDDEN_TOP = {"pytest", "_pytest", "forlob_testkit", "testcontainers", "hypothesis"}


def _product_modules() -> list[Path]:
    return sorted(path for source in PRODUCT_SOURCES for path in source.rglob("*.py"))


def _imported(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.append(node.args[0].value)
    return names


def test_the_product_sources_are_found() -> None:
    modules = _product_modules()
    assert any(path.name == "consumer.py" for path in modules)
    assert {source.parent.name for source in PRODUCT_SOURCES} >= {"shared", "referral", "web", "reporting"}


def test_no_product_module_or_package_is_named_testing() -> None:
    named = [
        str(path.relative_to(ROOT))
        for path in _product_modules()
        if path.stem == "testing" or "testing" in path.relative_to(ROOT).parts[:-1]
    ]
    assert named == []


def test_no_product_module_imports_test_support() -> None:
    found = []
    for path in _product_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name in _imported(tree):
            parts = name.split(".")
            if parts[0] in FORBIDDEN_TOP or (parts[0].startswith("forlob_") and "testing" in parts[1:]):
                found.append(f"{path.relative_to(ROOT)}: {name}")
    assert found == []


def test_no_product_package_depends_on_test_support() -> None:
    found = []
    for pyproject in [ROOT / "shared" / "pyproject.toml", *sorted(ROOT.glob("services/*/pyproject.toml"))]:
        project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
        declared = list(project.get("dependencies", []))
        for extra in project.get("optional-dependencies", {}).values():
            declared += extra
        for requirement in declared:
            name = re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")
            if name in {"forlob-testkit", "pytest", "pytest-asyncio", "testcontainers", "hypothesis"}:
                found.append(f"{pyproject.relative_to(ROOT)}: {requirement}")
    assert found == []
