"""Webhooks go only where they may: refused at registration and at every delivery, pinned to the
address that was checked. Receivers run on 127.0.0.1 and are reached only where the setting allows."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.egress import EgressPolicy, Refused, parse_networks
from api.settings import Settings
from api.webhooks import Deliverer
from tests.api.test_webhooks import LOOPBACK, Receiver, fast, publish
from tests.conftest import bearer

# Every spelling of this machine, its private networks and the cloud metadata service that was
# delivered to before (issue 26), and their neighbours.
REFUSED = [
    "http://127.0.0.1/hook",
    "http://127.1/hook",
    "http://2130706433/hook",
    "http://0x7f000001/hook",
    "http://017700000001/hook",
    "http://0x7f.1/hook",
    "http://0.0.0.0/hook",
    "http://0/hook",
    "http://localhost/hook",
    "http://LOCALHOST/hook",
    "http://localhost./hook",
    "http://folio.localhost/hook",
    "http://[::1]/hook",
    "http://[::]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[::ffff:7f00:1]/hook",
    "http://[0:0:0:0:0:0:0:1]/hook",
    "http://user@127.0.0.1/hook",
    "https://127.0.0.1/hook",
    "http://127.42.0.7:8080/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://0xa9fea9fe/latest/meta-data/",
    "http://2852039166/latest/meta-data/",
    "http://[::ffff:169.254.169.254]/latest/meta-data/",
    "http://10.0.0.1/hook",
    "http://10.20.30.40/hook",
    "http://172.16.0.1/hook",
    "http://172.31.255.254/hook",
    "http://192.168.1.1/hook",
    "http://100.64.0.1/hook",
    "http://100.127.255.254/hook",
    "http://[fc00::1]/hook",
    "http://[fd12:3456::1]/hook",
    "http://[fe80::1]/hook",
    "http://224.0.0.1/hook",
    "http://[ff02::1]/hook",
    "http://240.0.0.1/hook",
    "http://255.255.255.255/hook",
    "http://[2002:7f00:1::]/hook",
    "http://[64:ff9b::a9fe:a9fe]/hook",
    "http://[::7f00:1]/hook",
    "http://alice:secret@hooks.example.org/hook",
    "http://@hooks.example.org/hook",
    "ftp://hooks.example.org/hook",
    "file:///etc/passwd",
    "gopher://hooks.example.org/",
]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_every_inside_address_is_refused_at_registration(settings: Settings, tokens: dict[str, str]) -> None:
    admin = bearer(tokens["admin"])
    with TestClient(create_app(settings)) as client:
        answers = {url: client.post("/v1/webhooks", json={"url": url}, headers=admin) for url in REFUSED}
        listed = client.get("/v1/webhooks", headers=admin).json()["webhooks"]
    wrong = {url: r.status_code for url, r in answers.items() if r.status_code != 400}
    assert wrong == {}
    for url, answer in answers.items():
        assert answer.headers["content-type"] == "application/problem+json", url
        [error] = answer.json()["errors"]
        assert error["name"] == "$.url", url
        assert error["detail"], url
    assert listed == []
    reasons = {url: answers[url].json()["errors"][0]["detail"] for url in REFUSED}
    assert "loopback" in reasons["http://2130706433/hook"]
    assert "link-local" in reasons["http://0xa9fea9fe/latest/meta-data/"]
    assert "metadata" in reasons["http://metadata.google.internal/computeMetadata/v1/"]
    assert "private" in reasons["http://192.168.1.1/hook"]
    assert "carrier-grade NAT" in reasons["http://100.64.0.1/hook"]
    assert "IPv4-mapped" in reasons["http://[::ffff:127.0.0.1]/hook"]
    assert "credentials" in reasons["http://user@127.0.0.1/hook"]


def test_a_public_address_and_an_allowed_network_are_accepted(
    settings: Settings, tokens: dict[str, str]
) -> None:
    admin = bearer(tokens["admin"])
    allowed = msgspec.structs.replace(settings, webhook_allow=["10.20.0.0/16"])
    with TestClient(create_app(allowed)) as client:
        for url in ("https://93.184.216.34/hook", "http://[2606:4700::1]:8443/hook", "http://10.20.0.5/hook"):
            assert client.post("/v1/webhooks", json={"url": url}, headers=admin).status_code == 201, url
        # Another private network stays refused.
        refused = client.post("/v1/webhooks", json={"url": "http://10.21.0.5/hook"}, headers=admin)
        assert refused.status_code == 400 and refused.json()["errors"][0]["name"] == "$.url"


def test_a_refused_target_is_refused_at_delivery_before_any_connection(
    settings: Settings, tokens: dict[str, str], receiver: Receiver
) -> None:
    """Registered while loopback was allowed; once the setting is gone, nothing is sent there."""
    admin = bearer(tokens["admin"])
    with TestClient(create_app(fast(settings, poll=3600))) as client:
        hook = client.post("/v1/webhooks", json={"url": receiver.url}, headers=admin).json()["id"]
        publish(client, tokens)
    closed = msgspec.structs.replace(fast(settings), webhook_allow=[])
    with TestClient(create_app(closed)) as client:
        for _ in range(200):
            [delivery] = client.get(f"/v1/webhooks/{hook}/deliveries", headers=admin).json()["deliveries"]
            if delivery["attempts"]:
                break
            time.sleep(0.02)
    assert receiver.hits == []
    assert delivery["attempts"] >= 1 and delivery["status"] != "delivered"
    assert delivery["lastError"].startswith("refused: 127.0.0.1 is a loopback address")


def test_a_bad_allow_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="FOLIO_WEBHOOK_ALLOW"):
        Settings.from_env({"FOLIO_WEBHOOK_ALLOW": "10.20.0.1/16"})
    assert Settings.from_env({"FOLIO_WEBHOOK_ALLOW": "10.20.0.0/16, fd00::/8"}).webhook_allow == [
        "10.20.0.0/16",
        "fd00::/8",
    ]


# --- names, resolution and rebinding --------------------------------------------------------


def resolver(answers: dict[str, list[list[str]]]) -> Any:
    """A resolver answering each name with its next answer (the last one repeats)."""
    calls: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        queue = answers[host]
        return queue.pop(0) if len(queue) > 1 else queue[0]

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


@pytest.mark.anyio
async def test_a_name_resolving_inside_is_refused() -> None:
    policy = EgressPolicy(
        resolver=resolver(
            {"evil.example.org": [["93.184.216.34", "127.0.0.1"]], "a.example.org": [["10.0.0.8"]]}
        )
    )
    with pytest.raises(Refused, match=r"evil.example.org resolves to 127.0.0.1 is a loopback"):
        await policy.admit("https://evil.example.org/hook")
    with pytest.raises(Refused, match="private"):
        await policy.check("https://a.example.org/hook")


@pytest.mark.anyio
async def test_a_rebinding_name_is_refused_at_delivery() -> None:
    """Public when registered, this machine when delivered: the delivery refuses it."""
    policy = EgressPolicy(resolver=resolver({"rebind.example.org": [["93.184.216.34"], ["127.0.0.1"]]}))
    await policy.admit("http://rebind.example.org/hook")
    with pytest.raises(Refused, match="loopback"):
        await policy.check("http://rebind.example.org/hook")


@pytest.mark.anyio
async def test_delivery_connects_to_the_checked_address_and_keeps_the_name() -> None:
    """The request goes to the address that was checked; Host and TLS SNI carry the name."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    names = resolver({"hooks.example.org": [["93.184.216.34"], ["10.0.0.1"]]})
    policy = EgressPolicy(resolver=names)
    target = await policy.check("https://hooks.example.org:8443/folio?x=1")
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        await client.post(
            target.pinned_url,
            headers={"Host": target.host_header},
            extensions={"sni_hostname": target.url.host},
        )
    [request] = seen
    assert request.url.host == "93.184.216.34" and request.url.port == 8443
    assert request.url.raw_path == b"/folio?x=1"
    assert request.headers["host"] == "hooks.example.org:8443"
    assert request.extensions["sni_hostname"] == "hooks.example.org"


@pytest.mark.anyio
async def test_a_delivery_to_an_allowed_name_reaches_the_pinned_address(
    db_url: str, receiver: Receiver
) -> None:
    """A name only Folio's resolver knows (DNS would fail): delivered, so the checked address was used."""
    from api.webhooks import Webhooks, enqueue
    from content.db import create_engine, writer

    port = receiver.server.server_address[1]
    url = f"http://receiver.folio.test:{port}/hook"
    names = resolver({"receiver.folio.test": [["127.0.0.1"]]})
    egress = EgressPolicy(parse_networks(LOOPBACK), resolver=names)
    engine = create_engine(db_url)
    try:
        _, receiver.secret = await Webhooks(engine).add(url, ["published"], "test")
        async with writer(engine).begin() as conn:
            await enqueue(conn, "published", "faq", "ketamine-addiction-faq", 2, None)
        deliverer = Deliverer(engine, poll_seconds=1, backoff_base=60, timeout=10, egress=egress)
        async with deliverer.client() as client:
            assert await deliverer.deliver_one(client)
    finally:
        await engine.dispose()
    [hit] = receiver.hits
    assert hit["valid"] and hit["host"] == f"receiver.folio.test:{port}"
    assert names.calls == ["receiver.folio.test"]


def test_redirects_are_not_followed(settings: Settings, tokens: dict[str, str], receiver: Receiver) -> None:
    receiver.statuses = [302] * 20
    with TestClient(create_app(fast(settings))) as client:
        hook = client.post("/v1/webhooks", json={"url": receiver.url}, headers=bearer(tokens["admin"]))
        receiver.secret = hook.json()["secret"]
        publish(client, tokens)
        receiver.wait_for(1)
        for _ in range(200):
            [delivery] = client.get(
                f"/v1/webhooks/{hook.json()['id']}/deliveries", headers=bearer(tokens["admin"])
            ).json()["deliveries"]
            if delivery["attempts"]:
                break
            time.sleep(0.02)
    assert delivery["lastError"] == "receiver answered 302"


def _certificate(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for ``name`` (openssl), as a receiver with its own name has."""
    key, cert = tmp_path / f"{name}.key", tmp_path / f"{name}.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            f"/CN={name}",
            "-addext",
            f"subjectAltName=DNS:{name}",
        ],
        check=True,
        capture_output=True,
    )
    return key, cert


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.anyio
async def test_https_delivery_verifies_the_name_at_the_checked_address(
    db_url: str, receiver: Receiver, tmp_path: Path
) -> None:
    """TLS to the pinned address presents and verifies the URL's name: the receiver whose
    certificate names it is delivered to; one whose (trusted) certificate names another host is not."""
    from api.webhooks import Webhooks, enqueue
    from content.db import create_engine, writer

    impostor = Receiver()
    trusted = tmp_path / "trusted.pem"
    for server, name in ((receiver, "receiver.folio.test"), (impostor, "elsewhere.folio.test")):
        key, cert = _certificate(tmp_path, name)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server.server.socket = context.wrap_socket(server.server.socket, server_side=True)
        with trusted.open("a") as bundle:
            bundle.write(cert.read_text())
    names = resolver({"receiver.folio.test": [["127.0.0.1"]]})
    egress = EgressPolicy(parse_networks(LOOPBACK), resolver=names)
    engine = create_engine(db_url)
    hooks = {}
    try:
        webhooks = Webhooks(engine)
        for server in (receiver, impostor):
            url = f"https://receiver.folio.test:{server.server.server_address[1]}/hook"
            hook, server.secret = await webhooks.add(url, ["published"], "test")
            hooks[hook.id] = server
        async with writer(engine).begin() as conn:
            await enqueue(conn, "published", "faq", "ketamine-addiction-faq", 2, None)
        deliverer = Deliverer(engine, poll_seconds=1, backoff_base=60, timeout=10, egress=egress)
        client = httpx.AsyncClient(
            verify=ssl.create_default_context(cafile=str(trusted)),
            trust_env=False,
            limits=httpx.Limits(max_keepalive_connections=0),
        )
        async with client:
            while await deliverer.deliver_one(client):
                pass
        logs = {hooks[h].server.server_address[1]: await webhooks.deliveries(h) for h in hooks}
    finally:
        await engine.dispose()
        impostor.server.shutdown()
        impostor.server.server_close()
    assert len(receiver.hits) == 1 and receiver.hits[0]["valid"]
    assert receiver.hits[0]["host"] == f"receiver.folio.test:{receiver.server.server_address[1]}"
    assert impostor.hits == []
    [refused] = logs[impostor.server.server_address[1]]
    assert refused.status == "pending" and "CERTIFICATE_VERIFY_FAILED" in (refused.last_error or "")
