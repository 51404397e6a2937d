"""RunContext: results, labels, artifacts (files, datasets, models, plots), versions and store:// URIs."""

from __future__ import annotations

import hashlib
import os
import pickle
import subprocess
import sys

import pytest

import runlab


def run_handler(handler, **kwargs):
    return runlab.new_function(kind="local", name="ctx").run(handler=handler, **kwargs)


def test_artifacts_are_written_where_the_layout_says(tmp_path):
    project = runlab.get_or_create_project("arts", context=str(tmp_path))

    def handler(context):
        context.log_artifact("notes", body="some text")
        context.log_artifact("config", body={"a": 1}, format="yaml")
        context.log_artifact("raw", body=b"\x00\x01")

    run = project.run_function(runlab.new_function(kind="local", name="writer"), handler=handler)
    records = {a["key"]: a for a in run.status.artifacts}
    base = tmp_path / "artifacts" / "writer-handler" / "0"
    assert records["notes"]["target_path"] == str(base / "notes.txt")
    assert (base / "notes.txt").read_text() == "some text"
    assert (base / "config.yaml").read_text() == "a: 1\n"
    assert records["raw"]["size"] == 2
    assert records["raw"]["hash"] == hashlib.sha256(b"\x00\x01").hexdigest()
    assert records["notes"]["producer"] == {"uid": run.uid(), "iteration": 0, "name": "writer-handler"}
    assert run.artifact("config").get(encoding="utf-8") == "a: 1\n"


def test_local_path_artifact_and_model(tmp_path):
    (tmp_path / "weights.bin").write_bytes(b"w" * 10)

    def handler(context):
        context.log_artifact("weights", local_path=str(tmp_path / "weights.bin"), tag="v1")
        context.log_model("model", body={"coef": [1, 2]}, metrics={"accuracy": 0.9}, framework="custom")
        context.log_model("model_file", model_file=str(tmp_path / "weights.bin"))

    run = run_handler(handler)
    arts = {a["key"]: a for a in run.status.artifacts}
    assert arts["weights"]["tag"] == "v1" and arts["weights"]["size"] == 10
    assert arts["model"]["kind"] == "model"
    assert arts["model"]["meta"]["metrics"] == {"accuracy": 0.9}
    assert arts["model"]["meta"]["framework"] == "custom"
    assert pickle.loads(run.artifact("model").get()) == {"coef": [1, 2]}
    assert run.status.results == {"accuracy": 0.9}, "model metrics are results too"
    assert arts["model_file"]["meta"]["model_file"] == "weights.bin"


def test_plots_from_figures_and_html():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def handler(context):
        fig, ax = plt.subplots()
        ax.plot([1, 2, 3])
        context.log_artifact("curve", body=fig)
        context.log_artifact("report", body="<html><body>hi</body></html>")

    run = run_handler(handler)
    arts = {a["key"]: a for a in run.status.artifacts}
    assert arts["curve"]["kind"] == "plot" and arts["curve"]["target_path"].endswith("curve.png")
    assert run.artifact("curve").get()[:8] == b"\x89PNG\r\n\x1a\n"
    assert arts["report"]["kind"] == "plot" and arts["report"]["target_path"].endswith(".html")


def test_dataset_records_shape_schema_and_preview():
    import pandas as pd

    def handler(context):
        context.log_dataset("table", pd.DataFrame({"x": [1, 2, 3], "y": ["a", "b", None]}), format="parquet")

    run = run_handler(handler)
    meta = run.status.artifacts[0]["meta"]
    assert meta["shape"] == [3, 2]
    assert meta["columns"] == ["x", "y"]
    assert meta["header"][0] == [1, "a"]
    assert run.artifact("table").as_df()["x"].tolist() == [1, 2, 3]


def test_relogging_makes_versions_and_store_uri_resolves_newest_or_tag(tmp_path):
    project = runlab.get_or_create_project("versions", context=str(tmp_path))
    fn = runlab.new_function(kind="local", name="v")

    def handler(context, text, tag=None):
        context.log_artifact("data", body=text, tag=tag)

    first = project.run_function(fn, handler=handler, params={"text": "one", "tag": "prod"})
    project.run_function(fn, handler=handler, params={"text": "two"})
    versions = project.list_artifacts("data")
    assert [v["version"] for v in versions] == [2, 1]
    assert runlab.get_dataitem("store://artifacts/versions/data").get() == b"two"
    assert runlab.get_dataitem("store://artifacts/versions/data:prod").get() == b"one"
    # runs of the same name share a layout path: the second version is written beside the first
    assert first.artifact("data").get() == b"one"
    assert versions[0]["target_path"].endswith("/v-handler/0/data.v2.txt")
    assert versions[1]["target_path"].endswith("/v-handler/0/data.txt")
    with pytest.raises(runlab.ArtifactNotFoundError, match="no artifact matches"):
        runlab.get_dataitem("store://artifacts/versions/nothing").get()


def test_store_uri_as_an_input(tmp_path):
    project = runlab.get_or_create_project("chain", context=str(tmp_path))
    fn = runlab.new_function(kind="local", name="chain")
    producer = project.run_function(fn, handler=lambda context: context.log_artifact("n", body="41"))

    def consume(n: bytes):
        return int(n) + 1

    run = project.run_function(fn, handler=consume, inputs={"n": producer.outputs["n"]})
    assert run.status.results["return"] == 42
    with pytest.raises(runlab.InvalidInputError, match="input 'n'"):
        project.run_function(fn, handler=consume, inputs={"n": "store://artifacts/chain/missing"})


def test_artifact_path_templates_keep_runs_apart(tmp_path):
    project = runlab.get_or_create_project("tmpl", context=str(tmp_path))
    fn = runlab.new_function(kind="local", name="t")
    path = str(tmp_path / "out" / "{run.uid}")
    run = project.run_function(fn, handler=lambda context: context.log_artifact("a", body="x"), artifact_path=path)
    assert run.status.artifacts[0]["target_path"] == str(tmp_path / "out" / run.uid() / "t-lambda" / "0" / "a.txt")


def test_bad_artifact_calls_are_clear():
    def bad_key(context):
        context.log_artifact("../escape", body="x")

    with pytest.raises(runlab.RunError, match="invalid artifact key"):
        run_handler(bad_key)

    def absolute_name(context):  # with body=, local_path names the file written, so it must be relative
        context.log_artifact("k", body="x", local_path="/etc/hosts")

    with pytest.raises(runlab.RunError, match="pass a relative file name"):
        run_handler(absolute_name)

    def neither(context):
        context.log_artifact("k")

    with pytest.raises(runlab.RunError, match=r"pass body= \(the content\) or local_path="):
        run_handler(neither)

    def unsupported(context):
        context.log_artifact("k", body=object())

    with pytest.raises(runlab.RunError, match="cannot log a body of type object"):
        run_handler(unsupported)


def test_results_labels_and_numpy_values():
    import numpy as np

    def handler(context):
        context.log_results({"a": np.float64(0.5), "b": np.int64(3), "arr": np.arange(3), "nan": float("nan")})
        context.set_label("team", "a")
        with pytest.raises(runlab.InvalidParameterError, match="result 'bad'"):
            context.log_result("bad", object())

    run = run_handler(handler)
    assert run.status.results == {"a": 0.5, "b": 3, "arr": [0, 1, 2], "nan": "nan"}
    assert run.metadata.labels["team"] == "a"



def test_a_label_another_process_set_during_the_run_is_kept_when_the_run_ends():
    """The run's writes send its labels only when the handler changed them, so a label set meanwhile by another
    process (another context of the run) is not overwritten by the run's own old copy."""
    from runlab.store import get_store

    def handler(context):
        store = get_store()
        stored = store.get_run(context.uid, 0).labels
        store.update_run(context.uid, 0, {"labels": {**stored, "reviewed": "yes"}})  # as another process would
        context.log_result("x", 1)

    def relabel(context):
        handler(context)
        context.set_label("team", "b")

    run = run_handler(handler)
    assert run.metadata.labels["reviewed"] == "yes" and run.status.results == {"x": 1}
    changed = run_handler(relabel, labels={"team": "a"})
    assert changed.metadata.labels["team"] == "b"  # a handler's own label change is written

def test_get_input_unknown_key_names_known_inputs(tmp_path):
    (tmp_path / "x.csv").write_text("a\n1\n")

    def handler(context):
        context.get_input("other")

    with pytest.raises(runlab.RunError, match=r"no input 'other' \(inputs: x\)"):
        run_handler(handler, inputs={"x": str(tmp_path / "x.csv")})


def test_commit_makes_results_visible_while_running():
    seen = {}

    def handler(context):
        context.log_result("step", 1)
        context.commit()
        mid = runlab.get_run(context.uid)
        seen.update(state=mid.state(), results=mid.status.results)

    run_handler(handler)
    assert seen == {"state": "running", "results": {"step": 1}}


def test_abort_request_stops_an_in_process_run_at_its_next_commit():
    def handler(context):
        runlab.get_run(context.uid).abort()
        context.log_result("before", 1)
        context.commit()
        context.log_result("after", 2)

    run = run_handler(handler)
    assert run.state() == "aborted"
    assert run.status.results == {"before": 1}


def test_get_or_create_ctx_inside_a_run_is_the_run():
    def handler(context):
        return runlab.get_or_create_ctx("anything") is context

    assert run_handler(handler).status.results["return"] is True


def test_get_or_create_ctx_in_a_script_records_a_run(tmp_path, runlab_home):
    script = tmp_path / "by_hand.py"
    script.write_text(
        "import runlab\n"
        "ctx = runlab.get_or_create_ctx('By Hand', params={'p': 1})\n"
        "ctx.log_result('x', ctx.get_param('p') + 1)\n"
        "print(ctx.uid)\n"
    )
    env = {**os.environ, "RUNLAB_HOME": str(runlab_home)}
    uid = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, cwd=tmp_path,
                         check=True).stdout.strip()
    run = runlab.get_run(uid)
    assert (run.state(), run.metadata.name, run.status.results) == ("completed", "by-hand", {"x": 2})

    script.write_text("import runlab\nctx = runlab.get_or_create_ctx('crash')\nprint(ctx.uid)\nraise KeyError('k')\n")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 1
    crashed = runlab.get_run(proc.stdout.strip())
    assert crashed.state() == "error"
    assert crashed.error == "KeyError: 'k'"


def test_log_artifact_placement_db_key_and_record_attributes(tmp_path):
    def handler(context):
        named = context.log_artifact("page", body="<html>x</html>", local_path="sub/page.html")
        moved = context.log_artifact("other", body=b"1", artifact_path=context.artifact_subpath("extra"))
        exact = context.log_artifact("exact", body=b"2", target_path=str(tmp_path / "exact" / "e.bin"))
        renamed = context.log_artifact("local-key", body=b"3", db_key="table-key")
        context.log_result("paths", [named.target_path, moved.target_path, exact.target_path, renamed.key])

    run = run_handler(handler, artifact_path=str(tmp_path / "a"))
    named, moved, exact, key = run.outputs["paths"]
    assert named == str(tmp_path / "a" / "ctx-handler" / "0" / "sub" / "page.html")
    assert moved == str(tmp_path / "a" / "extra" / "other")
    assert exact == str(tmp_path / "exact" / "e.bin")
    assert key == "table-key" and "table-key" in run.outputs


def test_log_dataset_stats_preview_and_other_frames():
    import numpy as np
    import pandas as pd

    def handler(context):
        context.log_dataset("df", pd.DataFrame({"a": [1, 2, 3], "s": ["x", "y", "x"]}), stats=True, preview=2,
                            label_column="a")
        context.log_dataset("arr", np.zeros((2, 2)))

    arts = {a["key"]: a for a in run_handler(handler).status.artifacts}
    meta = arts["df"]["meta"]
    assert meta["stats"]["a"]["mean"] == 2.0 and meta["stats"]["s"]["top"] == "x"
    assert len(meta["header"]) == 2 and meta["label_column"] == "a"
    assert arts["arr"]["meta"]["shape"] == [2, 2]


def test_with_blocks_end_contexts(tmp_path):
    def handler(context):
        with context.get_child_context(p=1) as child:
            child.log_result("ok", 1)
        with pytest.raises(KeyError), context.get_child_context(p=2) as child:
            child.parameters["missing"]
        context.log_result("states", [c.state for c in context._children])

    run = run_handler(handler)
    assert run.outputs["states"] == ["completed", "error"]

    with runlab.get_or_create_ctx("by-hand") as context:
        context.log_result("x", 1)
    assert context.state == "completed"
    assert runlab.get_run(context.uid).state() == "completed"


def test_get_input_default_url_and_key_as_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "given.txt").write_text("given")
    (tmp_path / "default.txt").write_text("default")
    (tmp_path / "bykey.txt").write_text("by key")

    def handler(context):
        context.log_result("given", context.get_input("data", str(tmp_path / "default.txt")).get(encoding="utf-8"))
        context.log_result("default", context.get_input("new", str(tmp_path / "default.txt")).get(encoding="utf-8"))
        context.log_result("bykey", context.get_input("bykey.txt").get(encoding="utf-8"))

    run = run_handler(handler, inputs={"data": str(tmp_path / "given.txt")})
    assert run.outputs == {"given": "given", "default": "default", "bykey": "by key"}
    assert run.spec.inputs["new"] == str(tmp_path / "default.txt")


def test_large_numpy_returns_are_npy_artifacts_small_ones_results():
    import numpy as np

    def handler():
        return np.arange(3), np.ones((4, 5))

    run = run_handler(handler, returns=["small", "big"])
    assert run.outputs["small"] == [0, 1, 2]
    assert np.load(run.artifact("big").local()).shape == (4, 5)


def test_mlrun_commit_order_cached_artifacts_and_log_level():
    def handler(context):
        context.log_artifact("a", body=b"1")
        context.commit("half way")  # MLRun's commit(message): the run goes on
        context.log_level = "warning"
        context.log_result("level", context.log_level)
        context.log_result("cached", context.get_cached_artifact("a").key)
        with pytest.raises(runlab.ArtifactNotFoundError, match="logged: a"):
            context.get_cached_artifact("b")

    run = run_handler(handler)
    assert run.outputs["level"] == "warning" and run.outputs["cached"] == "a"
    assert run.state() == "completed"


def test_a_folder_is_logged_as_a_zip(tmp_path):
    import zipfile

    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "a.txt").write_text("a")
    (tmp_path / "d" / "sub" / "b.txt").write_text("b")

    def handler(context):
        context.log_artifact("folder", local_path=str(tmp_path / "d"))

    def returns_path():
        return str(tmp_path / "d")

    for run in (run_handler(handler), run_handler(returns_path, returns=["folder: path"])):
        with zipfile.ZipFile(run.artifact("folder").local()) as archive:
            assert sorted(archive.namelist()) == ["a.txt", "sub/b.txt"]


def test_a_dir_artifact_is_logged_as_a_zip_of_its_files_without_temporary_files(tmp_path, monkeypatch):
    import tempfile
    import zipfile

    from runlab.artifacts import DirArtifact

    folder = tmp_path / "reports"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("a")
    (folder / "sub" / "b.txt").write_text("b")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))

    def handler(context):
        context.log_artifact(DirArtifact("reports", src_path=str(folder)))

    run = runlab.new_function(name="dirs", kind="local").run(handler=handler)
    with zipfile.ZipFile(run.artifact("reports").local()) as archive:
        assert sorted(archive.namelist()) == ["a.txt", "sub/b.txt"]
    assert list(scratch.iterdir()) == []
