"""run_function / Function.run: handlers, tasks, naming, errors, and bad input that writes nothing."""

from __future__ import annotations

import pytest

import runlab


def _count_runs() -> int:
    from runlab.store import get_store

    return get_store().count_runs()


def test_run_by_name_with_params_and_inputs(project, tmp_path):
    run = project.run_function("trainer", params={"p1": 3}, inputs={"data": "data.csv"}, local=True)
    assert run.state() == "completed"
    assert run.status.results == {"accuracy": 0.8, "rows": 3, "return": 6}
    assert run.metadata.name == "trainer-train"
    assert run.metadata.project == "demo"
    assert run.spec.parameters == {"p1": 3}
    assert run.spec.inputs == {"data": str(tmp_path / "data.csv")}, "relative to the project context"
    assert set(run.outputs) == {"accuracy", "rows", "return", "summary"}
    assert run.outputs["summary"] == f"store://artifacts/demo/summary@{run.uid()}"
    assert run.artifact("summary").as_df().shape[0] == 8
    assert run.artifact("nope") is None


def test_module_run_function_uses_current_project_and_other_handler(project):
    run = runlab.run_function("trainer", handler="evaluate", inputs={"data": "data.csv"}, local=True)
    assert run.metadata.project == "demo"
    assert run.spec.handler == "evaluate"
    assert run.status.results == {"return": {"threshold": 0.5, "key": "data"}}


def test_module_run_function_without_project_is_a_clear_error():
    with pytest.raises(runlab.ProjectNotFoundError, match="get_or_create_project"):
        runlab.run_function("trainer")


def test_function_object_runs_in_project(project, tmp_path):
    fn = runlab.code_to_function("other", filename=str(tmp_path / "trainer.py"), kind="job", handler="evaluate")
    run = project.run_function(fn, params={"threshold": 0.7}, inputs={"data": "data.csv"}, local=True)
    assert run.status.results["return"]["threshold"] == 0.7
    assert run.metadata.name == "other-evaluate"


def test_base_task_merges_with_call_and_call_wins(project):
    task = runlab.new_task(name="t1", params={"p1": 8, "lr": 0.5}).with_input("data", "data.csv")
    task.set_label("team", "a")
    run = project.run_function("trainer", base_task=task, params={"p1": 2}, labels={"stage": "dev"}, local=True)
    assert run.metadata.name == "t1"
    assert run.spec.parameters == {"p1": 2, "lr": 0.5}
    assert run.metadata.labels["team"] == "a"
    assert run.metadata.labels["stage"] == "dev"
    assert run.metadata.labels["kind"] == "local", "a local=True run is labelled with the kind it ran as"
    assert task.params == {"p1": 8, "lr": 0.5}, "the task itself is not modified by a run"


def test_class_method_handler_with_init_args(project):
    run = project.run_function("trainer", handler="Model::fit", params={"x": 4, "_init_args": {"scale": 3}},
                               local=True)
    assert run.status.results == {"scaled": 12}


def test_module_func_handler(project, write_file, monkeypatch, tmp_path):
    write_file("mylib/__init__.py", "")
    write_file("mylib/jobs.py", "def double(x):\n    return 2 * x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    fn = runlab.new_function(name="lib", kind="local", handler="mylib.jobs.double")
    assert project.run_function(fn, params={"x": 21}).status.results == {"return": 42}


def test_callable_handler_in_process():
    seen = {}

    def handler(context, a, b=2):
        seen["ctx"] = context
        return a + b

    run = runlab.new_function(kind="local").run(handler=handler, params={"a": 1})
    assert run.status.results == {"return": 3}
    assert seen["ctx"].uid == run.uid()
    assert run.metadata.project == "default"


def test_returns_names_each_value_and_dataframe_becomes_dataset():
    import pandas as pd

    def handler():
        return 1, pd.DataFrame({"x": [1, 2]})

    run = runlab.new_function(kind="local").run(handler=handler, returns=["n", "table"])
    assert run.status.results == {"n": 1}
    assert [a["kind"] for a in run.status.artifacts] == ["dataset"]
    assert run.artifact("table").as_df()["x"].tolist() == [1, 2]


def test_kwargs_receive_unnamed_params_and_inputs(project):
    def handler(context, **kwargs):
        return sorted(kwargs)

    fn = runlab.new_function(kind="local")
    run = project.run_function(fn, handler=handler, params={"a": 1, "b": 2}, inputs={"data": "data.csv"})
    assert run.status.results["return"] == ["a", "b", "data"]


def test_unused_params_stay_readable(project):
    def handler(context):
        return context.get_param("unused") + context.get_param("missing", 5)

    run = project.run_function(runlab.new_function(kind="local"), handler=handler, params={"unused": 1})
    assert run.status.results["return"] == 6
    assert run.spec.parameters == {"unused": 1, "missing": 5}


def test_script_with_param_placeholders(write_file, tmp_path):
    script = write_file("script.py", "import sys\nprint('args', sys.argv[1:])\n")
    fn = runlab.new_function(name="script", kind="job", command=f"{script} --lr {{lr}} --n {{n}}")
    run = fn.run(params={"lr": 0.1, "n": 3}, local=True)
    assert run.state() == "completed"
    from runlab.store import get_store

    text, _ = get_store().read_log(run.uid())
    assert "args ['--lr', '0.1', '--n', '3']" in text


def test_script_exit_code_is_an_error(write_file):
    script = write_file("bad.py", "import sys\nsys.exit(3)\n")
    with pytest.raises(runlab.RunError, match="exited with code 3"):
        runlab.new_function(name="bad", kind="local", command=str(script)).run()


def test_failing_handler_is_recorded_and_raised_with_cause(project):
    with pytest.raises(runlab.RunError) as info:
        project.run_function("trainer", handler="fail", local=True)
    err = info.value
    assert (type(err.__cause__), str(err.__cause__)) == (ValueError, "boom")
    assert err.run.state() == "error"
    assert err.run.error == "ValueError: boom"
    assert 'raise ValueError("boom")' in err.run.status.traceback
    assert "runtimes/worker.py" not in err.run.status.traceback
    again = runlab.get_run(err.run.uid())
    assert again.state() == "error"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"function": "nope"}, runlab.FunctionNotFoundError, "no function 'nope'.*trainer"),
        ({"handler": "missing"}, runlab.HandlerNotFoundError, "no handler 'missing'.*train"),
        ({"handler": "Model::nope"}, runlab.HandlerNotFoundError, "no method 'nope'"),
        ({"params": {"p1": 1}}, runlab.MissingParameterError, "needs 'data'"),
        ({"inputs": ["data.csv"]}, runlab.InvalidInputError, "dict of name"),
        ({"inputs": {"data": 3}}, runlab.InvalidInputError, "URLs"),
        ({"inputs": {"data": "missing.csv"}}, runlab.InvalidInputError, "input 'data'.*missing.csv"),
        ({"params": {"p1": object()}, "inputs": {"data": "data.csv"}}, runlab.InvalidParameterError,
         "param 'p1'"),
        ({"params": {"p1": 2**64}, "inputs": {"data": "data.csv"}}, runlab.InvalidParameterError,
         "64 bits"),
        ({"name": "asd/asd", "inputs": {"data": "data.csv"}}, runlab.InvalidNameError, "asd/asd"),
        ({"name": "x" * 64, "inputs": {"data": "data.csv"}}, runlab.InvalidNameError, "63"),
        ({"params": [1], "inputs": {"data": "data.csv"}}, runlab.ValidationError, "params must be a dict"),
    ],
)
def test_bad_input_raises_typed_error_and_writes_nothing(project, kwargs, error, match):
    kwargs = {"function": "trainer", "local": True, **kwargs}
    with pytest.raises(error, match=match):
        project.run_function(**kwargs)
    assert _count_runs() == 0
    assert issubclass(error, runlab.RunlabError)


def test_lambda_handler_for_a_job_is_refused(project):
    fn = runlab.new_function(name="lam", kind="job")
    with pytest.raises(runlab.ValidationError, match="lambda"):
        fn.run(handler=lambda: 1, local=True)
    assert _count_runs() == 0


def test_default_run_name_is_normalised(project):
    def Train_Model():  # noqa: N802 - the name is what is being tested
        return 1

    run = runlab.new_function(name="My_Fn", kind="local").run(handler=Train_Model)
    assert run.metadata.name == "my-fn-train-model"


def test_unknown_kind_is_a_clear_error():
    with pytest.raises(runlab.UnsupportedError, match="kind 'spark'"):
        runlab.new_function(name="x", kind="spark")


def test_output_is_stored_and_shown_live(project, capsys):
    run = project.run_function("trainer", params={"p1": 3}, inputs={"data": "data.csv"}, local=True)
    shown = capsys.readouterr().out
    assert "training on 3 rows with p1=3" in shown
    assert "lr is 0.1" in shown
    run.logs(watch=False)
    replay = capsys.readouterr().out
    assert "training on 3 rows with p1=3" in replay
    assert "[INFO] lr is 0.1" in replay


def test_input_by_type_hint(project, write_file, tmp_path):
    (tmp_path / "cfg.json").write_text('{"k": 1}')
    (tmp_path / "cfg.yaml").write_text("k: 2\n")
    write_file("hints.py", """
        import pathlib

        def handler(a: str, b: pathlib.Path, c: bytes, d: dict, e: "dict", f):
            return [type(a).__name__, type(b).__name__, c.decode(), d, e, type(f).__name__]
    """)
    fn = runlab.code_to_function("hints", filename=str(tmp_path / "hints.py"), kind="local", handler="handler")
    run = project.run_function(fn, inputs={"a": "data.csv", "b": "data.csv", "c": "cfg.json", "d": "cfg.json",
                                           "e": "cfg.yaml", "f": "data.csv"})
    assert run.status.results["return"] == ["str", "PosixPath", '{"k": 1}', {"k": 1}, {"k": 2}, "DataItem"]


def test_keyboard_interrupt_records_aborted_and_propagates():
    def handler(context):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        runlab.new_function(kind="local", name="intr").run(handler=handler)
    run = runlab.get_run_db().list_runs(name="intr-handler")[0]
    assert (run.state(), run.error) == ("aborted", "interrupted (KeyboardInterrupt)")


def test_a_handler_changed_between_runs_is_bound_as_it_is_now():
    """A handler's defaults or code changed after a run (as a notebook cell re-run or a patch does) bind anew."""

    def handler(context, a=1):
        context.log_result("a", a)

    fn = runlab.new_function(name="changing", kind="local")
    assert fn.run(handler=handler).outputs == {"a": 1}
    handler.__defaults__ = (2,)
    assert fn.run(handler=handler).outputs == {"a": 2}

    def other(context, b):
        context.log_result("b", b)

    handler.__code__ = other.__code__
    handler.__defaults__ = None
    assert fn.run(handler=handler, params={"b": 3}).outputs == {"b": 3}
    with pytest.raises(runlab.errors.MissingParameterError):
        fn.run(handler=handler)

    def rest(context, b, /, **more):
        context.log_result("b", b)
        context.log_result("more", sorted(more))

    handler.__code__ = rest.__code__  # how arguments are passed changes too: positional-only, **kwargs
    assert fn.run(handler=handler, params={"b": 4, "c": 5}).outputs == {"b": 4, "more": ["c"]}


def test_a_handler_that_changes_its_params_leaves_the_recorded_ones_as_they_ran(project):
    """Lists and dicts reach the handler as its own copies; numbers and strings as they are."""
    seen = {}

    def handler(context, items, options, n, text):
        items.append("added")
        options["new"] = 1
        seen.update(items=items, n=n, text=text)

    run = runlab.new_function(name="mutates", kind="local").run(
        handler=handler, params={"items": ["a"], "options": {"k": "v"}, "n": 3, "text": "t"})
    assert seen == {"items": ["a", "added"], "n": 3, "text": "t"}
    assert run.spec.parameters == {"items": ["a"], "options": {"k": "v"}, "n": 3, "text": "t"}
    assert runlab.get_run_db().read_run(run.uid())["spec"]["parameters"]["items"] == ["a"]


def test_run_uids_are_random_version_4_uuids(project):
    import uuid

    fn = runlab.new_function(name="uids", kind="local")
    uids = {fn.run(handler=lambda context: None).uid() for _ in range(20)}
    assert len(uids) == 20
    for uid in uids:
        parsed = uuid.UUID(hex=uid)
        assert (parsed.hex, parsed.version, parsed.variant) == (uid, 4, uuid.RFC_4122)
