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
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ARTICLE = "/v1/articles/is-ketamine-therapy-addictive"
SECONDS = int(os.environ.get("BENCH_SECONDS", "6"))  # per wrk run
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


def ab_head(url: str, pid: int, seconds: int = SECONDS) -> dict[str, float]:
    """HEAD at 64 keep-alive connections with ApacheBench: wrk cannot read bodiless answers.

    ab is one thread and reports whole milliseconds, so its requests/s and latencies compare
    between servers, not with wrk's figures; CPU per request compares with both.
    """
    args = ["ab", "-i", "-k", "-c", "64", "-n", "100000000"]
    subprocess.run([*args, "-t", "1", url], capture_output=True, check=True)  # warm up
    cpu_before = cpu_seconds(pid)
    out = subprocess.run([*args, "-t", str(seconds), url], capture_output=True, text=True, check=True).stdout
    cpu = cpu_seconds(pid) - cpu_before
    requests = int(re.search(r"Complete requests:\s+(\d+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx responses:\s+(\d+)", out)
    return {
        "requests_per_s": float(re.search(r"Requests per second:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": float(re.search(r"^\s+50%\s+(\d+)", out, re.M).group(1)),  # type: ignore[union-attr]
        "p99_ms": float(re.search(r"^\s+99%\s+(\d+)", out, re.M).group(1)),  # type: ignore[union-attr]
        "server_cpu_us_per_request": round(cpu / max(requests, 1) * 1e6, 1),
        "non_2xx_3xx": int(errors.group(1)) if errors else 0,
    }


def folio(
    env: dict[str, str], port: int, workers: int = 1
) -> contextlib.AbstractContextManager[tuple[str, int]]:
    command = [str(BIN / "folio"), "serve", "--workers", str(workers)]
    return server(command, env | {"FOLIO_PORT": str(port)}, port)


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


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and all its descendants: user + system, plus reaped children's.

    granian and nginx answer in worker processes, and Folio renders in a process pool: the
    server's cost is the whole tree's.
    """
    parents: dict[int, int] = {}
    spent: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # exited meanwhile
            continue
        parents[int(entry.name)] = int(fields[1])
        spent[int(entry.name)] = sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    tree, grew = {pid}, True
    while grew:
        grew = False
        for child, parent in parents.items():
            if parent in tree and child not in tree:
                tree.add(child)
                grew = True
    return sum(spent.get(p, 0) for p in tree) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    match = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    return round(int(match.group(1)) / 1024, 1) if match else 0.0


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(
    url: str, pid: int, headers: dict[str, str] | None = None, seconds: int = SECONDS, warm: int = 1
) -> dict[str, float]:
    """64 connections, 2 threads; requests/s, p50, p99, server CPU per request, error answers."""
    args = ["wrk", "-t2", "-c64", "--latency"]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    subprocess.run([*args, f"-d{warm}s", url], capture_output=True, check=True)  # warm up
    cpu_before = cpu_seconds(pid)
    out = subprocess.run([*args, f"-d{seconds}s", url], capture_output=True, text=True, check=True).stdout
    cpu = cpu_seconds(pid) - cpu_before
    if "50%" not in out:
        raise RuntimeError(f"unexpected wrk output for {url}:\n{out}")
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),  # type: ignore[union-attr]
        "p99_ms": _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),  # type: ignore[union-attr]
        "server_cpu_us_per_request": round(cpu / requests * 1e6, 1),
        "non_2xx_3xx": int(errors.group(1)) if errors else 0,
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


Row = tuple[str, str, float, bool]


def targets(r: dict[str, Any]) -> list[Row]:
    """(target, measured, ratio, met) for each target of issue 12, for the sections that ran."""
    rows: list[Row] = []

    def row(target: str, measured: str, ratio: float, met: bool) -> None:
        rows.append((target, measured, ratio, met))

    if "http" in r:
        h = r["http"]

        def cpu(name: str, path: str = "warm_get") -> float:
            return float(h[name][path]["server_cpu_us_per_request"])

        folio, lite, fast = cpu("folio"), cpu("minimal_litestar"), cpu("fastapi_pydantic")
        row(
            "warm GET CPU <= 1.25x minimal Litestar",
            f"{folio:.0f} vs {lite:.0f} µs",
            folio / lite,
            folio / lite <= 1.25,
        )
        row(
            "warm GET CPU >= 1.4x cheaper than FastAPI",
            f"{folio:.0f} vs {fast:.0f} µs",
            fast / folio,
            fast / folio >= 1.4,
        )
        n304 = cpu("folio", "not_modified_304")
        row(
            "304 CPU <= 1.1x minimal Litestar's 200",
            f"{n304:.0f} vs {lite:.0f} µs",
            n304 / lite,
            n304 / lite <= 1.1,
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
        "| server | path | req/s | p50 ms | p99 ms | CPU µs/req | non-2xx/3xx |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, paths in http.items():
        if not isinstance(paths, dict):
            continue
        for path, f in paths.items():
            lines.append(
                f"| {name} | {path} | {f['requests_per_s']:.0f} | {f['p50_ms']:.2f} | {f['p99_ms']:.2f} "
                f"| {f['server_cpu_us_per_request']:.0f} | {f['non_2xx_3xx']:.0f} |"
            )
    return lines


def markdown(report: dict[str, Any]) -> str:
    results = report["results"]
    lines = [
        f"# Benchmarks, {report['date']}",
        "",
        f"Machine: {report['machine']}",
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
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        results: dict[str, object] = {}
        sections: dict[str, Callable[[], object]] = {
            "http": lambda: http_comparison(work),
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
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            # Other work on the box competes with the servers and with wrk: said, not hidden.
            "loadavg_1_5_15_before": load_before,
            "loadavg_1_5_15_after": Path("/proc/loadavg").read_text().split()[:3],
        },
        "results": results,
    }
    report["targets"] = [
        {"target": t, "measured": m, "ratio": round(ratio, 3), "met": ok}
        for t, m, ratio, ok in targets(results)
    ]
    out = ROOT / "bench" / "results" / "-".join([dt.date.today().isoformat(), *only])
    out.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    out.with_suffix(".md").write_text(markdown(report))
    print(markdown(report))
    print(f"wrote {out.with_suffix('.json').relative_to(ROOT)} and .md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
