"""Folio installed from its wheel, outside the checkout, renders; the API never loads WeasyPrint."""

import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

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
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            tmp_path,
            source,
        ],
        check=True,
        cwd=tmp_path,
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
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", site, wheel], check=True
    )
    done = subprocess.run([python, "-c", RENDER], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True", "True"]


def test_the_api_process_never_imports_weasyprint() -> None:
    probe = "import sys; import api.app; api.app.create_app(); print('weasyprint' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
