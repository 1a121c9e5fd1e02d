"""`folio export email`: write .html, .txt and .eml files for published items."""

from __future__ import annotations

import sys
from pathlib import Path

from api.emails import EmailFormat
from api.settings import Settings
from content import model

EXTENSIONS: tuple[EmailFormat, ...] = ("html", "txt", "eml")


async def export_email(
    settings: Settings, targets: list[tuple[model.Kind, str]] | None, esp: str, out: Path
) -> int:
    """Render each item's latest version; ``targets`` None means every published item."""
    from api.documents import Documents
    from api.emails import Emails
    from content.db import create_engine
    from content.errors import NotFound
    from content.library import load_brand
    from content.store import Store
    from exporters.email import EmailOptions

    engine = create_engine(settings.db_url)
    store = Store(engine)
    documents = Documents(
        store, load_brand(Path(settings.library_dir) / "brand.yaml"), max_entries=256, latest_ttl=0
    )
    emails = Emails(
        documents,
        EmailOptions(
            public_url=settings.public_url, utm_source=settings.utm_source, utm_medium=settings.utm_medium
        ),
    )
    try:
        if targets is None:
            targets = []
            for kind in model.KINDS:
                cursor = None
                while True:
                    page = await store.list_items(kind, limit=100, cursor=cursor)
                    targets += [(kind, s.slug) for s in page.items]
                    if (cursor := page.next_cursor) is None:
                        break
        out.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - a CLI run, no event loop to share
        for n, (kind, slug) in enumerate(targets, 1):
            try:
                document = await documents.get(kind, slug)
            except NotFound as exc:
                print(f"folio export: {exc.detail}", file=sys.stderr)
                return 1
            stem = f"{slug}-v{document.value.version}"
            for ext in EXTENSIONS:
                (out / f"{stem}.{ext}").write_bytes(
                    (await emails.get(document, esp, ext)).body
                )
            _progress(n, len(targets), stem)
    finally:
        await engine.dispose()
    print(f"wrote {len(targets) * len(EXTENSIONS)} file(s) to {out}")
    return 0


def _progress(done: int, total: int, label: str) -> None:
    width = 30
    filled = width * done // total
    bar = "#" * filled + "-" * (width - filled)
    print(f"\r[{bar}] {done}/{total} {label}".ljust(80), end="" if done < total else "\n", file=sys.stderr)
