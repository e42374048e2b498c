"""One layering rule in every service: a use case (``application/``) holds no SQL of its own;
the command side's statements and the read side's queries live in ``db/`` (README, Architecture)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The engine's and session's types may be named (a rebuild is handed an engine); statements may not.
TYPES_ONLY = "sqlalchemy.ext.asyncio"
STATEMENT_CALLS = frozenset({"execute", "scalar", "scalars", "exec_driver_sql"})


def _sql_import(name: str) -> bool:
    return name == "asyncpg" or (name.split(".")[0] == "sqlalchemy" and name != TYPES_ONLY)


def _application_modules() -> list[Path]:
    return sorted(ROOT.glob("services/*/src/*/application/**/*.py"))


def test_every_service_has_an_application_layer_to_check() -> None:
    assert {p.relative_to(ROOT).parts[1] for p in _application_modules()} == {
        "referral",
        "attendance",
        "notifications",
        "reporting",
    }


def test_no_use_case_builds_or_runs_a_statement() -> None:
    offenders = []
    for path in _application_modules():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: imports {name}" for name in names if _sql_import(name)]
            if isinstance(node, ast.Attribute) and node.attr in STATEMENT_CALLS:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: .{node.attr}")
    assert offenders == []
