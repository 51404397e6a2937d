"""Fault scenarios of the store and the files: corrupt store, read-only home, full disk, racing fork servers;
real processes."""

from __future__ import annotations

import contextlib
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
from forkservers import fork_servers
from runlab.errors import StoreError
from runlab.record import new_run
from runlab.store import get_store
from runlab.store.runstore import RunStore
from waiting import wait_until

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
    assert out.stdout.startswith(f"StoreError: cannot open the run store {sqlite_file(store)}: file is not a "
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
    assert body["message"].startswith(f"cannot use the run store {sqlite_file(store)}: file is not a database")
    assert "sqlalche" not in body["message"].lower() and "Unhandled" not in body["message"]


def test_a_password_in_a_store_url_that_cannot_connect_is_masked():
    pytest.importorskip("psycopg", reason="psycopg (the PostgreSQL driver) is not installed")
    with pytest.raises(StoreError) as info:
        RunStore("postgresql+psycopg://user:secret@127.0.0.1:9/db")
    message = str(info.value)
    assert "secret" not in message
    assert message.startswith("cannot open the run store at postgresql+psycopg://user:***@127.0.0.1:9/db: ")
    assert "check that the database server is running" in message


# -- a read-only home -----------------------------------------------------------------------------------------


def test_a_lock_error_inside_a_write_is_a_store_error_and_the_write_is_undone():
    """SQLite's "database is locked" met by a statement inside a write (not at its start, where it is
    retried) cannot be retried: the caller's block already ran. It is a StoreError, the write rolled back."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    store = get_store()
    record_a_run(store)
    with pytest.raises(StoreError, match="database is locked"), store._write() as conn:
        conn.exec_driver_sql("DELETE FROM runs")
        raise OperationalError("COMMIT", {}, sqlite3.OperationalError("database is locked"))
    assert [run.name for run in store.list_runs()] == ["kept"]


@pytest.fixture
def read_only_view(tmp_path, runlab_home):
    """The test's RUNLAB_HOME seen through a read-only bind mount (as root, permission bits stop no write);
    unmounted after the test. Its path holds characters that URLs and SQLite's file URIs must escape."""
    if os.geteuid() != 0:
        pytest.skip("a read-only bind mount needs root")
    view = tmp_path / "read-only home?x=1#2 100%"
    view.mkdir()
    done = subprocess.run(["mount", "--bind", str(runlab_home), str(view)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {done.stderr.strip()}")
    try:
        done = subprocess.run(["mount", "-o", "remount,ro,bind", str(view)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot make a bind mount read-only here: {done.stderr.strip()}")
        assert not os.access(view, os.W_OK)
        yield view
    finally:
        subprocess.run(["umount", str(view)], check=True)


READER = """
import json, runlab
db = runlab.get_run_db()
runs = db.list_runs(project="*")
run = db.read_run(runs[0].uid())
print(json.dumps({"names": sorted(r.metadata.name for r in runs), "results": run.status.results}))
"""


def read_in_a_fresh_process(home: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", READER], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": SRC, "RUNLAB_HOME": str(home)})


@pytest.mark.parametrize("writer", ["gone", "still has the store open"])
def test_a_read_only_home_can_be_read(read_only_view, runlab_home, writer):
    fn = runlab.new_function(kind="local", name="first")
    fn.run(handler=lambda context: context.log_result("score", 1))
    runlab.new_function(kind="local", name="second").run(handler=lambda context: context.log_result("score", 2))
    if writer == "gone":
        runlab.process.reset()  # its connections closed: the file holds everything, no -wal/-shm beside it
    else:
        assert get_store().count_runs() == 2  # an open connection keeps -wal and -shm beside the file
    before = sorted(os.listdir(runlab_home))

    done = read_in_a_fresh_process(read_only_view)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"names": ["first-lambda", "second-lambda"], "results": {"score": 2}}
    assert sorted(os.listdir(runlab_home)) == before  # nothing was written


def test_a_read_only_home_whose_store_needs_a_migration_says_so(read_only_view, runlab_home):
    from runlab.store.migrate import HEAD_REVISION

    store = get_store()
    record_a_run(store)
    with store.engine.connect() as conn:  # as a store written by an older runlab
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0003'")
    runlab.process.reset()

    done = read_in_a_fresh_process(read_only_view)
    assert done.returncode != 0
    assert (f"StoreError: the run store {read_only_view}/runlab.db is at schema revision 0003 and needs upgrading "
            f"to {HEAD_REVISION}, but its folder is read-only") in done.stderr
    import sqlite3

    with contextlib.closing(sqlite3.connect(runlab_home / "runlab.db")) as conn:  # nothing was lost
        assert conn.execute("SELECT count(*) FROM runs").fetchone() == (1,)


FILTERING_READER = """
import json, runlab
db = runlab.get_run_db()
runs = db.list_runs(project="*", filter="results.score >= 2 and labels.team == 'a'",
                    order_by=["results.score desc"])
print(json.dumps([r.metadata.name for r in runs]))
"""


def test_a_read_only_home_filters_by_values_from_the_runs_themselves(read_only_view, runlab_home):
    """The values index cannot be brought up to date without writing: a read-only store answers a filter on
    results and labels from the runs' JSON, the same runs in the same order, and writes nothing."""
    for i, team in enumerate(["a", "b", "a", "a"]):
        runlab.new_function(kind="local", name=f"r{i}").run(
            handler=lambda context, i=i, team=team: (context.log_result("score", i), context.set_label("team", team)))
    assert [r.metadata.name for r in runlab.get_run_db().list_runs(
        project="*", filter="results.score >= 2 and labels.team == 'a'", order_by=["results.score desc"])] == [
        "r3-lambda", "r2-lambda"]
    runlab.process.reset()
    before = sorted(os.listdir(runlab_home))

    done = subprocess.run([sys.executable, "-c", FILTERING_READER], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": SRC, "RUNLAB_HOME": str(read_only_view)})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["r3-lambda", "r2-lambda"]
    assert sorted(os.listdir(runlab_home)) == before


# -- a full disk while writing an artifact ------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB tmpfs mounted for the test (as root), unmounted after it."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs (a disk that fills up) needs root")
    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True,
                          text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def free_blocks(folder: Path) -> int:
    return os.statvfs(folder).f_bfree


@pytest.mark.parametrize("how", ["body", "dataset", "model", "local_path"])
def test_an_artifact_bigger_than_the_free_space_leaves_no_partial_file(small_disk, tmp_path, how):
    import pandas as pd

    free = free_blocks(small_disk)
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(3 << 20))

    def handler(context):
        if how == "body":
            context.log_artifact("big", body=b"x" * (3 << 20), artifact_path=str(small_disk))
        elif how == "dataset":
            context.log_dataset("big", pd.DataFrame({"a": range(300_000)}), artifact_path=str(small_disk))
        elif how == "model":
            context.log_model("big", body=bytes(3 << 20), artifact_path=str(small_disk))
        else:
            context.log_artifact("big", local_path=str(big), artifact_path=str(small_disk))

    with pytest.raises(runlab.RunError) as info:
        runlab.new_function(kind="local", name="filler").run(handler=handler)
    recorded = info.value.run.status.error
    assert recorded.startswith(f"ArtifactWriteError: artifact 'big' could not be written to {small_disk}/big")
    assert "No space left on device" in recorded
    assert isinstance(info.value.__cause__, runlab.errors.ArtifactWriteError)
    assert isinstance(info.value.__cause__, OSError)  # what a failed write raised before
    assert str(info.value.__cause__) in recorded
    assert [files for _, _, files in os.walk(small_disk)] == [[]]  # no partial file, no temporary one
    assert free_blocks(small_disk) == free  # the space is free again
    assert get_store().list_artifacts("default") == []  # and nothing recorded


HALFWAY = """
import os, resource, signal, sys
import runlab

source, folder = sys.argv[1:3]
context = runlab.get_or_create_ctx("halfway")
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write beyond the limit fails with EFBIG instead
resource.setrlimit(resource.RLIMIT_FSIZE, (512 << 10, 512 << 10))  # no file grows beyond 512 KB (a quota)
for key, how in (("body", {"body": b"x" * (2 << 20)}), ("copy", {"local_path": source})):
    try:
        context.log_artifact(key, artifact_path=folder, **how)
    except runlab.errors.ArtifactWriteError as exc:
        print(exc)
"""


def test_a_write_that_fails_halfway_leaves_no_partial_file(tmp_path):
    folder = tmp_path / "artifacts"
    source = tmp_path / "big.bin"
    with open(source, "wb") as out:  # made before the file size limit, which only the child has
        out.write(os.urandom(2 << 20))
    get_store()  # the store exists before the limit
    done = subprocess.run([sys.executable, "-c", HALFWAY, str(source), str(folder)], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": SRC})
    lines = done.stdout.splitlines()
    assert len(lines) == 2, done.stdout + done.stderr
    assert lines[0].startswith(f"artifact 'body' could not be written to {folder}/body: File too large")
    assert lines[1].startswith(f"artifact 'copy' could not be written to {folder}/copy.bin: File too large")
    assert os.listdir(folder) == []


# -- racing fork servers -----------------------------------------------------------------------------------

SUBMITTER = """
import os, sys, time
ready, gate, context = sys.argv[1:4]
import runlab
project = runlab.get_or_create_project("race", context=context)
open(ready, "w").close()
deadline = time.monotonic() + 60
while not os.path.exists(gate):  # every submitter is up: submit at once
    if time.monotonic() > deadline:
        sys.exit("the gate never opened")
    time.sleep(0.001)
print(project.run_function("work", watch=False).uid())
"""


@pytest.fixture
def stop_fork_servers(runlab_home):
    """Stops every fork server of the test's home, and waits until they are gone."""
    import signal

    yield
    for pid in fork_servers(runlab_home):
        os.kill(pid, signal.SIGTERM)
    wait_until(lambda: not fork_servers(runlab_home), what="every fork server has stopped")


# A loaded machine: the fork server takes longer to come up than a client waits for it (10 s), so the
# submitters behind the first find no socket yet.
SLOW_START = """
if b"runlab.runtimes.forkserver" in open("/proc/self/cmdline", "rb").read():
    import time
    time.sleep(11)
"""


@pytest.mark.slow
@pytest.mark.parametrize("start", ["quick", "slower than a client waits"])
def test_submitters_racing_on_a_fresh_home_start_exactly_one_fork_server(runlab_home, tmp_path, stop_fork_servers,
                                                                         start):
    path = SRC
    if start != "quick":
        (tmp_path / "slow").mkdir()
        (tmp_path / "slow" / "sitecustomize.py").write_text(SLOW_START)
        path = f"{tmp_path / 'slow'}:{SRC}"
    (tmp_path / "work.py").write_text("def work(context):\n    context.log_result('pid', __import__('os').getpid())\n")
    runlab.get_or_create_project("race", context=str(tmp_path)).set_function(
        "work.py", name="work", kind="job", handler="work")
    assert not fork_servers(runlab_home)
    gate = tmp_path / "gate"
    env = {**os.environ, "PYTHONPATH": path, "RUNLAB_HOME": str(runlab_home)}
    submitters = [subprocess.Popen([sys.executable, "-c", SUBMITTER, str(tmp_path / f"ready-{n}"), str(gate),
                                    str(tmp_path)], env=env, cwd=tmp_path, stdout=subprocess.PIPE, text=True)
                  for n in range(6)]
    try:
        wait_until(lambda: all((tmp_path / f"ready-{n}").exists() for n in range(6)), 120, "every submitter is up")
        gate.touch()
        uids = [proc.communicate(timeout=120)[0].strip() for proc in submitters]
    finally:
        for proc in submitters:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert all(proc.returncode == 0 for proc in submitters)
    store = get_store()
    wait_until(lambda: all(store.get_run_state(uid) == "completed" for uid in uids), 120, "every run completed")
    # a second server exits as soon as it finds the first one's lock; an orphan would stay for forkserver_idle
    wait_until(lambda: len(fork_servers(runlab_home)) == 1, 30, "exactly one fork server")
    assert len(fork_servers(runlab_home)) == 1
