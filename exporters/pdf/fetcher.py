"""WeasyPrint's URL fetcher, locked down: packaged assets and inline images, nothing else.

WeasyPrint fetches every URL a document names (images, stylesheets, fonts, attachments,
``<object>``...). A handout needs only our own fonts and CSS, so every other request is
refused: ``http(s)`` (no network, hence no redirects), ``file://`` outside the assets
folder (symlinks resolved first), and ``data:`` URLs that are not images.

Pictures from the media library come with the render job, as bytes keyed by content hash
(the render runs in a worker process, with no database): a ``folio-media:HASH`` URL is answered
from that map, and a hash the job did not carry is refused like any other URL.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from exporters.pdf.paths import ASSETS

MEDIA_SCHEME = "folio-media:"
_MEDIA_TYPES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg", b"RIFF": "image/webp"}
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp|svg\+xml)[;,]", re.I)


class RefusedURL(ValueError):
    """A URL the handout may not fetch."""


class SafeFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type hints
    def __init__(self, media: Mapping[str, bytes] | None = None) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, timeout=2)
        self.refused: list[str] = []  # what was asked for and refused; tests read it
        self.media = dict(media or {})  # content hash -> the image's bytes, from the render job

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith(MEDIA_SCHEME):
            return self._media(url)
        if url.lower().startswith("data:"):
            if not _DATA_IMAGE.match(url):
                return self._refuse(url)
            return super().fetch(url, headers)
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return self._refuse(url)
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(ASSETS) or not path.is_file():
            return self._refuse(url)
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": _media_type(path)})

    def _media(self, url: str) -> URLFetcherResponse:
        data = self.media.get(url.removeprefix(MEDIA_SCHEME))
        kind = next((t for magic, t in _MEDIA_TYPES.items() if data and data.startswith(magic)), None)
        if data is None or kind is None:
            return self._refuse(url)
        return URLFetcherResponse(url, data, {"Content-Type": kind})

    def _refuse(self, url: str) -> URLFetcherResponse:
        self.refused.append(url)
        raise RefusedURL(f"handouts fetch only packaged assets: refused {url[:200]}")


def _media_type(path: Path) -> str:
    return {
        ".css": "text/css",
        ".ttf": "font/ttf",
        ".svg": "image/svg+xml",
        ".png": "image/png",
    }.get(path.suffix, "application/octet-stream")
