"""What a channel is: a name, its formats with their media types and renderers, a template version."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from content.bundle import Bundle

Renderer = Callable[[Sequence[Bundle], Any], bytes]


@dataclass(frozen=True)
class Format:
    media_type: str
    render: Renderer  # pure: bundles and options in, bytes out


@dataclass(frozen=True)
class Channel:
    name: str
    # Part of every cached output's key: bump it when the channel's templates or CSS change.
    template_version: str
    formats: Mapping[str, Format]
    options: type  # the frozen dataclass of the channel's options
    pooled: bool = False  # CPU-heavy: rendered in the worker pool, never on the event loop
    many: bool = False  # takes several bundles (a packet, a digest) rather than one
    # Where its templates live, and the body templates each block type and kind needs there:
    # blocks/<type>.<suffix> and kinds/<kind>.<suffix> for every suffix.
    templates: Path | None = None
    suffixes: tuple[str, ...] = ("html.j2",)
