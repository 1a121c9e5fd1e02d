"""The `folio` command as a person at a terminal meets it: one line per error, naming the fix."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL

FOLIO = str(Path(sys.executable).with_name("folio"))


def folio(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FOLIO_")}
    return subprocess.run(
        [FOLIO, *args], env=clean | (env or {}), capture_output=True, text=True, timeout=timeout, cwd=cwd
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("folio: "), result.stderr  # no traceback
    return lines[0]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("notaurl", "postgresql://USER[:PASSWORD]@HOST[:PORT]/DB, sqlite:///PATH"),
        ("mysql://u:secret@db.example/folio", "is not a database Folio supports"),
        ("postgresql+psycopg2://db.example/folio", "is not a database Folio supports"),
    ],
)
def test_unsupported_database_urls_name_the_accepted_forms(tmp_path: Path, url: str, expected: str) -> None:
    for command in (["migrate"], ["serve"]):
        line = one_line(folio(*command, env={"FOLIO_DATABASE_URL": url, "FOLIO_DATA_DIR": str(tmp_path)}))
        assert expected in line and "secret" not in line, line


def test_unreachable_server_says_so(tmp_path: Path) -> None:
    line = one_line(folio("migrate", env={"FOLIO_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/x"}))
    assert "cannot reach the database at postgresql+asyncpg://postgres@127.0.0.1:1/x" in line


@pytest.mark.skipif(not POSTGRES_URL, reason="needs FOLIO_TEST_POSTGRES_URL")
def test_driverless_postgresql_url_works_and_a_missing_database_is_named() -> None:
    assert POSTGRES_URL
    plain = POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")
    missing = plain.rsplit("/", 1)[0] + "/folio_no_such_database"
    line = one_line(folio("migrate", env={"FOLIO_DATABASE_URL": missing}))
    assert 'database "folio_no_such_database" does not exist' in line and "createdb" in line


def test_an_unmigrated_store_is_refused_until_migrate(tmp_path: Path) -> None:
    env = {"FOLIO_DATA_DIR": str(tmp_path), "FOLIO_PORT": "1"}
    for command in (["serve"], ["token", "list"]):
        line = one_line(folio(*command, env=env))
        assert "run `folio migrate` first" in line, (command, line)
    assert folio("migrate", env=env).returncode == 0
    assert folio("sync", env=env).returncode == 0


def test_version_and_token_on_stdout(tmp_path: Path) -> None:
    version = folio("--version")
    assert version.returncode == 0 and version.stdout.startswith("folio ")
    env = {"FOLIO_DATA_DIR": str(tmp_path)}
    assert folio("migrate", env=env).returncode == 0
    created = folio("token", "create", "--name", "ci", "--display-name", "CI", "--role", "reader", env=env)
    assert created.returncode == 0
    assert created.stdout.count("\n") == 1 and created.stdout.startswith(
        "folio_"
    )  # T=$(folio token create ...)
    assert "shown only now" in created.stderr


@pytest.mark.parametrize(
    ("env", "store"),
    [
        ({"FOLIO_DATABASE_URL": "sqlite:///folio.db", "FOLIO_DATA_DIR": "data"}, "data/folio.db"),
        ({"FOLIO_DATA_DIR": ""}, "var/folio.db"),
    ],
)
def test_relative_store_paths_land_in_the_data_folder(
    tmp_path: Path, env: dict[str, str], store: str
) -> None:
    assert folio("migrate", env=env, cwd=tmp_path).returncode == 0
    assert (tmp_path / store).is_file()
    assert not list(tmp_path.glob("folio.db*"))
