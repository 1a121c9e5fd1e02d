"""`make bench`: every benchmark in one run, side by side, on this machine.

Writes bench/results/<date>.json and bench/results/<date>.md (targets, figures, ratios).
Servers run on 127.0.0.1 only; wrk (Debian) drives the HTTP comparisons at 64 connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ARTICLE = "/v1/articles/is-ketamine-therapy-addictive"
sys.path.insert(0, str(ROOT / "bench"))

import handouts as handout_bench  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def server(command: list[str], env: dict[str, str], port: int) -> Iterator[tuple[str, int]]:
    process = subprocess.Popen(
        command, env=os.environ | env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(400):
            try:
                httpx.get(base + "/v1/articles/x", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(30)


def folio(env: dict[str, str], port: int) -> contextlib.AbstractContextManager[tuple[str, int]]:
    return server([str(BIN / "folio"), "serve"], env | {"FOLIO_PORT": str(port)}, port)


def peer(module: str, document: Path, port: int) -> contextlib.AbstractContextManager[tuple[str, int]]:
    command = [
        str(BIN / "python"),
        "-m",
        "uvicorn",
        "--app-dir",
        str(ROOT / "bench" / "peers"),
        f"{module}:app",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    return server(command, {"BENCH_DOCUMENT": str(document)}, port)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    match = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    return round(int(match.group(1)) / 1024, 1) if match else 0.0


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, pid: int, headers: dict[str, str] | None = None, seconds: int = 8) -> dict[str, float]:
    """64 connections, 2 threads; requests/s, p50, p99 and server CPU per request."""
    args = ["wrk", "-t2", "-c64", f"-d{seconds}s", "--latency", url]
    for name, value in (headers or {}).items():
        args[1:1] = ["-H", f"{name}: {value}"]
    subprocess.run([*args[:-2], "-d2s", url], capture_output=True, check=True)  # warm up
    cpu_before = cpu_seconds(pid)
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    cpu = cpu_seconds(pid) - cpu_before
    if "50%" not in out:
        raise RuntimeError(f"unexpected wrk output for {url}:\n{out}")
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return {
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),  # type: ignore[union-attr]
        "p99_ms": _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),  # type: ignore[union-attr]
        "server_cpu_us_per_request": round(cpu / requests * 1e6, 1),
    }


def sequential(base: str, path: str, n: int = 300) -> dict[str, float]:
    samples = []
    with httpx.Client(base_url=base, timeout=30) as client:
        client.get(path)
        for _ in range(n):
            start = time.perf_counter()
            response = client.get(path)
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
    ordered = sorted(samples)
    return {"p50_ms": round(statistics.median(ordered), 2), "p99_ms": round(ordered[int(n * 0.99) - 1], 2)}


def prepared_store(data: Path, library: Path | None = None) -> dict[str, str]:
    env = {"FOLIO_DATA_DIR": str(data)} | ({"FOLIO_LIBRARY_DIR": str(library)} if library else {})
    subprocess.run([str(BIN / "folio"), "migrate"], env=os.environ | env, check=True, capture_output=True)
    return env


def sync(env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([str(BIN / "folio"), "sync"], env=os.environ | env, check=True, capture_output=True)
    return time.perf_counter() - start


# --- sections -------------------------------------------------------------------------------


def http_comparison(tmp: Path) -> dict[str, object]:
    env = prepared_store(tmp / "http")
    sync(env)
    port = free_port()
    with folio(env | {"FOLIO_LATEST_TTL": "1"}, port) as (base, pid):
        document = tmp / "article.json"
        first = httpx.get(base + ARTICLE)
        document.write_bytes(first.content)
        etag = first.headers["etag"]
        results = {
            "folio": {
                "warm_get": wrk(base + ARTICLE, pid),
                "not_modified_304": wrk(base + ARTICLE, pid, {"If-None-Match": etag}),
            }
        }
    for name, module in (("minimal_litestar", "litestar_min"), ("fastapi_pydantic", "fastapi_app")):
        port = free_port()
        with peer(module, document, port) as (base, pid):
            peer_etag = httpx.get(base + ARTICLE).headers["etag"]
            results[name] = {
                "warm_get": wrk(base + ARTICLE, pid),
                "not_modified_304": wrk(base + ARTICLE, pid, {"If-None-Match": peer_etag}),
            }
    return results


def generate_library(root: Path, items: int, round_: int) -> None:
    articles = root / "articles"
    articles.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "content" / "library" / "brand.yaml", root / "brand.yaml")
    for i in range(items):
        (articles / f"generated-article-{i:05d}.md").write_text(
            f"""---
title: Generated article {i} (revision {round_})
summary: A generated article used to measure the store at scale, number {i}.
tags: [generated, group-{i % 50}]
review:
  reviewedBy: Clinical review team
  reviewedOn: "2026-11-02"
  nextReviewOn: "2027-11-02"
---
Patients often ask about treatment number {i}; this paragraph mentions marker{i} once.

## What to expect

- Arrive early for check-in, revision {round_}.
- Bring a list of medicines.

:::callout info "Good to know"
Your care team monitors every session.
:::
"""
        )


def scale(tmp: Path, items: int = 10_000, versions: int = 5) -> dict[str, object]:
    library = tmp / "scale-library"
    env = prepared_store(tmp / "scale", library)
    generate_library(library, items, 1)
    first_sync = sync(env)
    later = []
    for round_ in range(2, versions + 1):
        generate_library(library, items, round_)
        later.append(sync(env))
    bundled_env = prepared_store(tmp / "bundled")
    sync(bundled_env)
    paths = {
        "list_page": "/v1/articles?limit=20",
        "list_page_deep": "/v1/articles?limit=20&tag=group-7",
        "search": "/v1/search?q=marker4242",
        "get": "/v1/articles/generated-article-04242",
        "versions": "/v1/articles/generated-article-04242/versions",
    }
    bundled_paths = paths | {
        "search": "/v1/search?q=withdrawal",
        "get": "/v1/articles/ketamine-withdrawal",
        "versions": "/v1/articles/ketamine-withdrawal/versions",
        "list_page_deep": "/v1/articles?limit=20&tag=withdrawal",
    }
    with folio(env, free_port()) as (base, pid):
        large = {name: sequential(base, path) for name, path in paths.items()}
        rss = peak_rss_mb(pid)
    with folio(bundled_env, free_port()) as (base, _):
        small = {name: sequential(base, path) for name, path in bundled_paths.items()}
    return {
        "items": items,
        "versions_each": versions,
        "sync_seconds_first_10k_files": round(first_sync, 1),
        "sync_seconds_each_later_round": [round(s, 1) for s in later],
        "at_10k": large,
        "bundled_library": small,
        "server_peak_rss_mb_at_10k": rss,
    }


def handouts_section(tmp: Path) -> dict[str, object]:
    env = prepared_store(tmp / "handouts") | {"FOLIO_PDF_QUEUE": "32"}
    sync(env)
    with folio(env, free_port()) as (base, pid):
        measured = asyncio.run(handout_bench.measure(base))
        httpx.get(base + ARTICLE + "/handout.pdf")
        measured["cached_handout_wrk"] = wrk(base + ARTICLE + "/handout.pdf", pid)
        measured["json_wrk_same_server"] = wrk(base + ARTICLE, pid)
    measured["raw_weasyprint_same_html_ms"] = handout_bench.raw_weasyprint_ms()
    return measured


def email_section() -> dict[str, float]:
    from library import library_bundles

    from exporters.email import EmailOptions, email_parts

    bundles = library_bundles()
    results = {}
    for slug in ("is-ketamine-therapy-addictive", "ketamine-addiction-faq"):
        email_parts(bundles[slug], EmailOptions(esp="mailchimp"))
        runs = []
        for _ in range(200):
            start = time.perf_counter()
            email_parts(bundles[slug], EmailOptions(esp="mailchimp"))
            runs.append((time.perf_counter() - start) * 1000)
        results[f"{slug}_ms_per_message_p50"] = round(statistics.median(runs), 3)
    return results


# --- summary --------------------------------------------------------------------------------


def targets(r: dict[str, object]) -> list[tuple[str, str, float, bool]]:
    """(target, measured, ratio, met) for each target of issue 6."""
    http, sc, ho, em = r["http"], r["scale"], r["handouts"], r["email"]  # type: ignore[index]
    folio_rps = http["folio"]["warm_get"]["requests_per_s"]  # type: ignore[index]
    lite_rps = http["minimal_litestar"]["warm_get"]["requests_per_s"]  # type: ignore[index]
    fast_rps = http["fastapi_pydantic"]["warm_get"]["requests_per_s"]  # type: ignore[index]
    rows = [
        (
            "warm GET >= 0.9x minimal Litestar",
            f"{folio_rps:.0f} vs {lite_rps:.0f} req/s",
            folio_rps / lite_rps,
            folio_rps / lite_rps >= 0.9,
        ),
        (
            "warm GET >= 2.5x FastAPI + pydantic",
            f"{folio_rps:.0f} vs {fast_rps:.0f} req/s",
            folio_rps / fast_rps,
            folio_rps / fast_rps >= 2.5,
        ),
    ]
    for name, large in sc["at_10k"].items():  # type: ignore[index]
        small = sc["bundled_library"][name]  # type: ignore[index]
        ratio = large["p50_ms"] / small["p50_ms"]
        rows.append(
            (
                f"10k items: {name} p50 within 2x of bundled",
                f"{large['p50_ms']} vs {small['p50_ms']} ms",
                ratio,
                ratio <= 2,
            )
        )
    cached = ho["cached_handout_wrk"]["requests_per_s"]  # type: ignore[index]
    json_rps = ho["json_wrk_same_server"]["requests_per_s"]  # type: ignore[index]
    rows.append(
        (
            "cached handout >= 0.7x JSON requests/s",
            f"{cached:.0f} vs {json_rps:.0f} req/s",
            cached / json_rps,
            cached / json_rps >= 0.7,
        )
    )
    cold = ho["cold_handout_steady_ms (new handout, warm workers, median of 3)"]  # type: ignore[index]
    raw = ho["raw_weasyprint_same_html_ms"]  # type: ignore[index]
    rows.append(("cold handout <= 1.2x raw WeasyPrint", f"{cold} vs {raw} ms", cold / raw, cold / raw <= 1.2))
    busy, idle = ho["json_and_health_while_10_render"]["p99_ms"], ho["json_and_health_idle"]["p99_ms"]  # type: ignore[index]
    rows.append(
        ("JSON p99 under handout load <= 3x idle", f"{busy} vs {idle} ms", busy / idle, busy / idle <= 3)
    )
    email = em["is-ketamine-therapy-addictive_ms_per_message_p50"]  # type: ignore[index]
    rows.append(("email render + inline <= 1 ms", f"{email} ms", email / 1.0, email <= 1.0))
    return rows


def markdown(report: dict[str, object]) -> str:
    lines = [
        f"# Benchmarks, {report['date']}",
        "",
        f"Machine: {report['machine']}",
        "",
        "| target | measured | ratio | met |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        f"| {t} | {m} | {ratio:.2f} | {'yes' if ok else '**no**'} |"
        for t, m, ratio, ok in targets(report["results"])
    ]  # type: ignore[arg-type]
    lines += [
        "",
        "Figures in full: the JSON file beside this one. Notes on missed targets: bench/README.md.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    if shutil.which("wrk") is None:
        print("make bench needs wrk. Debian: apt-get install wrk", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        results: dict[str, object] = {}
        for name, section in (
            ("http", lambda: http_comparison(work)),
            ("handouts", lambda: handouts_section(work)),
            ("email", email_section),
            ("scale", lambda: scale(work)),
        ):
            print(f"bench: {name}...", file=sys.stderr, flush=True)
            results[name] = section()
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "results": results,
    }
    report["targets"] = [
        {"target": t, "measured": m, "ratio": round(ratio, 3), "met": ok}
        for t, m, ratio, ok in targets(results)
    ]
    out = ROOT / "bench" / "results" / dt.date.today().isoformat()
    out.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    out.with_suffix(".md").write_text(markdown(report))
    print(markdown(report))
    print(f"wrote {out.with_suffix('.json').relative_to(ROOT)} and .md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
