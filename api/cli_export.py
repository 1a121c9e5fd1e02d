"""`folio export email`: write .html, .txt and .eml files for published items."""

from __future__ import annotations

import sys
from pathlib import Path

from api.emails import EmailFormat
from api.services import open_services
from api.settings import Settings
from content import model
from content.errors import NotFound

EXTENSIONS: tuple[EmailFormat, ...] = ("html", "txt", "eml")


async def export_email(
    settings: Settings, targets: list[tuple[model.Kind, str]] | None, esp: str, out: Path
) -> int:
    """Render each item's latest version; ``targets`` None means every published item."""
    async with open_services(settings, latest_ttl=0) as services:
        if targets is None:
            targets = []
            for kind in model.KINDS:
                cursor = None
                while True:
                    page = await services.documents.store.list_items(kind, limit=100, cursor=cursor)
                    targets += [(kind, s.slug) for s in page.items]
                    if (cursor := page.next_cursor) is None:
                        break
        out.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - a CLI run, no event loop to share
        for n, (kind, slug) in enumerate(targets, 1):
            try:
                document = await services.documents.get(kind, slug)
            except NotFound as exc:
                print(f"folio export: {exc.detail}", file=sys.stderr)
                return 1
            stem = f"{slug}-v{document.value.version}"
            for ext in EXTENSIONS:
                encoded = await services.emails.get(document, esp, ext)  # type: ignore[arg-type]
                (out / f"{stem}.{ext}").write_bytes(encoded.body)
            _progress(n, len(targets), stem)
    print(f"wrote {len(targets) * len(EXTENSIONS)} file(s) to {out}")
    return 0


def _progress(done: int, total: int, label: str) -> None:
    width = 30
    filled = width * done // total
    bar = "#" * filled + "-" * (width - filled)
    print(f"\r[{bar}] {done}/{total} {label}".ljust(80), end="" if done < total else "\n", file=sys.stderr)
