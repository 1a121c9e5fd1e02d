"""Handouts through the API: the worker pool, the disk cache, 503 when full, health under load."""

import asyncio
import contextlib
import io
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pypdf
import pytest
from litestar.testing import TestClient

from api.settings import Settings
from content.changes import Change
from content.db import create_engine
from content.library import load_library
from content.store import Store
from tests.conftest import folio_process, folio_server

ARTICLE = "/v1/articles/is-ketamine-therapy-addictive"


def pdf_text(body: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(body)).pages)


def test_handout_download_cache_and_304(client: TestClient[Any], settings: Settings) -> None:
    exports = client.app.state.services.exports
    first = client.get(ARTICLE + "/handout.pdf?paper=letter")
    assert first.status_code == 200, first.text
    assert first.headers["content-type"] == "application/pdf"
    assert (
        first.headers["content-disposition"] == 'attachment; filename="is-ketamine-therapy-addictive-v1.pdf"'
    )
    assert "Version 1 · Sample: not reviewed by a clinician" in pdf_text(first.content)
    # Kept in the render cache every replica sees: the data folder on SQLite, the database on
    # PostgreSQL.
    assert client.blocking_portal.call(exports.cache.get, first.headers["etag"]) == first.content
    renders = exports.renders["pdf"]
    again = client.get(ARTICLE + "/handout.pdf?paper=letter")
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    assert exports.renders["pdf"] == renders
    assert (
        client.get(
            ARTICLE + "/handout.pdf?paper=letter", headers={"If-None-Match": first.headers["etag"]}
        ).status_code
        == 304
    )
    assert client.get(ARTICLE + "/handout.pdf?paper=a4").headers["etag"] != first.headers["etag"]
    assert (
        client.get(ARTICLE + "/handout.pdf?version=1&paper=letter").headers["etag"] == first.headers["etag"]
    )


@pytest.mark.parametrize(
    ("path", "status", "name"),
    [
        (ARTICLE + "/handout.pdf?paper=a5", 400, "paper"),
        (ARTICLE + "/handout.pdf?size=huge", 400, "size"),
        (ARTICLE + "/handout.pdf?version=zero", 400, "version"),
        ("/v1/articles/nope/handout.pdf", 404, None),
        (ARTICLE + "/handout.pdf?version=9", 404, None),
    ],
)
def test_handout_errors(client: TestClient[Any], path: str, status: int, name: str | None) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    if name:
        assert response.json()["errors"][0]["name"] == name


def test_a_new_version_gets_a_new_handout(client: TestClient[Any], settings: Settings, library: Path) -> None:
    before = client.get("/v1/faqs/ketamine-addiction-faq/handout.pdf")
    path = library / "faqs" / "ketamine-addiction-faq.yaml"
    path.write_text(path.read_text().replace("It is possible but rare.", "Possible, but rare."))

    async def sync() -> None:
        engine = create_engine(settings.db_url)
        await Store(engine).sync(load_library(library).items, author="library")
        await engine.dispose()

    asyncio.run(sync())
    # A write by another process (a library sync): its change signal stands in for latest_ttl.
    client.app.state.reader.changed(Change("faq", "ketamine-addiction-faq", "en", "published"))
    after = client.get("/v1/faqs/ketamine-addiction-faq/handout.pdf")
    assert after.headers["etag"] != before.headers["etag"]
    assert "Version 2 ·" in pdf_text(after.content) and "Possible, but rare." in pdf_text(after.content)
    assert after.headers["content-disposition"].endswith('-v2.pdf"')


def test_packet(client: TestClient[Any]) -> None:
    items = [
        {"type": "article", "slug": "ketamine-withdrawal"},
        {"type": "comparison", "slug": "medical-vs-recreational-ketamine"},
    ]
    response = client.post("/v1/handouts", json={"items": items, "size": "large"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert [o.title for o in reader.outline if not isinstance(o, list)] == [
        "Patient information packet",
        "Ketamine withdrawal — should patients in therapy worry?",
        "Ketamine as a treatment and ketamine used to get high, side by side",
    ]
    missing = client.post("/v1/handouts", json={"items": [{"type": "faq", "slug": "nope"}]})
    assert missing.status_code == 404
    assert client.post("/v1/handouts", json={"items": []}).status_code == 400


COMBOS = [
    (slug, paper, size)
    for slug in (
        "articles/is-ketamine-therapy-addictive",
        "articles/ketamine-withdrawal",
        "faqs/ketamine-addiction-faq",
        "comparisons/medical-vs-recreational-ketamine",
    )
    for paper in ("a4", "letter")
    for size in ("standard", "large")
]


@pytest.fixture
def serve(settings: Settings, tmp_path: Path) -> Iterator[Callable[..., str]]:
    """Starts real `folio serve` processes on this test's database, with extra FOLIO_* settings."""
    with contextlib.ExitStack() as stack:

        def start(**extra: str) -> str:
            env = {
                "FOLIO_DATABASE_URL": settings.db_url,
                "FOLIO_LIBRARY_DIR": settings.library_dir,
                "FOLIO_DATA_DIR": str(tmp_path / "var-served"),
            } | {f"FOLIO_{k.upper()}": v for k, v in extra.items()}
            return stack.enter_context(folio_server(env))

        yield start


def test_a_full_queue_answers_503(serve: Callable[..., str]) -> None:
    base = serve(pdf_workers="1", pdf_queue="1")

    async def fire() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=base, timeout=120) as client:
            return await asyncio.gather(
                *(
                    client.get(f"/v1/{slug}/handout.pdf?paper={paper}&size={size}")
                    for slug, paper, size in COMBOS[:4]
                )
            )

    responses = asyncio.run(fire())
    statuses = sorted(r.status_code for r in responses)
    assert statuses[0] == 200 and statuses[-1] == 503
    busy = next(r for r in responses if r.status_code == 503)
    assert busy.headers["retry-after"] == "5"
    assert busy.headers["content-type"].startswith("application/problem+json")


def test_health_answers_while_ten_handouts_render(serve: Callable[..., str]) -> None:
    base = serve(pdf_workers="2", pdf_queue="10")
    finished: list[str] = []

    async def run() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=base, timeout=120) as client:

            async def handout(slug: str, paper: str, size: str) -> httpx.Response:
                response = await client.get(f"/v1/{slug}/handout.pdf?paper={paper}&size={size}")
                finished.append("handout")
                return response

            async def health() -> None:
                await asyncio.sleep(0)  # let the handout requests go out first
                for _ in range(5):
                    assert (await client.get("/health")).status_code == 200
                    finished.append("health")

            renders = [handout(*combo) for combo in COMBOS[:10]]
            results = await asyncio.gather(*renders, health())
            return [r for r in results if r is not None]

    results = asyncio.run(run())
    assert [r.status_code for r in results] == [200] * 10
    # All five health checks came back while most of the ten renders were still under way.
    last_health = len(finished) - 1 - finished[::-1].index("health")
    assert finished.count("health") == 5
    assert finished[:last_health].count("handout") < 5, finished


def test_shutdown_finishes_the_render_in_flight(settings: Settings, tmp_path: Path) -> None:
    env = {
        "FOLIO_DATABASE_URL": settings.db_url,
        "FOLIO_LIBRARY_DIR": settings.library_dir,
        "FOLIO_DATA_DIR": str(tmp_path / "var-shutdown"),
    }
    with folio_process(env) as (base, process):
        result: dict[str, httpx.Response] = {}
        request = threading.Thread(
            target=lambda: result.setdefault("r", httpx.get(base + ARTICLE + "/handout.pdf", timeout=120))
        )
        request.start()
        for _ in range(600):  # until the render is queued or running
            if "folio_render_queue_depth 1.0" in httpx.get(base + "/metrics").text:
                break
            time.sleep(0.02)
        else:
            raise AssertionError("the render never started")
        process.send_signal(signal.SIGTERM)
        request.join(120)
        # granian stops accepting, lets the request finish, then the app waits for the render.
        assert process.wait(120) in (0, -signal.SIGTERM)
    response = result["r"]
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")


def test_render_workers_yield_the_cpu_to_reads(client: TestClient[Any]) -> None:
    """WeasyPrint runs at a lower CPU priority than the server, so renders never starve reads."""
    assert client.get(ARTICLE + "/handout.pdf").status_code == 200
    workers = client.app.state.exports.pool._processes  # the pool's live worker processes
    assert workers
    server = os.getpriority(os.PRIO_PROCESS, 0)
    for pid in workers:
        assert os.getpriority(os.PRIO_PROCESS, pid) == min(server + 10, 19)  # FOLIO_PDF_NICENESS
