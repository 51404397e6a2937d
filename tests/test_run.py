"""RunObject and RunList: views, serialisation, waiting, listing, display."""

from __future__ import annotations

import json

import pytest
import yaml

import runlab


def _run(project, **kwargs):
    return project.run_function("trainer", inputs={"data": "data.csv"}, local=True, **kwargs)


def test_dict_yaml_json_round_trip(project):
    run = _run(project, params={"p1": 2})
    data = run.to_dict()
    assert set(data) == {"kind", "metadata", "spec", "status"}
    assert data["metadata"]["uid"] == run.uid()
    assert data["status"]["state"] == "completed"
    assert data["status"]["start_time"] <= data["status"]["end_time"]
    assert yaml.safe_load(run.to_yaml()) == data
    assert json.loads(run.to_json()) == data
    copy = runlab.RunObject.from_dict(data)
    assert copy.to_dict() == data
    assert copy.status.results == run.status.results
    assert copy.metadata.labels.kind == "local"  # local=True: the kind the run ran as


def test_output_and_state_and_repr(project):
    run = _run(project)
    assert run.output("accuracy") == 0.6
    assert run.output("nope") is None
    assert "state=completed" in repr(run)
    assert run.wait_for_completion(timeout=1) is run


def test_abort_of_a_finished_run_is_a_no_op_that_says_so(project, capsys):
    run = _run(project)
    assert run.abort() == "completed"
    assert "already ended (completed); nothing to abort" in capsys.readouterr().err


def test_wait_for_completion_times_out_on_a_running_run(project):
    from runlab.store import get_store

    run = _run(project)
    get_store().update_run(run.uid(), 0, {"state": "running"})
    with pytest.raises(runlab.RunTimeoutError, match="still running"):
        runlab.get_run(run.uid()).wait_for_completion(timeout=0.3, poll=0.05)


def test_list_runs_filters_and_order(project):
    first = _run(project, labels={"team": "a"})
    second = _run(project, labels={"team": "b"}, name="other")
    with pytest.raises(runlab.RunError):
        project.run_function("trainer", handler="fail", local=True)
    runs = project.list_runs()
    assert [r.metadata.name for r in runs] == ["trainer-fail", "other", "trainer-train"]
    assert [r.uid() for r in project.list_runs(name="other")] == [second.uid()]
    assert [r.uid() for r in project.list_runs(labels={"team": "a"})] == [first.uid()]
    assert [r.uid() for r in project.list_runs(labels=["team=b"])] == [second.uid()]
    assert len(project.list_runs(labels="team")) == 2
    assert [r.state() for r in project.list_runs(state="error")] == ["error"]
    assert len(project.list_runs(last=2)) == 2
    assert len(runlab.get_run_db().list_runs(project="demo")) == 3
    assert len(runlab.get_run_db().list_runs(project="elsewhere")) == 0


def test_to_df_has_mlrun_columns(project):
    run = _run(project)
    df = project.list_runs().to_df()
    assert list(df.columns) == ["project", "uid", "iter", "start", "state", "kind", "name", "labels", "inputs",
                                "parameters", "results", "artifacts", "error"]
    row = df.iloc[0]
    assert row["state"] == "completed" and row["kind"] == "local" and row["results"]["rows"] == 3
    assert row["artifacts"] == [f"store://artifacts/demo/summary@{run.uid()}"]


def test_html_table_escapes_user_strings(project):
    evil = "<img src=x onerror=alert(1)>"
    run = _run(project, params={"p1": 1}, labels={"note": evil})
    html = run._repr_html_()
    assert evil not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "completed" in html


def test_show_prints_text_outside_ipython(project, capsys):
    _run(project)
    project.list_runs().show()
    out = capsys.readouterr().out
    assert "trainer-train" in out and "completed" in out


def test_get_run_by_prefix_and_errors(project):
    run = _run(project)
    assert runlab.get_run(run.uid()[:8]).uid() == run.uid()
    with pytest.raises(runlab.RunNotFoundError, match="matches no run"):
        runlab.get_run("ffffffffff")
    with pytest.raises(runlab.RunNotFoundError, match="at least 6"):
        runlab.get_run("ab")


@pytest.mark.slow
def test_logs_watch_follows_a_run_of_another_process(write_file, runlab_home, tmp_path, capsys):
    import os
    import subprocess
    import sys
    import time

    write_file("slow.py", """
        import time

        def slow(context):
            for i in range(6):
                print("step", i, flush=True)
                time.sleep(0.5)
    """)
    proc = subprocess.Popen([sys.executable, "-m", "runlab.cli", "run", "slow.py", "--handler", "slow"],
                            cwd=tmp_path, env={**os.environ, "RUNLAB_HOME": str(runlab_home)},
                            stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not (runs := runlab.get_run_db().list_runs(name="slow")):
            assert time.monotonic() < deadline, "the run never appeared"
            time.sleep(0.05)
        run = runs[0]
        assert run.state() == "running"
        run.logs(watch=True, poll=0.1)
        assert capsys.readouterr().out == "".join(f"step {i}\n" for i in range(6))
        assert run.state() == "completed"
    finally:
        proc.wait(timeout=30)


def test_notes_are_kept_with_the_run_read_back_and_cleared(project):
    from runlab.errors import ValidationError

    run = _run(project)
    assert run.notes == "" and run.to_dict()["metadata"]["notes"] == ""
    run.set_notes("baseline\nlr 0.1 — the one to beat")
    assert run.notes == "baseline\nlr 0.1 — the one to beat"
    again = runlab.get_run(run.uid())
    assert again.notes == "baseline\nlr 0.1 — the one to beat"
    assert again.metadata.notes == again.notes
    assert project.list_runs()[0].notes == again.notes  # a listed run has them too
    with pytest.raises(ValidationError, match="at most 10,000 characters"):
        run.set_notes("x" * 10_001)
    with pytest.raises(ValidationError, match="must be text"):
        run.set_notes(None)
    assert runlab.get_run(run.uid()).notes == again.notes, "a refused text changes nothing"
    listed = project.list_runs()[0]
    listed.set_notes("from a listing")
    assert listed.notes == "from a listing"
    run.set_notes("")
    assert runlab.get_run(run.uid()).notes == ""
