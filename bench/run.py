"""`make bench`: every benchmark in one run, side by side, on this machine.

Writes bench/results/<date>.json and bench/results/<date>.md (targets, figures, ratios).
Servers run on 127.0.0.1 only; wrk (Debian) drives the HTTP comparisons at 64 connections.
The HTTP section starts every server at once (Folio with one and two workers, the minimal
Litestar app and FastAPI on the same server, granian, and nginx serving the same bytes) and
interleaves rounds, so a change in the machine's load falls on all of them alike.
``BENCH_ONLY=http`` (comma-separated section names) runs a subset; ``BENCH_ROUNDS`` and
``BENCH_SECONDS`` set the rounds and the seconds per wrk run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
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

import handouts as handout_bench
from _common import (
    ARTICLE,
    BIN,
    RESULTS,
    ROOT,
    SECONDS,
    ab_head,
    folio,
    free_port,
    loadavg,
    machine,
    now,
    peak_rss_mb,
    prepared_store,
    sequential,
    server,
    sync,
    today,
    wrk,
)


def peer(module: str, document: Path, port: int) -> contextlib.AbstractContextManager[tuple[str, int]]:
    """A peer app on the server `folio serve` uses, with granian's defaults as Folio has them."""
    command = [
        str(BIN / "granian"),
        "--interface",
        "asgi",
        "--working-dir",
        str(ROOT / "bench" / "peers"),
        "--port",
        str(port),
        "--log-level",
        "warning",
        f"{module}:app",
    ]
    return server(command, {"BENCH_DOCUMENT": str(document)}, port)


NGINX_CONF = """
daemon off;
worker_processes 1;
{user}
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nodelay on;
    keepalive_requests 1000000;
    default_type application/json;
    client_body_temp_path {root}/tmp;
    proxy_temp_path {root}/tmp;
    fastcgi_temp_path {root}/tmp;
    uwsgi_temp_path {root}/tmp;
    scgi_temp_path {root}/tmp;
    server {{
        listen 127.0.0.1:{port};
        root {root}/www;
        add_header Cache-Control "public, max-age=60";
    }}
}}
"""


def nginx(document: Path, root: Path, port: int) -> contextlib.AbstractContextManager[tuple[str, int]]:
    """Debian's nginx serving the same bytes as a static file: one worker, no access log."""
    target = root / "www" / ARTICLE.lstrip("/")
    target.parent.mkdir(parents=True)
    target.write_bytes(document.read_bytes())
    (root / "tmp").mkdir()
    user = "user root;" if os.geteuid() == 0 else ""  # a root master's workers must read root's temp dir
    conf = root / "nginx.conf"
    conf.write_text(NGINX_CONF.format(user=user, root=root, port=port))
    return server([NGINX, "-c", str(conf), "-p", str(root), "-e", str(root / "error.log")], {}, port)


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


# --- sections -------------------------------------------------------------------------------


def http_comparison(tmp: Path) -> dict[str, object]:
    """Every server at once; rounds interleaved; the median of the rounds per server and path."""
    env = prepared_store(tmp / "http") | {"FOLIO_LATEST_TTL": "1"}
    sync(env)
    document = tmp / "article.json"
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    with contextlib.ExitStack() as stack:
        folio_one = stack.enter_context(folio(env, free_port()))
        document.write_bytes(httpx.get(folio_one[0] + ARTICLE).content)
        servers = {
            "folio": folio_one,
            "folio_2_workers": stack.enter_context(folio(env, free_port(), workers=2)),
            "minimal_litestar": stack.enter_context(peer("litestar_min", document, free_port())),
            "fastapi_pydantic": stack.enter_context(peer("fastapi_app", document, free_port())),
            "nginx_static": stack.enter_context(nginx(document, tmp / "nginx", free_port())),
        }
        etags = {}
        for name, (base, _pid) in servers.items():
            response = httpx.get(base + ARTICLE)
            assert response.status_code == 200 and response.content == document.read_bytes(), name
            etags[name] = response.headers["etag"]
        samples: dict[str, dict[str, list[dict[str, float]]]] = {
            name: {"warm_get": [], "not_modified_304": [], "head_ab": []} for name in servers
        }
        for round_ in range(rounds):
            print(f"bench: http round {round_ + 1}/{rounds}", file=sys.stderr, flush=True)
            # Rotate the order each round so no server always runs first or last.
            order = list(servers)[round_ % len(servers) :] + list(servers)[: round_ % len(servers)]
            for name in order:
                base, pid = servers[name]
                url = base + ARTICLE
                samples[name]["warm_get"].append(wrk(url, pid))
                samples[name]["not_modified_304"].append(wrk(url, pid, {"If-None-Match": etags[name]}))
                samples[name]["head_ab"].append(ab_head(url, pid))
    results: dict[str, object] = {
        "document_bytes": document.stat().st_size,
        "rounds": rounds,
        "seconds_per_run": SECONDS,
        "server": "granian (uvloop) for Folio and the peers; nginx 1 worker",
    }
    for name, paths in samples.items():
        results[name] = {path: median_of(runs) | {"rounds": runs} for path, runs in paths.items()}
    return results


def workers_scaling(tmp: Path) -> dict[str, object]:
    """``--workers 2`` against one, with the load generator off the servers' cores as far as 2 allow.

    - ``pinned_wrk``: wrk with one thread on core 1 alone (``taskset -c 1``), Folio wherever the
      scheduler puts it: one worker has core 0 to itself, two share core 0 and what wrk leaves of
      core 1. The ceiling this leaves two workers is printed beside the figure.
    - ``in_process``: no load generator and no socket: ``bench/inprocess_read.py --throughput``
      runs the app as `folio serve` builds it and calls it in a loop for ``BENCH_SECONDS``, once
      alone and then as two processes at once (what two workers are, metrics in shared files as
      `folio serve --workers 2` keeps them); requests counted.
    """
    env = prepared_store(tmp / "scaling") | {"FOLIO_LATEST_TTL": "1"}
    sync(env)
    pinned: dict[str, list[dict[str, float]]] = {"1": [], "2": []}
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    with folio(env, workers=1) as one, folio(env, workers=2) as two:
        for round_ in range(rounds):
            for workers, (base, pid) in (
                (("1", one), ("2", two)) if round_ % 2 == 0 else (("2", two), ("1", one))
            ):
                pinned[workers].append(wrk(base + ARTICLE, pid, threads=1, cpu=1))
    script = [sys.executable, str(ROOT / "bench" / "inprocess_read.py"), "--throughput", str(SECONDS)]
    in_process: dict[str, list[float]] = {"1": [], "2": []}
    in_process_cpu: dict[str, list[float]] = {"1": [], "2": []}
    for _ in range(rounds):
        for n in (1, 2):
            # Both count over the same window, once both have started and spawned their render pools.
            start_at = [str(time.time() + 15)]
            # Metrics as `folio serve` keeps them: in memory for one worker; for two, in files
            # both share (prometheus_client's multiprocess mode), summed when scraped.
            run_env = os.environ | env
            if n > 1:
                metrics_dir = tmp / f"metrics-{time.monotonic_ns()}"
                metrics_dir.mkdir(parents=True)
                run_env = run_env | {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
            runs = [
                subprocess.Popen(script + start_at, env=run_env, stdout=subprocess.PIPE, text=True)
                for _ in range(n)
            ]
            answers = [[float(x) for x in run.communicate()[0].split()[-2:]] for run in runs]
            in_process[str(n)].append(sum(rate for rate, _cpu in answers))
            in_process_cpu[str(n)].append(statistics.mean(cpu for _rate, cpu in answers))
    return {
        "pinned_wrk": {w: median_of(runs) | {"rounds": runs} for w, runs in pinned.items()},
        "in_process_requests_per_s": {
            w: {"requests_per_s": statistics.median(r), "rounds": r} for w, r in in_process.items()
        },
        # Each process's own CPU per read: equal with one and two processes means the app
        # shares nothing between workers, and requests/s follow the cores the box can give.
        "in_process_cpu_us_per_request": {
            w: {"median": statistics.median(c), "rounds": c} for w, c in in_process_cpu.items()
        },
        "loadavg_1_5_15_after": loadavg(),
    }


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    """Each figure's median over the rounds."""
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


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
    with folio(env, free_port()) as (base, pid), httpx.Client(base_url=base, timeout=30) as client:
        large = {name: sequential(client, path) for name, path in paths.items()}
        rss = peak_rss_mb(pid)
    with folio(bundled_env, free_port()) as (base, _), httpx.Client(base_url=base, timeout=30) as client:
        small = {name: sequential(client, path) for name, path in bundled_paths.items()}
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


Row = tuple[str, str, float, bool]


def targets(r: dict[str, Any]) -> list[Row]:
    """(target, measured, ratio, met) for each target (issues 12 and 25), for the sections that ran."""
    rows: list[Row] = []

    def row(target: str, measured: str, ratio: float, met: bool) -> None:
        rows.append((target, measured, ratio, met))

    if "http" in r:
        h = r["http"]

        def cpu(name: str, path: str = "warm_get") -> float:
            return float(h[name][path]["server_cpu_us_per_request"])

        folio, lite, fast = cpu("folio"), cpu("minimal_litestar"), cpu("fastapi_pydantic")
        # Issue 25: the warm GET and the 304 stay at most 0.6x a bare Litestar app's 200.
        row(
            "warm GET CPU <= 0.6x minimal Litestar",
            f"{folio:.0f} vs {lite:.0f} µs",
            folio / lite,
            folio / lite <= 0.6,
        )
        row(
            "warm GET CPU >= 1.4x cheaper than FastAPI",
            f"{folio:.0f} vs {fast:.0f} µs",
            fast / folio,
            fast / folio >= 1.4,
        )
        n304 = cpu("folio", "not_modified_304")
        row(
            "304 CPU <= 0.6x minimal Litestar's 200",
            f"{n304:.0f} vs {lite:.0f} µs",
            n304 / lite,
            n304 / lite <= 0.6,
        )
        one, two = h["folio"]["warm_get"], h["folio_2_workers"]["warm_get"]
        scale = two["requests_per_s"] / one["requests_per_s"]
        row(
            "--workers 2 >= 1.7x requests/s of one",
            f"{two['requests_per_s']:.0f} vs {one['requests_per_s']:.0f} req/s",
            scale,
            scale >= 1.7,
        )
        p50 = two["p50_ms"] / one["p50_ms"]
        row("--workers 2 p50 < 2x one worker's", f"{two['p50_ms']} vs {one['p50_ms']} ms", p50, p50 < 2)
    if "scaling" in r:
        for how, figures in (
            ("wrk pinned to core 1", r["scaling"]["pinned_wrk"]),
            ("in-process clients", r["scaling"]["in_process_requests_per_s"]),
        ):
            one_rps, two_rps = figures["1"]["requests_per_s"], figures["2"]["requests_per_s"]
            row(
                f"--workers 2 >= 1.7x requests/s of one ({how})",
                f"{two_rps:.0f} vs {one_rps:.0f} req/s",
                two_rps / one_rps,
                two_rps / one_rps >= 1.7,
            )
    if "handouts" in r:
        ho = r["handouts"]
        cached = ho["cached_handout_wrk"]["requests_per_s"]
        json_rps = ho["json_wrk_same_server"]["requests_per_s"]
        row(
            "cached handout >= 0.9x JSON requests/s",
            f"{cached:.0f} vs {json_rps:.0f} req/s",
            cached / json_rps,
            cached / json_rps >= 0.9,
        )
        busy, idle = ho["json_and_health_while_10_render"]["p99_ms"], ho["json_and_health_idle"]["p99_ms"]
        row("JSON p99 under handout load <= 3x idle", f"{busy} vs {idle} ms", busy / idle, busy / idle <= 3)
    if "scale" in r:
        sc = r["scale"]
        for name in ("list_page", "list_page_deep", "search", "get"):
            large, small = sc["at_10k"][name], sc["bundled_library"][name]
            ratio = large["p99_ms"] / small["p99_ms"]
            row(
                f"10k items: {name} p99 within 2x of bundled",
                f"{large['p99_ms']} vs {small['p99_ms']} ms",
                ratio,
                ratio <= 2,
            )
    return rows


def http_table(http: dict[str, Any]) -> list[str]:
    lines = [
        "| server | path | req/s | p50 ms | p99 ms | CPU µs/req | non-2xx/3xx | load 1m |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, paths in http.items():
        if not isinstance(paths, dict):
            continue
        for path, f in paths.items():
            lines.append(
                f"| {name} | {path} | {f['requests_per_s']:.0f} | {f['p50_ms']:.2f} | {f['p99_ms']:.2f} "
                f"| {f['server_cpu_us_per_request']:.0f} | {f['non_2xx_3xx']:.0f} "
                f"| {f.get('loadavg_1m', 0):.2f} |"
            )
    return lines


def markdown(report: dict[str, Any]) -> str:
    results = report["results"]
    lines = [
        f"# Benchmarks, {report['date']}",
        "",
        f"Machine: {report['machine']} (load average before the run, then after it: "
        f"{report['machine']['loadavg_1_5_15_before']} -> {report['machine']['loadavg_1_5_15']}; "
        "2 cores shared with other work)",
        "",
        "| target | measured | ratio | met |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        f"| {t} | {m} | {ratio:.2f} | {'yes' if ok else '**no**'} |" for t, m, ratio, ok in targets(results)
    ]
    if "http" in results:
        http = results["http"]
        lines += [
            "",
            f"Warm `GET {ARTICLE}` ({http['document_bytes']} bytes), wrk 2 threads 64 connections, "
            f"median of {http['rounds']} interleaved rounds of {http['seconds_per_run']} s; "
            f"{http['server']}. "
            "HEAD is driven by ApacheBench (wrk cannot read bodiless answers): compare its CPU "
            "column, not its req/s or whole-millisecond latencies. A HEAD row whose answers are all "
            "non-2xx is a 405: that app has no HEAD route.",
            "",
            *http_table(http),
        ]
    lines += [
        "",
        "Figures in full: the JSON file beside this one. Method and notes: bench/README.md.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    for tool, package in (("wrk", "wrk"), ("ab", "apache2-utils")):
        if shutil.which(tool) is None:
            print(f"make bench needs {tool}. Debian: apt-get install {package}", file=sys.stderr)
            return 1
    if not Path(NGINX).exists():
        print("make bench needs nginx. Debian: apt-get install nginx-light", file=sys.stderr)
        return 1
    only = [n for n in os.environ.get("BENCH_ONLY", "").split(",") if n]
    load_before = loadavg()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        results: dict[str, object] = {}
        sections: dict[str, Callable[[], object]] = {
            "http": lambda: http_comparison(work),
            "scaling": lambda: workers_scaling(work),
            "handouts": lambda: handouts_section(work),
            "email": email_section,
            "scale": lambda: scale(work),
        }
        for name, section in sections.items():
            if only and name not in only:
                continue
            print(f"bench: {name}...", file=sys.stderr, flush=True)
            results[name] = section()
    report = {
        "date": now(),
        # Other work on the box competes with the servers and with wrk: said, not hidden (every
        # wrk/ab figure also carries the 1-minute load average at its end, `loadavg_1m`).
        "machine": machine(loadavg_1_5_15_before=load_before),
        "results": results,
    }
    report["targets"] = [
        {"target": t, "measured": m, "ratio": round(ratio, 3), "met": ok}
        for t, m, ratio, ok in targets(results)
    ]
    out = RESULTS / "-".join([today(), *only])
    out.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    out.with_suffix(".md").write_text(markdown(report))
    print(markdown(report))
    print(f"wrote {out.with_suffix('.json').relative_to(ROOT)} and .md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
