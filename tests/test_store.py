"""The run store: migrations, many concurrent writers, cross-process reads, PostgreSQL."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import uuid

import pytest

import runlab
from runlab.store import get_store
from runlab.store.migrate import HEAD_REVISION, MIGRATIONS_DIR, current_revision


@pytest.mark.sqlite_only
def test_head_revision_matches_migration_scripts():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(cfg).get_current_head() == HEAD_REVISION


@pytest.mark.sqlite_only
def test_new_store_is_migrated_and_in_wal_mode(runlab_home):
    store = get_store()
    assert current_revision(store.engine) == HEAD_REVISION
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert (runlab_home / "runlab.db").exists()


def test_schema_matches_migrations(runlab_home):
    """The tables the migrations create are the tables schema.py describes (no drift)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from runlab.store.schema import metadata

    with get_store().engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def _writer(home: str, runs: int, worker: int, errors) -> None:  # runs in a child process
    os.environ["RUNLAB_HOME"] = home
    try:
        from runlab.config import reset_config

        reset_config()
        fn = runlab.new_function(name=f"w{worker}", kind="local")

        def handler(context, i):
            context.log_result("i", i)
            print("line", i)

        for i in range(runs):
            fn.run(handler=handler, params={"i": i}, project="load")
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        errors.put(f"worker {worker}: {type(exc).__name__}: {exc}")


WRITER_RUNS = 200  # per process: 1,600 runs from 8 processes contending for the store's write lock


@pytest.mark.slow
def test_eight_concurrent_writer_processes(runlab_home):
    runlab.get_or_create_project("load", context=str(runlab_home))
    ctx = multiprocessing.get_context("spawn")
    errors = ctx.Queue()
    workers = [ctx.Process(target=_writer, args=(str(runlab_home), WRITER_RUNS, w, errors)) for w in range(8)]
    for proc in workers:
        proc.start()
    for proc in workers:
        proc.join(timeout=600)
    seen = []
    while not errors.empty():
        seen.append(errors.get())
    assert seen == []
    assert all(p.exitcode == 0 for p in workers)
    runs = runlab.get_run_db().list_runs(project="load")
    assert len(runs) == 8 * WRITER_RUNS
    assert {r.state() for r in runs} == {"completed"}
    for worker in range(8):
        named = [r for r in runs if r.metadata.name == f"w{worker}-handler"]
        assert sorted(r.status.results["i"] for r in named) == list(range(WRITER_RUNS))
    text, _ = get_store().read_log(runs[0].uid())
    assert text == f"line {runs[0].status.results['i']}\n", "each run has its own log"


def test_second_process_sees_runs(runlab_home):
    run = runlab.new_function(kind="local").run(handler=lambda: print("hi") or 7)
    code = (
        f"import runlab; r = runlab.get_run({run.uid()!r}); print(r.state(), r.status.results['return']); "
        "r.logs(watch=False)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "RUNLAB_HOME": str(runlab_home)}, check=True).stdout
    assert out.splitlines() == ["completed 7", "hi"]


def test_log_is_read_from_any_offset(runlab_home):
    store = get_store()
    uid = uuid.uuid4().hex
    store.append_log(uid, 0, 0, "héllo ")
    store.append_log(uid, 0, len("héllo ".encode()), "world\n")
    assert store.read_log(uid) == ("héllo world\n", 13)
    assert store.read_log(uid, offset=7) == ("world\n", 13)
    assert store.read_log(uid, offset=3) == ("llo world\n", 13), "from inside a chunk"
    assert store.read_log(uid, offset=13) == ("", 13)


def test_delete_run_removes_log_and_artifact_records(project):
    run = project.run_function("trainer", inputs={"data": "data.csv"}, local=True)
    removed = get_store().delete_run(run.uid())
    assert [r["key"] for r in removed] == ["summary"]
    with pytest.raises(runlab.RunNotFoundError):
        run.refresh()
    assert get_store().read_log(run.uid()) == ("", 0)


def test_store_backend_is_the_one_configured(store_backend):
    assert get_store().engine.dialect.name == store_backend


def _full_record():
    from runlab.record import Owner, RunState, new_run

    record = new_run("p", "run-é", "local", RunState.RUNNING, {"team": "ä"},
                     {"parameters": {"x": [1, 2.5, None, {"deep": "✓"}]}, "inputs": {}}, runtime="local", pid=7)
    record.owner = Owner(runtime="local", pid_started=123)
    return record


def test_a_run_reads_back_as_written_and_updated(runlab_home):
    """Every column of a run, and its log, read back as written: start, update with a log chunk, end."""
    from runlab.record import RunState

    store, record = get_store(), _full_record()
    store.create_run(record)
    assert store.get_run(record.uid).to_row() == record.to_row()
    store.update_run(record.uid, 0, {"results": {"r": 1.5, "s": "ü"}, "last_update": 5.0}, log=(0, "héllo\n"))
    store.update_run(record.uid, 0, {"state": RunState.COMPLETED, "end_time": 6.0, "error": None,
                                     "status": {"traceback": None, "n": [1]}}, log=(7, "done\n"))
    run = store.get_run(record.uid)
    assert (run.state, run.results, run.status, run.error, run.end_time, run.last_update) == (
        RunState.COMPLETED, {"r": 1.5, "s": "ü"}, {"traceback": None, "n": [1]}, None, 6.0, 5.0)
    assert (run.labels, run.spec, run.owner, run.pid) == (record.labels, record.spec, record.owner, 7)
    assert store.get_run_state(record.uid) == RunState.COMPLETED and store.get_run_state("nope") is None
    assert store.read_log(record.uid) == ("héllo\ndone\n", 12)


def test_a_run_written_twice_is_a_store_error_and_the_first_is_kept(runlab_home):
    from runlab.errors import StoreError

    store, record = get_store(), _full_record()
    store.create_run(record)
    with pytest.raises(StoreError):
        store.create_run(record)
    assert store.get_run(record.uid).to_row() == record.to_row()
    store.update_run(record.uid, 0, {"results": {"after": 1}})  # the store is still usable
    assert store.get_run(record.uid).results == {"after": 1}


def test_a_record_writes_every_column_of_runs():
    from runlab.store import schema

    assert set(_full_record().to_row()) == {column.name for column in schema.runs.columns}


@pytest.mark.sqlite_only
def test_the_store_writes_after_close_and_in_a_forked_child(runlab_home):
    """Closing a store or forking the process leaves no connection that cannot be used (or is shared)."""
    store = get_store()
    first = _full_record()
    store.create_run(first)
    store.close()
    second = _full_record()
    store.create_run(second)  # connections are opened again
    pid = os.fork()
    if pid == 0:  # the child writes through connections of its own
        code = 1
        try:
            third = _full_record()
            third.name = "from-the-child"
            store.create_run(third)
            store.update_run(first.uid, 0, {"results": {"child": 1}})
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    store.update_run(second.uid, 0, {"results": {"parent": 1}})  # the parent's connections still work
    assert store.get_run(first.uid).results == {"child": 1}
    assert store.get_run(second.uid).results == {"parent": 1}
    assert [r.name for r in store.list_runs(name="from-the-child")] == ["from-the-child"]


def test_the_state_index_is_asked_about_the_states_runs_can_be_in():
    """The live runs' query names every state not yet ended, and a project's updates are read one state at a
    time through every state there is: a state missing from either list would hide its runs (from the reaper,
    the change stamp, the ended runs, the values index)."""
    from runlab.record import LIVE_STATES, RunState
    from runlab.store.schema import LIVE_STATE_SQL, RUN_STATES

    spelled = LIVE_STATE_SQL.partition("IN (")[2].rstrip(")").replace("'", "").split(", ")
    assert sorted(spelled) == sorted(state.value for state in LIVE_STATES)
    assert sorted(RUN_STATES) == sorted(state.value for state in RunState)


def test_live_run_owners_are_a_hosts_live_runs_oldest_first():
    """What the job queue reads on each submit: the live runs of one host, oldest first, with their process
    and owner, and nothing of another host's or of an ended run."""
    from runlab.record import Owner, RunState, new_run

    store = get_store()
    made = []
    for i, (state, host) in enumerate([(RunState.RUNNING, "here"), (RunState.COMPLETED, "here"),
                                       (RunState.PENDING, "there"), (RunState.PENDING, "here")]):
        record = new_run("p", "train", "job", state, {}, {}, runtime="job", pid=100 + i if i == 0 else None)
        record.host, record.start_time = host, 1000.0 - i  # started in the reverse of the order made
        store.create_run(record)
        made.append(record)
    found = store.live_run_owners("here")
    assert [(r.uid, r.iteration, r.state, r.pid) for r in found] == [
        (made[3].uid, 0, "pending", None), (made[0].uid, 0, "running", 100)]
    assert found[0].owner == Owner(runtime="job")
    assert store.live_run_owners("elsewhere") == []


def test_a_function_saved_unchanged_is_not_written_again():
    """Setting the same function again (each "Run as job" of a file does) leaves its row as it was; a change
    is written, and its ``updated`` says when."""
    store = get_store()
    store.save_function("p", "trainer", "job", {"filename": "/w/trainer.py", "handler": "train"})
    first = store.get_function("p", "trainer")
    store.save_function("p", "trainer", "job", {"filename": "/w/trainer.py", "handler": "train"})
    assert store.get_function("p", "trainer") == first
    store.save_function("p", "trainer", "job", {"filename": "/w/trainer.py", "handler": "evaluate"})
    changed = store.get_function("p", "trainer")
    assert changed["spec"]["handler"] == "evaluate" and changed["updated"] >= first["updated"]
    store.save_function("p", "trainer", "dask", {"filename": "/w/trainer.py", "handler": "evaluate"})
    assert store.get_function("p", "trainer")["kind"] == "dask"


@pytest.mark.sqlite_only
def test_live_runs_and_listings_are_answered_from_indexes(runlab_home):
    """Orphan checks read only the live states' ranges of the state index; a project's newest update is a step
    down it per state; a listing without sweep children neither reads the rows of children nor sorts, and one
    filtered by a common state walks its order's index instead of sorting every run of that state (the query
    plans SQLite picks)."""
    from sqlalchemy.dialects import sqlite

    from runlab.store import updates
    from runlab.store.schema import LIVE_STATE_SQL
    from runlab.store.sqlitehot import _LIVE_OWNERS

    store = get_store()
    store.list_runs(project="p")  # opens the schema
    with store.engine.connect() as conn:
        def plan(sql: str, parameters=()) -> str:
            return " | ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", parameters))

        def statement_plan(statement, **values) -> str:
            literal = statement.params(**values).compile(dialect=sqlite.dialect(),
                                                         compile_kwargs={"literal_binds": True})
            return plan(str(literal))

        orphan_check = plan(f"SELECT uid FROM runs WHERE {LIVE_STATE_SQL} ORDER BY start_time")
        assert "ix_runs_state_update (state=?)" in orphan_check
        assert "ix_runs_state_update (state=?)" in plan(_LIVE_OWNERS.replace("?", "'here'"))  # the job queue's
        newest = statement_plan(updates.PROJECT_NEWEST, project="p")
        assert newest.count("SEARCH runs USING COVERING INDEX ix_runs_state_update (state=? AND project=?)") == 7
        assert "SCAN runs" not in newest
        everywhere = statement_plan(updates.NEWEST)
        assert "SCAN runs" not in everywhere and "ix_runs_state_update (state=? AND project=?)" in everywhere
        listing = plan("SELECT uid FROM runs WHERE project = 'p' AND iteration = 0 ORDER BY start_time DESC LIMIT 50")
        assert "ix_runs_project_start" in listing and "TEMP B-TREE" not in listing
        by_name = plan("SELECT uid FROM runs WHERE project = 'p' AND name = 'n' AND iteration = 0 "
                       "ORDER BY start_time DESC LIMIT 50")
        assert "ix_runs_project_name_start" in by_name and "TEMP B-TREE" not in by_name

    from sqlalchemy import event

    executed = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        executed.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", keep)
    try:
        store.list_runs(state="completed", last=50)
        store.list_runs(project="p", state=["completed", "error"], last=50)
        store.list_runs(state="running", last=50)
    finally:
        event.remove(store.engine, "before_cursor_execute", keep)
    with store.engine.connect() as conn:
        common, in_project, live = (plan(*query) for query in executed[-3:])
    assert "ix_runs_start" in common and "TEMP B-TREE" not in common
    assert "ix_runs_project_start" in in_project and "TEMP B-TREE" not in in_project
    assert "ix_runs_state_update (state=?)" in live  # the live runs are few: found, then sorted


def test_a_store_upgraded_to_lighter_indexes_keeps_its_runs_live_and_listed():
    """A store at revision 0005 with finished, live and sweep runs, upgraded: the live ones are still found
    (through the state index), listings and counts are as before, and a new run is counted in its job (by
    the trigger the upgrade adds)."""
    from oldstores import store_at_revision
    from runlab.record import RunState, new_run

    rows = []
    for i, state in enumerate([RunState.COMPLETED, RunState.RUNNING, RunState.ERROR, RunState.PENDING]):
        record = new_run("p", "train", "job", state, {}, {})
        record.start_time = record.last_update = float(i)
        rows.append(record.to_row())
    child = record.child(1, {"x": 1}, state=RunState.ABORTING)
    rows.append(child.to_row())
    store_at_revision("0005", rows)
    store = get_store()  # opening the store upgrades it to the newest revision
    assert current_revision(store.engine) == HEAD_REVISION
    assert sorted((r.start_time, r.iteration, r.state.value) for r in store.live_runs()) == [
        (1.0, 0, "running"), (3.0, 0, "pending"), (child.start_time, 1, "aborting")]
    assert [r.uid for r in store.list_runs(project="p")] == [rows[i]["uid"] for i in (3, 2, 1, 0)]
    store.update_run(rows[1]["uid"], 0, {"state": RunState.COMPLETED})
    assert [r.state.value for r in store.live_runs()] == ["pending", "aborting"]
    counted = store.count_runs("p")  # the rows above were written straight into runs, uncounted
    later = new_run("p", "train", "job", RunState.RUNNING, {}, {})
    store.create_run(later)
    assert store.count_runs("p") == counted + 1 and store.list_jobs("p")[0]["uid"] == later.uid


@pytest.mark.sqlite_only
def test_run_columns_hold_the_json_text_sqlalchemy_writes(runlab_home):
    """A run written by the fast path reads back the same through SQLAlchemy, and its JSON columns are the
    text ``json.dumps`` gives (non-ASCII escaped, NaN kept as the results' "nan" string)."""
    import json
    import sqlite3

    fn = runlab.new_function(name="text", kind="local")

    def handler(context):
        context.log_result("word", "é\n\"q\"")
        context.log_result("nested", {"a": [1, 2.5, None, True]})
        context.log_result("nan", float("nan"))

    run = fn.run(handler=handler, labels={"tag": "ü"})
    conn = sqlite3.connect(str(runlab_home / "runlab.db"))
    try:
        results, labels = conn.execute("SELECT results, labels FROM runs WHERE uid = ?", (run.uid(),)).fetchone()
    finally:
        conn.close()
    expected = {"word": "é\n\"q\"", "nested": {"a": [1, 2.5, None, True]}, "nan": "nan"}
    assert results == json.dumps(expected)
    assert json.loads(labels)["tag"] == "ü" and "\\u00fc" in labels
    assert get_store().get_run(run.uid()).results == expected


@pytest.mark.sqlite_only
@pytest.mark.parametrize("folder", ["runs?x=1", "a#b", "100% done", "%3F"])
def test_a_home_whose_path_holds_url_characters_keeps_its_store_in_it(tmp_path, monkeypatch, folder):
    """The store of a home named with ``?``, ``#`` or ``%`` is that home's ``runlab.db``, not a file
    elsewhere that the URL's query or fragment cut short."""
    from runlab import process

    home = tmp_path / folder
    monkeypatch.setenv("RUNLAB_HOME", str(home))
    monkeypatch.chdir(tmp_path)
    process.reset()
    runlab.new_function(name="here", kind="local").run(handler=lambda context: context.log_result("x", 1))
    assert (home / "runlab.db").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder]  # nothing landed beside the home
    process.reset()
    assert [run.results for run in get_store().list_runs()] == [{"x": 1}]


@pytest.mark.sqlite_only
def test_the_wal_is_checkpointed_in_the_background_and_stays_small(runlab_home, tmp_path, monkeypatch):
    """Many quick runs in one process: the checkpoint thread keeps the WAL from growing without bound (each
    run adds about ten 4 KB pages to it), and the thread ends once it has copied the WAL. The home's path
    holds characters a database URI must encode."""
    import threading

    from runlab import process
    from waiting import wait_until

    runlab_home = tmp_path / "my runs #1"
    monkeypatch.setenv("RUNLAB_HOME", str(runlab_home))
    process.reset()  # the settings and stores follow the new home
    fn = runlab.new_function(name="quick", kind="local")
    for i in range(1500):
        fn.run(handler=lambda context, i: context.log_result("i", i), params={"i": i})
    wal = runlab_home / "runlab.db-wal"
    assert wal.stat().st_size < 16 * 2**20  # without checkpoints: about 60 MB
    wait_until(lambda: not any(t.name == "runlab-wal-checkpoint" for t in threading.enumerate()), 30,
               "the checkpoint thread has ended")
    assert get_store().count_runs() == 1500


@pytest.mark.sqlite_only
def test_a_checkpoint_asked_for_while_one_runs_follows_it(runlab_home, monkeypatch):
    """On a loaded machine a checkpoint can take longer than the next 200 writes: the one asked for meanwhile
    runs when it ends (in the same thread), instead of being dropped while the WAL grows."""
    import threading

    from runlab.store import sqlitehot
    from waiting import wait_until

    calls, release = [], threading.Event()

    def slow_checkpoint(self):
        calls.append(threading.current_thread().name)
        release.wait(30)

    monkeypatch.setattr(sqlitehot.SqliteHotPath, "_checkpoint", slow_checkpoint)
    fn = runlab.new_function(name="quick", kind="local")
    for _ in range(sqlitehot.CHECKPOINT_EVERY // 2 * 3):  # two writes a run: a checkpoint, then another asked
        fn.run(handler=lambda context: None)
    assert calls == ["runlab-wal-checkpoint"]  # the first is still copying
    release.set()
    wait_until(lambda: not any(t.name == "runlab-wal-checkpoint" for t in threading.enumerate()), 30,
               "the checkpoint thread has ended")
    assert calls == ["runlab-wal-checkpoint"] * 2
    fn.run(handler=lambda context: None)  # writes go on; the next checkpoint starts a thread of its own
    assert get_store().count_runs() == sqlitehot.CHECKPOINT_EVERY // 2 * 3 + 1


def _artifact(record, key: str, target: str, iteration: int = 0) -> dict:
    return {"project": record.project, "key": key, "tag": None, "kind": "file", "target": target, "size": 3,
            "hash": None, "run_uid": record.uid, "iteration": iteration, "producer": record.name,
            "meta": {"m": [1, "é"]}, "labels": {"l": "ü"}, "created": 1.0}


def test_a_conditional_update_changes_the_run_only_in_the_given_states(runlab_home):
    """``update_run_if`` writes every column (JSON ones, a state, an owner) only while the run is in one of
    the states named, and says whether it did; the log chunks given with it are appended either way."""
    from runlab.record import Owner, RunState

    store, record = get_store(), _full_record()
    store.create_run(record)
    end = {"state": RunState.COMPLETED, "results": {"r": [1, {"s": "ü"}]}, "status": {"n": None},
           "end_time": 9.5, "error": None, "owner": Owner(runtime="dask", dask_key="k")}
    assert not store.update_run_if(record.uid, 0, end, (RunState.PENDING, RunState.ABORTING), logs=[(0, "héllo\n")])
    assert not store.update_run_if(record.uid, 0, end, ())
    assert not store.update_run_if("no-such-run", 0, end, (RunState.RUNNING,))
    assert store.get_run(record.uid).to_row() == record.to_row()
    assert store.update_run_if(record.uid, 0, end, (RunState.PENDING, RunState.RUNNING), logs=[(7, "bye\n"), (11, "")])
    assert store.read_log(record.uid) == ("héllo\nbye\n", 11)
    run = store.get_run(record.uid)
    assert (run.state, run.results, run.status, run.end_time, run.error, run.owner) == (
        RunState.COMPLETED, {"r": [1, {"s": "ü"}]}, {"n": None}, 9.5, None, Owner(runtime="dask", dask_key="k"))
    assert not store.update_run_if(record.uid, 0, {"state": RunState.ERROR}, (RunState.RUNNING,))
    assert store.get_run_state(record.uid) == RunState.COMPLETED


def test_artifact_targets_under_a_folder_are_those_in_it(runlab_home, tmp_path):
    """The targets recorded below a folder (with or without its trailing slash): not a sibling folder whose
    name starts the same, not the folder's own name as a file."""
    store, record = get_store(), _full_record()
    store.create_run(record)
    base = f"{tmp_path}/art"
    for key, target in [("a", f"{base}/run/0/a.txt"), ("b", f"{base}/run/1/b.csv"), ("c", f"{base}2/c.txt"),
                        ("d", base), ("e", f"{tmp_path}/other/e.txt")]:
        store.add_artifact(_artifact(record, key, target))
    expected = [f"{base}/run/0/a.txt", f"{base}/run/1/b.csv"]
    assert sorted(store.artifact_targets_under(base)) == expected
    assert sorted(store.artifact_targets_under(base + "/")) == expected
    assert store.artifact_targets_under(f"{tmp_path}/none") == []


@pytest.mark.sqlite_only
def test_a_run_reads_back_the_same_as_through_sqlalchemy(runlab_home):
    """A run and its artifacts (the newest version of each key, in logging order, this iteration's only) read
    the same from the store as from a second store on the same file that reads through SQLAlchemy alone."""
    from runlab.store.runstore import RunStore

    store, record = get_store(), _full_record()
    store.create_run(record)
    store.update_run(record.uid, 0, {"results": {"r": 1.5}, "status": {"s": [None]}, "end_time": 3.0})
    for key, target, iteration in [("a", "/x/a1", 0), ("b", "/x/b", 0), ("a", "/x/a2", 0), ("c", "/x/c", 1)]:
        store.add_artifact(_artifact(record, key, target, iteration))
    plain = RunStore(f"sqlite:///file:{runlab_home}/runlab.db?uri=true")  # a URL query: no sqlite3 hot path
    try:
        ours, theirs = store.get_run(record.uid), plain.get_run(record.uid)
        assert ours.to_row() == theirs.to_row()
        assert ours.artifacts == theirs.artifacts
        assert [(a["key"], a["target"], a["meta"]) for a in ours.artifacts] == [
            ("b", "/x/b", {"m": [1, "é"]}), ("a", "/x/a2", {"m": [1, "é"]})]
        assert store.get_run("no-such-run") is None and plain.get_run("no-such-run") is None
    finally:
        plain.close()


def test_notes_are_stored_on_the_run_and_move_its_last_update(runlab_home):
    from runlab.record import RunState, new_run

    store = get_store()
    record = new_run("p", "train", "job", RunState.COMPLETED, {}, {})
    store.create_run(record)
    before = store.get_run(record.uid).last_update
    assert store.get_run(record.uid).notes == ""
    assert store.set_notes(record.uid, "é — notes\n" * 100) is True
    stored = store.get_run(record.uid)
    assert stored.notes == "é — notes\n" * 100 and stored.last_update > before
    assert store.list_runs(project="p")[0].notes == stored.notes
    assert store.set_notes(record.uid, "") is True and store.get_run(record.uid).notes == ""
    assert store.set_notes("0" * 32, "x") is False


def test_delete_runs_deletes_the_ended_ones_in_one_go_and_keeps_the_jobs_right(runlab_home):
    from runlab.record import RunState, new_run

    store = get_store()
    records = []
    for i, state in enumerate([RunState.COMPLETED, RunState.ERROR, RunState.RUNNING, RunState.COMPLETED]):
        record = new_run("p", "train", "job", state, {}, {"output_path": f"/tmp/out{i}"})
        record.start_time = float(i)
        store.create_run(record)
        store.append_log(record.uid, 0, 0, "log\n")
        records.append(record)
    other = new_run("p", "eval", "job", RunState.COMPLETED, {}, {})
    store.create_run(other)
    uids = [records[3].uid, records[2].uid, records[0].uid, other.uid, "f" * 32]
    deleted, kept, artifacts = store.delete_runs(uids)
    assert deleted == [records[3].uid, records[0].uid, other.uid]
    assert kept == {records[2].uid: "running", "f" * 32: None}
    assert artifacts == []
    assert [r.uid for r in store.list_runs(project="p")] == [records[2].uid, records[1].uid]
    assert store.read_log(records[0].uid) == ("", 0) and store.read_log(records[1].uid) == ("log\n", 4)
    [job] = store.list_jobs("p")  # eval is gone with its only run; train's latest is the newest left
    assert (job["name"], job["runs"], job["uid"]) == ("train", 2, records[2].uid)
    assert store.count_runs("p") == 2


def test_a_store_upgraded_to_environments_keeps_its_runs_and_stores_each_environment_once():
    """A store at revision 0008 (before the environments table), upgraded: its runs read back as before, and an
    environment saved twice (two processes racing, say) is one row."""
    from oldstores import store_at_revision
    from runlab.record import RunState, new_run

    record = new_run("p", "train", "job", RunState.COMPLETED, {}, {"parameters": {"x": 1}})
    store_at_revision("0008", [record.to_row()])
    store = get_store()
    assert current_revision(store.engine) == HEAD_REVISION
    assert store.get_run(record.uid).spec == {"parameters": {"x": 1}}
    document = {"python": "3.11.4", "implementation": "CPython", "platform": "Linux-x86_64",
                "packages": ["numpy==2.0.0", "pandas==2.2.2"]}
    store.save_environment("e" * 64, document)
    store.save_environment("e" * 64, {**document, "packages": []})  # the first one stays
    saved = store.get_environment("e" * 64)
    assert {k: saved[k] for k in document} == document
    assert store.get_environment("f" * 64) is None
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM environments").scalar() == 1
