"""Media: upload and variant generation time per megapixel, and media requests/s beside the JSON read.

In-process: ``content.media.prepare`` (what an upload costs: decode, orientation, re-encode) and
``make_variant`` (what one variant costs in a render worker) on photo-like JPEGs of 3 and 12
megapixels, median of a few runs each, reported as ms and ms per source megapixel (a variant
decodes the whole original, so its cost follows the original's size, not the variant's).

Served: a real `folio serve` (one worker) on 127.0.0.1 with the bundled library synced; one
upload through the API, the first (cold) GET of a variant, then wrk at 64 connections on the warm
variant GET, its 304, and the JSON read. Writes bench/results/<date>-media.md.
Run: .venv/bin/python bench/media.py
"""

from __future__ import annotations

import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    ARTICLE,
    BIN,
    RESULTS,
    SECONDS,
    folio,
    loadavg,
    machine,
    now,
    prepared_store,
    sync,
    today,
    wrk,
)

from content.media import make_variant, prepare

SIZES = ((2000, 1500), (4000, 3000))
RUNS = 5


def photo(width: int, height: int) -> bytes:
    """A photo-like JPEG: smooth gradients under fine noise, so encoders have real work."""
    from PIL import Image

    noise = Image.effect_noise((width, height), 40).convert("L")
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", (gradient, noise, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def median_ms(call: Callable[[], object], runs: int = RUNS) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(samples), 1)


def generation() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for width, height in SIZES:
        data = photo(width, height)
        mp = width * height / 1e6
        stored, _fmt, _w, _h = prepare(data, 50 * 2**20, 100_000_000)
        upload = median_ms(lambda data=data: prepare(data, 50 * 2**20, 100_000_000))
        rows.append({"source": f"{width}x{height} JPEG", "mp": mp, "what": "upload (prepare)", "ms": upload})
        for fmt in ("webp", "jpeg"):
            for target in (320, 640, 1280):
                ms = median_ms(
                    lambda stored=stored, target=target, fmt=fmt: make_variant(stored, target, fmt)
                )
                rows.append(
                    {"source": f"{width}x{height} JPEG", "mp": mp, "what": f"{target}.{fmt}", "ms": ms}
                )
    return rows


def served() -> dict[str, dict[str, float]]:
    with tempfile.TemporaryDirectory() as data:
        env = prepared_store(Path(data)) | {"FOLIO_WEBHOOK_POLL_SECONDS": "3600"}
        sync(env)
        made = subprocess.run(
            [
                str(BIN / "folio"),
                "token",
                "create",
                "--name",
                "bench",
                "--display-name",
                "Bench",
                "--role",
                "editor",
            ],
            env=os.environ | env,
            check=True,
            capture_output=True,
            text=True,
        )
        token = made.stdout.strip()
        with folio(env) as (base, pid), httpx.Client(base_url=base, timeout=120) as client:
            files = {"file": ("photo.jpg", photo(*SIZES[0]), "image/jpeg")}
            asset = client.post("/v1/media", files=files, headers={"Authorization": f"Bearer {token}"})
            assert asset.status_code == 201, asset.text
            url = next(
                v["url"] for v in asset.json()["variants"] if v["width"] == 640 and v["format"] == "webp"
            )
            start = time.perf_counter()
            first = client.get(url)
            cold_ms = (time.perf_counter() - start) * 1000
            assert first.status_code == 200, first.text
            etag = first.headers["etag"]
            return {
                "cold variant GET (made in a render worker, stored)": {"ms": round(cold_ms, 1)},
                f"warm GET {url.split('/')[-1]} ({len(first.content):,} bytes)": wrk(base + url, pid),
                "304 on If-None-Match": wrk(base + url, pid, {"If-None-Match": etag}),
                f"JSON read {ARTICLE}": wrk(base + ARTICLE, pid, {"Accept-Encoding": "gzip"}),
            }


def report(rows: list[dict[str, Any]], http: dict[str, dict[str, float]], before: list[str]) -> str:
    lines = [
        f"# Media bench, {now()}",
        "",
        f"Machine: {machine()}. Load average before: {' '.join(before)}; after: {' '.join(loadavg())}.",
        "",
        "## Upload and variant generation (in-process, one core, median of 5)",
        "",
        "| source | MP | work | ms | ms per source MP |",
        "| --- | ---: | --- | ---: | ---: |",
    ]
    for row in rows:
        mp, ms = float(row["mp"]), float(row["ms"])
        lines.append(f"| {row['source']} | {mp:.0f} | {row['what']} | {ms:.1f} | {ms / mp:.1f} |")
    lines += [
        "",
        f"## Served (`folio serve`, one worker; wrk 64 connections, {SECONDS} s)",
        "",
        "| request | requests/s | p50 ms | p99 ms | server CPU us/request |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, figures in http.items():
        if "requests_per_s" not in figures:
            lines.append(f"| {name} | | {figures['ms']:.1f} | | |")
            continue
        lines.append(
            f"| {name} | {figures['requests_per_s']:,.0f} | {figures['p50_ms']} | {figures['p99_ms']} | "
            f"{figures['server_cpu_us_per_request']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    before = loadavg()
    rows = generation()
    http = served()
    out = RESULTS / f"{today()}-media.md"
    out.write_text(report(rows, http, before))
    print(out.read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
