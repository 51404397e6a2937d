"""The run cache: cache=True returns the newest completed run of the same code, handler, params and inputs,
as a new completed run labelled cached-from=<uid>, without running anything (on SQLite and PostgreSQL)."""

from __future__ import annotations

import os

import pytest

import runlab
from runlab.errors import CacheError, RunError, ValidationError
from runlab.record import RunState, new_run
from runlab.retention import remove_run
from runlab.runcache import CACHED_FROM
from runlab.store import get_store

STEPS = """
    import os

    COUNT = {count!r}

    def train(context, data, p=1):
        with open(COUNT, "a") as out:
            out.write(f"{{p}}\\n")
        context.log_result("score", p * 10 + len(data.get()))
        context.log_artifact("model", body=f"model {{p}}", format="txt")

    def fail(context, p=1):
        with open(COUNT, "a") as out:
            out.write("fail\\n")
        raise ValueError("boom")
"""


@pytest.fixture
def steps(tmp_path, write_file):
    """A project with a local function (``train`` logs a result and an artifact; ``fail`` raises), an input
    file, and ``ran()``: the params of every call that really ran, in order."""
    count = tmp_path / "count.txt"
    path = write_file("steps.py", STEPS.format(count=str(count)))
    (tmp_path / "data.csv").write_text("a\n1\n")
    project = runlab.get_or_create_project("cache", context=str(tmp_path))
    project.set_function(str(path), name="steps", kind="local", handler="train")

    def ran() -> list[str]:
        return count.read_text().split() if count.exists() else []

    project.ran = ran
    project.source = path
    return project


def _run(project, **kwargs):
    kwargs.setdefault("params", {"p": 1})
    kwargs.setdefault("inputs", {"data": "data.csv"})
    return project.run_function("steps", **kwargs)


def test_the_same_code_params_and_inputs_return_the_first_run_without_running(steps):
    first = _run(steps, cache=True)
    second = _run(steps, cache=True)
    assert steps.ran() == ["1"], "the second call ran nothing"
    assert second.uid() != first.uid()
    assert second.metadata.labels[CACHED_FROM] == first.uid()
    assert CACHED_FROM not in first.metadata.labels
    assert second.state() == "completed" and second.status.results == first.status.results
    assert second.status.cached_from["uid"] == first.uid()
    [mine], [theirs] = second.status.artifacts, first.status.artifacts
    assert mine["target_path"] == theirs["target_path"], "the artifact points at the source's file, not a copy"
    assert mine["hash"] == theirs["hash"] and mine["producer"]["uid"] == second.uid()
    assert second.artifact("model").get(encoding="utf-8") == "model 1"
    assert "cached: nothing ran" in get_store().read_log(second.uid())[0]
    third = _run(steps, cache=True)
    assert third.metadata.labels[CACHED_FROM] == first.uid(), "a hit is never a source: the run that did the work is"


def test_a_changed_file_param_or_input_content_runs_again(steps, tmp_path):
    _run(steps, cache=True)
    _run(steps, cache=True, params={"p": 2})
    assert steps.ran() == ["1", "2"]
    (tmp_path / "data.csv").write_text("a\n1\n2\n")  # same path, new content
    changed_input = _run(steps, cache=True)
    assert steps.ran() == ["1", "2", "1"] and CACHED_FROM not in changed_input.metadata.labels
    steps.source.write_text(steps.source.read_text() + "\n# a comment changes the code\n")
    changed_code = _run(steps, cache=True)
    assert steps.ran() == ["1", "2", "1", "1"] and CACHED_FROM not in changed_code.metadata.labels
    again = _run(steps, cache=True)
    assert again.metadata.labels[CACHED_FROM] == changed_code.uid()


def test_a_rerun_of_a_cached_run_runs(steps):
    first = _run(steps, cache=True)
    hit = _run(steps, cache=True)
    again = hit.rerun()
    assert steps.ran() == ["1", "1"]
    assert CACHED_FROM not in again.metadata.labels and again.metadata.labels["rerun-of"] == hit.uid()
    assert again.uid() not in (first.uid(), hit.uid())


def test_the_same_content_at_another_path_hits(steps, tmp_path):
    first = _run(steps, cache=True)
    (tmp_path / "copy.csv").write_text((tmp_path / "data.csv").read_text())
    hit = _run(steps, cache=True, inputs={"data": "copy.csv"})
    assert hit.metadata.labels[CACHED_FROM] == first.uid()
    assert hit.spec.inputs["data"].endswith("copy.csv"), "the hit records the inputs it was asked with"


def test_cache_false_and_the_default_always_run(steps):
    _run(steps, cache=True)
    for kwargs in ({"cache": False}, {}):
        run = _run(steps, **kwargs)
        assert CACHED_FROM not in run.metadata.labels
    assert steps.ran() == ["1", "1", "1"]


def test_a_failed_run_is_never_a_cache_source(steps):
    for _ in range(2):
        with pytest.raises(RunError) as info:
            _run(steps, handler="fail", cache=True, inputs={})
        assert info.value.run.state() == "error" and CACHED_FROM not in info.value.run.metadata.labels
    assert steps.ran() == ["fail", "fail"]


def test_the_project_default_applies_unless_the_call_says_otherwise(steps):
    with pytest.raises(ValidationError, match=r"project\.cache"):
        steps.cache = "yes"
        _run(steps)
    steps.cache = True
    assert steps.spec.cache is True
    first = _run(steps)
    assert _run(steps).metadata.labels[CACHED_FROM] == first.uid()
    assert CACHED_FROM not in _run(steps, cache=False).metadata.labels
    steps.cache = False
    assert CACHED_FROM not in _run(steps).metadata.labels
    assert steps.ran() == ["1", "1", "1"]


def test_function_run_and_runlab_run_function_take_cache(steps):
    first = runlab.run_function("steps", params={"p": 1}, inputs={"data": "data.csv"}, cache=True)
    fn = steps.get_function("steps")
    hit = fn.run(params={"p": 1}, inputs={"data": "data.csv"}, cache=True)
    assert hit.metadata.labels[CACHED_FROM] == first.uid()
    with pytest.raises(ValidationError, match="cache must be True or False"):
        fn.run(params={"p": 1}, inputs={"data": "data.csv"}, cache="yes")


def test_a_sweep_reuses_the_children_that_ran_before(steps):
    first = _run(steps, cache=True, params={}, hyperparams={"p": [1, 2]})
    assert sorted(steps.ran()) == ["1", "2"]
    second = _run(steps, cache=True, params={}, hyperparams={"p": [1, 2, 3]})
    assert sorted(steps.ran()) == ["1", "2", "3"], "only the new child ran"
    assert second.state() == "completed"
    store = get_store()
    children = {store.get_run(second.uid(), it).spec["parameters"]["p"]: store.get_run(second.uid(), it)
                for it in (1, 2, 3)}
    assert children[1].labels[CACHED_FROM] == first.uid() and children[2].labels[CACHED_FROM] == first.uid()
    assert CACHED_FROM not in children[3].labels
    assert [(row["param.p"], row["output.score"]) for row in second.status.iterations] == [(1, 14), (2, 24), (3, 34)]
    single = _run(steps, cache=True, params={"p": 3})
    assert single.metadata.labels[CACHED_FROM] == second.uid(), "a sweep's child serves a single run too"


def test_a_callable_without_a_file_is_fingerprinted_by_its_source(steps):
    def score(context, x=1):
        context.log_result("y", x + 1)

    first = steps.run_function(runlab.new_function(name="inline", kind="local"), handler=score, params={"x": 1},
                               cache=True)
    assert steps.run_function(runlab.new_function(name="inline", kind="local"), handler=score, params={"x": 1},
                              cache=True).metadata.labels[CACHED_FROM] == first.uid()

    def score(context, x=1):  # the same name, new code: what re-running a notebook cell does
        context.log_result("y", x + 2)

    changed = steps.run_function(runlab.new_function(name="inline", kind="local"), handler=score, params={"x": 1},
                                 cache=True)
    assert CACHED_FROM not in changed.metadata.labels and changed.status.results == {"y": 3}


def test_code_whose_source_cannot_be_read_is_refused_with_cache_and_runs_without(steps):
    namespace: dict = {}
    exec("def made(context):\n    context.log_result('ok', 1)\n", namespace)  # no source file to read
    fn = runlab.new_function(name="made", kind="local")
    with pytest.raises(CacheError, match="cache=False"):
        steps.run_function(fn, handler=namespace["made"], cache=True)
    assert steps.run_function(fn, handler=namespace["made"]).status.results == {"ok": 1}


def test_deleting_the_source_keeps_the_files_the_cached_run_uses(steps):
    first = _run(steps, cache=True)
    hit = _run(steps, cache=True)
    target = hit.status.artifacts[0]["target_path"]
    store = get_store()
    removed = remove_run(store, first.uid())
    assert removed.files_in_use == [target] and removed.removed_files == 0 and os.path.exists(target)
    assert runlab.get_run_db().read_run(hit.uid())["status"]["state"] == "completed"
    assert hit.artifact("model").get(encoding="utf-8") == "model 1"
    assert CACHED_FROM not in _run(steps, cache=True).metadata.labels, "its source is gone: the next call runs"


def test_deleting_the_last_run_that_records_a_file_removes_it(steps):
    first = _run(steps, cache=True)
    hit = _run(steps, cache=True)
    target = first.status.artifacts[0]["target_path"]
    store = get_store()
    assert remove_run(store, hit.uid()).files_in_use == [target] and os.path.exists(target)
    removed = remove_run(store, first.uid())
    assert removed.removed_files == 1 and not os.path.exists(target)


def test_the_key_is_recorded_only_on_runs_that_ask_for_the_cache(steps):
    store = get_store()
    plain = _run(steps)
    cached = _run(steps, cache=True)
    hit = _run(steps, cache=True)
    assert store.get_run(plain.uid()).cache_key is None
    assert len(store.get_run(cached.uid()).cache_key) == 64
    assert store.get_run(hit.uid()).cache_key is None


def test_migration_adds_the_cache_key_to_a_store_with_runs():
    """A store at revision 0008 with runs keeps them when upgraded: none has a key (none is a cache source)."""
    from sqlalchemy import inspect

    from oldstores import store_at_revision

    rows = []
    for state in (RunState.COMPLETED, RunState.ERROR):
        record = new_run("old", "train", "job", state, {}, {"parameters": {"p": 1}})
        record.end_time = record.start_time
        rows.append(record.to_row())
    store_at_revision("0008", rows)
    store = get_store()  # opening the store upgrades it to the newest revision
    assert [store.get_run(row["uid"]).state for row in rows] == [RunState.COMPLETED, RunState.ERROR]
    assert all(store.get_run(row["uid"]).cache_key is None for row in rows)
    indexes = {index["name"]: index["column_names"] for index in inspect(store.engine).get_indexes("runs")}
    assert indexes["ix_runs_cache_key"] == ["cache_key", "end_time"]
    assert store.cached_run("0" * 64) is None
