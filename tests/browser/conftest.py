"""A real `folio serve` per store, Debian's chromium driven by Playwright, axe-core from npm."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from api.desk.i18n import LANG_COOKIE
from api.desk.labels import catalog
from content.accounts import Tokens
from content.db import create_engine
from content.library import DEFAULT_LIBRARY, load_library
from content.migrations import migrate
from content.store import Store
from tests.chromium import axe_violations as chromium_axe
from tests.chromium import chromium
from tests.conftest import DISPLAY_NAMES, ROLES, STORES, _postgres_database, folio_server

SCREENSHOTS = os.environ.get("FOLIO_DESK_SCREENSHOTS")  # a folder: the page tour writes PNGs there
WIDTHS = {"375": {"width": 375, "height": 812}, "1280": {"width": 1280, "height": 900}}


@dataclass
class Desk:
    base: str
    tokens: dict[str, str]
    store: str
    url: str  # the database URL the served desk uses (to expire a session server-side, say)


@pytest.fixture(scope="module", params=STORES)
def desk(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """A served desk over a synced library, with one token per role, on SQLite or PostgreSQL."""
    tmp = tmp_path_factory.mktemp("desk")
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite+aiosqlite:///{tmp / 'folio.db'}"
        else:
            url = stack.enter_context(contextlib.contextmanager(_postgres_database)())
        migrate(url)

        async def prepare() -> dict[str, str]:
            engine = create_engine(url)
            await Store(engine).sync(load_library(DEFAULT_LIBRARY).items, author="library")
            made = {
                role: (await Tokens(engine).create(role, role, "test", display_name=DISPLAY_NAMES[role]))[1]
                for role in ROLES
            }
            await engine.dispose()
            return made

        tokens = asyncio.run(prepare())
        env = {
            "FOLIO_DATABASE_URL": url,
            "FOLIO_LIBRARY_DIR": str(DEFAULT_LIBRARY),
            "FOLIO_DATA_DIR": str(tmp / "var"),
            "FOLIO_LATEST_TTL": "0",
        } | getattr(request.module, "DESK_ENV", {})  # a test module may set more, e.g. FOLIO_TIME_ZONE
        base = stack.enter_context(folio_server(env))
        yield Desk(base, tokens, request.param, url)


@pytest.fixture(scope="module")
def browser(desk: Desk) -> Iterator[Browser]:
    """Started after the desk (whose setup runs its own event loops), closed before it."""
    with chromium() as launched:
        yield launched


@pytest.fixture
def open_page(browser: Browser, desk: Desk) -> Iterator[Any]:
    """New pages in fresh contexts; every request any of them makes must stay on the app's origin."""
    requests: list[str] = []
    contexts: list[BrowserContext] = []

    def make(width: str = "1280", **options: Any) -> Page:
        context = browser.new_context(viewport=WIDTHS[width], accept_downloads=True, **options)
        contexts.append(context)
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        return page

    yield make
    for context in contexts:
        context.close()
    foreign = [
        u
        for u in requests
        # chrome: and chrome-extension: are the browser's PDF viewer (an embedded handout), not the network.
        if not u.startswith(desk.base + "/")
        and not re.match(r"^(about|data|blob|chrome|chrome-extension):", u)
    ]
    assert foreign == []


def sign_in(page: Page, base: str, token: str, next_path: str = "/desk") -> None:
    """Signs in by the form, in the interface language the page's cookie chose (English if none)."""
    chosen = [c["value"] for c in page.context.cookies(base) if c["name"] == LANG_COOKIE]
    words = catalog(chosen[0] if chosen else "en")
    page.goto(f"{base}/desk/signin?next={next_path}")
    page.get_by_label(words["token"]).fill(token)
    page.get_by_role("button", name=words["sign_in"], exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name=words["sign_out"]).is_visible()


def save_draft(page: Page) -> None:
    """Presses Save and waits for the draft's page that says so: the editor's own status line also
    says "Saved at …" after an autosave, so the message alone does not prove the page has moved on."""
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_url(re.compile(r"/draft(\?|$).*done=saved"))
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe on the desk page itself: frames hold the channels' own output, checked on its own."""
    return chromium_axe(page, iframes=False)
