"""axe-core (the npm package pinned in testing/axe, installed by `make axe`) run on a page in the
web's browser tests: a serious or critical violation fails the test, printed rule by rule with
the elements it names.

The script is evaluated through the browser's protocol (Playwright's ``evaluate``), not added as a
``<script>`` tag: the pages' Content-Security-Policy allows only their own scripts, and the
protocol's evaluation is not subject to it, so the pages are checked with their CSP in force."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest

AXE_JS = Path(__file__).resolve().parents[2] / "axe" / "node_modules" / "axe-core" / "axe.min.js"
# What fails a page: axe's two highest impacts (moderate and minor ones are printed by `axe_report`).
FAILING = ("serious", "critical")
# WCAG 2.1 A and AA, and axe's best practices (landmarks, one main heading, regions).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@cache
def axe_source() -> str:
    if not AXE_JS.exists():
        message = f"{AXE_JS} is missing: run `make axe` (npm ci in testing/axe)"
        if os.environ.get("FORLOB_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE_JS.read_text(encoding="utf-8")


async def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe's violations on ``page`` as it is now, every impact."""
    if not await page.evaluate("typeof window.axe === 'object'"):
        await page.evaluate(axe_source() + "\n;true")
    options = {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}
    result: dict[str, Any] = await page.evaluate("(options) => axe.run(document, options)", options)
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def axe_report(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


async def assert_accessible(page: Any, what: str = "") -> None:
    """Fail on any serious or critical violation axe finds on ``page``, naming the page."""
    failing = [v for v in await axe_violations(page) if v["impact"] in FAILING]
    assert not failing, f"axe on {what or page.url}:\n{axe_report(failing)}"
