"""`folio sync` as an editor uses it, checked through the read API."""

from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.cli import main
from api.settings import Settings
from tests.conftest import bearer

ARTICLE = "/v1/articles/ketamine-withdrawal"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, db_url: str, library: Path) -> Settings:
    monkeypatch.setenv("FOLIO_DATABASE_URL", db_url)
    monkeypatch.setenv("FOLIO_LIBRARY_DIR", str(library))
    return Settings(database_url=db_url, library_dir=str(library))


def read(settings: Settings, *paths: str) -> list[Any]:
    with TestClient(create_app(settings)) as client:
        return [client.get(p) for p in paths]


def test_sync_twice_then_edit_makes_version_2(
    env: Settings, library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sync"]) == 0
    out = capsys.readouterr().out
    assert "created article ketamine-withdrawal version 1" in out
    assert "created article ketamine-withdrawal (es) version 1" in out
    assert main(["sync"]) == 0
    assert capsys.readouterr().out.strip() == "0 new version(s); 8 item(s) unchanged"

    path = library / "articles" / "ketamine-withdrawal.md"
    old = "Two things mainly decide whether withdrawal happens:"
    new = "Whether withdrawal happens depends mostly on two things:"
    path.write_text(path.read_text().replace(old, new))
    assert main(["sync"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "created article ketamine-withdrawal version 2"

    versions, diff, v1, latest = read(
        env, ARTICLE + "/versions", ARTICLE + "/diff?from=1&to=2", ARTICLE + "/versions/1", ARTICLE
    )
    assert [v["version"] for v in versions.json()["versions"]] == [2, 1]
    changes = diff.json()["changes"]
    assert diff.json()["fields"] == []
    assert [(c["op"], c["path"]) for c in changes] == [("changed", "body")]
    assert changes[0]["before"]["text"] == old and changes[0]["after"]["text"] == new
    assert old in v1.text and new not in v1.text
    assert latest.json()["version"] == 2 and new in latest.text


def test_broken_library_file_changes_nothing(
    env: Settings, library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sync"]) == 0
    capsys.readouterr()
    before = read(env, ARTICLE + "/versions", "/v1/faqs/ketamine-addiction-faq/versions")

    good = library / "articles" / "ketamine-withdrawal.md"
    good.write_text(good.read_text().replace("stigma", "reputation"))  # a valid change...
    bad = library / "faqs" / "ketamine-addiction-faq.yaml"
    bad.write_text(bad.read_text().replace("tags: [ketamine, addiction, faq]", "tags: {a: b}"))

    assert main(["sync"]) == 1
    err = capsys.readouterr().err
    assert str(bad) in err and "$.tags" in err and "nothing was imported" in err
    after = read(env, ARTICLE + "/versions", "/v1/faqs/ketamine-addiction-faq/versions")
    assert [r.json() for r in after] == [r.json() for r in before]  # ...was not imported either


def test_script_and_javascript_links_never_reach_html(env: Settings, library: Path) -> None:
    path = library / "articles" / "ketamine-withdrawal.md"
    text = path.read_text().replace(
        "## What is withdrawal?",
        "<script>alert('x')</script> and [tap here](javascript:alert(1)) and "
        "[ok](https://example.org)\n\n## What is withdrawal?",
    )
    path.write_text(text)
    assert main(["sync"]) == 0
    [doc] = read(env, ARTICLE)
    html = " ".join(b.get("html", "") for b in doc.json()["body"])
    assert "<script" not in html and "javascript:" not in html.replace("[tap here](javascript:", "")
    assert 'href="javascript' not in html
    assert '<a href="https://example.org" rel="noopener noreferrer">ok</a>' in html
    assert "&lt;script&gt;" in html


def test_running_server_sees_a_sync_within_its_latest_ttl(env: Settings, library: Path) -> None:
    assert main(["sync"]) == 0
    path = library / "articles" / "ketamine-withdrawal.md"
    fresh = msgspec.structs.replace(env, latest_ttl=0)
    with TestClient(create_app(fresh)) as client:
        assert client.get(ARTICLE).json()["version"] == 1
        path.write_text(path.read_text().replace("stigma", "reputation"))
        assert main(["sync"]) == 0  # another process publishes version 2
        assert client.get(ARTICLE).json()["version"] == 2


def test_sync_keeps_api_edits_unless_forced(
    env: Settings, library: Path, tokens: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    faq = "/v1/faqs/ketamine-addiction-faq"
    with TestClient(create_app(env)) as client:
        etag = client.post(faq + "/draft", headers=bearer(tokens["editor"])).headers["etag"]
        etag = client.post(
            faq + "/draft/review",
            json={"nextReviewOn": "2027-09-01"},
            headers=bearer(tokens["reviewer"], **{"If-Match": etag}),
        ).headers["etag"]
        client.post(faq + "/publish", headers=bearer(tokens["publisher"], **{"If-Match": etag}))
    path = library / "comparisons" / "medical-vs-recreational-ketamine.yaml"
    path.write_text(path.read_text().replace("Low and subdissociative", "Low, subdissociative"))
    faq_file = library / "faqs" / "ketamine-addiction-faq.yaml"
    faq_file.write_text(faq_file.read_text().replace("It is possible but rare.", "Possible, but rare."))
    capsys.readouterr()

    assert main(["sync"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "created comparison medical-vs-recreational-ketamine version 2",
        # The article embeds both: it pins the new comparison (and kept the API's FAQ v2).
        "refreshed article is-ketamine-therapy-addictive version 3 (what it embeds changed)",
        "kept faq/ketamine-addiction-faq: published through the API since the last sync"
        " (--force overwrites it)",
        "1 new version(s), 1 refreshed; 6 item(s) unchanged; 1 kept as published through the API",
    ]
    faq_versions, comparison_versions = read(
        env, faq + "/versions", "/v1/comparisons/medical-vs-recreational-ketamine/versions"
    )
    assert [v["version"] for v in faq_versions.json()["versions"]] == [2, 1]  # the API's edit stays
    assert len(comparison_versions.json()["versions"]) == 2  # the clean change was imported

    assert main(["sync"]) == 0  # again: nothing to do, the API's edit still kept
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("0 new version(s); 7 item(s) unchanged; 1 kept")

    assert main(["sync", "--force"]) == 0
    out = capsys.readouterr().out
    assert "created faq ketamine-addiction-faq version 3" in out


def test_library_export_then_sync_creates_nothing(
    env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["sync"]) == 0
    out = tmp_path / "exported"
    assert main(["library", "export", "--out", str(out)]) == 0
    files = [
        "articles/is-ketamine-therapy-addictive.md",
        "articles/ketamine-withdrawal.md",
        "comparisons/medical-vs-recreational-ketamine.yaml",
        "faqs/ketamine-addiction-faq.yaml",
    ]
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written == sorted(["brand.yaml", *files, *(f"es/{f}" for f in files)])
    # The Spanish files round-trip: each reads back as the item the store holds.
    spanish = (out / "es/faqs/ketamine-addiction-faq.yaml").read_text()
    assert "locale: es" in spanish and "¿" in spanish
    capsys.readouterr()
    monkeypatch.setenv("FOLIO_LIBRARY_DIR", str(out))
    assert main(["sync"]) == 0
    assert capsys.readouterr().out.strip() == "0 new version(s); 8 item(s) unchanged"


def test_token_commands(env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["token", "create", "--name", "kiosk", "--display-name", "Front desk", "--role", "reader"]) == 0
    )
    token = capsys.readouterr().out.splitlines()[-1]
    assert token.startswith("folio_")
    with TestClient(create_app(env)) as client:
        assert client.get("/v1/faqs/ketamine-addiction-faq/draft", headers=bearer(token)).status_code == 404
    assert main(["token", "list"]) == 0
    assert "kiosk\treader" in capsys.readouterr().out
    assert (
        main(["token", "create", "--name", "kiosk", "--display-name", "Front desk", "--role", "admin"]) == 1
    )
    assert main(["token", "revoke", "kiosk"]) == 0
    with TestClient(create_app(env)) as client:
        assert client.get("/v1/faqs/ketamine-addiction-faq/draft", headers=bearer(token)).status_code == 401


def test_export_pdf_and_email_files(
    env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOLIO_DATA_DIR", str(tmp_path / "var"))
    assert main(["sync"]) == 0
    assert (
        main(
            [
                "export",
                "pdf",
                "article",
                "ketamine-withdrawal",
                "--paper",
                "letter",
                "--out",
                str(tmp_path / "pdf"),
            ]
        )
        == 0
    )
    [pdf] = list((tmp_path / "pdf").iterdir())
    assert pdf.name == "ketamine-withdrawal-v1.pdf" and pdf.read_bytes().startswith(b"%PDF-")
    assert "1/1 ketamine-withdrawal-v1.pdf" in capsys.readouterr().err  # the progress bar
    assert main(["export", "email", "--all", "--esp", "postmark", "--out", str(tmp_path / "mail")]) == 0
    names = {p.name for p in (tmp_path / "mail").iterdir()}
    assert len(names) == 24 and "ketamine-withdrawal-v1-es.txt" in names  # every translation
    es_args = ["export", "pdf", "article", "ketamine-withdrawal", "--locale", "es"]
    assert main([*es_args, "--out", str(tmp_path / "es")]) == 0
    assert [p.name for p in (tmp_path / "es").iterdir()] == ["ketamine-withdrawal-v1-es.pdf"]
    assert main(["export", "pdf", "faq", "nope", "--out", str(tmp_path / "none")]) == 1
