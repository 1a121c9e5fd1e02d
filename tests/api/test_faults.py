"""Faults a real server meets: dropped database connections, a storm of handouts, a dead render
worker. Each runs a real `folio serve` on 127.0.0.1 with bounded traffic, on both stores where the
fault exists there, and expects answers (a result, or 503 with Retry-After), never a 500."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from api.settings import Settings
from content.db import create_engine
from tests.conftest import POSTGRES_URL, bearer, folio_process

READS = (
    "/v1/articles?limit=10",
    "/v1/faqs/ketamine-addiction-faq",
    "/v1/articles/ketamine-withdrawal/versions",
    "/v1/search?q=ketamine",
)


@contextlib.contextmanager
def server(settings: Settings, tmp_path: Path, **extra: str) -> Iterator[tuple[str, int, Path]]:
    """A `folio serve` on this test's database: (base URL, pid, log file)."""
    log = tmp_path / "server.log"
    env = {
        "FOLIO_DATABASE_URL": settings.db_url,
        "FOLIO_LIBRARY_DIR": settings.library_dir,
        "FOLIO_DATA_DIR": str(tmp_path / "var-served"),
        "FOLIO_LATEST_TTL": "0",  # every read asks the database which version is latest
    } | {f"FOLIO_{k.upper()}": v for k, v in extra.items()}
    with folio_process(env, log=log) as (base, process):
        yield base, process.pid, log


def assert_no_traceback(log: Path) -> None:
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text[-4000:]


async def terminate_backends(db_url: str) -> int:
    """What a failover or restart does to Folio: every other session on its database ends."""
    engine = create_engine(db_url)
    try:
        async with engine.connect() as conn:
            ended = await conn.scalar(
                sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
    finally:
        await engine.dispose()
    return int(ended or 0)


@pytest.mark.skipif(not POSTGRES_URL, reason="needs FOLIO_TEST_POSTGRES_URL (make test sets it)")
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SQLite has no connections to drop
def test_terminated_connections_are_retried_not_errors(
    settings: Settings, tokens: dict[str, str], tmp_path: Path
) -> None:
    """Backends are terminated mid-load four times: reads answer, writes answer 2xx or 503 and
    every acknowledged one is kept, and the service answers again at once."""
    admin = bearer(tokens["admin"])
    statuses: list[tuple[str, int]] = []
    acknowledged: list[str] = []
    terminated: list[int] = []

    async def run(base: str) -> None:
        stop = asyncio.Event()
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:

            async def reader(n: int) -> None:
                while not stop.is_set():
                    path = READS[n % len(READS)]
                    response = await client.get(path)
                    statuses.append((path, response.status_code))
                    n += 1

            async def admin_reader() -> None:
                while not stop.is_set():
                    response = await client.get("/v1/tokens", headers=admin)
                    statuses.append(("/v1/tokens", response.status_code))

            async def writer() -> None:
                n = 0
                while not stop.is_set():
                    name = f"load-{n}"
                    body = {"name": name, "role": "reader", "displayName": "Load test"}
                    # A client that honours 503 sends the same write again (bounded attempts).
                    lost = False
                    for _attempt in range(10):
                        response = await client.post("/v1/tokens", json=body, headers=admin)
                        statuses.append(("POST /v1/tokens", response.status_code))
                        if response.status_code != 503:
                            break
                        lost = True
                        assert response.headers["retry-after"]
                        assert response.headers["content-type"] == "application/problem+json"
                        await asyncio.sleep(0.05)
                    # 409 only after a 503: the lost attempt had committed, exactly once.
                    assert response.status_code == 201 or (response.status_code == 409 and lost)
                    acknowledged.append(name)
                    n += 1

            async def killer() -> None:
                for _ in range(4):
                    await asyncio.sleep(0.4)
                    terminated.append(await terminate_backends(settings.db_url))
                    # Answering again within a second: bounded attempts, never a timed assertion.
                    for _attempt in range(20):
                        if (await client.get("/v1/articles?limit=1")).status_code == 200:
                            break
                        await asyncio.sleep(0.05)
                    else:
                        raise AssertionError("the service did not answer again after the connections dropped")
                stop.set()

            await asyncio.gather(*(reader(n) for n in range(4)), admin_reader(), writer(), killer())

    with server(settings, tmp_path, db_pool_size="3", db_pool_overflow="2") as (base, _pid, log):
        asyncio.run(run(base))
        listed = {t["name"] for t in httpx.get(base + "/v1/tokens", headers=admin).json()["tokens"]}
    assert len(terminated) == 4 and sum(terminated) >= 4, terminated  # Folio's sessions did end
    errors = [(path, status) for path, status in statuses if status >= 500 and status != 503]
    assert errors == []
    reads = [status for path, status in statuses if not path.startswith("POST")]
    assert reads.count(200) > len(reads) * 0.9, reads  # a read is retried; a 503 is the exception
    assert acknowledged and set(acknowledged) <= listed
    assert_no_traceback(log)


# --- a storm of handouts ----------------------------------------------------------------------

ITEMS = {
    "article": ("is-ketamine-therapy-addictive", "ketamine-withdrawal"),
    "faq": ("ketamine-addiction-faq",),
    "comparison": ("medical-vs-recreational-ketamine",),
}
PLURAL = {"article": "articles", "faq": "faqs", "comparison": "comparisons"}


def fifty_handouts() -> list[tuple[str, str, dict[str, object] | None]]:
    """Fifty distinct handouts (each its own ETag): single items in two locales, two papers and
    two sizes (32), and two-item packets (18). Entries are (method, path, JSON body)."""
    refs = [(kind, slug) for kind, slugs in ITEMS.items() for slug in slugs]
    singles: list[tuple[str, str, dict[str, object] | None]] = [
        ("GET", f"/v1/{PLURAL[kind]}/{slug}/handout.pdf?paper={paper}&size={size}&locale={locale}", None)
        for kind, slug in refs
        for locale in ("en", "es")
        for paper in ("a4", "letter")
        for size in ("standard", "large")
    ]
    packets: list[tuple[str, str, dict[str, object] | None]] = [
        (
            "POST",
            "/v1/handouts",
            {"items": [{"type": k, "slug": s} for k, s in pair], "paper": paper, "size": size},
        )
        for pair in itertools.permutations(refs, 2)
        for paper, size in (("a4", "standard"), ("letter", "large"))
    ]
    storm = singles + packets[:18]
    assert len(storm) == 50 and len({(m, p, repr(b)) for m, p, b in storm}) == 50
    return storm


def test_a_storm_of_handouts_never_starves_reads(settings: Settings, tmp_path: Path) -> None:
    """50 distinct handouts at once, with a render queue longer than the database pool: each is a
    PDF or a 503 with Retry-After, and JSON reads answer throughout."""
    handouts: list[httpx.Response] = []
    reads: list[int] = []

    async def run(base: str) -> None:
        limits = httpx.Limits(max_connections=100)
        async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
            storming = True

            async def handout(method: str, path: str, body: dict[str, object] | None) -> None:
                handouts.append(await client.request(method, path, json=body))

            async def reader() -> None:
                n = 0
                while storming or n < 10:
                    reads.append((await client.get(READS[n % len(READS)])).status_code)
                    n += 1
                    await asyncio.sleep(0.02)  # steady, not flat out: the renders get the CPU too

            readers = [asyncio.create_task(reader()) for _ in range(3)]
            await asyncio.sleep(0.1)  # readers first, so they read before, during and after
            await asyncio.gather(*(handout(*h) for h in fifty_handouts()))
            storming = False
            await asyncio.gather(*readers)

    # Three renders admitted, two at a time, against a pool of two connections: before, each
    # admitted render held a pooled connection for its lock and readers waited for one.
    with server(
        settings,
        tmp_path,
        pdf_workers="2",
        pdf_queue="3",
        db_pool_size="1",
        db_pool_overflow="1",
        db_pool_timeout_seconds="10",
    ) as (base, _pid, log):
        asyncio.run(run(base))
    outcomes = sorted({r.status_code for r in handouts})
    assert len(handouts) == 50 and set(outcomes) <= {200, 503}, outcomes
    assert 200 in outcomes and 503 in outcomes
    for response in handouts:
        if response.status_code == 200:
            assert response.content.startswith(b"%PDF-")
        else:
            assert int(response.headers["retry-after"]) > 0
            assert response.headers["content-type"] == "application/problem+json"
    assert reads and set(reads) == {200}
    assert_no_traceback(log)


# --- a render worker killed mid-render --------------------------------------------------------


def descendants(pid: int) -> dict[int, tuple[str, str]]:
    """Every process under ``pid``: its state letter and command line."""
    parents: dict[int, int] = {}
    info: dict[int, tuple[str, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
        info[int(entry.name)] = (fields[0], cmdline)
    found: dict[int, tuple[str, str]] = {}
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        for child, its_parent in parents.items():
            if its_parent == parent and child not in found:
                found[child] = info[child]
                frontier.append(child)
    return found


def render_workers(pid: int) -> list[int]:
    return [
        p for p, (_state, cmd) in descendants(pid).items() if "multiprocessing" in cmd and "spawn_main" in cmd
    ]


def test_a_killed_render_worker_is_rendered_again_or_a_503_and_later_renders_work(
    settings: Settings, tmp_path: Path
) -> None:
    with server(settings, tmp_path, pdf_workers="1") as (base, pid, log):
        result: dict[str, httpx.Response] = {}
        path = "/v1/articles/ketamine-withdrawal/handout.pdf"
        request = threading.Thread(target=lambda: result.setdefault("r", httpx.get(base + path, timeout=120)))
        request.start()
        for _ in range(600):  # until the render is running in a worker
            metrics = httpx.get(base + "/metrics", timeout=30).text  # a loaded machine forks slowly
            if "folio_render_queue_depth 1.0" in metrics and render_workers(pid):
                break
            time.sleep(0.02)
        else:
            raise AssertionError("the render never started")
        for worker in render_workers(pid):
            os.kill(worker, signal.SIGKILL)
        request.join(120)
        killed = result["r"]
        assert killed.status_code in (200, 503), killed.text
        if killed.status_code == 503:
            assert (
                killed.headers["retry-after"] and killed.headers["content-type"] == "application/problem+json"
            )
        # Later renders work, the killed one included.
        for again in (path, "/v1/faqs/ketamine-addiction-faq/handout.pdf"):
            response = httpx.get(base + again, timeout=120)
            assert response.status_code == 200 and response.content.startswith(b"%PDF-")
        zombies = [(p, cmd) for p, (state, cmd) in descendants(pid).items() if state == "Z"]
        assert zombies == []
    assert "render worker stopped unexpectedly" in log.read_text()  # it died mid-render
    assert_no_traceback(log)


# --- the server's goodbye on a connection in use ----------------------------------------------


def goodbye() -> bytes:
    """What PostgreSQL sends a session it terminates (pg_terminate_backend, shutdown, failover)."""
    fields = b"SFATAL\0VFATAL\0C57P01\0Mterminating connection due to administrator command\0\0"
    return b"E" + struct.pack("!i", len(fields) + 4) + fields


def say_goodbye_before(
    engine: AsyncEngine | type[sa.engine.Engine], statement: str, times: int = 1
) -> list[str]:
    """Before the next ``times`` statements starting with ``statement``, the server's termination
    message reaches their connection, as when a backend is terminated between two statements.
    ``engine`` is one engine, or the Engine class: every engine (an app's, which it keeps inside)."""
    said: list[str] = []
    target = engine.sync_engine if isinstance(engine, AsyncEngine) else engine

    @sa.event.listens_for(target, "before_cursor_execute")
    def before(conn: sa.Connection, cursor: Any, sql: str, *args: Any) -> None:
        if len(said) < times and sql.lstrip().upper().startswith(statement):
            said.append(sql)
            driver = conn.connection.dbapi_connection.driver_connection  # type: ignore[union-attr]
            driver._protocol.data_received(goodbye())

    return said


pg_only = pytest.mark.skipif(not POSTGRES_URL, reason="needs FOLIO_TEST_POSTGRES_URL (make test sets it)")


@pg_only
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
@pytest.mark.anyio
async def test_a_read_that_loses_its_connection_is_read_again(synced_db: str) -> None:
    """The goodbye arrives on a checked-out, idle connection: asyncpg parks it mid-operation and
    refuses the next statement ("cannot switch to state 15; another operation (2) is in
    progress", issue 26). The read runs once more, on a fresh connection, and answers."""
    from content.store import Store

    engine = create_engine(synced_db)
    try:
        said = say_goodbye_before(engine, "SELECT")
        page = await Store(engine).list_items("article", limit=10)
        assert said and page.items
    finally:
        await engine.dispose()


@pg_only
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_write_that_loses_its_connection_is_a_503_and_its_retry_is_safe(
    settings: Settings, tokens: dict[str, str]
) -> None:
    """The publish loses its connection mid-transaction: 503 with Retry-After, nothing kept; the
    client sends the same request with the same If-Match, and exactly one version is published."""
    from litestar.testing import TestClient

    from api.app import create_app

    item = "/v1/articles/ketamine-withdrawal"
    with TestClient(create_app(settings)) as client:
        started = client.post(item + "/draft", headers=bearer(tokens["editor"]))
        reviewed = client.post(
            item + "/draft/review",
            json={"nextReviewOn": "2027-09-01"},
            headers=bearer(tokens["reviewer"], **{"If-Match": started.headers["etag"]}),
        )
        headers = bearer(tokens["publisher"], **{"If-Match": reviewed.headers["etag"]})
        said = say_goodbye_before(sa.engine.Engine, "INSERT INTO VERSIONS")  # the app's own engine
        lost = client.post(item + "/publish", headers=headers)
        assert said and lost.status_code == 503, lost.text
        assert lost.headers["retry-after"] == "1"
        assert lost.headers["content-type"] == "application/problem+json"
        assert [v["version"] for v in client.get(item + "/versions").json()["versions"]] == [1]
        again = client.post(item + "/publish", headers=headers)
        assert again.status_code == 200 and again.json()["version"] == 2
        assert client.post(item + "/publish", headers=headers).status_code in (409, 412)
        assert [v["version"] for v in client.get(item + "/versions").json()["versions"]] == [2, 1]
