"""Where the handout's templates and packaged assets live (read by the renderer and the fetcher)."""

from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"
ASSETS = (Path(__file__).parent / "assets").resolve()
