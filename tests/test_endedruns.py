"""Runs that ended since a time (the store's side of JupyterLab's end-of-run notifications), and the kernel id
a run records: answered from an existing index, top-level runs only, no kernel outside a kernel."""

from __future__ import annotations

import sys

import pytest

from runlab.kernelid import kernel_id
from runlab.record import RunState, new_run
from runlab.store import get_store


def _run(store, name: str, state: RunState, start: float, end: float | None, children: list[RunState] = (),
         project: str = "p"):
    record = new_run(project, name, "job", state, {}, {})
    record.start_time, record.end_time, record.last_update = start, end, end or start
    store.create_run(record)
    for i, child_state in enumerate(children, 1):
        child = record.child(i, {"x": i}, state=child_state)
        child.end_time = child.last_update = end
        store.create_run(child)
    return record


def test_ended_since_lists_top_level_runs_that_ended_after_the_time(runlab_home):
    store = get_store()
    old = _run(store, "old", RunState.COMPLETED, 10.0, 20.0)
    done = _run(store, "done", RunState.COMPLETED, 100.0, 130.0)
    live = _run(store, "live", RunState.RUNNING, 100.0, None)
    sweep = _run(store, "sweep", RunState.COMPLETED, 100.0, 140.0,
                 [RunState.COMPLETED, RunState.ERROR, RunState.COMPLETED])
    found = store.ended_since(50.0)
    assert [row["uid"] for row in found] == [done.uid, sweep.uid]  # no child, nothing live, nothing older
    assert {old.uid, live.uid}.isdisjoint(row["uid"] for row in found)
    assert store.child_states([sweep.uid, done.uid]) == {sweep.uid: {"completed": 2, "error": 1}}
    assert store.child_states([]) == {}
    assert store.ended_since(140.0) == []



def test_ended_since_merges_the_end_states_oldest_update_first_and_cuts_each_project_at_scan(runlab_home):
    """Each end state is its own range of the index: the runs of a project come back merged in update order,
    the first ``scan`` of them, on the fast path and through SQLAlchemy alike."""
    from runlab.store import endedruns

    store = get_store()
    ends = [(RunState.ERROR, 101.0), (RunState.COMPLETED, 102.0), (RunState.ABORTED, 103.0),
            (RunState.COMPLETED, 104.0), (RunState.ERROR, 105.0)]
    made = [_run(store, f"r{i}", state, 90.0, end) for i, (state, end) in enumerate(ends)]
    other = _run(store, "elsewhere", RunState.ERROR, 90.0, 100.5, project="q")
    expected = [run.uid for run in made[:3]]
    with store.engine.connect() as conn:
        by_sqlalchemy = [row["uid"] for row in endedruns.ended_since(conn, 50.0, 3) if row["project"] == "p"]
    by_store = [row["uid"] for row in store.ended_since(50.0, scan=3) if row["project"] == "p"]
    assert by_store == by_sqlalchemy == expected
    assert [row["uid"] for row in store.ended_since(50.0, scan=3) if row["project"] == "q"] == [other.uid]
    assert [row["uid"] for row in store.ended_since(102.5)] == [run.uid for run in made[2:]]

@pytest.mark.sqlite_only
def test_ended_since_reads_the_state_index(runlab_home):
    """No index of its own (each costs every run's writes): a range of (state, project, last_update) per end
    state, no sort, in both the SQLite fast path's query and the SQLAlchemy one (PostgreSQL's), which find
    the same runs."""
    from sqlalchemy import event

    from runlab.store import endedruns, sqlitehot

    store = get_store()
    _run(store, "done", RunState.COMPLETED, 100.0, 130.0)
    _run(store, "other", RunState.ERROR, 100.0, 140.0, project="q")
    executed = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "end_time >" in statement:
            executed.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", capture)
    try:
        with store.engine.connect() as conn:
            by_sqlalchemy = endedruns.ended_since(conn, 50.0, 1000)
    finally:
        event.remove(store.engine, "before_cursor_execute", capture)
    assert len(executed) == 6  # a query per project and end state
    with store.engine.connect() as conn:
        for statement, parameters in [(sqlitehot._ENDED, ("error", "p", 50.0, 50.0, 1000)), executed[0]]:
            plan = " | ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}",
                                                                      parameters))
            assert "ix_runs_state_update (state=? AND project=? AND last_update>?)" in plan, statement
            assert "TEMP B-TREE" not in plan, statement
    by_fast_path = store.ended_since(50.0)
    assert sorted(r["uid"] for r in by_fast_path) == sorted(r["uid"] for r in by_sqlalchemy)
    assert {r["name"] for r in by_fast_path} == {"done", "other"}
    assert [r["results"] for r in by_fast_path] == [{}, {}], "JSON columns decoded"


def test_no_kernel_id_outside_a_kernel():
    """A process that imported ipykernel without being a kernel (a Jupyter server) records no kernel."""
    import ipykernel.kernelapp  # noqa: F401 - imported, as a server may, but not initialized

    assert "ipykernel.kernelapp" in sys.modules
    assert kernel_id() is None
    assert new_run("p", "n", "job", RunState.PENDING, {}, {}).owner.kernel is None


def test_the_kernel_id_comes_from_a_kernel_app_and_never_from_another_jupyter_app():
    """Inside a kernel the id is its connection file's; in a process whose singleton app is another Jupyter
    app (a Jupyter server running in-process, as in tests), it is None rather than an error."""
    from ipykernel.kernelapp import IPKernelApp
    from traitlets.config import Application

    class OtherApp(Application):
        pass

    try:
        OtherApp.instance()
        assert kernel_id() is None
    finally:
        OtherApp.clear_instance()
    try:
        IPKernelApp.instance(connection_file="/run/jupyter/kernel-3f2a9c1e-77b0-4c1e-9d1a-0123456789ab.json")
        assert kernel_id() == "3f2a9c1e-77b0-4c1e-9d1a-0123456789ab"
    finally:
        IPKernelApp.clear_instance()
    assert kernel_id() is None
