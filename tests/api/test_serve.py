"""`folio serve` as operators run it: real processes, one or several workers."""

import statistics
import time
from pathlib import Path

import httpx
import pytest

from api.settings import Settings
from tests.conftest import folio_server

ARTICLE = "/v1/articles/ketamine-withdrawal"


def sequential_median_ms(base: str, n: int = 150) -> float:
    """One keep-alive client, one request at a time: what Nagle's algorithm would delay."""
    samples = []
    with httpx.Client(base_url=base, timeout=10) as client:
        for _ in range(20):
            client.get(ARTICLE)  # warm the cache and the connection
        for _ in range(n):
            response = client.get(ARTICLE)
            assert response.status_code == 200
            samples.append(response.elapsed.total_seconds() * 1000)
    return statistics.median(samples)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # about the server, not the store
def test_two_workers_answer_as_fast_as_one(settings: Settings, tmp_path: Path) -> None:
    env = {
        "FOLIO_DATABASE_URL": settings.db_url,
        "FOLIO_LIBRARY_DIR": settings.library_dir,
        "FOLIO_DATA_DIR": str(tmp_path / "var"),
    }
    with folio_server(env) as base:
        one = sequential_median_ms(base)
    with folio_server(env, "--workers", "2") as base:
        two = sequential_median_ms(base)
        # Each worker counts in its own files and writes them at least once a second (api.metrics);
        # /metrics sums them (fresh connections spread over both workers).
        for _ in range(30):
            assert httpx.get(base + "/v1/faqs/ketamine-addiction-faq").status_code == 200
        faqs = 'folio_http_requests_total{method="GET",route="/v1/faqs/{slug}",status="200"} 30.0'
        for _ in range(50):  # each worker's last second, written within a second
            text = httpx.get(base + "/metrics").text
            if faqs in text:
                break
            time.sleep(0.2)
    # A Nagle stall holds each response for a delayed ACK (40 ms on Linux), tens of times the
    # median of a warm read; a ratio keeps this independent of the machine's speed.
    assert two / one < 4, f"median with 2 workers {two:.2f} ms vs 1 worker {one:.2f} ms"
    assert 'folio_http_requests_total{method="GET",route="/v1/faqs/{slug}",status="200"} 30.0' in text
    assert 'folio_http_requests_total{method="GET",route="/v1/articles/{slug}",status="200"} 170.0' in text
