"""Handout benchmark: a real `folio serve` on 127.0.0.1 with the bundled library.

Measures the cold render (first request for a handout), the cached fetch, raw WeasyPrint on
the same HTML in this process, and /health and JSON latency idle versus while ten handouts
render. Writes bench/results/handouts-<date>.json. Run with `make bench`.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ARTICLE, RESULTS, folio, machine, now, prepared_store, summary, sync, timed_ms, today

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


async def timed(client: httpx.AsyncClient, path: str) -> float:
    start = time.perf_counter()
    response = await client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return (time.perf_counter() - start) * 1000


async def latency_while(
    client: httpx.AsyncClient, busy: asyncio.Future[object] | None, n: int
) -> list[float]:
    samples: list[float] = []
    while len(samples) < n and (busy is None or not busy.done()):
        samples.append(await timed(client, "/health"))
        samples.append(await timed(client, ARTICLE))
        await asyncio.sleep(0.005)
    return samples


async def measure(base: str) -> dict[str, object]:
    async with httpx.AsyncClient(base_url=base, timeout=300) as client:
        await client.get(ARTICLE)  # warm the JSON cache
        idle = await latency_while(client, None, 400)
        cold = await timed(client, ARTICLE + "/handout.pdf")  # includes starting a worker
        cold_warm_worker = await timed(client, ARTICLE + "/handout.pdf?paper=letter")
        cached = [await timed(client, ARTICLE + "/handout.pdf") for _ in range(300)]
        renders = asyncio.ensure_future(
            asyncio.gather(
                *(timed(client, f"/v1/{s}/handout.pdf?paper={p}&size={z}") for s, p, z in COMBOS[2:12])
            )
        )
        loaded = await latency_while(client, renders, 10_000)
        render_times = await renders
        # A handout never rendered before, on workers that have rendered others: steady state.
        fresh = [await timed(client, f"/v1/{s}/handout.pdf?paper={p}&size={z}") for s, p, z in COMBOS[12:15]]
    return {
        "cold_handout_steady_ms (new handout, warm workers, median of 3)": summary(fresh)["p50_ms"],
        "json_and_health_idle": summary(idle),
        "cold_handout_first_request_ms (starts a worker process)": round(cold, 1),
        "cold_handout_warm_worker_ms": round(cold_warm_worker, 1),
        "cached_handout": summary(cached),
        "json_and_health_while_10_render": summary(loaded),
        "ten_concurrent_renders_ms": summary(list(render_times)),
    }


def raw_weasyprint_ms() -> float:
    """The same article's HTML straight through WeasyPrint, in this process, warm."""
    from library import library_bundles

    from exporters.pdf import HandoutOptions, handout_html, html_to_pdf

    html = handout_html([library_bundles()["is-ketamine-therapy-addictive"]], HandoutOptions())
    html_to_pdf(html)
    return summary(timed_ms(lambda: html_to_pdf(html), 5))["p50_ms"]


def main() -> int:
    with tempfile.TemporaryDirectory() as data:
        env = prepared_store(Path(data)) | {"FOLIO_PDF_QUEUE": "32"}
        sync(env)
        with folio(env) as (base, _pid):
            results = asyncio.run(measure(base))
    results["raw_weasyprint_same_html_ms"] = raw_weasyprint_ms()
    harfbuzz = subprocess.run(["sh", "-c", "ldconfig -p | grep -q libharfbuzz-subset.so.0"]).returncode == 0
    report = {
        "benchmark": "handouts: folio serve, 2 render workers (default), bundled library, loopback client",
        "date": now(),
        "machine": machine(libharfbuzz_subset=harfbuzz),
        "results": results,
    }
    out = RESULTS / f"handouts-{today()}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
