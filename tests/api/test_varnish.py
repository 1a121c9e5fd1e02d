"""Debian's Varnish with the xkey vmod in front of a real `folio serve`, as deploy/varnish/folio.vcl
configures it: a publish is purged by tag at once, unchanged items stay cached (Varnish's own
hit counters say so)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.settings import Settings
from tests.conftest import bearer, folio_process

ROOT = Path(__file__).resolve().parents[2]
VCL = ROOT / "deploy" / "varnish" / "folio.vcl"
ARTICLE = "/v1/articles/is-ketamine-therapy-addictive"
ARTICLE_PAGE = "/articles/is-ketamine-therapy-addictive"
FAQ = "/v1/faqs/ketamine-addiction-faq"
WITHDRAWAL = "/v1/articles/ketamine-withdrawal"
WITHDRAWAL_PAGE = "/articles/ketamine-withdrawal"
NEW_ANSWER = "Through Varnish: no, prescribed doses do not make the body dependent."


def _varnishd() -> str:
    found = shutil.which("varnishd") or next(
        (p for p in ("/usr/sbin/varnishd",) if os.access(p, os.X_OK)), None
    )
    modules = Path("/usr/lib/x86_64-linux-gnu/varnish/vmods/libvmod_xkey.so")
    xkey = modules.exists() or any(Path("/usr/lib").glob("**/varnish/vmods/libvmod_xkey.so"))
    if found is None or not xkey:
        if os.environ.get("FOLIO_TEST_EVERYTHING"):
            pytest.fail("varnishd or its xkey vmod is missing: apt-get install varnish varnish-modules")
        pytest.skip("needs Debian's varnish and varnish-modules (tools/system-packages test)")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def varnish(varnishd: str, folio: str, port: int, workdir: Path) -> Iterator[str]:
    """varnishd in the foreground on 127.0.0.1:``port`` with folio.vcl pointed at ``folio``."""
    host, _, backend_port = folio.removeprefix("http://").partition(":")
    vcl = workdir / "folio.vcl"
    vcl.write_text(VCL.read_text().replace("@FOLIO_HOST@", host).replace("@FOLIO_PORT@", backend_port))
    log = (workdir / "varnishd.log").open("wb")
    listen = ["-a", f"127.0.0.1:{port}", "-T", "127.0.0.1:0"]
    process = subprocess.Popen(
        [varnishd, "-F", "-j", "none", "-n", str(workdir / "n"), *listen, "-f", str(vcl), "-s", "malloc,32m"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(base + "/health").status_code == 200:
                    break
            assert process.poll() is None, (workdir / "varnishd.log").read_text()
            time.sleep(0.05)
        else:
            raise AssertionError("varnishd did not start: " + (workdir / "varnishd.log").read_text())
        yield base
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(30)
        log.close()


def hits(workdir: Path, expected: int) -> int:
    """Varnish's own count of cache hits, once it reaches ``expected`` (workers add theirs to the
    shared counters in batches) or after a while."""
    seen = -1
    for _ in range(100):
        out = subprocess.run(
            ["varnishstat", "-n", str(workdir / "n"), "-1", "-f", "MAIN.cache_hit"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        seen = int(out.split()[1])
        if seen >= expected:
            break
        time.sleep(0.05)
    return seen


def publish_new_answer(client: httpx.Client, tokens: dict[str, str]) -> None:
    """FAQ v2 through the API (and so through Varnish, which passes what carries a token)."""
    started = client.post(FAQ + "/draft", headers=bearer(tokens["editor"]))
    draft = started.json()
    draft["items"][0]["answer"] = NEW_ANSWER
    body = {k: v for k, v in draft.items() if k not in ("draft", "review")}
    saved = client.put(
        FAQ + "/draft", json=body, headers=bearer(tokens["editor"], **{"If-Match": started.headers["etag"]})
    )
    reviewed = client.post(
        FAQ + "/draft/review",
        json={"nextReviewOn": "2027-10-01"},
        headers=bearer(tokens["reviewer"], **{"If-Match": saved.headers["etag"]}),
    )
    done = client.post(
        FAQ + "/publish", headers=bearer(tokens["publisher"], **{"If-Match": reviewed.headers["etag"]})
    )
    assert done.status_code == 200 and done.json()["version"] == 2, done.text


def wait_for_purge(client: httpx.Client, tokens: dict[str, str]) -> None:
    """Until the stored purge of the publish has been delivered to Varnish (the outbox's log)."""
    admin = bearer(tokens["admin"])
    hook = next(
        h
        for h in client.get("/v1/webhooks", headers=admin).json()["webhooks"]
        if h["url"].startswith("varnish+")
    )
    for _ in range(400):
        log = client.get(f"/v1/webhooks/{hook['id']}/deliveries", headers=admin).json()["deliveries"]
        if log and all(d["status"] == "delivered" for d in log):
            assert len(log) == 1  # one publish, one purge
            return
        assert not any(d["status"] == "failed" or d["lastError"] for d in log), log
        time.sleep(0.05)
    raise AssertionError(f"the purge was not delivered: {log}")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # about the HTTP path, not the store
def test_a_publish_is_purged_through_varnish_and_the_rest_stays_cached(
    settings: Settings, tokens: dict[str, str], tmp_path: Path
) -> None:
    varnishd = _varnishd()
    port = free_port()
    env = {
        "FOLIO_DATABASE_URL": settings.db_url,
        "FOLIO_LIBRARY_DIR": settings.library_dir,
        "FOLIO_DATA_DIR": str(tmp_path / "var"),
        "FOLIO_PURGE_VARNISH": f"http://127.0.0.1:{port}",
        "FOLIO_WEBHOOK_POLL_SECONDS": "0.05",
    }
    paths = [ARTICLE, ARTICLE + "?include=embeds", ARTICLE_PAGE, FAQ, WITHDRAWAL, WITHDRAWAL_PAGE]
    with (
        folio_process(env, log=tmp_path / "folio.log") as (folio, _),
        varnish(varnishd, folio, port, tmp_path) as base,
        httpx.Client(base_url=base, timeout=60) as client,
    ):
        first = {path: client.get(path) for path in paths}
        assert all(r.status_code == 200 and r.headers["x-cache"] == "MISS" for r in first.values())
        before = hits(tmp_path, 0)
        second = {path: client.get(path) for path in paths}
        assert all(r.headers["x-cache"] == "HIT" and int(r.headers["age"]) >= 0 for r in second.values())
        assert hits(tmp_path, before + len(paths)) == before + len(paths)
        assert "xkey" not in second[ARTICLE].headers  # Varnish's own header stays inside it
        # A request with a token passes: a draft is never cached, nor is a shared copy served.
        assert client.get(FAQ, headers=bearer(tokens["reader"])).headers["x-cache"] == "MISS"
        # A PURGE from outside the ACL would be refused; from loopback with no tags, it is refused too.
        assert client.request("PURGE", "/").status_code == 400

        publish_new_answer(client, tokens)
        wait_for_purge(client, tokens)
        before = hits(tmp_path, 0)
        after = {path: client.get(path) for path in paths}
        for path in paths[:4]:
            assert after[path].headers["x-cache"] == "MISS", path
        for path in paths[1:4]:
            assert NEW_ANSWER in after[path].text, path
        assert after[ARTICLE].json()["version"] == 2
        assert {"type": "faq", "slug": "ketamine-addiction-faq", "version": 2, "locale": "en"} in after[
            ARTICLE
        ].json()["embeds"]
        for path in (WITHDRAWAL, WITHDRAWAL_PAGE):
            assert after[path].headers["x-cache"] == "HIT", path
            assert after[path].content == first[path].content
        assert hits(tmp_path, before + 2) == before + 2
