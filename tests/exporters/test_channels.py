"""The channel registry: every channel can render every block type and every kind."""

import pytest

import exporters
from content import model
from content.bundle import Bundle
from exporters.email import DigestOptions, EmailOptions
from exporters.pdf import HandoutOptions
from exporters.web import PageOptions
from tests.exporters.conftest import TODAY

TEMPLATED = [c for c in exporters.CHANNELS.values() if c.templates is not None]
OPTIONS = {
    "pdf": HandoutOptions(printed_on=TODAY),
    "email": EmailOptions(),
    "digest": DigestOptions(subject="News", intro="Reading for you."),
    "web": PageOptions(latest_version=3, today=TODAY),
}


def test_every_template_directory_is_covered() -> None:
    assert {c.name for c in TEMPLATED} == {"pdf", "email", "web"}


@pytest.mark.parametrize("channel", TEMPLATED, ids=lambda c: c.name)
def test_every_block_type_and_kind_has_a_template_in_every_channel(channel: exporters.Channel) -> None:
    assert channel.templates is not None
    needed = [f"blocks/{b.__struct_config__.tag}" for b in model.BLOCK_TYPES]
    needed += [f"kinds/{kind}" for kind in model.KIND_SPECS]
    missing = [
        f"{name}.{suffix}"
        for name in needed
        for suffix in channel.suffixes
        if not (channel.templates / f"{name}.{suffix}").is_file()
    ]
    assert missing == []


@pytest.mark.parametrize("channel", exporters.CHANNELS.values(), ids=lambda c: c.name)
def test_every_channel_renders_every_bundled_item_in_every_format(
    channel: exporters.Channel, bundles: dict[str, Bundle]
) -> None:
    for bundle in bundles.values():
        for fmt, spec in channel.formats.items():
            body = exporters.render(channel.name, fmt, [bundle], OPTIONS[channel.name])
            assert body, (channel.name, fmt, bundle.item.slug)
            if spec.media_type.startswith("text/"):
                assert bundle.item.title.lower() in body.decode().lower(), (channel.name, fmt)


def test_registry_options_are_the_channels_own() -> None:
    for name, options in OPTIONS.items():
        assert isinstance(options, exporters.CHANNELS[name].options)
