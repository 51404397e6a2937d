"""The shapes MLRun code reads of runs, the run DB and sweeps, beside runlab's own: the run as a read-only
mapping, artifact dicts with both key sets, the iteration table, logs/wait return values, RunDB calls and
schedule fields. (The MLRun cases themselves are in tests/compat/.)"""

from __future__ import annotations

import time

import pytest

import runlab
from runlab.errors import RunNotFoundError, ValidationError
from runlab.record import iteration_table
from runlab.store import get_store


def _run(project, **kwargs):
    return project.run_function("trainer", inputs={"data": "data.csv"}, local=True, **kwargs)


def test_the_run_is_a_read_only_mapping_of_its_dict(project):
    run = _run(project, params={"p1": 2})
    assert list(run) == list(run.keys()) == ["kind", "metadata", "spec", "status"]
    assert dict(run.items())["metadata"]["uid"] == run.uid()
    assert "spec" in run and "nope" not in run
    assert run.get("nope", 7) == 7
    with pytest.raises(KeyError):
        run["nope"]
    run["status"]["state"] = "error"
    assert run["status"]["state"] == "completed", "a copy: changing it changes nothing"
    assert run.status.state == "completed"
    assert run["status"]["artifact_uris"] == {"summary": run.outputs["summary"]}


def test_a_run_equals_its_state_string_and_only_itself_otherwise(project):
    run = _run(project)
    assert run == "completed" and run != "error"
    other = runlab.get_run(run.uid())
    assert run != other and run == run, "two objects over one run are not equal"
    assert len({run, other}) == 2, "still hashable"


def test_artifact_dicts_have_flat_and_nested_keys(project):
    run = _run(project)
    artifact = run.status.artifacts[0]
    assert artifact["key"] == artifact["metadata"]["key"] == artifact["spec"]["db_key"] == "summary"
    assert artifact["target_path"] == artifact["spec"]["target_path"]
    assert artifact["spec"]["format"] == artifact["target_path"].rsplit(".", 1)[1]
    assert artifact["metadata"]["tree"] == artifact["producer"]["uid"] == run.uid()
    assert artifact["status"] == {"state": "created"}
    assert project.list_artifacts()[0]["metadata"]["project"] == "demo"


def test_iteration_table_is_header_first_sorted_with_gaps_as_none():
    rows = [{"state": "completed", "iter": 2, "param.a": 2, "output.y": 4},
            {"state": "error", "iter": 1, "param.a": 1}]
    assert iteration_table(rows) == [["state", "iter", "param.a", "output.y"],
                                     ["error", 1, 1, None], ["completed", 2, 2, 4]]
    assert iteration_table([]) == []


def test_a_sweep_table_lists_every_param_of_the_children(project):
    run = _run(project, params={"lr": 0.5}, hyperparams={"p1": [1, 2]}, selector="max.accuracy")
    assert run.status.iterations[0] == {"state": "completed", "iter": 1, "param.lr": 0.5, "param.p1": 1,
                                        "output.accuracy": 0.6, "output.rows": 3, "output.return": 2}
    assert run["status"]["iterations"][0][:4] == ["state", "iter", "param.lr", "param.p1"]


def test_logs_returns_state_and_offset_and_checks_the_offset(project, capsys):
    run = _run(project)
    capsys.readouterr()
    state, offset = run.logs(watch=False)
    assert state == "completed" and "training on 3 rows" in capsys.readouterr().out
    assert run.logs(watch=True, offset=offset) == ("completed", offset)
    with pytest.raises(ValidationError, match="offset must be a byte position"):
        run.logs(offset=-1)


def test_wait_for_completion_keywords(project, capsys):
    run = _run(project)
    capsys.readouterr()
    assert run.wait_for_completion(sleep=0.05, timeout=0, show_logs=True) is run
    assert "training on 3 rows" in capsys.readouterr().out
    with pytest.raises(ValidationError, match="not both"):
        run.wait_for_completion(poll=0.1, sleep=0.2)
    with pytest.raises(ValidationError, match="timeout must be a number"):
        run.wait_for_completion(timeout=-1)


def test_wait_for_completion_follows_the_log_every_logs_interval(project, write_file, capsys):
    write_file("slow.py", """
        import time

        def slow(context):
            for i in range(4):
                print(f"step {i}", flush=True)
                time.sleep(0.3)
    """)
    project.set_function("slow.py", name="slow", kind="job", handler="slow")
    run = project.run_function("slow", watch=False)
    capsys.readouterr()
    assert run.wait_for_completion(timeout=60, sleep=0.05, logs_interval=0.1) == "completed"
    out = capsys.readouterr().out
    assert all(out.count(f"step {i}") == 1 for i in range(4)), out


def test_read_run_takes_runlab_and_mlrun_arguments(project):
    run = _run(project, hyperparams={"p1": [1, 2]})
    db = runlab.get_run_db()
    assert db.read_run(run.uid(), 2).spec.parameters["p1"] == 2, "runlab's read_run(uid, iter)"
    assert db.read_run(run.uid(), "demo", iter=1)["spec"]["parameters"]["p1"] == 1
    assert db.read_run(run.uid(), "demo", 1)["metadata"]["iteration"] == 1
    with pytest.raises(ValidationError, match="give the iteration once"):
        db.read_run(run.uid(), 1, iter=2)
    with pytest.raises(ValidationError, match="iter must be"):
        db.read_run(run.uid(), "demo", iter=-1)
    with pytest.raises(RunNotFoundError, match="belongs to project 'demo'"):
        db.abort_run(run.uid(), "elsewhere")


def test_abort_run_through_the_db_stops_a_running_job(project, write_file):
    write_file("nap.py", "import time\n\ndef nap(context):\n    time.sleep(30)\n")
    project.set_function("nap.py", name="nap", kind="job", handler="nap")
    run = project.run_function("nap", watch=False)
    deadline = time.monotonic() + 30
    while run.state() != "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert runlab.get_run_db().abort_run(run.uid(), "demo") == "aborted"
    assert run.refresh().state() == "aborted"


def test_list_runs_name_substring_and_time_span(project):
    _run(project, name="train-big")
    _run(project, name="other")
    db = runlab.get_run_db()
    assert [r.metadata.name for r in db.list_runs(name="~BIG")] == ["train-big"], "any case"
    assert [r.metadata.name for r in runlab.run.list_runs(name="~T")] == ["other", "train-big"]
    assert db.list_runs(name="~_") == [], "an underscore is a plain character, not LIKE's wildcard"
    with pytest.raises(ValidationError, match="start_time_from must be a datetime"):
        db.list_runs(start_time_from=time.time())


def test_hyper_param_options_mlrun_keywords(project, tmp_path):
    options = runlab.HyperParamOptions(param_file=str(tmp_path / "space.json"), teardown_dask=True)
    (tmp_path / "space.json").write_text('{"p1": [1, 3]}')
    run = _run(project, hyper_param_options=options, selector="max.accuracy")
    assert run.status.results["best_iteration"] == 2
    with pytest.raises(ValidationError, match="not both"):
        _run(project, hyperparams={"p1": [1]}, hyper_param_options={"param_file": str(tmp_path / "space.json")})
    assert len(project.list_runs()) == 1


def test_parallel_sweep_of_an_unloadable_handler_is_refused_before_anything_is_recorded():
    def handler(context, p):
        context.log_result("r", p)

    fn = runlab.new_function(name="inline", kind="local")
    with pytest.raises(ValidationError, match=r"loads the handler by name; a nested function.*leave parallel_runs out"):
        fn.run(handler=handler, hyperparams={"p": [1, 2, 3]}, hyper_param_options={"parallel_runs": 2})
    assert get_store().list_runs(iterations=True) == []


def test_schedule_fields_mlrun_reads(project):
    schedule = project.run_function("trainer", inputs={"data": "data.csv"}, schedule="30 */6 * * 1-5",
                                    timezone="Europe/Paris")
    trigger = schedule.cron_trigger
    assert (trigger.minute, trigger.hour, trigger.day, trigger.month, trigger.day_of_week) == (
        "30", "*/6", "*", "*", "1-5")
    assert trigger.timezone == "Europe/Paris" and trigger == "30 */6 * * 1-5"
    assert schedule.creation_time.tzinfo is not None
    listed = runlab.get_run_db().list_schedules("demo")
    assert [s.name for s in listed] == [s.name for s in listed.schedules] == ["trainer"]
