"""Functions, projects, names and tasks as MLRun code uses them: the kind of a function with no kind, MLRun's
build keywords kept through the store, name normalisation, import failures, schedules from ``fn.run``."""

from __future__ import annotations

import warnings

import pytest
import yaml

import runlab
from runlab.handlers import FunctionSpec
from runlab.names import fix_name
from runlab.store import get_store


def _count_runs() -> int:
    return len(get_store().list_runs())


def double(x: int = 1) -> int:
    return x * 2


def test_fix_name_warns_with_the_new_name_and_refuses_what_stays_invalid():
    with pytest.warns(UserWarning) as caught:
        assert fix_name("Train_Model v2", "function name") == "train-model-v2"
    assert str(caught[0].message) == (
        "function name 'Train_Model v2' becomes 'train-model-v2': names use lowercase letters, digits and '-' "
        "('_', spaces and upper case are replaced, as MLRun does); pass 'train-model-v2' to silence this warning")
    assert caught[0].filename == __file__, "the warning points at the caller's line"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fix_name("ok-name") == "ok-name"
    with pytest.raises(runlab.InvalidNameError, match=r"run name 'a\.b'"):
        fix_name("a.b")


def test_new_function_kinds():
    assert runlab.new_function().kind == "local"
    assert runlab.new_function(kind="handler").kind == "local"
    run = runlab.new_function().run(handler=double, params={"x": 4})
    assert (run.output("return"), run.metadata.labels["kind"]) == (8, "local")
    with pytest.raises(runlab.ValidationError, match="set kind='job'"):
        runlab.new_function(image="mlrun/mlrun")
    with pytest.raises(runlab.UnsupportedError, match=r"Kubernetes.*kind='job'"):
        runlab.new_function(kind="nuclio")


def test_new_function_command_with_no_kind_is_local(write_file):
    script = write_file("script.py", "import sys\nprint(sys.argv[1:])\n")
    fn = runlab.new_function(command=f"{script} --a 1", args=["--b", "{b}"])
    assert (fn.kind, fn.args, fn.name) == ("local", ["--b", "{b}"], "script")
    assert fn.run(params={"b": 2}).state() == "completed"


def test_build_keywords_are_kept_through_the_store(project, tmp_path):
    fn = runlab.code_to_function("kept", filename=str(tmp_path / "trainer.py"), kind="job", handler="train",
                                 tag="v3", image="mlrun/mlrun", requirements="pandas, numpy",
                                 requirements_file="req.txt", categories=["ml"], labels={"team": 7},
                                 embed_code=False, code_output="out.py", ignored_tags="skip")
    fn.set_env("A", 1).with_source_archive("git://github.com/org/repo.git")
    project.set_function(fn, with_repo=True)
    stored = runlab.load_project("demo").get_function("kept")  # a fresh project object: read from the store
    assert stored is not fn and (stored.metadata.tag, stored.spec.build.code_output) == ("v3", "out.py")
    data = get_store().get_function("demo", "kept")["spec"]
    assert {key: data[key] for key in ("tag", "image", "requirements", "requirements_file", "categories",
                                       "labels", "env", "source", "with_repo", "build")} == {
        "tag": "v3", "image": "mlrun/mlrun", "requirements": ["pandas", "numpy"], "requirements_file": "req.txt",
        "categories": ["ml"], "labels": {"team": "7"}, "env": {"A": "1"},
        "source": "git://github.com/org/repo.git", "with_repo": True,
        "build": {"code_output": "out.py", "ignored_tags": "skip", "embed_code": False}}
    again = FunctionSpec.from_dict(data)
    assert again.to_dict() == data
    old = {"name": "old", "kind": "job", "filename": "", "args": [], "handler": None, "project": "demo",
           "description": "", "kernel_name": ""}
    assert FunctionSpec.from_dict(old).to_dict() == old, "a function stored before keeps its shape"


def test_set_env_is_set_in_a_background_job_run(project, write_file):
    write_file("envjob.py", "import os\n\ndef show(context):\n    context.log_result('v', os.environ.get('MY_VAR'))\n")
    fn = project.set_function("envjob.py", name="envjob", kind="job", handler="show")
    fn.set_env("MY_VAR", "from-fn")
    project.set_function(fn)
    assert project.run_function("envjob").output("v") == "from-fn"


def test_a_file_that_fails_to_import_records_an_error_run(write_file):
    write_file("broken.py", "import not_a_module_anywhere\n\ndef train(context):\n    pass\n")
    write_file("fine.py", "def train(context):\n    pass\n")
    broken = runlab.code_to_function("broken", filename=str(write_file("b2.py", "raise ImportError('no deps')\n")),
                                     kind="job", handler="train")
    for fn, local in ((broken, True), (broken, False)):
        with pytest.raises(runlab.RunError) as info:
            fn.run(local=local)
        assert isinstance(info.value.__cause__, ImportError)
        assert info.value.run.state() == "error" and "no deps" in info.value.run.error
        assert info.value.run.status.traceback.startswith("Traceback")
        assert "handlers.py" not in info.value.run.status.traceback, "the traceback starts in the user's file"
    assert _count_runs() == 2
    fine = runlab.code_to_function("fine", filename=str(write_file("fine.py", "def train(context):\n    pass\n")),
                                   kind="job")
    with pytest.raises(runlab.HandlerNotFoundError, match="no handler 'nope'"):
        fine.run(handler="nope", local=True)
    assert _count_runs() == 2, "a missing handler name is refused before anything is recorded"


def test_fn_run_with_schedule_records_a_schedule_and_the_function(project, tmp_path):
    fn = runlab.code_to_function("sched", filename=str(tmp_path / "trainer.py"), kind="job", handler="train")
    schedule = fn.run(params={"p1": 2}, inputs={"data": "data.csv"}, schedule="0 * * * *", project="demo")
    assert isinstance(schedule, runlab.Schedule)
    assert [s.name for s in project.list_schedules()] == ["sched"]
    assert get_store().get_function("demo", "sched")["spec"]["handler"] == "train"
    assert _count_runs() == 0
    broken = runlab.code_to_function("bad", filename=str(tmp_path / "trainer.py"), kind="job", handler="nope")
    with pytest.raises(runlab.HandlerNotFoundError):
        broken.run(schedule="0 * * * *", project="demo")


def test_project_keywords(tmp_path, monkeypatch):
    project = runlab.get_or_create_project("kw", context=str(tmp_path), parameters={"lr": 0.1}, secrets={"k": "v"},
                                           init_git=True, allow_cross_project=True)
    assert project.get_param("lr") == 0.1 and project.spec.params == {"lr": 0.1}
    assert project.options["init_git"] is True
    with pytest.raises(runlab.UnsupportedError, match="get_or_create_project"):
        runlab.get_or_create_project("kw2", from_template="proj.zip")
    with pytest.raises(runlab.UnsupportedError, match="git, zip"):
        runlab.load_project(name="kw", url="git://github.com/org/repo.git")
    with pytest.raises(runlab.ValidationError, match="name="):
        runlab.load_project(context="./")
    monkeypatch.setenv("V3IO_USERNAME", "Jane_Doe@example.com")
    assert runlab.new_project("team", user_project=True).name == "team-jane-doe"
    assert runlab.load_project(name="team", user_project=True).name == "team-jane-doe"


def test_task_shape_and_views_are_the_same_fields():
    task = runlab.new_task(name="t", params={"a": 1}, out_path="/tmp/out", returns=["r"])
    assert list(task.to_dict()) == ["name", "project", "handler", "params", "inputs", "labels", "hyperparams",
                                    "param_file", "hyper_param_options", "outputs", "returns", "artifact_path",
                                    "secrets"]
    assert task.spec.output_path == task.artifact_path == "/tmp/out"
    task.with_secrets("env", "TOKEN")
    assert task.spec.secret_sources == [{"kind": "env", "source": ["TOKEN"]}]
    task.metadata.labels = {"k": 1}
    assert task.labels == {"k": "1"}
    copy = task.copy()
    copy.spec.parameters["b"] = 2
    assert task.params == {"a": 1}
    mlrun_shape = {"metadata": {"name": "m", "project": "p"}, "spec": {"parameters": {"x": 1}, "output_path": "o"}}
    assert runlab.Task.from_dict(mlrun_shape).to_dict() == runlab.new_task(name="m", project="p", params={"x": 1},
                                                                          artifact_path="o").to_dict()
    with pytest.raises(runlab.ValidationError, match="base must be a Task"):
        runlab.new_task(base=3)
    with pytest.raises(runlab.ValidationError, match="params must be a dict"):
        task.spec.parameters = [1]


def test_import_function_bad_files(tmp_path):
    from runlab.compat.functions import import_function

    with pytest.raises(runlab.ValidationError, match="does not exist"):
        import_function(str(tmp_path / "nope.yaml"))
    (tmp_path / "serving.yaml").write_text(yaml.safe_dump({"kind": "serving", "metadata": {"name": "s"}}))
    with pytest.raises(runlab.UnsupportedError, match="serving"):
        import_function(str(tmp_path / "serving.yaml"))
    (tmp_path / "list.yaml").write_text("- 1\n")
    with pytest.raises(runlab.ValidationError, match="holds no function"):
        import_function(str(tmp_path / "list.yaml"))
    (tmp_path / "gone.yaml").write_text(yaml.safe_dump({"kind": "job", "spec": {"command": "gone.py"}}))
    with pytest.raises(runlab.ValidationError, match=r"spec\.command"):
        import_function(str(tmp_path / "gone.yaml"))
    with pytest.raises(runlab.UnsupportedError, match="only local files"):
        import_function("https://example.com/func.yaml")


def test_code_to_function_project_is_where_its_runs_go(tmp_path, write_file):
    write_file("job.py", "def handler(context):\n    context.log_result('ok', 1)\n")
    runlab.get_or_create_project("current", context=str(tmp_path))
    fn = runlab.code_to_function("job", filename=str(tmp_path / "job.py"), handler="handler", project="elsewhere")
    run = fn.run(local=True)
    assert run.metadata.project == "elsewhere"
    assert runlab.load_project("elsewhere", set_current=False).name == "elsewhere", "created on the way"
    assert fn.run(local=True, project="current").metadata.project == "current", "project= wins"
    with pytest.raises(runlab.InvalidNameError, match="project name"):
        runlab.code_to_function("job", filename=str(tmp_path / "job.py"), handler="handler",
                                project="Bad_Project").run(local=True)


def test_new_function_from_a_runtime_dict(tmp_path, write_file):
    write_file("job.py", "def handler(context, p=1):\n    context.log_result('p', p)\n")
    fn = runlab.code_to_function("job", filename=str(tmp_path / "job.py"), kind="job", handler="handler",
                                 image="mlrun/mlrun")
    for runtime in (fn.to_dict(), yaml.safe_load(fn.to_yaml()), fn):
        again = runlab.new_function(runtime=runtime, name="again", tag="v2")
        assert (again.name, again.kind, again.handler, again.image, again.tag) == (
            "again", "job", "handler", "mlrun/mlrun", "v2")
        assert again.run(params={"p": 3}, local=True).output("p") == 3
    with pytest.raises(runlab.ValidationError, match="runtime="):
        runlab.new_function(runtime="job")


def test_a_task_dict_is_a_base_task():
    run = runlab.new_function().run({"metadata": {"name": "from-dict"}, "spec": {"parameters": {"x": 5}}},
                                    handler=double)
    assert (run.metadata.name, run.output("return")) == ("from-dict", 10)
    with pytest.raises(runlab.ValidationError, match="task dict"):
        runlab.new_function().run(["x"], handler=double)


def test_run_workdir_is_where_relative_inputs_are_read(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "infile.txt").write_text("hello")

    def read(context, infile):
        context.log_result("text", infile.get().decode())

    run = runlab.new_function(kind="local").run(inputs={"infile": "infile.txt"}, handler=read,
                                                workdir=str(tmp_path / "data"))
    assert run.output("text") == "hello"
    with pytest.raises(runlab.InvalidInputError, match=r"infile\.txt"):
        runlab.new_function(kind="local").run(inputs={"infile": "infile.txt"}, handler=read, workdir=str(tmp_path))


def test_with_code_body_and_file_and_save(tmp_path):
    project = runlab.get_or_create_project("code-src", context=str(tmp_path))
    fn = runlab.new_function(name="from-body", kind="job").with_code(body="def h(context, x=1):\n    return x * 3\n")
    assert fn.filename.endswith(".py") and "from-body-" in fn.filename
    assert fn.save(tag="v1") == "db://code-src/from-body:v1"
    assert project.run_function("from-body", handler="h", params={"x": 2}).outputs["return"] == 6
    with pytest.raises(runlab.ValidationError, match="does not exist"):
        fn.with_code(from_file=str(tmp_path / "missing.py"))
    with pytest.raises(runlab.ValidationError, match="not both"):
        fn.with_code(from_file="a.py", body="x = 1")
    with pytest.raises(runlab.ValidationError, match="callable handler"):
        runlab.new_function(name="inline", handler=lambda context: 1).save()
    assert project.list_functions() == ["from-body"]
