"""The rendered-export cache: files with flock, or PostgreSQL rows with an advisory lock."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from api.render_cache import DatabaseRenderCache, DiskRenderCache, RenderCache, render_cache_for
from api.settings import Settings
from content.database import Database
from content.db import create_engine
from content.migrations import migrate
from tests.conftest import POSTGRES_URL, _postgres_database

pytestmark = pytest.mark.anyio
needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="needs FOLIO_TEST_POSTGRES_URL (CI sets it)")
KEY = '"pdf-0123456789abcdef"'


@pytest.fixture
def postgres_url() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("needs FOLIO_TEST_POSTGRES_URL (CI sets it)")
    for url in _postgres_database():
        migrate(url)
        yield url


@pytest.fixture
async def pg_cache(postgres_url: str) -> AsyncIterator[DatabaseRenderCache]:
    engine = create_engine(postgres_url)
    yield DatabaseRenderCache(engine)
    await engine.dispose()


@pytest.fixture(params=["disk", "database"])
async def cache(request: pytest.FixtureRequest, tmp_path: Path, db_url: str) -> AsyncIterator[RenderCache]:
    if request.param == "disk":
        yield DiskRenderCache(tmp_path / "rendered")
        return
    engine = create_engine(db_url)  # SQLite and, when configured, PostgreSQL
    yield DatabaseRenderCache(engine)
    await engine.dispose()


async def test_get_put_round_trip(cache: RenderCache) -> None:
    assert await cache.get(KEY) is None
    await cache.put(KEY, b"%PDF-1.7 first", "application/pdf")
    assert await cache.get(KEY) == b"%PDF-1.7 first"
    await cache.put(KEY, b"%PDF-1.7 again", "application/pdf")  # a racing replica: first one stays
    assert await cache.get(KEY) == b"%PDF-1.7 first"
    odd = '"email/../../etc passwd"'  # any key is stored safely, never as a path
    await cache.put(odd, b"<html>", "text/html")
    assert await cache.get(odd) == b"<html>"
    assert await cache.get(KEY) == b"%PDF-1.7 first"


async def test_disk_lock_serializes_and_times_out(tmp_path: Path) -> None:
    cache = DiskRenderCache(tmp_path / "rendered", poll_seconds=0.01)
    await _serializes(cache, DiskRenderCache(tmp_path / "rendered", poll_seconds=0.01))


async def _serializes(first: RenderCache, second: RenderCache) -> None:
    """Two holders of the same key: the second waits for the first, then times out if held."""
    events: list[str] = []
    first_has_it = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        async with first.lock(KEY, timeout=10):
            events.append("first in")
            first_has_it.set()
            await release.wait()
            events.append("first out")

    async def waiter() -> None:
        await first_has_it.wait()
        async with second.lock(KEY, timeout=10):
            events.append("second in")

    tasks = [asyncio.create_task(holder()), asyncio.create_task(waiter())]
    await first_has_it.wait()
    await asyncio.sleep(0.3)
    assert events == ["first in"]  # the second is waiting
    release.set()
    await asyncio.gather(*tasks)
    assert events == ["first in", "first out", "second in"]

    # Held elsewhere for longer than the timeout: TimeoutError.
    first_has_it.clear()
    release.clear()
    task = asyncio.create_task(holder())
    await first_has_it.wait()
    with pytest.raises(TimeoutError):
        async with second.lock(KEY, timeout=0.2):
            pass
    async with second.lock('"another-key"', timeout=0.5):  # other keys are not blocked
        pass
    release.set()
    await task


@needs_postgres
async def test_postgres_lock_serializes_across_connections(postgres_url: str) -> None:
    # Two engines stand for two replicas: separate pools, separate sessions.
    engine_a, engine_b = create_engine(postgres_url), create_engine(postgres_url)
    try:
        await _serializes(DatabaseRenderCache(engine_a), DatabaseRenderCache(engine_b))
    finally:
        await engine_a.dispose()
        await engine_b.dispose()


@needs_postgres
async def test_postgres_lock_is_released_after_an_exception(pg_cache: DatabaseRenderCache) -> None:
    with pytest.raises(RuntimeError):
        async with pg_cache.lock(KEY, timeout=1):
            raise RuntimeError("the render failed")
    other = create_engine(str(pg_cache.engine.url.render_as_string(hide_password=False)))
    try:
        # A waiter cancelled mid-wait (its client went away) leaves nothing behind either.
        async with DatabaseRenderCache(other).lock(KEY, timeout=5):
            waiter = asyncio.create_task(_hold(pg_cache, KEY))
            await asyncio.sleep(0.3)
            waiter.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiter
        async with DatabaseRenderCache(other).lock(KEY, timeout=0.5):
            pass
        async with other.connect() as conn:
            held = await conn.exec_driver_sql(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )
            assert held.scalar() == 0
    finally:
        await other.dispose()


async def _hold(cache: RenderCache, key: str) -> None:
    async with cache.lock(key, timeout=5):
        pass


async def test_disk_lock_is_released_after_an_exception(tmp_path: Path) -> None:
    cache = DiskRenderCache(tmp_path / "rendered")
    with pytest.raises(RuntimeError):
        async with cache.lock(KEY, timeout=1):
            raise RuntimeError("the render failed")
    async with DiskRenderCache(tmp_path / "rendered").lock(KEY, timeout=0.2):
        pass


async def test_prune_drops_old_entries(cache: RenderCache) -> None:
    await cache.put(KEY, b"old", "application/pdf")
    assert isinstance(cache, DiskRenderCache | DatabaseRenderCache)
    assert await cache.prune(dt.datetime.now(dt.UTC) - dt.timedelta(days=1)) == 0
    assert await cache.prune(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)) == 1
    assert await cache.get(KEY) is None


def test_render_cache_for(tmp_path: Path) -> None:
    settings = Settings(data_dir=str(tmp_path))
    sqlite = Database(settings.db_url)
    assert isinstance(render_cache_for(settings, sqlite), DiskRenderCache)
    postgres = Database("postgresql+asyncpg://u@127.0.0.1:1/db")  # never connects
    assert isinstance(render_cache_for(settings, postgres), DatabaseRenderCache)


@needs_postgres
async def test_a_failed_unlock_does_not_fail_a_finished_render(pg_cache: DatabaseRenderCache) -> None:
    """The lock's session ends under it (a failover, an idle timeout) while the render runs: the
    render stands, and the lock is free (a session's locks end with it)."""
    async with pg_cache.lock(KEY, timeout=1), pg_cache.engine.connect() as conn:
        await conn.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks"
                " WHERE locktype = 'advisory' AND pid <> pg_backend_pid()"
            )
        )
    async with pg_cache.lock(KEY, timeout=1):  # no error above, and the lock is free
        pass


@needs_postgres
async def test_waiting_for_the_lock_holds_no_connection(postgres_url: str) -> None:
    """A render waiting for another replica's lock keeps no connection checked out meanwhile."""
    engine_a, engine_b = create_engine(postgres_url), create_engine(postgres_url)
    holder, waiter = DatabaseRenderCache(engine_a), DatabaseRenderCache(engine_b, poll_seconds=0.5)
    try:
        async with holder.lock(KEY, timeout=5):
            waiting = asyncio.create_task(_hold(waiter, KEY))
            checked_out = []
            for _ in range(3):
                await asyncio.sleep(0.25)  # between its attempts, a statement of a few ms each
                checked_out.append(engine_b.pool.checkedout())  # type: ignore[attr-defined]
            assert not waiting.done()
        await waiting
        assert checked_out.count(0) >= 2, checked_out
    finally:
        await engine_a.dispose()
        await engine_b.dispose()
