"""The table in docs/security.md of who may call each route, made from the four services' own
OpenAPI (``x-roles`` / ``x-public``, which ``requires(...)`` and ``PUBLIC`` put there).

``make roles-table`` (or ``uv run --no-sync python tests/security/roles_table.py``) writes it;
test_roles.py fails while the document says anything else, so the table cannot drift.
"""

from __future__ import annotations

import re
import sys
from importlib import import_module
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
SERVICES = ("referral", "attendance", "notifications", "reporting")
START = "<!-- roles table: made by `make roles-table` from the services' OpenAPI; do not edit by hand -->"
END = "<!-- end of roles table -->"
METHODS = ("get", "put", "post", "patch", "delete")
_BLOCK = re.escape(START) + r"\n(.*?\n)?" + re.escape(END)


def openapi(name: str) -> dict[str, Any]:
    from forlob_shared.service import create_app

    spec = import_module(f"forlob_{name}.main").spec()
    schema: dict[str, Any] = create_app(spec, spec.settings_cls()).openapi()
    return schema


def render() -> str:
    lines = ["| service | route | roles allowed (any one of them) |", "|---|---|---|"]
    for name in SERVICES:
        paths = openapi(name)["paths"]
        for path in sorted(paths):
            for method in sorted(paths[path], key=METHODS.index):
                operation = paths[path][method]
                if operation.get("x-public") is True:
                    allowed = "public: no token"
                else:
                    allowed = ", ".join(f"`{role}`" for role in operation["x-roles"])
                lines.append(f"| {name} | `{method.upper()} {path}` | {allowed} |")
    return "\n".join(lines)


def documented(text: str) -> str:
    found = re.search(_BLOCK, text, re.DOTALL)
    return (found.group(1) or "").rstrip("\n") if found else ""


def write() -> None:
    text = DOC.read_text()
    if START not in text:
        sys.exit(f"{DOC} has no {START!r} line to put the table after")
    new = re.sub(_BLOCK, lambda _: f"{START}\n{render()}\n{END}", text, flags=re.DOTALL)
    DOC.write_text(new)


if __name__ == "__main__":
    write()
