"""Read-path benchmark: a real `folio serve` process on 127.0.0.1, measured from a client.

Writes bench/results/read-path-<date>.json. Run with `make bench`.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ARTICLE, RESULTS, folio, machine, now, prepared_store, sequential, sync, today

REQUESTS = 2000


def measure(client: httpx.Client, path: str, headers: dict[str, str] | None = None) -> dict[str, float]:
    return sequential(client, path, REQUESTS, headers)


def main() -> int:
    with tempfile.TemporaryDirectory() as data:
        env = prepared_store(Path(data))
        sync(env)
        with folio(env) as (base, _pid), httpx.Client(base_url=base, timeout=10) as client:
            start = time.perf_counter()
            first = client.get(ARTICLE)
            cold_ms = (time.perf_counter() - start) * 1000
            results = {
                "first_get_ms (loads, renders, encodes)": round(cold_ms, 2),
                "warm_get": measure(client, ARTICLE),
                "not_modified_304": measure(client, ARTICLE, {"If-None-Match": first.headers["etag"]}),
                "list_page": measure(client, "/v1/articles?limit=20"),
                "search": measure(client, "/v1/search?q=withdrawal"),
            }
    report = {
        "benchmark": "read path, folio serve (granian, one worker), sequential keep-alive client on loopback",
        "date": now(),
        "machine": machine(),
        "results": results,
    }
    out = RESULTS / f"read-path-{today()}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
