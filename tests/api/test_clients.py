"""Clients generated from the committed spec can do what the API needs of them.

openapi-typescript (npm, pinned in tests/clients) must type the If-Match header of a draft PUT,
checked by compiling a use of it with tsc; openapi-python-client (PyPI) must keep every route,
the binary PDF and email file routes included, instead of dropping them with a warning.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.cli import OPENAPI_PATH

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "tests" / "clients" / "node_modules" / ".bin"
SPEC = ROOT / OPENAPI_PATH

USE = """\
import type { paths } from "./schema";

type ReplaceDraft = paths["/v1/articles/{slug}/draft"]["put"];
// The ETag read from GET .../draft goes back as If-Match; the compiler checks the header exists.
const headers: ReplaceDraft["parameters"]["header"] = { "If-Match": '"4f2a"' };
const path: ReplaceDraft["parameters"]["path"] = { slug: "is-ketamine-therapy-addictive" };
type Pdf = paths["/v1/articles/{slug}/handout.pdf"]["get"]["responses"][200]["content"]["application/pdf"];
const pdf: Pdf = "bytes";
type Etag = paths["/v1/articles/{slug}"]["get"]["responses"][200]["headers"]["ETag"];
const etag: Etag = '"abc"';
export { headers, path, pdf, etag };
"""


def _node_tools() -> None:
    if not (BIN / "tsc").exists():
        if os.environ.get("FOLIO_TEST_EVERYTHING"):
            pytest.fail("tests/clients/node_modules is missing: npm ci --prefix tests/clients")
        pytest.skip("needs npm ci --prefix tests/clients (make test runs it)")


def test_typescript_client_can_send_if_match(tmp_path: Path) -> None:
    _node_tools()
    schema = tmp_path / "schema.d.ts"
    generate = subprocess.run(
        [str(BIN / "openapi-typescript"), str(SPEC), "-o", str(schema)], capture_output=True, text=True
    )
    assert generate.returncode == 0, generate.stderr
    (tmp_path / "use.ts").write_text(USE)
    check = subprocess.run(
        [str(BIN / "tsc"), "--noEmit", "--strict", "--skipLibCheck", str(tmp_path / "use.ts")],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    # And the check has teeth: a header the spec does not declare fails to compile.
    (tmp_path / "use.ts").write_text(USE.replace('"If-Match"', '"If-Matches"'))
    wrong = subprocess.run(
        [str(BIN / "tsc"), "--noEmit", "--strict", "--skipLibCheck", str(tmp_path / "use.ts")],
        capture_output=True,
        text=True,
    )
    assert wrong.returncode != 0


def test_python_client_keeps_every_route(tmp_path: Path) -> None:
    generate = subprocess.run(
        [
            str(Path(sys.executable).with_name("openapi-python-client")),
            "generate",
            "--path",
            str(SPEC),
            "--output-path",
            str(tmp_path / "client"),
            "--meta",
            "none",
            "--config",
            str(ROOT / "tests" / "clients" / "python-client.yaml"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        # Its post-generation hooks run ruff, which is in this virtualenv.
        env=os.environ | {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"},
    )
    assert generate.returncode == 0, generate.stdout + generate.stderr
    output = generate.stdout + generate.stderr
    assert "Warning" not in output and "will be omitted" not in output, output
    modules = {p.stem for p in (tmp_path / "client").rglob("*.py")}
    for expected in (
        "get_article_handout",
        "build_handout_packet",
        "get_faq_email_eml",
        "get_comparison_email_html",
        "replace_article_draft",
    ):
        assert expected in modules, expected
    for module in ("get_article_handout.py", "build_handout_packet.py", "get_faq_email_eml.py"):
        source = next((tmp_path / "client").rglob(module)).read_text()
        assert "response_200 = File(" in source, module  # a binary File, not dropped or a str
    replace = next((tmp_path / "client").rglob("replace_article_draft.py")).read_text()
    assert "if_match" in replace
