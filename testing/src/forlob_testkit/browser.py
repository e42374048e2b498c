"""The web's browser tests' Chromium (Debian's, headless, driven by Playwright): started once per
test, skipped where it is missing unless FORLOB_REQUIRE_BROWSER is set (CI); a person signed in
through the local sign-in page in the language asked for; screenshots in artifacts/screenshots/."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
# The README's pictures of the journeys (`make screenshots` writes them here).
DOC_SCREENSHOTS = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def browser_or_skip() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("FORLOB_REQUIRE_BROWSER"):
        pytest.fail(f"FORLOB_REQUIRE_BROWSER is set but {CHROMIUM} is missing: run `make browser`")
    pytest.skip(f"{CHROMIUM} is missing (Debian's chromium; `make browser` installs it)")


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Any]:
    browser_or_skip()
    from playwright.async_api import async_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        try:
            yield browser
        finally:
            await browser.close()


async def signed_in_as(
    browser: Any, base: str, org: str, staff: str, *roles: str, lang: str = "da", viewport: Any = None
) -> Any:
    """A new context's page signed in as ``staff`` of ``org`` with ``roles``, its pages in ``lang``
    (the language switch's cookie)."""
    context = await browser.new_context(
        base_url=base, locale={"da": "da-DK", "sv": "sv-SE"}.get(lang, "en-GB"), viewport=viewport or DESKTOP
    )
    await context.add_cookies([{"name": "lang", "value": lang, "url": base}])
    page = await context.new_page()
    await page.goto("/sign-in")
    await page.locator("details summary").click()
    await page.fill("#org", org)
    await page.fill("#staff", staff)
    await page.fill("#roles", ",".join(roles))
    await page.locator("form[action='/sign-in/local'] button[type=submit]").click()
    await page.wait_for_url(lambda url: "/sign-in" not in url)
    return page


async def shot(page: Any, name: str, *, full_page: bool = True) -> Path:
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=full_page)
    return path


async def doc_shot(page: Any, name: str) -> None:
    """The README's picture ``name`` (what the window shows), written to docs/screenshots/ only
    when FORLOB_DOC_SCREENSHOTS is set (`make screenshots`): reduced to 64 colours, which keeps
    the pages' flat colours and text sharp at a fraction of the size."""
    if not os.environ.get("FORLOB_DOC_SCREENSHOTS"):
        return
    from PIL import Image

    raw = await shot(page, f"doc-{name}", full_page=False)
    DOC_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with Image.open(raw) as image:
        reduced = image.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        reduced.save(DOC_SCREENSHOTS / f"{name}.png", optimize=True)
