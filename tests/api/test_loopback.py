"""Handouts and emails print the public URL: a loopback one is said out loud, once, by name."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.cli import main
from api.settings import Settings


@pytest.mark.parametrize(
    ("public_url", "host", "port", "loopback"),
    [
        ("", "127.0.0.1", 8000, True),
        ("", "0.0.0.0", 8000, True),  # served on every interface, printed as 127.0.0.1
        ("http://localhost:8000", "127.0.0.1", 8000, True),
        ("http://[::1]:8000", "127.0.0.1", 8000, True),
        ("https://clinic.example.org/library", "127.0.0.1", 8000, False),
        ("", "10.0.0.5", 8000, False),
    ],
)
def test_a_loopback_public_url_is_named(public_url: str, host: str, port: int, loopback: bool) -> None:
    warning = Settings(public_url=public_url, host=host, port=port).loopback_warning
    assert (warning is not None) == loopback
    if warning:
        assert "FOLIO_PUBLIC_URL" in warning and "only this computer" in warning


def test_folio_export_warns_once_per_run(
    monkeypatch: pytest.MonkeyPatch,
    db_url: str,
    library: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("FOLIO_PUBLIC_URL", raising=False)
    monkeypatch.setenv("FOLIO_DATABASE_URL", db_url)
    monkeypatch.setenv("FOLIO_LIBRARY_DIR", str(library))
    monkeypatch.setenv("FOLIO_DATA_DIR", str(tmp_path / "var"))
    assert main(["sync"]) == 0
    capsys.readouterr()
    assert main(["export", "email", "--all", "--out", str(tmp_path / "mail")]) == 0
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if "FOLIO_PUBLIC_URL" in line]
    assert len(warnings) == 1 and "http://127.0.0.1:8000" in warnings[0]  # 8 items, one warning
    assert main(["export", "pdf", "article", "ketamine-withdrawal", "--out", str(tmp_path / "pdf")]) == 0
    assert len([line for line in capsys.readouterr().err.splitlines() if "FOLIO_PUBLIC_URL" in line]) == 1

    monkeypatch.setenv("FOLIO_PUBLIC_URL", "https://clinic.example.org/library")
    assert main(["export", "email", "--all", "--out", str(tmp_path / "mail2")]) == 0
    assert "FOLIO_PUBLIC_URL" not in capsys.readouterr().err


def test_the_desk_says_it_where_handouts_are_printed(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        page = client.get("/desk/articles/ketamine-withdrawal").text
        assert len([line for line in page.splitlines() if "FOLIO_PUBLIC_URL" in line]) == 1
    public = msgspec.structs.replace(settings, public_url="https://clinic.example.org/library")
    with TestClient(create_app(public)) as client:
        assert "FOLIO_PUBLIC_URL" not in client.get("/desk/articles/ketamine-withdrawal").text
