"""`folio export email --all --esp X` as marketing runs it: every file ready to send."""

import email
import email.policy
import io
import os
from pathlib import Path
from typing import Any

import pytest

from api.cli import main
from exporters.email.colours import AA
from tests.exporters.email_lint import lint
from tests.exporters.test_email_contrast import CHROMIUM, _measure, chromium, contrast

ESPS = ("mailchimp", "sendgrid", "postmark", "none")
UNSUBSCRIBE = {
    "mailchimp": "*|UNSUB|*",
    "sendgrid": "{{{unsubscribe}}}",
    "postmark": "{{{ pm:unsubscribe }}}",
    "none": "https://lists.example.org/leave",
}


@pytest.fixture
def exported(
    monkeypatch: pytest.MonkeyPatch, db_url: str, library: Path, tmp_path: Path
) -> dict[str, list[Path]]:
    for name, value in {
        "DATABASE_URL": db_url,
        "LIBRARY_DIR": str(library),
        "DATA_DIR": str(tmp_path / "var"),
        "UNSUBSCRIBE_URL": "https://lists.example.org/leave",
        "UNSUBSCRIBE_MAILTO": "leave@lists.example.org",
    }.items():
        monkeypatch.setenv(f"FOLIO_{name}", value)
    assert main(["sync"]) == 0
    out = {}
    for esp in ESPS:
        assert main(["export", "email", "--all", "--esp", esp, "--out", str(tmp_path / esp)]) == 0
        out[esp] = sorted((tmp_path / esp).glob("*.eml"))
        assert len(out[esp]) == 8  # four items, in English and Spanish
    return out


def test_every_exported_eml_is_ready_to_send(exported: dict[str, list[Path]]) -> None:
    if CHROMIUM is None and not os.environ.get("CI"):
        pytest.skip("needs Debian's chromium")
    image = pytest.importorskip("PIL.Image")
    # Launched after the export: Playwright's sync API holds an event loop the CLI can't share.
    with chromium() as browsers:
        for esp, files in exported.items():
            for path in files:
                _check(esp, path, browsers["dark"], image)


def _check(esp: str, path: Path, dark: Any, image: Any) -> None:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message.defects == [], path.name
    assert message["List-Unsubscribe"] == (
        "<https://lists.example.org/leave>, <mailto:leave@lists.example.org?subject=unsubscribe>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["X-Folio-Version"] == "1"
    text, html = (part.get_content().replace("\r\n", "\n") for part in message.iter_parts())
    assert html.rstrip("\n") == path.with_suffix(".html").read_text(encoding="utf-8").rstrip("\n")
    assert lint(html) == [], path.name
    assert UNSUBSCRIBE[esp] in html and UNSUBSCRIBE[esp] in text
    assert "care@clinic.example.org" not in html + text  # the sender, never the unsubscribe
    measured, png = _measure(dark, html)
    assert measured["dark"]
    lowest = min(contrast(t["colour"], t["background"]) for t in measured["texts"])
    assert lowest >= AA, f"{esp}/{path.name}: {lowest:.2f}:1 in dark mode"
    assert image.open(io.BytesIO(png)).size[0] == 640


def test_export_says_when_unsubscribe_is_not_configured(
    monkeypatch: pytest.MonkeyPatch,
    db_url: str,
    library: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FOLIO_DATABASE_URL", db_url)
    monkeypatch.setenv("FOLIO_LIBRARY_DIR", str(library))
    monkeypatch.setenv("FOLIO_DATA_DIR", str(tmp_path / "var"))
    assert main(["sync"]) == 0
    assert main(["export", "email", "article", "ketamine-withdrawal", "--out", str(tmp_path / "mail")]) == 0
    assert "FOLIO_UNSUBSCRIBE_URL and FOLIO_UNSUBSCRIBE_MAILTO are not set" in capsys.readouterr().err
    eml = (tmp_path / "mail" / "ketamine-withdrawal-v1.eml").read_bytes()
    message = email.message_from_bytes(eml, policy=email.policy.default)
    assert "example.invalid" in message["List-Unsubscribe"]
