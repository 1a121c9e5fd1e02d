"""Channels: a bundle in, bytes out. No HTTP, no database. One registry of channels.

A new channel is one package here plus one line in CHANNELS; a new block type is one class in
content.blocks plus one template per channel; a new kind is its Struct and one KindSpec in
content.model plus its templates (README's change tests).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from content.bundle import Bundle
from exporters import email, pdf, web
from exporters.channel import Channel, Format

CHANNELS: dict[str, Channel] = {c.name: c for c in (pdf.CHANNEL, email.CHANNEL, email.DIGEST, web.CHANNEL)}


def render(channel: str, fmt: str, bundles: Sequence[Bundle], options: Any) -> bytes:
    """Render one format of one channel; a top-level function, so worker processes can run it."""
    return CHANNELS[channel].formats[fmt].render(bundles, options)


__all__ = ["CHANNELS", "Channel", "Format", "render"]
