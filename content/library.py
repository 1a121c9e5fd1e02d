"""The library: editors' source files (Markdown articles, YAML FAQs and comparisons, brand).

Layout under the library folder:

    brand.yaml                  the clinic's identity (model.Brand)
    articles/SLUG.md            front matter (YAML) + Markdown body with directives
    faqs/SLUG.yaml              a FAQ set
    comparisons/SLUG.yaml       a comparison table
    LOCALE/{articles,faqs,comparisons}/...   translations (``es/``, ``pt-BR/``); same slugs

The file name is the slug; the folders at the top are the default locale's (en), and a file's
``locale`` must match its folder (it may be left out). Loading checks every file and every
cross-reference and reports all problems at once, each naming the file and the field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import msgspec
import yaml

from content import codes, model
from content.errors import InvalidInput, LibraryError
from content.locales import DEFAULT_LOCALE
from content.markdown import ALLOWED_SCHEMES, parse_article_body, to_markdown

DEFAULT_LIBRARY = Path(__file__).parent / "library"
BRAND_LINKS = frozenset({"brand:appointment", "brand:phone", "brand:website"})
_FRONT_MATTER = re.compile(r"\A---\s*\n(?P<meta>.*?)\n---\s*\n(?P<body>.*)\Z", re.S)
_LOCALE_FOLDER = re.compile(r"^[a-z]{2}(?:-[A-Z]{2})?$")


class Library(msgspec.Struct, frozen=True):
    """Every item of a library folder, validated, plus the brand settings."""

    items: list[model.Content]
    brand: model.Brand


def load_library(root: Path = DEFAULT_LIBRARY) -> Library:
    """Load and validate a library folder; raises LibraryError listing every problem."""
    problems: list[str] = []
    items: list[model.Content] = []
    folders = locale_folders(root)
    present: dict[str, set[tuple[str, str]]] = {locale: set() for locale in folders}
    by_locale: dict[str, list[model.Content]] = {}
    for locale, folder in folders.items():
        for kind, spec in model.KIND_SPECS.items():
            for path in sorted((folder / spec.folder).glob(f"*{spec.suffix}")):
                present[locale].add((kind, path.stem))
                try:
                    item = load_item(kind, path, locale)
                except InvalidInput as exc:
                    problems.append(f"{path}: {exc.field}: {exc.detail}")
                    continue
                items.append(item)
                by_locale.setdefault(locale, []).append(item)
    brand: model.Brand | None = None
    try:
        brand = load_brand(root / "brand.yaml")
    except InvalidInput as exc:
        problems.append(f"{root / 'brand.yaml'}: {exc.field}: {exc.detail}")
    # A translation may refer to an item that exists only in the default locale: its embed pins
    # that one, and readers fall back to it.
    for locale, group in by_locale.items():
        problems.extend(check_references(group, present[locale] | present[DEFAULT_LOCALE], folders[locale]))
    if problems or brand is None:
        raise LibraryError(problems)
    return Library(items=items, brand=brand)


def locale_folders(root: Path) -> dict[str, Path]:
    """The default locale's folder (the root) and each translation folder under it."""
    found = {DEFAULT_LOCALE: root}
    if root.is_dir():
        for path in sorted(root.iterdir()):
            if path.is_dir() and _LOCALE_FOLDER.match(path.name) and path.name != DEFAULT_LOCALE:
                found[path.name] = path
    return found


def load_brand(path: Path) -> model.Brand:
    brand: model.Brand = _decode(_read_yaml(path), model.Brand)
    return brand


def load_item(kind: model.Kind, path: Path, locale: str | None = None) -> model.Content:
    """Parse one library file into a content item; raises InvalidInput naming the field.

    With ``locale`` (its folder's), the file's own ``locale`` must be that one or left out.
    """
    text = path.read_text(encoding="utf-8")
    fields: dict[str, Any]
    if model.KIND_SPECS[kind].suffix == ".md":  # Markdown: front matter, then the body
        match = _FRONT_MATTER.match(text)
        if not match:
            raise InvalidInput("front matter", "an article starts with a '---' YAML block")
        fields = _yaml_mapping(match["meta"])
        if "body" in fields:
            raise InvalidInput("$.body", "the body is the Markdown after the front matter")
        fields["body"] = _body_as_plain(match["body"])
    else:
        fields = _yaml_mapping(text)
    if "slug" in fields or "type" in fields:
        raise InvalidInput("$.slug", "slug and type come from the file's name and folder")
    fields.update(type=kind, slug=path.stem)
    if locale is not None:
        declared = fields.setdefault("locale", locale)
        if declared != locale:
            where = "the top-level folders" if locale == DEFAULT_LOCALE else f"the {locale}/ folder"
            raise InvalidInput("$.locale", f"{declared!r} in a file under {where}, which hold {locale!r}")
    asked = _review_request(fields.pop("review", None))
    item = check_item(_decode(fields, model.Content))
    return item if asked is None else msgspec.structs.replace(item, review=asked)


class _ReviewRequest(model.Wire, kw_only=True):
    next_review_on: dt.date


def _review_request(block: Any) -> model.Review | None:
    """A file's ``review:`` block asks for a review by a day; it never records one.

    A review is a reviewer's sign-off in Folio (desk or API). A file naming a reviewer or a
    review date is refused, so no file can put a review on a patient handout.
    """
    if block is None:
        return None
    if not isinstance(block, dict):
        raise InvalidInput("$.review", "expected a mapping: {nextReviewOn: YYYY-MM-DD}")
    claimed = [key for key in ("reviewedBy", "reviewedOn", "reviewedAt") if key in block]
    if claimed:
        raise InvalidInput(
            f"$.review.{claimed[0]}",
            "a library file cannot record a review: only a reviewer's sign-off in Folio (desk or API) "
            "does. Remove reviewedBy and reviewedOn; keep nextReviewOn to ask for a review by that day",
        )
    try:
        request: _ReviewRequest = _decode(block, _ReviewRequest)
    except InvalidInput as exc:
        raise InvalidInput("$.review" + exc.field.removeprefix("$"), exc.detail) from None
    return model.Review(next_review_on=request.next_review_on)


def check_item(item: model.Content) -> model.Content:
    """Rules a single item must follow beyond its types; raises InvalidInput naming the field."""
    for i, code in enumerate(item.codes):
        if (why := codes.problem(code.system, code.code)) is not None:
            raise InvalidInput(f"$.codes[{i}].code", why)
    _unique("$.codes", [f"{code.system}|{code.code}" for code in item.codes])
    for i, block in enumerate(item.body if isinstance(item, model.Article) else []):
        for field, why in block.problems():
            raise InvalidInput(f"$.body[{i}].{field}", why)
        for field, url in block.links():
            if not _link_allowed(url):
                raise InvalidInput(
                    f"$.body[{i}].{field}",
                    f"{url!r}: use http(s), mailto, tel or one of {sorted(BRAND_LINKS)}",
                )
    if problems := item.problems():  # the kind's own rules (content.model)
        raise InvalidInput(*problems[0])
    return item


def check_references(
    items: Iterable[model.Content], present: set[tuple[str, str]], where: Path | str = ""
) -> list[str]:
    """Every embed and related reference must name a present item, and FAQ ids must exist.

    ``present`` holds every (kind, slug) that exists, including files that failed to load, so
    one broken file is reported once rather than again by everything that refers to it.
    """
    items = list(items)
    known = {(item.kind, item.slug): item for item in items}
    problems = []

    def missing(item: model.Content, field: str, kind: str, slug: str) -> None:
        problems.append(f"{where}/{item.kind}/{item.slug}: {field}: no {kind} {slug!r}")

    for item in items:
        for i, ref in enumerate(item.related):
            if (ref.type, ref.slug) not in present:
                missing(item, f"$.related[{i}]", ref.type, ref.slug)
        if not isinstance(item, model.Article):
            continue
        for i, block in enumerate(item.body):
            embedded = block.embeds()
            if embedded is not None and embedded not in present:
                missing(item, f"$.body[{i}].slug", *embedded)
            if isinstance(block, model.FaqEmbed):
                faq = known.get(("faq", block.slug))
                if not isinstance(faq, model.FaqSet):
                    continue
                ids = {entry.id for entry in faq.items}
                for item_id in block.items:
                    if item_id not in ids:
                        missing(item, f"$.body[{i}].items", f"item in {block.slug}", item_id)
    return problems


def _link_allowed(url: str) -> bool:
    scheme, sep, _ = url.partition(":")
    return url in BRAND_LINKS or (bool(sep) and scheme.lower() in ALLOWED_SCHEMES)


def _unique(field: str, keys: list[str]) -> None:
    seen: set[str] = set()
    for i, key in enumerate(keys):
        if key in seen:
            raise InvalidInput(f"{field}[{i}]", f"duplicate {key!r}")
        seen.add(key)


def _body_as_plain(source: str) -> list[Any]:
    plain: list[Any] = msgspec.to_builtins(parse_article_body(source))
    return plain


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        return _yaml_mapping(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput("file", "missing") from None


def _yaml_mapping(text: str) -> dict[str, Any]:
    try:
        # BaseLoader keeps every scalar a string; msgspec then converts to the declared types,
        # so "2026-01-01" becomes a date only where the model says date.
        data = yaml.load(text, Loader=yaml.BaseLoader)
    except yaml.YAMLError as exc:
        raise InvalidInput("yaml", str(exc).replace("\n", " ")) from None
    if not isinstance(data, dict):
        raise InvalidInput("$", "expected a mapping of fields")
    return data


def _decode(fields: dict[str, Any], cls: Any) -> Any:
    try:
        return msgspec.convert(fields, cls, strict=False)
    except msgspec.ValidationError as exc:
        message, _, path = str(exc).rpartition(" - at ")
        if not message:
            message, path = path, "$"
        raise InvalidInput(path.strip("`"), message) from None


_DERIVED = {"html", "href", "status", "answerHtml", "valuesHtml", "footnoteHtml"}


def _source_fields(value: Any) -> Any:
    """An item's plain fields as an editor writes them: no derived or empty optional fields."""
    if isinstance(value, dict):
        return {k: _source_fields(v) for k, v in value.items() if k not in _DERIVED and v is not None}
    if isinstance(value, list):
        return [_source_fields(v) for v in value]
    return value


def _dump_yaml(fields: dict[str, Any]) -> str:
    return yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=96, default_flow_style=False)


def write_item(item: model.Content, root: Path) -> Path:
    """Write one item as its library file; the inverse of load_item."""
    fields = _source_fields(msgspec.to_builtins(item))
    del fields["type"], fields["slug"]
    spec = model.KIND_SPECS[item.kind]
    folder = root if item.locale == DEFAULT_LOCALE else root / item.locale
    path = folder / spec.folder / f"{item.slug}{spec.suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(item, model.Article):
        del fields["body"]
        text = f"---\n{_dump_yaml(fields)}---\n{to_markdown(item.body)}"
    else:
        text = _dump_yaml(fields)
    path.write_text(text, encoding="utf-8")
    return path


def write_library(items: list[model.Content], brand_file: Path, root: Path) -> list[Path]:
    """Write items as a library folder, then read it back: every item must come back identical."""
    paths = [write_item(item, root) for item in items]
    (root / "brand.yaml").write_text(brand_file.read_text(encoding="utf-8"), encoding="utf-8")
    for item, path in zip(items, paths, strict=True):
        again = load_item(item.kind, path, item.locale)
        if msgspec.json.encode(again) != msgspec.json.encode(item):
            raise LibraryError([f"{path}: does not read back as the stored version; export refused"])
    return paths
