"""Runs that ended since a time (the store's side of JupyterLab's end-of-run notifications), and the kernel id
a run records: answered from an existing index, top-level runs only, no kernel outside a kernel."""

from __future__ import annotations

import sys

import pytest

from runlab.kernelid import kernel_id
from runlab.record import RunState, new_run
from runlab.store import get_store


def _run(store, name: str, state: RunState, start: float, end: float | None, children: list[RunState] = ()):
    record = new_run("p", name, "job", state, {}, {})
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
    assert store.child_states(sweep.uid) == {"completed": 2, "error": 1}
    assert store.child_states(done.uid) == {}
    assert store.ended_since(140.0) == []


@pytest.mark.sqlite_only
def test_ended_since_reads_the_project_update_index(runlab_home):
    """No index of its own (each costs every run's writes): a range of (project, last_update), no sort."""
    from sqlalchemy import event

    store = get_store()
    _run(store, "done", RunState.COMPLETED, 100.0, 130.0)
    seen = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "end_time >" in statement:
            seen.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", capture)
    try:
        store.ended_since(50.0)
    finally:
        event.remove(store.engine, "before_cursor_execute", capture)
    (statement, parameters), = seen  # one project: one query
    with store.engine.connect() as conn:
        plan = " | ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
    assert "ix_runs_project_update" in plan and "TEMP B-TREE" not in plan


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
