"""Fault scenarios of the store and the files: corrupt store, read-only home, full disk, racing fork servers;
real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_jupyter.jupyter_core import *  # noqa: F403 - jp_fetch and the server fixtures it needs
from pytest_jupyter.jupyter_server import *  # noqa: F403
from pytest_jupyter.pytest_tornasync import *  # noqa: F403
from tornado.httpclient import HTTPClientError

import runlab
from runlab.errors import StoreError
from runlab.record import new_run
from runlab.store import get_store
from runlab.store.runstore import RunStore

SRC = str(Path(runlab.__file__).resolve().parent.parent)


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"runlab.server": True}}}


def sqlite_file(store: RunStore) -> Path:
    return Path(store.url.split("///", 1)[1])


def record_a_run(store: RunStore, name: str = "kept"):
    run = new_run("default", name, "local", "completed", {}, {"handler": "h"})
    store.create_run(run)
    return run


def corrupt(path: Path) -> None:
    """Overwrite a SQLite file with garbage of its own size, as a bad copy or a disk fault would."""
    size = path.stat().st_size
    path.write_bytes(b"this is not a database \x00\xff" * (size // 25 + 1))


# -- a corrupt store ---------------------------------------------------------------------------------------


def test_a_store_corrupted_while_open_raises_a_store_error_naming_the_file():
    store = get_store()
    run = record_a_run(store)
    assert store.get_run(run.uid) is not None
    store.close()  # its pooled connections are let go, as after idle time: the next read opens the file
    corrupt(sqlite_file(store))

    with pytest.raises(StoreError) as info:
        store.get_run(run.uid)
    message = str(info.value)
    assert str(sqlite_file(store)) in message
    assert "file is not a database" in message
    assert "restore the file from a backup, or move it aside" in message
    assert "sqlalche" not in message.lower() and "[SQL" not in message
    with pytest.raises(StoreError, match="file is not a database"):
        store.create_run(new_run("default", "lost", "local", "completed", {}, {}))


def test_opening_a_corrupt_store_in_a_fresh_process_is_a_store_error(runlab_home):
    store = get_store()
    record_a_run(store)
    store.close()
    corrupt(sqlite_file(store))
    code = ("import runlab\ntry:\n    runlab.get_run_db().list_runs(project='*')\n"
            "except runlab.StoreError as exc:\n    print('StoreError:', exc)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": SRC})
    assert out.stdout.startswith(f"StoreError: the run store {sqlite_file(store)} cannot be opened: file is not a "
                                 "database"), out.stdout + out.stderr


def test_the_rest_api_answers_a_corrupt_store_with_a_json_503(jp_fetch, jp_asyncio_loop):
    store = get_store()
    run = record_a_run(store)
    assert jp_asyncio_loop.run_until_complete(jp_fetch("runlab", "api", "runs", run.uid)).code == 200
    store.close()
    corrupt(sqlite_file(store))

    with pytest.raises(HTTPClientError) as info:
        jp_asyncio_loop.run_until_complete(jp_fetch("runlab", "api", "runs", run.uid))
    assert info.value.code == 503
    body = json.loads(info.value.response.body)
    assert body["status"] == 503
    assert body["message"].startswith(f"the run store {sqlite_file(store)} cannot be used: file is not a database")
    assert "sqlalche" not in body["message"].lower() and "Unhandled" not in body["message"]


def test_a_password_in_a_store_url_that_cannot_connect_is_masked():
    pytest.importorskip("psycopg", reason="psycopg (the PostgreSQL driver) is not installed")
    with pytest.raises(StoreError) as info:
        RunStore("postgresql+psycopg://user:secret@127.0.0.1:9/db")
    message = str(info.value)
    assert "secret" not in message
    assert "postgresql+psycopg://user:***@127.0.0.1:9/db" in message
    assert "check that the database server is running" in message
