"""Folio behind Varnish (deploy/varnish/folio.vcl) next to nginx serving the same bytes.

Warm GET and 304 requests per second with wrk (64 connections), and the CPU each request costs
the serving tree (Varnish's, nginx's; Folio's beside Varnish's, which should stay near zero on
hits); then the time from a publish's answer to the new version answering through Varnish
(median of N, the purge riding the webhook outbox polled every FOLIO_WEBHOOK_POLL_SECONDS).
Writes bench/results/<date>-varnish.md. Needs Debian's varnish, varnish-modules, wrk, nginx.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    ARTICLE,
    BIN,
    RESULTS,
    SECONDS,
    cpu_seconds,
    folio,
    free_port,
    machine,
    now,
    prepared_store,
    sync,
    today,
    wrk,
)
from run import nginx

ROOT = Path(__file__).resolve().parents[1]
FAQ = "/v1/faqs/ketamine-addiction-faq"
POLL = os.environ.get("BENCH_PURGE_POLL_SECONDS", "0.05")
PUBLISHES = int(os.environ.get("BENCH_PUBLISHES", "15"))


@contextlib.contextmanager
def varnish(folio_base: str, port: int, workdir: Path) -> Iterator[tuple[str, int]]:
    """varnishd -F with folio.vcl pointed at ``folio_base``; (base URL, pid)."""
    host, _, backend_port = folio_base.removeprefix("http://").partition(":")
    vcl = workdir / "folio.vcl"
    text = (ROOT / "deploy" / "varnish" / "folio.vcl").read_text()
    vcl.write_text(text.replace("@FOLIO_HOST@", host).replace("@FOLIO_PORT@", backend_port))
    listen = ["-a", f"127.0.0.1:{port}", "-T", "127.0.0.1:0", "-s", "malloc,64m"]
    process = subprocess.Popen(
        ["varnishd", "-F", "-j", "none", "-n", str(workdir / "n"), *listen, "-f", str(vcl)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            with contextlib.suppress(httpx.TransportError):
                httpx.get(base + "/health", timeout=1)
                break
            time.sleep(0.05)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(30)


def token(env: dict[str, str], name: str, role: str) -> str:
    made = subprocess.run(
        [str(BIN / "folio"), "token", "create", "--name", name, "--display-name", name, "--role", role],
        env=os.environ | env,
        capture_output=True,
        text=True,
        check=True,
    )
    return made.stdout.strip()


def publish(client: httpx.Client, tokens: dict[str, str], answer: str) -> None:
    """A new FAQ version (and so a new version of the article pinning it), through the API."""

    def auth(role: str, etag: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[role]}"} | ({"If-Match": etag} if etag else {})

    started = client.post(FAQ + "/draft", headers=auth("editor"))
    draft = started.json()
    draft["items"][0]["answer"] = answer
    body = {k: v for k, v in draft.items() if k not in ("draft", "review")}
    saved = client.put(FAQ + "/draft", json=body, headers=auth("editor", started.headers["etag"]))
    reviewed = client.post(
        FAQ + "/draft/review",
        json={"nextReviewOn": "2030-01-01"},
        headers=auth("reviewer", saved.headers["etag"]),
    )
    done = client.post(FAQ + "/publish", headers=auth("publisher", reviewed.headers["etag"]))
    assert done.status_code == 200, done.text


def publish_to_visible(folio_base: str, varnish_base: str, tokens: dict[str, str]) -> list[float]:
    """Milliseconds from each publish's answer until the FAQ and the article answer it through Varnish."""
    samples = []
    with httpx.Client(base_url=folio_base, timeout=30) as api, httpx.Client(base_url=varnish_base) as cdn:
        for n in range(PUBLISHES):
            for path in (FAQ, ARTICLE + "?include=embeds"):
                cdn.get(path)
                assert cdn.get(path).headers["x-cache"] == "HIT", path  # cached before the publish
            answer = f"Benchmark answer number {n}: prescribed doses do not make the body dependent."
            publish(api, tokens, answer)
            start = time.perf_counter()
            while not all(answer in cdn.get(p).text for p in (FAQ, ARTICLE + "?include=embeds")):
                time.sleep(0.002)
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def throughput(name: str, base: str, pids: list[int]) -> dict[str, float]:
    url = base + ARTICLE
    etag = httpx.get(url).headers["etag"]
    results = {}
    for label, headers in (("warm_get", None), ("not_modified_304", {"If-None-Match": etag})):
        before = [cpu_seconds(p) for p in pids[1:]]
        measured = wrk(url, pids[0], headers)
        others = sum(cpu_seconds(p) - b for p, b in zip(pids[1:], before, strict=True))
        requests = measured["requests_per_s"] * SECONDS
        measured["other_cpu_us_per_request"] = round(others / requests * 1e6, 2) if pids[1:] else 0.0
        results[label] = measured
        print(f"bench: {name} {label}: {measured['requests_per_s']:.0f} req/s", file=sys.stderr, flush=True)
    return results


def main() -> int:
    if not shutil.which("varnishd") or not shutil.which("wrk"):
        print("bench/varnish.py needs varnishd (varnish, varnish-modules) and wrk", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        port = free_port()
        env = prepared_store(tmp / "data") | {
            "FOLIO_PURGE_VARNISH": f"http://127.0.0.1:{port}",
            "FOLIO_WEBHOOK_POLL_SECONDS": POLL,
        }
        sync(env)
        tokens = {role: token(env, role, role) for role in ("editor", "reviewer", "publisher")}
        document = tmp / "article.json"
        (tmp / "varnish").mkdir()
        with (
            folio(env) as (folio_base, folio_pid),
            varnish(folio_base, port, tmp / "varnish") as (varnish_base, varnish_pid),
        ):
            document.write_bytes(httpx.get(varnish_base + ARTICLE, timeout=60).content)
            with nginx(document, tmp / "nginx", free_port()) as (nginx_base, nginx_pid):
                assert httpx.get(nginx_base + ARTICLE).content == document.read_bytes()
                table = {
                    "varnish_in_front_of_folio": throughput(
                        "varnish", varnish_base, [varnish_pid, folio_pid]
                    ),
                    "nginx_static": throughput("nginx", nginx_base, [nginx_pid]),
                }
            samples = publish_to_visible(folio_base, varnish_base, tokens)
            size = document.stat().st_size
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{today()}-varnish.md"
    out.write_text(markdown(table, samples, size))
    print(out.read_text())
    return 0


def markdown(table: dict[str, dict[str, dict[str, float]]], samples: list[float], size: int) -> str:
    lines = [
        f"# Folio behind Varnish vs nginx, {now()}",
        "",
        f"Machine: {machine()}",
        "",
        f"The article's JSON ({size} bytes), wrk 64 connections, {SECONDS} s per run. CPU per request is",
        "the serving tree's (varnishd's or nginx's); for Varnish, Folio's own beside it.",
        "",
        "| server | warm GET req/s | CPU µs/req | 304 req/s | CPU µs/req | Folio CPU µs/req (GET, 304) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, runs in table.items():
        get, nm = runs["warm_get"], runs["not_modified_304"]
        folio_cpu = (
            f"{get['other_cpu_us_per_request']}, {nm['other_cpu_us_per_request']}"
            if "varnish" in name
            else "-"
        )
        lines.append(
            f"| {name} | {get['requests_per_s']:.0f} | {get['server_cpu_us_per_request']} | "
            f"{nm['requests_per_s']:.0f} | {nm['server_cpu_us_per_request']} | {folio_cpu} |"
        )
    ordered = sorted(samples)
    lines += [
        "",
        f"Publish to visible through Varnish (FAQ and the article pinning it, {len(samples)} publishes,",
        f"purge outbox polled every {POLL} s): median {statistics.median(samples):.0f} ms, "
        f"min {ordered[0]:.0f} ms, max {ordered[-1]:.0f} ms.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
