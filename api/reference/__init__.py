"""The API reference page at /docs: Swagger UI, vendored here so it works with no network.

Assets are swagger-ui-dist 5.30.2 from the npm registry (Apache-2.0; LICENSE and NOTICE beside
them), served by the app under /docs/assets. The page loads nothing from anywhere else: no CDN,
no fonts, and the spec validator badge (which would call validator.swagger.io) is off.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request, Router
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.static_files import create_static_files_router

ASSETS = Path(__file__).parent
ASSETS_PATH = "/docs/assets"
SWAGGER_UI_VERSION = "5.30.2"


class ReferencePage(OpenAPIRenderPlugin):
    """Renders the reference page; its script and styles come from ``ASSETS_PATH``."""

    def __init__(self, path: str = "/") -> None:
        super().__init__(path=path, favicon=f'<link rel="icon" href="{ASSETS_PATH}/favicon-32x32.png">')

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        v = SWAGGER_UI_VERSION
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{openapi_schema["info"]["title"]} API reference</title>
{self.favicon}
<link rel="stylesheet" href="{ASSETS_PATH}/swagger-ui.css?v={v}">
</head>
<body>
<div id="reference" data-spec="{self.get_openapi_json_route(request)}"></div>
<script src="{ASSETS_PATH}/swagger-ui-bundle.js?v={v}"></script>
<script src="{ASSETS_PATH}/start.js?v={v}"></script>
</body>
</html>
""".encode()


def assets_router() -> Router:
    return create_static_files_router(
        path=ASSETS_PATH, directories=[ASSETS], include_in_schema=False, name="reference-assets"
    )
