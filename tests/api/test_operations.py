"""Operations: request ids, JSON access logs, Prometheus metrics, readiness."""

import asyncio
import io
import json
import logging
from pathlib import Path
from typing import Any

import msgspec
import pytest
from alembic import command
from litestar.testing import TestClient

from api.app import create_app
from api.observability import JsonFormatter, JsonLinesHandler
from api.settings import Settings
from content.migrations import alembic_config, head_revision

ARTICLE = "/v1/articles/ketamine-withdrawal"


def test_request_ids_and_json_access_log(client: TestClient[Any], caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="folio.access"):
        mine = client.get(ARTICLE, headers={"X-Request-ID": "trace-42"})
        fresh = client.get(ARTICLE, headers={"X-Request-ID": "not ok!"})
    assert mine.headers["x-request-id"] == "trace-42"
    assert len(fresh.headers["x-request-id"]) == 32 and fresh.headers["x-request-id"] != "not ok!"
    access = [r for r in caplog.records if r.name == "folio.access"]
    assert len(access) == 2
    line = json.loads(JsonFormatter().format(access[0]))
    assert line["msg"] == "request" and line["request_id"] == "trace-42"
    assert line["route"] == "/v1/articles/{slug}" and line["status"] == 200 and line["duration_ms"] >= 0


def test_metrics(settings: Settings) -> None:
    # Lookups reused for an hour, so a slow first read (a loaded machine) is still kept.
    with TestClient(create_app(msgspec.structs.replace(settings, latest_ttl=3600))) as client:
        client.get(ARTICLE)
        client.get(ARTICLE)
        client.get("/v1/articles/nope")
        text = client.get("/metrics").text
    assert 'folio_http_requests_total{method="GET",route="/v1/articles/{slug}",status="200"} 2.0' in text
    assert 'folio_http_requests_total{method="GET",route="/v1/articles/{slug}",status="404"} 1.0' in text
    # The first read builds the document and is kept; the second is answered from what was kept.
    assert 'folio_cache_lookups_total{cache="documents",result="miss"} 1.0' in text
    assert 'folio_cache_lookups_total{cache="documents",result="hit"}' not in text
    assert 'folio_cache_lookups_total{cache="responses",result="miss"} 1.0' in text
    assert 'folio_cache_lookups_total{cache="responses",result="hit"} 1.0' in text
    assert "folio_render_queue_depth 0.0" in text
    assert (
        'folio_http_request_duration_seconds_bucket{le="0.1",method="GET",route="/v1/articles/{slug}"}'
        in text
    )


def test_renders_are_counted_by_channel(client: TestClient[Any]) -> None:
    assert client.get(ARTICLE + "/email").status_code == 200
    assert client.get(ARTICLE + "/email").status_code == 200  # cached: not rendered again
    assert client.get(ARTICLE + "/email.txt").status_code == 200
    text = client.get("/metrics").text
    assert 'folio_handout_renders_total{channel="email"} 2.0' in text
    assert 'channel="pdf"' not in text


def test_ready(client: TestClient[Any]) -> None:
    response = client.get("/ready")
    assert response.status_code == 200 and response.json() == {"status": "ready", "schema": head_revision()}


def test_not_ready_when_the_schema_is_behind(settings: Settings, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0001")
    with TestClient(create_app(msgspec.structs.replace(settings, database_url=url))) as client:
        response = client.get("/ready")
        assert response.status_code == 503
        assert "folio migrate" in response.json()["detail"]
        assert client.get("/health").status_code == 200  # alive, just not ready


def test_cors_preflight_and_vary(client: TestClient[Any]) -> None:
    allowed = {"Origin": "https://app.example.org", "Access-Control-Request-Method": "PUT"}
    preflight = client.options(ARTICLE, headers=allowed | {"Access-Control-Request-Headers": "if-match"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "https://app.example.org"
    assert "PUT" in preflight.headers["access-control-allow-methods"]
    assert preflight.headers["access-control-allow-headers"] == "if-match"
    assert "origin" in preflight.headers["vary"].lower() and preflight.headers["x-request-id"]
    refused = client.options(ARTICLE, headers=allowed | {"Origin": "https://evil.example.com"})
    assert "access-control-allow-origin" not in refused.headers
    simple = client.get(ARTICLE, headers={"Origin": "https://app.example.org"})
    vary = [v.strip() for v in simple.headers["vary"].split(",")]
    assert vary == ["Accept-Encoding", "Accept-Language", "Origin"]


def test_access_log_as_folio_serve_writes_it(client: TestClient[Any]) -> None:
    """With `folio serve`'s logging, access lines skip LogRecords; they read the same."""
    stream = io.StringIO()
    handler = JsonLinesHandler(stream)
    handler.setFormatter(JsonFormatter())
    access = logging.getLogger("folio.access")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        client.get(ARTICLE, headers={"X-Request-ID": "trace-43"})
        logging.getLogger("folio.access").info("by hand", extra={"fields": {"status": 1}})
    finally:
        access.removeHandler(handler)
        access.setLevel(logging.NOTSET)
    fast, slow = (json.loads(line) for line in stream.getvalue().splitlines())
    assert fast.keys() == slow.keys() | {"method", "path", "route", "duration_ms"}
    assert fast["request_id"] == "trace-43" and fast["route"] == "/v1/articles/{slug}"
    assert fast["status"] == 200 and fast["level"] == "info" and fast["msg"] == "request"


def test_a_batch_writes_what_each_observation_would_have() -> None:
    """Workers sharing metric files batch their counts; the totals equal one write per read."""
    from prometheus_client import CollectorRegistry, Counter, Histogram

    from api.metrics import Batch

    direct, batched = CollectorRegistry(), CollectorRegistry()
    buckets = (0.001, 0.01, 0.1, 1)
    made = [
        (
            Counter("reads", "r", ["route"], registry=r),
            Histogram("took", "t", ["route"], registry=r, buckets=buckets),
        )
        for r in (direct, batched)
    ]
    batch = Batch()

    async def read_six() -> float:
        for amount in (0.0005, 0.001, 0.02, 0.02, 0.5, 3.0):
            made[0][0].labels("/a").inc()
            made[0][1].labels("/a").observe(amount)
            batch.count(made[1][0].labels("/a"))
            batch.observe(made[1][1].labels("/a"), amount)
        written: float = made[1][0].labels("/a")._value.get()  # none yet: the flush is scheduled
        return written

    assert asyncio.run(read_six()) == 0
    batch.flush()
    samples = [
        sorted((s.name, tuple(sorted(s.labels.items())), s.value) for m in r.collect() for s in m.samples)
        for r in (direct, batched)
    ]
    samples = [[s for s in found if not s[0].endswith("_created")] for found in samples]
    assert samples[0] == samples[1]
    assert ("took_bucket", (("le", "0.001"), ("route", "/a")), 2.0) in samples[1]
