"""Debian's chromium driven by Playwright (no browser download), and axe-core inside it.

The one place browser tests find the browser, its flags and axe-core.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM: str | None = (
    os.environ.get("FOLIO_TEST_CHROMIUM")
    or shutil.which("chromium")
    or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
)
AXE = Path(__file__).parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AXE_RUN = """async ([tags, iframes]) => {
    const result = await axe.run(document, {
        iframes, resultTypes: ["violations"], runOnly: {type: "tag", values: tags},
    });
    return result.violations.map(v => ({
        id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5),
    }));
}"""

# Browser tests run wherever chromium and axe-core are installed; CI must have both.
needs_browser = pytest.mark.skipif(
    not (CHROMIUM and AXE.exists()) and not os.environ.get("CI"),
    reason="needs Debian's chromium and tests/browser/node_modules (make test installs both)",
)


@contextlib.contextmanager
def chromium(*extra_flags: str) -> Iterator[Any]:
    """A headless Debian chromium, as Playwright's browser."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM:
        pytest.fail("Chromium is missing. Debian: apt-get install chromium (make test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*FLAGS, *extra_flags])
        try:
            yield browser
        finally:
            browser.close()


def axe_violations(page: Any, *, iframes: bool = True) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.x A/AA (and best-practice) violations on the page as it is now."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing: run `npm ci --prefix {AXE.parents[2]}` (make test does)")
    page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_RUN, [AXE_TAGS, iframes])  # type: ignore[no-any-return]
