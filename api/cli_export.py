"""`folio export email|pdf`: write published items to files, with a progress bar."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import msgspec

from api.services import Services, open_services
from api.settings import Settings
from content import model
from content.bundle import Bundle
from content.errors import NotFound
from content.locales import DEFAULT_LOCALE
from content.options import Esp, Paper, Size

EXTENSIONS = ("html", "txt", "eml")


Target = tuple[model.Kind, str, str]  # kind, slug, locale


async def _bundles(services: Services, targets: list[Target] | None) -> list[Bundle]:
    """The latest version of each target; None means every translation of every published item."""
    if targets is None:
        published = await services.reader.translations()
        targets = [
            (_kind(kind), slug, locale)
            for (kind, slug), locales in sorted(published.items())
            for locale in locales
        ]
    return [await services.exports.bundle(kind, slug, None, (locale,)) for kind, slug, locale in targets]


def _kind(name: str) -> model.Kind:
    """A kind the store reported, as the ``Literal`` it is (the store keeps kinds as text)."""
    for kind in model.KINDS:
        if kind == name:
            return kind
    raise ValueError(f"unknown kind {name!r}")


def _stem(bundle: Bundle) -> str:
    suffix = "" if bundle.locale == DEFAULT_LOCALE else f"-{bundle.locale}"
    return f"{bundle.item.slug}-v{bundle.item.version}{suffix}"


def _warn_loopback(settings: Settings) -> None:
    """Once per export run, not per file: the public URL every QR code and link prints."""
    if warning := settings.loopback_warning:
        print(f"folio export: {warning}", file=sys.stderr)


async def export_email(settings: Settings, targets: list[Target] | None, esp: Esp, out: Path) -> int:
    _warn_loopback(settings)
    async with open_services(settings, latest_ttl=0) as services:
        try:
            bundles = await _bundles(services, targets)
        except NotFound as exc:
            print(f"folio export: {exc.detail}", file=sys.stderr)
            return 1
        out.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - a CLI run, no event loop to share
        options = services.exports.email_options(esp)
        for n, bundle in enumerate(bundles, 1):
            stem = _stem(bundle)
            for ext in EXTENSIONS:
                rendered = await services.exports.render("email", ext, [bundle], options)
                (out / f"{stem}.{ext}").write_bytes(rendered.body)
            _progress(n, len(bundles), stem)
    print(f"wrote {len(bundles) * len(EXTENSIONS)} file(s) to {out}")
    defaults = Settings()
    if (settings.unsubscribe_url, settings.unsubscribe_mailto) == (
        defaults.unsubscribe_url,
        defaults.unsubscribe_mailto,
    ):
        print(
            "folio export: FOLIO_UNSUBSCRIBE_URL and FOLIO_UNSUBSCRIBE_MAILTO are not set; the .eml "
            "List-Unsubscribe headers (and, with --esp none, the unsubscribe link) name example.invalid "
            "placeholders that reach nobody.",
            file=sys.stderr,
        )
    return 0


async def export_pdf(
    settings: Settings, targets: list[Target] | None, paper: Paper | None, size: Size, out: Path
) -> int:
    """Renders in the worker pool, as many at once as there are workers."""
    _warn_loopback(settings)
    async with open_services(msgspec.structs.replace(settings, pdf_queue=10_000), latest_ttl=0) as services:
        try:
            bundles = await _bundles(services, targets)
        except NotFound as exc:
            print(f"folio export: {exc.detail}", file=sys.stderr)
            return 1
        out.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240

        options = services.exports.handout_options(paper, size)

        async def render(bundle: Bundle) -> str:
            rendered = await services.exports.render("pdf", "pdf", [bundle], options)
            name = f"{_stem(bundle)}.pdf"
            await asyncio.to_thread((out / name).write_bytes, rendered.body)
            return name

        jobs = [render(b) for b in bundles]
        for n, job in enumerate(asyncio.as_completed(jobs), 1):
            _progress(n, len(jobs), await job)
    print(f"wrote {len(bundles)} handout(s) to {out}")
    return 0


def _progress(done: int, total: int, label: str) -> None:
    width = 30
    filled = width * done // total
    bar = "#" * filled + "-" * (width - filled)
    print(f"\r[{bar}] {done}/{total} {label}".ljust(80), end="" if done < total else "\n", file=sys.stderr)
