"""JSON read latency while 50 distinct handouts are requested at once, next to idle (issue 26).

For each store (SQLite; PostgreSQL too when ``FOLIO_TEST_POSTGRES_URL`` names a server), a fresh
server with the default settings: readers request ``GET /v1/articles?limit=10`` and an article
for ``BENCH_SECONDS`` idle, then the same readers run while 50 distinct handouts are requested at
once (each its own ETag, so none is a cache hit). Records JSON p50/p99 both ways and their ratio
(target: p99 at most 3x idle, no failed read), and how the handouts were answered (a PDF or a 503 with
Retry-After; anything else is counted as a failure). Writes ``results/storm-<date>.json``; not
part of ``make test``. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from _common import RESULTS, folio, postgres_database, prepared_store, summary, sync, today  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", "6"))
READERS = 4
READS = ("/v1/articles?limit=10", "/v1/articles/ketamine-withdrawal")
REFS = [
    ("article", "articles", "is-ketamine-therapy-addictive"),
    ("article", "articles", "ketamine-withdrawal"),
    ("faq", "faqs", "ketamine-addiction-faq"),
    ("comparison", "comparisons", "medical-vs-recreational-ketamine"),
]


def fifty_handouts() -> list[tuple[str, str, dict[str, object] | None]]:
    """32 single handouts (4 items, 2 locales, 2 papers, 2 sizes) and 18 two-item packets."""
    singles: list[tuple[str, str, dict[str, object] | None]] = [
        ("GET", f"/v1/{plural}/{slug}/handout.pdf?paper={paper}&size={size}&locale={locale}", None)
        for _kind, plural, slug in REFS
        for locale in ("en", "es")
        for paper in ("a4", "letter")
        for size in ("standard", "large")
    ]
    packets: list[tuple[str, str, dict[str, object] | None]] = [
        (
            "POST",
            "/v1/handouts",
            {
                "items": [{"type": a[0], "slug": a[2]}, {"type": b[0], "slug": b[2]}],
                "paper": paper,
                "size": size,
            },
        )
        for a, b in itertools.permutations(REFS, 2)
        for paper, size in (("a4", "standard"), ("letter", "large"))
    ]
    return singles + packets[:18]


async def read_while(client: httpx.AsyncClient, until: asyncio.Event) -> tuple[list[float], int]:
    """Readers until ``until`` is set: latencies (ms) of answered reads, and failed reads."""
    samples: list[float] = []
    failed = 0

    async def reader(n: int) -> None:
        nonlocal failed
        while not until.is_set():
            start = time.perf_counter()
            try:
                ok = (await client.get(READS[n % len(READS)])).status_code == 200
            except httpx.HTTPError:
                ok = False
            if ok:
                samples.append((time.perf_counter() - start) * 1000)
            else:
                failed += 1
            n += 1

    await asyncio.gather(*(reader(n) for n in range(READERS)))
    return samples, failed


async def measure(base: str) -> dict[str, object]:
    limits = httpx.Limits(max_connections=100)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        for path in READS:  # warm
            await client.get(path)
        stop = asyncio.Event()
        asyncio.get_running_loop().call_later(SECONDS, stop.set)
        idle, idle_failed = await read_while(client, stop)

        stop = asyncio.Event()
        readers = asyncio.create_task(read_while(client, stop))
        await asyncio.sleep(0.2)
        start = time.perf_counter()
        answers = await asyncio.gather(
            *(client.request(m, p, json=b) for m, p, b in fifty_handouts()), return_exceptions=True
        )
        storm_seconds = time.perf_counter() - start
        stop.set()
        storm, storm_failed = await readers
    outcomes: Counter[str] = Counter()
    for answer in answers:
        if isinstance(answer, BaseException):
            outcomes[f"error {type(answer).__name__}"] += 1
        elif answer.status_code == 200 and answer.content.startswith(b"%PDF-"):
            outcomes["200 pdf"] += 1
        elif answer.status_code == 503 and answer.headers.get("retry-after"):
            outcomes["503 retry-after"] += 1
        else:
            outcomes[f"{answer.status_code} unexpected"] += 1
    idle_s, storm_s = summary(idle), summary(storm)
    return {
        "json_idle": idle_s | {"failed": idle_failed},
        "json_during_storm": storm_s | {"failed": storm_failed},
        "p50_ratio": round(storm_s["p50_ms"] / idle_s["p50_ms"], 2),
        "p99_ratio": round(storm_s["p99_ms"] / idle_s["p99_ms"], 2),
        "handouts": dict(outcomes),
        "storm_seconds": round(storm_seconds, 2),
    }


def one_store(store: str, tmp: Path) -> dict[str, object]:
    with contextlib.ExitStack() as stack:
        extra = {}
        if store == "postgresql":
            extra = {"FOLIO_DATABASE_URL": stack.enter_context(postgres_database())}
        env = prepared_store(tmp / store, url=extra.get("FOLIO_DATABASE_URL"))
        sync(env)
        with folio(env) as (base, _pid):
            return asyncio.run(measure(base))


def main() -> int:
    stores = ["sqlite"] + (["postgresql"] if os.environ.get("FOLIO_TEST_POSTGRES_URL") else [])
    report: dict[str, object] = {"date": today(), "seconds": SECONDS, "readers": READERS}
    with tempfile.TemporaryDirectory() as tmp:
        for store in stores:
            result = one_store(store, Path(tmp))
            report[store] = result
            print(store, json.dumps(result), flush=True)
    report["loadavg"] = os.getloadavg()
    out = RESULTS / f"storm-{today()}.json"
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"-> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
