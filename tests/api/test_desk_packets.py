"""The packet kept in a cookie, its CSRF, digests' order and missing fields, ranked search, bulk
archive: through the app (the browser suite drives the same pages)."""

from __future__ import annotations

import re

from litestar.testing import TestClient

from api.desk.picks import PACKET_COOKIE

WITHDRAWAL = "article/ketamine-withdrawal"
FAQ = "faq/ketamine-addiction-faq"


def _token(client: TestClient) -> str:  # type: ignore[type-arg]
    """Signed out: the double-submit token the packet's forms carry."""
    page = client.get("/desk/packet").text
    return re.search(r'name="csrf" value="([^"]+)"', page)[1]  # type: ignore[index]


def _signed_in(client: TestClient, token: str) -> str:  # type: ignore[type-arg]
    client.cookies.clear()
    form = client.get("/desk/signin").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)[1]  # type: ignore[index]
    client.post("/desk/signin", data={"csrf": csrf, "token": token}, follow_redirects=False)
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/desk").text)[1]  # type: ignore[index]


def test_a_packet_is_kept_in_a_cookie_with_its_choices(client: TestClient) -> None:  # type: ignore[type-arg]
    csrf = _token(client)
    added = client.post(
        "/desk/packet/add", data={"csrf": csrf, "item": FAQ, "back": "/desk?q=x"}, follow_redirects=False
    )
    assert added.status_code == 303
    assert added.headers["location"] == f"/desk?q=x&added={FAQ.replace('/', '%2F')}&done=packet_added"
    cookie = next(v for k, v in added.headers.multi_items() if k == "set-cookie" and PACKET_COOKIE in v)
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/desk" in cookie
    client.post("/desk/packet/choices", data={"csrf": csrf, "paper": "a4", "size": "large"})
    client.post("/desk/packet/add", data={"csrf": csrf, "item": WITHDRAWAL})  # no choices sent: kept
    page = client.get("/desk/packet").text
    assert page.index('value="faq/ketamine-addiction-faq"') < page.index(
        'value="article/ketamine-withdrawal"'
    )
    assert re.search(r'value="a4" checked', page) and re.search(r'value="large" checked', page)
    client.post("/desk/packet/up", data={"csrf": csrf, "item": WITHDRAWAL})
    moved = client.get(f"/desk/packet?focus={WITHDRAWAL}&on=up").text
    assert re.search(
        r'formaction="/desk/packet/down" name="item" value="article/ketamine-withdrawal" autofocus', moved
    )
    pdf = client.get("/desk/packet.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    cleared = client.post("/desk/packet/clear", data={"csrf": csrf}, follow_redirects=False)
    assert any(k == "set-cookie" and "Max-Age=0" in v for k, v in cleared.headers.multi_items())


def test_a_packet_change_needs_the_forms_token(client: TestClient) -> None:  # type: ignore[type-arg]
    _token(client)
    for data in ({"item": FAQ}, {"item": FAQ, "csrf": "forged"}):
        assert client.post("/desk/packet/add", data=data).status_code == 403


def test_a_tampered_packet_cookie_is_an_empty_packet(client: TestClient) -> None:  # type: ignore[type-arg]
    client.cookies.set(PACKET_COOKIE, "letter.huge.article:../../etc.faq:x y", path="/desk")
    page = client.get("/desk/packet")
    assert page.status_code == 200 and "The packet is empty" in page.text
    client.cookies.set(PACKET_COOKIE, "letter.large.faq:ketamine-addiction-faq", path="/desk")
    kept = client.get("/desk/packet").text
    assert 'value="faq/ketamine-addiction-faq"' in kept and re.search(r'value="large" checked', kept)


def test_the_add_form_goes_back_only_to_the_desk(client: TestClient) -> None:  # type: ignore[type-arg]
    csrf = _token(client)
    for back in ("https://evil.example/", "//evil.example/desk", "/v1/articles"):
        added = client.post(
            "/desk/packet/add", data={"csrf": csrf, "item": FAQ, "back": back}, follow_redirects=False
        )
        assert added.headers["location"].startswith("/desk/packet?"), back


def test_a_digest_names_what_is_missing_and_keeps_the_order(client: TestClient) -> None:  # type: ignore[type-arg]
    empty = client.get("/desk/digest?preview=1")
    assert empty.status_code == 400
    for words in ("Give the digest a subject.", "Write a short introduction.", "Pick at least one item."):
        assert words in empty.text
    assert "<legend>Items</legend>" in empty.text
    base = f"/desk/digest?subject=S&intro=I&item={WITHDRAWAL}&item={FAQ}"
    first = client.get(base).text.split('id="order-title"')[1]
    assert first.index("Ketamine withdrawal") < first.index(
        "Ketamine therapy and addiction"
    )  # in ticked order
    swapped = client.get(f"{base}&order={WITHDRAWAL}&order={FAQ}&down={WITHDRAWAL}").text
    text = swapped.split('id="email-text"')[1]
    assert text.index("Ketamine therapy and addiction") < text.index("Ketamine withdrawal")
    assert "example.invalid" in swapped and "FOLIO_UNSUBSCRIBE_URL" in swapped


def test_search_is_ranked_and_filtered_by_language(client: TestClient) -> None:  # type: ignore[type-arg]
    page = client.get("/desk?q=withdrawal").text
    titles = re.findall(r'<h2><a href="([^"]+)"', page)
    assert titles[0] == "/desk/articles/ketamine-withdrawal", titles
    spanish = client.get("/desk?q=ketamina&lang=es").text
    assert re.findall(r'<h2><a href="([^"]+)"', spanish)
    assert all(h.endswith("?locale=es") for h in re.findall(r'<h2><a href="([^"]+)"', spanish))


def test_bulk_archive_confirms_then_reports_each_item(client: TestClient, tokens: dict[str, str]) -> None:  # type: ignore[type-arg]
    csrf = _signed_in(client, tokens["publisher"])
    # The Spanish FAQ is embedded by the Spanish article: refused while the article is live.
    article = "article/is-ketamine-therapy-addictive/es"
    chosen = {"csrf": csrf, "selected": [f"{FAQ}/es", article]}
    confirm = client.post("/desk/archive", data=chosen)
    assert confirm.status_code == 200 and "Archive these items?" in confirm.text
    spanish = "/v1/articles/is-ketamine-therapy-addictive?locale=es"
    assert client.get(spanish).json()["locale"] == "es"  # not yet
    done = client.post("/desk/archive", data=chosen | {"confirm": "yes"}).text
    assert "Archived (1)" in done and "Not archived (1)" in done
    assert "Not archived while “¿La terapia con ketamina causa adicción?” includes it" in done
    assert client.get(spanish).json()["locale"] == "en"  # archived: readers fall back to English
    again = client.post("/desk/archive", data={"csrf": csrf, "selected": [article], "confirm": "yes"})
    assert "Not archived (1)" in again.text and "It was already archived" in again.text
    nothing = client.post("/desk/archive", data={"csrf": csrf})
    assert nothing.status_code == 400 and "Nothing was selected" in nothing.text


def test_the_packet_words_exist_in_english_and_spanish() -> None:
    from api.desk import labels_packets

    assert labels_packets.EN.keys() == labels_packets.ES.keys()
    assert all(text.strip() and text != labels_packets.EN[key] for key, text in labels_packets.ES.items())
