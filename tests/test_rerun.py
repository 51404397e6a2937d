"""``RunObject.rerun``: the same function, handler and kind again, with changes merged over the recorded spec."""

from __future__ import annotations

import pytest

import runlab
from runlab import process
from runlab.errors import RunStateError, ValidationError


def test_rerun_merges_changes_over_the_recorded_run(project):
    first = project.run_function("trainer", inputs={"data": "data.csv"}, params={"p1": 2, "lr": 0.5},
                                 labels={"team": "a"}, local=True)
    new = runlab.get_run(first.uid()).rerun(params={"p1": 4}, labels={"try": "2"})
    assert isinstance(new, runlab.RunObject) and new.uid() != first.uid()
    assert new.state() == "completed" and new.output("accuracy") == pytest.approx(0.9)
    assert new.spec.parameters == {"p1": 4, "lr": 0.5} and new.spec.inputs == first.spec.inputs
    assert new.spec.handler == "train" and new.metadata.name == first.metadata.name
    labels = new.metadata.labels
    assert labels["rerun-of"] == first.uid() and labels["team"] == "a" and labels["try"] == "2"
    assert labels["kind"] == "local", "it ran with local=True, and so does its rerun"
    assert first.refresh().spec.parameters == {"p1": 2, "lr": 0.5}, "the original run is untouched"


def test_rerun_of_a_background_job_without_watching(project, tmp_path):
    (tmp_path / "more.csv").write_text("a,b\n1,2\n")
    first = project.run_function("trainer", inputs={"data": "data.csv"}, params={"p1": 1})
    new = first.rerun(inputs={"data": str(tmp_path / "more.csv")}, watch=False)
    assert new.metadata.labels["kind"] == "job"
    assert new.wait_for_completion(timeout=60, poll=0.1).output("rows") == 1
    assert new.spec.inputs["data"].endswith("more.csv")


def test_rerun_refuses_bad_changes_before_recording_anything(project):
    first = project.run_function("trainer", inputs={"data": "data.csv"}, local=True)
    with pytest.raises(ValidationError, match=r"missing\.csv"):
        first.rerun(inputs={"data": "missing.csv"})
    with pytest.raises(ValidationError, match="params must be a dict"):
        first.rerun(params=[1])
    assert len(project.list_runs()) == 1


def test_a_handler_from_a_notebook_cell_reruns_while_this_process_knows_it(tmp_path):
    def handler(context, x=1):
        context.log_result("double", 2 * x)

    project = runlab.get_or_create_project("cells", context=str(tmp_path))
    project.set_function(handler, name="cell", kind="local")
    first = project.run_function("cell", params={"x": 2})
    assert first.rerun(params={"x": 5}).output("double") == 10
    process.reset("launch")  # as in another kernel: the callable is unknown
    with pytest.raises(RunStateError, match="notebook cell"):
        runlab.get_run(first.uid()).rerun()


def test_a_sweep_child_is_not_rerun_alone(project):
    sweep = project.run_function("trainer", inputs={"data": "data.csv"}, hyperparams={"p1": [1, 2]},
                                 selector="max.accuracy", local=True)
    with pytest.raises(ValidationError, match="rerun the sweep itself"):
        runlab.get_run(sweep.uid(), iteration=1).rerun()
