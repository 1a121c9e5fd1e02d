"""README's change tests, proved: a throwaway block type and a throwaway kind, added to a copy of
the application by touching only the files README's layout section names, render in every
channel (JSON, the patient's page, the handout PDF's text, email HTML and text).

The change is made in a temporary copy of ``api/``, ``content/`` and ``exporters/`` and served
by a subprocess that imports only that copy. If a block type or a kind needed one more file than
README says, the copy would fail to load, publish or render it, and so would this test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("api", "content", "exporters")
CHANNEL_DIRS = ("exporters/pdf/templates", "exporters/web/templates", "exporters/email/templates")

# --- the throwaway block type: ``:::tip`` ... ``:::``, a box of inline text -------------------

BLOCK_CLASS = '''
class Tip(Block, tag="tip", kw_only=True):
    """A throwaway block: a tip in a box."""

    directive = "tip"
    container = True
    usage = "expected :::tip"

    text: InlineText
    html: str = ""

    @classmethod
    def from_directive(cls, args: list[str], rest: str, text: str) -> dict[str, object] | None:
        return None if args else {"text": text}

    def markdown(self, lists_before: int = 0) -> str:
        return f":::tip\\n{self.text}\\n:::"

    def words(self) -> list[str]:
        return [self.text]

    def rendered(self, link: Link) -> Self:
        return replace(self, html=inline_html(self.text))

    def stored(self) -> Self:
        return replace(self, html="")


'''
BLOCK_TEMPLATES = {
    "exporters/pdf/templates/blocks/tip.html.j2": '<p class="tip">TIPMARK {{ block.html | html }}</p>\n',
    "exporters/web/templates/blocks/tip.html.j2": '<p class="tip">TIPMARK {{ block.html | html }}</p>\n',
    "exporters/email/templates/blocks/tip.html.j2": "<p>TIPMARK {{ rich(block.html) }}</p>\n",
    "exporters/email/templates/blocks/tip.txt.j2": "TIPMARK {{ block.text }}\n\n",
}

# --- the throwaway kind: a glossary of terms ----------------------------------------------------

KIND_CLASSES = """
class Term(Wire, kw_only=True):
    term: Line
    definition: InlineText
    definition_html: str = ""


class Glossary(Item, tag="glossary", kw_only=True):
    terms: Annotated[list[Term], Meta(min_length=1)]

    elements = ("terms", "term")

    def rendered(self, link: Link) -> Self:
        terms = [replace(t, definition_html=inline_html(t.definition)) for t in self.terms]
        return replace(self, terms=terms)

    def stored(self) -> Self:
        return replace(self, terms=[replace(t, definition_html="") for t in self.terms])

    def words(self) -> list[str]:
        return [self.title, self.summary, *(w for t in self.terms for w in (t.term, t.definition))]

    def sections(self) -> list[tuple[str, list[str]]]:
        return super().sections() + [(t.term, [t.term, t.definition]) for t in self.terms]


"""
KIND_ENTRY = '        KindSpec("glossary", "glossaries", "Glossary", Glossary, "glossaries", ".yaml", False),'
KIND_ENTRY += "\n"
_TERMS = "{% for t in item.terms %}<p>{{ t.term }}: {{ t.definition_html | html }}</p>{% endfor %}\n"
KIND_TEMPLATES = {
    "exporters/pdf/templates/kinds/glossary.html.j2": _TERMS,
    "exporters/web/templates/kinds/glossary.html.j2": _TERMS,
    "exporters/email/templates/kinds/glossary.html.j2": _TERMS,
    "exporters/email/templates/kinds/glossary.txt.j2": (
        "{% for t in item.terms %}{{ t.term }}: {{ t.definition }}\n{% endfor %}"
    ),
}


def readme_files(change: str, placeholder: str, name: str) -> list[str]:
    """The files README's change-test table says ``change`` touches, for a change named ``name``."""
    readme = ROOT.joinpath("README.md").read_text()
    row = re.search(rf"^\| {change} \| (.*) \|$", readme[readme.index("### Change tests") :], re.M)
    assert row, f"README's change tests have no row for {change!r}"
    paths = re.findall(r"`([\w/<>.-]+\.(?:py|j2))`", row[1])
    return sorted(p.replace(f"<{placeholder}>", name) for p in paths)


def _add_block(app: Path) -> None:
    path = app / "content/blocks.py"
    source = path.read_text()
    registry = "# The registry: every block type"
    assert registry in source and "| Image\n" in source
    source = source.replace(registry, BLOCK_CLASS + registry).replace("| Image\n", "| Image | Tip\n")
    path.write_text(source)
    for name, text in BLOCK_TEMPLATES.items():
        (app / name).write_text(text)


def _add_kind(app: Path) -> None:
    path = app / "content/model.py"
    source = path.read_text()
    kinds = 'Kind: TypeAlias = Literal["article", "faq", "comparison"'
    content = "Content: TypeAlias = Article | FaqSet | Comparison"
    entries = "    )\n}\nKINDS:"
    assert kinds in source and content in source and entries in source
    source = source.replace(kinds, kinds + ', "glossary"')
    source = source.replace(content, KIND_CLASSES + content + " | Glossary")
    source = source.replace(entries, KIND_ENTRY + entries)
    path.write_text(source)
    for name, text in KIND_TEMPLATES.items():
        (app / name).write_text(text)


LIBRARY_ARTICLE = """---
title: A throwaway article
summary: It shows the throwaway block.
---
## Before you come

Bring your list of medicines.

:::tip
Write your questions down **before** the visit.
:::
"""
LIBRARY_GLOSSARY = """title: A throwaway glossary
summary: Words you may hear.
terms:
  - term: Infusion
    definition: Medicine given slowly through a *drip*.
  - term: Dose
    definition: How much medicine you get at one time.
"""

SERVE = """
import asyncio, io, sys
from pathlib import Path

import pypdf
from litestar.testing import TestClient

import api, content, exporters
from api.app import create_app
from api.settings import Settings
from content.db import create_engine
from content.library import load_library
from content.migrations import migrate
from content.store import Store

root, library = Path(sys.argv[1]), Path(sys.argv[2])
for package in (api, content, exporters):  # the copy, never the checkout
    assert Path(package.__file__).is_relative_to(root), package.__file__
url = f"sqlite+aiosqlite:///{root / 'folio.db'}"
migrate(url)

async def sync() -> None:
    engine = create_engine(url)
    await Store(engine).sync(load_library(library).items, author="library")
    await engine.dispose()

asyncio.run(sync())
settings = Settings(database_url=url, library_dir=str(library), data_dir=str(root / "var"))
with TestClient(create_app(settings)) as client:
    for plural, slug in (("articles", "throwaway-article"), ("glossaries", "throwaway-glossary")):
        for path in (f"/v1/{plural}/{slug}", f"/{plural}/{slug}", f"/v1/{plural}/{slug}/email.html",
                     f"/v1/{plural}/{slug}/email.txt", f"/v1/{plural}/{slug}/handout.pdf"):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code, response.text[:500])
            if path.endswith(".pdf"):
                pages = pypdf.PdfReader(io.BytesIO(response.content)).pages
                text = " ".join(page.extract_text() for page in pages)
            else:
                text = response.text
            print(f"=== {path}")
            print(" ".join(text.split()))
    for word in ("questions", "drip"):  # the search index holds each one's words
        found = client.get("/v1/search", params={"q": word}).json()
        print(f"=== search:{word}")
        print(" ".join(f"{hit['type']}/{hit['slug']}" for hit in found["results"]))
"""


def test_a_new_block_type_and_a_new_kind_touch_only_what_readme_says(tmp_path: Path) -> None:
    # What this test writes is exactly what README says each change touches.
    block_files = readme_files("a new block type", "type", "tip")
    kind_files = readme_files("a new kind", "kind", "glossary")
    assert block_files == sorted(["content/blocks.py", *BLOCK_TEMPLATES])
    assert kind_files == sorted(["content/model.py", *KIND_TEMPLATES])

    app = tmp_path / "app"
    for package in PACKAGES:
        shutil.copytree(ROOT / package, app / package, ignore=shutil.ignore_patterns("__pycache__"))
    before = {p: p.read_bytes() for p in app.rglob("*") if p.is_file()}
    _add_block(app)
    _add_kind(app)
    touched = sorted(
        str(p.relative_to(app)) for p in app.rglob("*") if p.is_file() and before.get(p) != p.read_bytes()
    )
    assert touched == sorted([*block_files, *kind_files])

    library = tmp_path / "library"
    (library / "articles").mkdir(parents=True)
    (library / "glossaries").mkdir()
    shutil.copy(ROOT / "content/library/brand.yaml", library / "brand.yaml")
    (library / "articles/throwaway-article.md").write_text(LIBRARY_ARTICLE)
    (library / "glossaries/throwaway-glossary.yaml").write_text(LIBRARY_GLOSSARY)

    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLIO_")} | {"PYTHONPATH": str(app)}
    result = subprocess.run(
        [sys.executable, "-c", SERVE, str(app), str(library)],
        cwd=app,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    outputs = dict(re.findall(r"=== (\S+)\n(.*)", result.stdout))
    assert len(outputs) == 12, result.stdout[-2000:]
    assert outputs.pop("search:questions") == "article/throwaway-article"
    assert outputs.pop("search:drip") == "glossary/throwaway-glossary"
    for path, text in outputs.items():
        if "articles" in path:
            json = path.startswith("/v1/") and "." not in path
            assert ('"type":"tip"' if json else "TIPMARK") in text, path
            assert "questions down" in text, (path, text[:600])
        else:
            assert "Infusion" in text and "drip" in text, (path, text[:600])
    assert (
        '"definitionHtml":"Medicine given slowly through a <em>drip</em>."'
        in outputs["/v1/glossaries/throwaway-glossary"]
    )
