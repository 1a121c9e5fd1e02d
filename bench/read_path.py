"""Read-path benchmark: a real `folio serve` process on 127.0.0.1, measured from a client.

Writes bench/results/read-path-<date>.json. Run with `make bench`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = "/v1/articles/is-ketamine-therapy-addictive"
REQUESTS = 2000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def measure(client: httpx.Client, path: str, headers: dict[str, str] | None = None) -> dict[str, float]:
    samples = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        response = client.get(path, headers=headers)
        samples.append((time.perf_counter() - start) * 1e6)
        assert response.status_code in (200, 304), response.text
    return {
        "requests": REQUESTS,
        "p50_us": round(statistics.median(samples), 1),
        "p99_us": round(percentile(samples, 0.99), 1),
        "sequential_rps": round(REQUESTS / (sum(samples) / 1e6), 1),
    }


def main() -> int:
    folio = str(Path(sys.executable).with_name("folio"))
    with tempfile.TemporaryDirectory() as data:
        env = os.environ | {"FOLIO_DATA_DIR": data, "FOLIO_PORT": str(free_port())}
        subprocess.run([folio, "migrate"], env=env, check=True, capture_output=True)
        subprocess.run([folio, "sync"], env=env, check=True, capture_output=True)
        server = subprocess.Popen(
            [folio, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        base = f"http://127.0.0.1:{env['FOLIO_PORT']}"
        try:
            with httpx.Client(base_url=base, timeout=10) as client:
                for _ in range(100):
                    try:
                        client.get("/health")
                        break
                    except httpx.TransportError:
                        time.sleep(0.1)
                start = time.perf_counter()
                first = client.get(ARTICLE)
                cold_us = (time.perf_counter() - start) * 1e6
                results = {
                    "first_get_us (loads, renders, encodes)": round(cold_us, 1),
                    "warm_get": measure(client, ARTICLE),
                    "not_modified_304": measure(client, ARTICLE, {"If-None-Match": first.headers["etag"]}),
                    "list_page": measure(client, "/v1/articles?limit=20"),
                    "search": measure(client, "/v1/search?q=withdrawal"),
                }
        finally:
            server.terminate()
            server.wait(10)
    report = {
        "benchmark": "read path, folio serve (granian, one worker), sequential keep-alive client on loopback",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "results": results,
    }
    out = ROOT / "bench" / "results" / f"read-path-{dt.date.today().isoformat()}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
