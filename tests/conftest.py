"""Shared fixtures: a private copy of the library, a migrated store, an app and its client."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from api.app import create_app
from api.settings import Settings
from content.db import create_engine
from content.library import DEFAULT_LIBRARY, load_library
from content.migrations import migrate
from content.store import Store
from tests import chromium

POSTGRES_URL = os.environ.get("FOLIO_TEST_POSTGRES_URL")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A writable copy of the bundled library."""
    root = tmp_path / "library"
    shutil.copytree(DEFAULT_LIBRARY, root)
    return root


def _postgres_database() -> Iterator[str]:
    """A fresh database on the test PostgreSQL server, dropped afterwards."""
    assert POSTGRES_URL
    name = f"folio_test_{uuid.uuid4().hex[:12]}"
    admin = sa.make_url(POSTGRES_URL)

    async def run(statement: str) -> None:
        engine = create_engine(admin.render_as_string(hide_password=False))
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(sa.text(statement))
        await engine.dispose()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(run(f'DROP DATABASE "{name}" WITH (FORCE)'))


STORES = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


@pytest.fixture(params=STORES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: SQLite always, PostgreSQL too when configured."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'folio.db'}"
        migrate(url)
        yield url
    else:
        for url in _postgres_database():
            migrate(url)
            yield url


@pytest.fixture
def synced_db(db_url: str, library: Path) -> str:
    """The database with the library synced in (version 1 of everything)."""

    async def sync() -> None:
        engine = create_engine(db_url)
        await Store(engine).sync(load_library(library).items, author="library")
        await engine.dispose()

    asyncio.run(sync())
    return db_url


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[Store]:
    engine = create_engine(db_url)
    yield Store(engine)
    await engine.dispose()


@pytest.fixture
def settings(synced_db: str, library: Path, tmp_path: Path) -> Settings:
    return Settings(
        database_url=synced_db,
        library_dir=str(library),
        data_dir=str(tmp_path / "var"),
        cors_origins=["https://app.example.org"],
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:  # type: ignore[type-arg]
    with TestClient(create_app(settings)) as test_client:
        yield test_client


ROLES = ("reader", "editor", "reviewer", "publisher", "admin")
# What each test token stands for; handouts and pages print these, never the token's name.
DISPLAY_NAMES = {role: f"Dr {role.title()} Rivera, MD" for role in ROLES}


@pytest.fixture
def tokens(settings: Settings) -> dict[str, str]:
    """One bearer token per role, named after it."""
    from content.accounts import Tokens

    async def make() -> dict[str, str]:
        engine = create_engine(settings.db_url)
        made = {
            role: (await Tokens(engine).create(role, role, "test", display_name=DISPLAY_NAMES[role]))[1]
            for role in ROLES
        }
        await engine.dispose()
        return made

    return asyncio.run(make())


@pytest.fixture
def ehr_token(settings: Settings) -> str:
    """A bearer token of the ``ehr`` system role (an EHR's integration, not a person)."""
    from content.accounts import Tokens

    async def make() -> str:
        engine = create_engine(settings.db_url)
        made = (await Tokens(engine).create("chart", "ehr", "test", display_name="Clinic EHR"))[1]
        await engine.dispose()
        return made

    return asyncio.run(make())


def bearer(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


@contextlib.contextmanager
def folio_server(env: dict[str, str], *args: str, log: Path | None = None) -> Iterator[str]:
    """A real `folio serve` process on a free 127.0.0.1 port, with these FOLIO_* settings."""
    with folio_process(env, *args, log=log) as (base, _process):
        yield base


@contextlib.contextmanager
def folio_process(
    env: dict[str, str], *args: str, log: Path | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Like folio_server, also handing over the process (to signal it); its output goes to ``log``."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    folio = str(Path(sys.executable).with_name("folio"))
    output = log.open("ab") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        [folio, "serve", *args],
        env=os.environ | env | {"FOLIO_PORT": str(port)},
        stdout=output,
        stderr=output,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            raise RuntimeError("folio serve did not start")
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(30)
            raise AssertionError("folio serve did not stop within 30 s of SIGTERM") from None
        finally:
            if log:
                output.close()  # type: ignore[union-attr]


# --- what ran -------------------------------------------------------------------------------

CLIENTS = Path(__file__).parent / "clients" / "node_modules" / ".bin"
UNTRACKED_BEFORE = pytest.StashKey[set[str]]()
LEFT_BEHIND = pytest.StashKey[list[str]]()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A run that leaves new untracked files in the checkout fails: tests write under tmp or var/."""
    before = session.config.stash.get(UNTRACKED_BEFORE, set())
    left = sorted(untracked() - before)
    session.config.stash[LEFT_BEHIND] = left
    if left and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


ROOT = Path(__file__).resolve().parents[1]


def untracked() -> set[str]:
    """Files in the checkout that git neither tracks nor ignores (var/ and .venv/ are ignored)."""
    if not (ROOT / ".git").exists():
        return set()
    listed = subprocess.run(
        ["git", "ls-files", "--others", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True
    )
    found = set(filter(None, listed.stdout.decode().split("\0")))
    # `make screenshots` asks the browser tests to write the desk's pictures into docs/desk.
    if shots := os.environ.get("FOLIO_DESK_SCREENSHOTS"):
        wanted = Path(shots).resolve()
        found = {name for name in found if not (ROOT / name).resolve().is_relative_to(wanted)}
    return found


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under `make test` (FOLIO_TEST_EVERYTHING) a missing prerequisite fails the run, never skips it."""
    session.config.stash[UNTRACKED_BEFORE] = untracked()
    if not os.environ.get("FOLIO_TEST_EVERYTHING"):
        return
    missing = [
        what
        for what, present in (
            ("FOLIO_TEST_POSTGRES_URL (PostgreSQL tests)", POSTGRES_URL),
            ("chromium (browser tests)", chromium.CHROMIUM),
            ("tests/clients/node_modules (npm ci --prefix tests/clients)", (CLIENTS / "tsc").exists()),
            (
                "tests/fhir/node_modules (npm ci --prefix tests/fhir)",
                (ROOT / "tests" / "fhir" / "node_modules" / "fhir").exists(),
            ),
        )
        if not present
    ]
    if missing:
        pytest.exit("make test runs everything, but these are missing: " + "; ".join(missing), returncode=3)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """End with what ran: tests per store, browser and fuzzer tests, and anything skipped."""
    passed = terminalreporter.stats.get("passed", [])
    failed = terminalreporter.stats.get("failed", [])
    ran = [r for r in passed + failed if r.when == "call"]
    count = Counter[str]()
    for report in ran:
        for label, marker in (
            ("SQLite", "[sqlite"),
            ("PostgreSQL", "postgresql"),
            ("browser (chromium)", "browser"),
            ("fuzzer (schemathesis)", "fuzz"),
        ):
            if marker in report.nodeid:
                count[label] += 1
    terminalreporter.section("what ran")
    for name in config.stash.get(LEFT_BEHIND, []):
        terminalreporter.write_line(f"FAILED: the run left an untracked file in the checkout: {name}")
    terminalreporter.write_line(
        f"{len(ran)} tests ran: "
        + ", ".join(
            f"{n} on {label}" if label in ("SQLite", "PostgreSQL") else f"{n} {label}"
            for label, n in count.items()
        )
    )
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped:
        for report in skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            terminalreporter.write_line(f"skipped {report.nodeid}: {reason}")
    else:
        terminalreporter.write_line("nothing was skipped")
