"""`folio export email|pdf`: write published items to files, with a progress bar."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

import msgspec

from api.documents import Document
from api.emails import EmailFormat
from api.services import Services, open_services
from api.settings import Settings
from content import model
from content.errors import NotFound

EXTENSIONS: tuple[EmailFormat, ...] = ("html", "txt", "eml")


async def _documents(services: Services, targets: list[tuple[model.Kind, str]] | None) -> list[Document]:
    """The latest version of each target; None means every published item."""
    if targets is None:
        targets = []
        for kind in model.KINDS:
            cursor = None
            while True:
                page = await services.documents.store.list_items(kind, limit=100, cursor=cursor)
                targets += [(kind, s.slug) for s in page.items]
                if (cursor := page.next_cursor) is None:
                    break
    return [await services.documents.get(kind, slug) for kind, slug in targets]


async def export_email(
    settings: Settings, targets: list[tuple[model.Kind, str]] | None, esp: str, out: Path
) -> int:
    async with open_services(settings, latest_ttl=0) as services:
        try:
            documents = await _documents(services, targets)
        except NotFound as exc:
            print(f"folio export: {exc.detail}", file=sys.stderr)
            return 1
        out.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - a CLI run, no event loop to share
        for n, document in enumerate(documents, 1):
            stem = f"{document.value.slug}-v{document.value.version}"
            for ext in EXTENSIONS:
                encoded = await services.emails.get(document, esp, ext)  # type: ignore[arg-type]
                (out / f"{stem}.{ext}").write_bytes(encoded.body)
            _progress(n, len(documents), stem)
    print(f"wrote {len(documents) * len(EXTENSIONS)} file(s) to {out}")
    return 0


async def export_pdf(
    settings: Settings, targets: list[tuple[model.Kind, str]] | None, paper: str | None, size: str, out: Path
) -> int:
    """Renders in the worker pool, as many at once as there are workers."""
    async with open_services(msgspec.structs.replace(settings, pdf_queue=10_000), latest_ttl=0) as services:
        try:
            documents = await _documents(services, targets)
        except NotFound as exc:
            print(f"folio export: {exc.detail}", file=sys.stderr)
            return 1
        out.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240

        async def render(document: Document) -> str:
            handout = await services.handouts.get([document], paper or settings.paper, size)  # type: ignore[arg-type]
            name = f"{document.value.slug}-v{document.value.version}.pdf"
            await asyncio.to_thread(shutil.copyfile, handout.path, out / name)
            return name

        jobs = [render(d) for d in documents]
        for n, job in enumerate(asyncio.as_completed(jobs), 1):
            _progress(n, len(jobs), await job)
    print(f"wrote {len(documents)} handout(s) to {out}")
    return 0


def _progress(done: int, total: int, label: str) -> None:
    width = 30
    filled = width * done // total
    bar = "#" * filled + "-" * (width - filled)
    print(f"\r[{bar}] {done}/{total} {label}".ljust(80), end="" if done < total else "\n", file=sys.stderr)
