"""People at /desk over HTTP: a taken account name is said at its field, and signing in with an
invitation link ends the session the browser had before."""

import re
from typing import Any

from litestar.testing import TestClient

from tests.api.test_desk import _session


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found[1]


def test_a_taken_account_name_and_a_link_used_in_a_signed_in_browser(
    client: TestClient[Any], tokens: dict[str, str]
) -> None:
    csrf = _session(client, tokens["admin"])
    form = {
        "csrf": csrf,
        "display_name": "Ana Rivera",
        "credentials": "",
        "role": "reviewer",
        "account": "editor",
    }
    taken = client.post("/desk/people", data=form, follow_redirects=False)
    assert taken.status_code == 400
    assert 'id="account-error">The account name editor is taken. Choose another.' in taken.text
    assert 'value="Ana Rivera"' in taken.text  # what was typed stays
    made = client.post("/desk/people", data=form | {"account": ""}, follow_redirects=False)
    assert made.status_code == 303 and made.headers["location"] == "/desk/people/invited"
    shown = client.get("/desk/people/invited")
    assert "no-store" in shown.headers["cache-control"]
    link = re.search(r'id="invite-link" value="[^"]*(/desk/welcome/[\w-]+)"', shown.text)
    assert link is not None and "ana-rivera" in client.get("/desk/people").text
    assert "invite-link" not in client.get("/desk/people/invited").text  # shown once

    admin_cookie = client.cookies.get("folio_desk")
    welcome = client.get(link[1])
    form_csrf = csrf_of(welcome.text.split(f'action="{link[1]}"')[1])  # the welcome form's own
    used = client.post(link[1], data={"csrf": form_csrf}, follow_redirects=False)
    assert used.status_code == 303 and used.headers["location"].startswith("/desk/review"), used.text[-800:]
    assert client.get("/desk").text.count("Signed in as Ana Rivera (reviewer)") == 1
    client.cookies.set("folio_desk", admin_cookie or "", path="/desk")
    assert client.get("/desk/people", follow_redirects=False).status_code == 303  # the admin's session ended
