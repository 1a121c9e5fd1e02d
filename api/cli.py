"""The ``folio`` command: serve, migrate, sync the library, write the OpenAPI spec."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

import msgspec

from api.settings import Settings
from content.accounts import ALL_ROLES, Tokens
from content.options import DEFAULT_SIZE, ESPS, PAPERS, SIZES

OPENAPI_PATH = Path("openapi/openapi.json")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("folio")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        print(f"folio: {exc}", file=sys.stderr)
        return 2
    try:
        if args.command in NEEDS_MIGRATED_STORE:
            asyncio.run(require_migrated(settings))
        return run(args, settings, parser)
    except Exception as exc:
        problem = database_problem(exc, settings)
        if problem is None:
            raise
        print(f"folio: {problem}", file=sys.stderr)
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="folio", description="Folio content API")
    parser.add_argument("--version", action="version", version=f"folio {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the API (settings from FOLIO_* variables)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, default=1, help="worker processes sharing the port")

    commands.add_parser("migrate", help="bring the database to the newest schema")

    sync = commands.add_parser("sync", help="publish library files whose content changed")
    sync.add_argument("--library", type=Path, help="library folder (default: FOLIO_LIBRARY_DIR)")
    sync.add_argument("--author", default="library", help="recorded as each new version's author")
    sync.add_argument("--force", action="store_true", help="overwrite items last published through the API")

    library = commands.add_parser("library", help="the library folder and the store")
    library_commands = library.add_subparsers(dest="library_command", required=True)
    library_export = library_commands.add_parser("export", help="write the published store as library files")
    library_export.add_argument("--out", type=Path, required=True)

    _add_token_commands(commands)
    _add_export_commands(commands)

    openapi = commands.add_parser("openapi", help="write the OpenAPI spec generated from the app")
    openapi.add_argument("--out", type=Path, default=OPENAPI_PATH)
    openapi.add_argument("--check", action="store_true", help="fail if the file would change")
    return parser


def _add_token_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    token = commands.add_parser("token", help="API tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    token_create = token_commands.add_parser("create", help="create a token; it is printed once")
    token_create.add_argument("--name", required=True)
    token_create.add_argument(
        "--display-name", required=True, help='the person, printed as reviewer: "Ana Rivera"'
    )
    token_create.add_argument("--credentials", help='printed after the name on sign-offs: "MD"')
    token_create.add_argument(
        "--role",
        required=True,
        choices=list(ALL_ROLES),
        help="reader < editor < reviewer < publisher < admin; ehr: an EHR system (records what "
        "each patient was given, reads nothing unpublished)",
    )
    token_commands.add_parser("list", help="list tokens (never the tokens themselves)")
    token_revoke = token_commands.add_parser("revoke", help="revoke a token by name")
    token_revoke.add_argument("name")


def _add_export_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export_parser = commands.add_parser("export", help="export published items to files")
    channels = export_parser.add_subparsers(dest="channel", required=True)
    email = channels.add_parser("email", help="write .html, .txt and .eml per item")
    which = email.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every published item")
    which.add_argument("item", nargs="*", default=[], metavar="KIND SLUG", help="e.g. article my-slug")
    email.add_argument("--esp", choices=ESPS, default="none")
    email.add_argument("--out", type=Path, required=True)
    pdf = channels.add_parser("pdf", help="write a PDF handout per item")
    which_pdf = pdf.add_mutually_exclusive_group(required=True)
    which_pdf.add_argument("--all", action="store_true", help="every published item")
    which_pdf.add_argument("item", nargs="*", default=[], metavar="KIND SLUG", help="e.g. article my-slug")
    pdf.add_argument("--paper", choices=PAPERS, help="default: FOLIO_PAPER, else brand.yaml's country's")
    pdf.add_argument("--size", choices=SIZES, default=DEFAULT_SIZE)
    pdf.add_argument("--out", type=Path, required=True)
    for parser_ in (email, pdf):
        parser_.add_argument("--locale", help="with KIND SLUG: its translation (default en); --all: all")


# Commands that read or write the store refuse to start on a database that is not migrated.
NEEDS_MIGRATED_STORE = {"serve", "sync", "library", "token", "export"}


class StoreNotReady(Exception):
    """The database answers but its schema is not the one this version of Folio needs."""


def run(args: argparse.Namespace, settings: Settings, parser: argparse.ArgumentParser) -> int:
    match args.command:
        case "serve":
            return serve_app(settings, args.host or settings.host, args.port or settings.port, args.workers)
        case "migrate":
            return migrate(settings)
        case "sync":
            return asyncio.run(sync_library(settings, args.library, args.author, args.force))
        case "library":
            return asyncio.run(export_library(settings, args.out))
        case "token":
            return asyncio.run(manage_tokens(settings, args))
        case "openapi":
            return write_openapi(args.out, check=args.check)
        case "export":
            return export(settings, args, parser)
    return 2


async def require_migrated(settings: Settings) -> None:
    from content.database import open_database
    from content.migrations import head_revision

    async with open_database(settings.db_url) as database:
        current = await database.store().schema_revision()
    if current != head_revision():
        state = "has no schema yet" if current is None else f"is at schema {current}, not {head_revision()}"
        raise StoreNotReady(f"the database {state}; run `folio migrate` first")


def database_problem(exc: BaseException, settings: Settings) -> str | None:
    """One line naming a database problem and its fix, or None for anything else."""
    import sqlite3

    import sqlalchemy as sa

    url = sa.make_url(settings.db_url)
    where = url.render_as_string(hide_password=True)
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    for error in seen:
        name = type(error).__name__
        if isinstance(error, StoreNotReady):
            return str(error)
        if name == "InvalidCatalogNameError":
            return f"{error} (at {where}); create it (`createdb {url.database}`) or fix FOLIO_DATABASE_URL"
        if name in ("InvalidPasswordError", "InvalidAuthorizationSpecificationError"):
            return f"{error} (at {where}); fix the user or password in FOLIO_DATABASE_URL"
        if url.get_backend_name() == "sqlite" and isinstance(error, (OSError, sqlite3.OperationalError)):
            return f"cannot open the SQLite store {url.database} ({error}); check FOLIO_DATA_DIR"
        if isinstance(error, OSError):
            reason = error.strerror or str(error) or name
            return f"cannot reach the database at {where}: {reason}; start it or fix FOLIO_DATABASE_URL"
    return None


def export(settings: Settings, args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from api.cli_export import export_email, export_pdf
    from content import model
    from content.locales import DEFAULT_LOCALE

    targets = None
    if not args.all:
        if len(args.item) != 2 or args.item[0] not in model.KINDS:
            parser.error(f"name one item as KIND SLUG (KIND: {', '.join(model.KINDS)}), or use --all")
        targets = [(args.item[0], args.item[1], args.locale or DEFAULT_LOCALE)]
    if args.channel == "pdf":
        return asyncio.run(export_pdf(settings, targets, args.paper, args.size, args.out))
    return asyncio.run(export_email(settings, targets, args.esp, args.out))


def serve_app(settings: Settings, host: str, port: int, workers: int = 1) -> int:
    """Serve with granian: N worker processes, each building its app from the same FOLIO_* settings.

    Each worker gets its own socket with TCP_NODELAY (so two workers never wait out Nagle's
    delay), from one listening port. On SIGTERM granian stops accepting, lets in-flight
    requests finish, then the app's shutdown waits for running handout renders.
    """
    import os
    import shutil

    from granian.constants import Interfaces
    from granian.log import LogLevels
    from granian.server import Server

    if workers > 1:
        # Prometheus counters from every worker are summed from files in this folder. Set before
        # prometheus_client is first imported: it picks its value store then, and workers fork.
        metrics_dir = settings.data_path / "metrics"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    # Workers build their settings from the environment: they must see the address served,
    # which is also the default public URL printed in QR codes.
    os.environ["FOLIO_HOST"], os.environ["FOLIO_PORT"] = host, str(port)

    from api.observability import configure_logging

    Server(
        "api.app:create_app",
        factory=True,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        log_level=LogLevels.info,
        log_dictconfig=configure_logging(),
        log_access=False,  # the app writes its own access line, with the request id
        # A stuck worker is killed once the longest render could have finished.
        workers_kill_timeout=int(settings.pdf_timeout_seconds) + 10,
    ).serve()
    return 0


def migrate(settings: Settings) -> int:
    from content.migrations import migrate as upgrade

    upgrade(settings.db_url)
    return 0


async def sync_library(settings: Settings, library: Path | None, author: str, force: bool = False) -> int:
    from api.webhooks import outbox
    from content.database import open_database
    from content.errors import LibraryError
    from content.library import load_library
    from content.locales import DEFAULT_LOCALE
    from content.store import Created

    root = library or Path(settings.library_dir)
    try:
        loaded = load_library(root)
    except LibraryError as exc:
        print(f"folio sync: {root} has errors; nothing was imported:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    async with open_database(settings.db_url) as database:
        report = await database.store().sync(loaded.items, author=author, force=force, outbox=outbox)

    def named(entry: Created) -> str:
        return f"{entry.kind} {entry.slug}" + ("" if entry.locale == DEFAULT_LOCALE else f" ({entry.locale})")

    for entry in report.created:
        print(f"created {named(entry)} version {entry.version}")
    for entry in report.refreshed:
        print(f"refreshed {named(entry)} version {entry.version} (what it embeds changed)")
    for name in report.kept:
        print(f"kept {name}: published through the API since the last sync (--force overwrites it)")
    unchanged = len(loaded.items) - len(report.created) - len(report.kept)
    kept = f"; {len(report.kept)} kept as published through the API" if report.kept else ""
    refreshed = f", {len(report.refreshed)} refreshed" if report.refreshed else ""
    print(f"{len(report.created)} new version(s){refreshed}; {unchanged} item(s) unchanged{kept}")
    return 0


async def export_library(settings: Settings, out: Path) -> int:
    from content.database import open_database
    from content.errors import LibraryError
    from content.library import write_library

    async with open_database(settings.db_url) as database:
        published = await database.store().latest_items()
    try:
        paths = write_library(published, Path(settings.library_dir) / "brand.yaml", out)
    except LibraryError as exc:
        print("folio library export: " + "; ".join(exc.problems), file=sys.stderr)
        return 1
    print(f"wrote {len(paths)} item(s) and brand.yaml to {out}")
    return 0


async def manage_tokens(settings: Settings, args: argparse.Namespace) -> int:
    from content.database import open_database
    from content.errors import Conflict, NotFound

    async with open_database(settings.db_url) as database:
        try:
            return await _tokens_command(database.tokens, args)
        except (Conflict, NotFound) as exc:
            print(f"folio token: {exc.detail}", file=sys.stderr)
            return 1


async def _tokens_command(tokens: Tokens, args: argparse.Namespace) -> int:
    match args.token_command:
        case "create":
            info, token = await tokens.create(
                args.name,
                args.role,
                actor="cli",
                display_name=args.display_name,
                credentials=args.credentials,
            )
            # Only the token on stdout, so `T=$(folio token create ...)` captures just it.
            print(f"created token {info.name!r} ({info.role}); it is shown only now.", file=sys.stderr)
            print(token)
        case "list":
            for t in await tokens.all():
                state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "active"
                print(f"{t.name}\t{t.role}\tcreated {t.created_at:%Y-%m-%d}\t{state}")
        case "revoke":
            await tokens.revoke(args.name, actor="cli")
            print(f"revoked {args.name!r}")
    return 0


def openapi_text() -> str:
    from api.app import create_app

    schema = msgspec.to_builtins(create_app(Settings()).openapi_schema.to_schema())
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_openapi(out: Path, *, check: bool) -> int:
    text = openapi_text()
    if check:
        if not out.exists() or out.read_text(encoding="utf-8") != text:
            print(
                f"folio openapi: {out} is out of date; run `make openapi` and commit it",
                file=sys.stderr,
            )
            return 1
        print(f"{out} is up to date")
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
