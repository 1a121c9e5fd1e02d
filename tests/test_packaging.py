"""Folio installed from its wheel, outside the checkout, renders; the API never loads WeasyPrint."""

import shutil
import subprocess
import sys
import sysconfig
import textwrap
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The installer `make` bootstraps from tools/uv-requirements.txt (pinned by hash).
UV = ROOT / ".venv-uv" / "bin" / "uv"

RENDER = textwrap.dedent(
    """
    import datetime as dt, io, pathlib, sys
    import exporters, pypdf
    from content import model
    from content.bundle import make_bundle
    from content.library import load_library
    from content.render import published
    from content.store import embedded_refs
    from exporters.email import EmailOptions
    from exporters.pdf import HandoutOptions

    assert pathlib.Path(exporters.__file__).is_relative_to(sys.prefix), exporters.__file__
    lib = load_library()
    items = {i.slug: i for i in lib.items if i.locale == "en"}
    def version(item, pins=()):
        info = model.VersionInfo(version=1, published_at=dt.datetime.now(dt.UTC), author="t", note="",
                                 content_hash="sha256:x", review=item.review)
        return published(item, info, lib.brand, dt.date.today(), pins)
    article = items["is-ketamine-therapy-addictive"]
    pins = [model.ItemRef(type=k, slug=s, version=1) for k, s in embedded_refs(article)]
    bundle = make_bundle(version(article, pins), [version(items[p.slug]) for p in pins], lib.brand)
    pdf = exporters.render("pdf", "pdf", [bundle], HandoutOptions())
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    mail = exporters.render("email", "eml", [bundle], EmailOptions()).decode()
    page = exporters.render("web", "html", [bundle], __import__("exporters.web").web.PageOptions()).decode()
    print(article.title in text, "Subject: Is ketamine therapy addictive?" in mail, article.title in page)
    """
)


def test_an_installed_wheel_renders_a_handout_an_email_and_a_page(tmp_path: Path) -> None:
    # Built from the tracked files alone: a checkout's egg-info would list files the wheel misses.
    source = tmp_path / "source"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    subprocess.run(
        [UV, "build", "--wheel", "--quiet", "--out-dir", tmp_path, source], check=True, cwd=tmp_path
    )
    [wheel] = tmp_path.glob("folio-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    # The dependencies come from the test environment, appended after the new site-packages
    # (a .pth line adds the folder, not the folder's own .pth files: not our editable install).
    Path(site, "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([UV, "pip", "install", "--quiet", "--no-deps", "--target", site, wheel], check=True)
    done = subprocess.run([python, "-c", RENDER], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True", "True"]


def test_the_api_process_never_imports_weasyprint() -> None:
    probe = "import sys; import api.app; api.app.create_app(); print('weasyprint' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_the_lock_agrees_with_pyproject() -> None:
    done = subprocess.run([UV, "lock", "--check", "--offline"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr


def test_a_lock_edited_by_hand_is_refused(tmp_path: Path) -> None:
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy2(ROOT / name, tmp_path / name)
    lock = tmp_path / "uv.lock"
    # The lock now says Folio asks for an older Litestar than pyproject.toml does.
    edited = lock.read_text().replace(
        '{ name = "litestar", specifier = ">=2.25,<3" }', '{ name = "litestar" }'
    )
    assert edited != lock.read_text()
    lock.write_text(edited)
    # Offline, uv either says the lock needs updating or that it cannot re-resolve without the
    # index; both are a refusal, and `make` stops there, before installing anything, with one
    # line naming the fix.
    shutil.copy2(ROOT / "Makefile", tmp_path / "Makefile")
    shutil.copytree(ROOT / "tools", tmp_path / "tools")
    (tmp_path / ".venv-uv").symlink_to(ROOT / ".venv-uv")
    made = subprocess.run(
        ["make", "-s", ".venv/.installed-from-lock"], capture_output=True, text=True, cwd=tmp_path
    )
    assert made.returncode != 0
    assert (
        made.stdout.strip()
        == "uv.lock does not agree with pyproject.toml: run 'make lock' and commit uv.lock"
    )
    assert not (tmp_path / ".venv").exists()


def test_the_install_is_pinned_by_hash_and_the_installer_too() -> None:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    for package in lock["package"]:
        if package["source"].get("registry"):
            files = [*package.get("wheels", []), *([package["sdist"]] if "sdist" in package else [])]
            assert files and all(f["hash"].startswith("sha256:") for f in files), package["name"]
    installer = (ROOT / "tools" / "uv-requirements.txt").read_text()
    assert "uv==" in installer and "--hash=sha256:" in installer
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes \\\n\t\t-r tools/uv-requirements.txt" in makefile
    assert "sync --locked" in makefile
