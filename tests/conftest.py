"""Every test gets its own RUNLAB_HOME (so its own SQLite store) and no current project."""

from __future__ import annotations

import sys
import textwrap
import uuid
from pathlib import Path

import pytest

import runlab.project
from runlab import process

sys.path.insert(0, str(Path(__file__).parent))  # the pgserver helper

from forkservers import stop_fork_servers

# Test modules that use the run store run twice: on SQLite and on a real PostgreSQL server.
STORE_MODULES = {"test_launch", "test_context", "test_run", "test_store", "test_project", "test_job", "test_cli",
                 "test_sweep", "test_schedules", "test_jobsummary", "test_listing", "test_query", "test_query_api",
                 "test_runvalues", "test_gc", "test_runcache", "test_endedruns"}


def pytest_generate_tests(metafunc):
    if metafunc.module.__name__.rsplit(".", 1)[-1] in STORE_MODULES and "store_backend" in metafunc.fixturenames:
        metafunc.parametrize("store_backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture(scope="session")
def postgres_server():
    """One PostgreSQL server for the session (skips its tests, saying why, when it cannot start)."""
    from pgserver import PostgresServer

    try:
        server = PostgresServer()
        url = server.start()
    except (RuntimeError, OSError) as exc:
        pytest.skip(f"PostgreSQL cannot be started here: {exc}")
    yield url
    server.stop()


@pytest.fixture
def store_backend(request) -> str:
    backend = getattr(request, "param", "sqlite")
    if backend == "postgresql" and request.node.get_closest_marker("sqlite_only"):
        pytest.skip("SQLite-specific behaviour")
    return backend


@pytest.fixture(autouse=True)
def runlab_home(tmp_path_factory, monkeypatch, request, store_backend) -> Path:
    home = tmp_path_factory.mktemp("runlab-home")
    monkeypatch.setenv("RUNLAB_HOME", str(home))
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))  # the default project's artifacts land here, not in the repo
    for var in ("RUNLAB_DB_URL", "RUNLAB_ARTIFACT_PATH", "RUNLAB_RUN_UID"):
        monkeypatch.delenv(var, raising=False)
    database = None
    if store_backend == "postgresql":
        server = request.getfixturevalue("postgres_server")
        database = f"t_{uuid.uuid4().hex[:12]}"
        _admin(server, f'CREATE DATABASE "{database}"')
        monkeypatch.setenv("RUNLAB_DB_URL", f"{server}/{database}")
    process.reset()  # every process global: settings, stores, the current project, ...
    yield home
    process.reset()
    stop_fork_servers(home)
    if database:
        _admin(server, f'DROP DATABASE "{database}" WITH (FORCE)')


def _admin(server_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(server_url.replace("postgresql+psycopg", "postgresql") + "/postgres",
                         autocommit=True) as conn:
        conn.execute(statement)


@pytest.fixture
def write_file(tmp_path):
    """Write a dedented source file under tmp_path and return its path."""

    def write(name: str, source: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
        return path

    return write


TRAINER = """
    import pandas as pd

    def train(context, data: pd.DataFrame, p1: int = 1, lr: float = 0.1):
        print(f"training on {len(data)} rows with p1={p1}")
        context.logger.info("lr is %s", lr)
        context.log_result("accuracy", 0.5 + p1 / 10)
        context.log_result("rows", len(data))
        context.log_dataset("summary", data.describe().reset_index())
        return p1 * 2

    def evaluate(context, data, threshold=0.5):
        return {"threshold": threshold, "key": data.key}

    def fail(context):
        print("about to fail")
        raise ValueError("boom")

    class Model:
        def __init__(self, context, scale=1):
            self.context = context
            self.scale = scale

        def fit(self, x=1):
            self.context.log_result("scaled", x * self.scale)
"""


@pytest.fixture
def project(tmp_path, write_file):
    """A project in tmp_path with trainer.py (handlers train, evaluate, fail, Model::fit) and data.csv."""
    write_file("trainer.py", TRAINER)
    (tmp_path / "data.csv").write_text("a,b\n1,2\n3,4\n5,6\n")
    proj = runlab.project.get_or_create_project("demo", context=str(tmp_path))
    proj.set_function("trainer.py", name="trainer", kind="job", handler="train")
    return proj
