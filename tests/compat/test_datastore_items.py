"""MLRun's data items: DataItem from a URL or a store:// URI, in-memory items, get_object, store_manager.

Ported from: docs/store/data-items.md (``prep_data`` and reading the run's artifact back, ``get_dataitem`` /
``get_object``), docs/store/datastore.md (``memory://`` with ``mlrun.datastore.set_in_memory_item``),
tests/run/test_hyper.py (``test_hyper_grid`` with tests/run/assets/hyper_func.py: a param file held in
memory), tests/datastore/test_base.py (``store_manager.object("file://...")``) and mlrun/datastore/base.py
(``DataItem.url``, ``artifact_url``, ``meta``, ``show``).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

import runlab as mlrun
import runlab.datastore

PREP_DATA = '''
import mlrun


def prep_data(context, source_url: mlrun.DataItem, label_column="label"):
    # Convert the DataItem to a Pandas DataFrame
    df = source_url.as_df()
    df = df.drop(label_column, axis=1).dropna()
    context.log_dataset("cleaned_data", df=df, index=False, format="csv")
'''


@pytest.fixture
def prep_data_run(tmp_path):
    source_url = str(tmp_path / "training_set.parquet")
    pd.DataFrame({"a": [1.0, None, 3.0], "label": [0, 1, 0]}).to_parquet(source_url)
    (tmp_path / "data-prep.py").write_text(PREP_DATA.replace("import mlrun", "import runlab as mlrun"))
    project = mlrun.get_or_create_project("data-items", str(tmp_path))
    data_prep_func = project.set_function("data-prep.py", name="data-prep", kind="job", handler="prep_data")
    # the run is named "prep-data": run names follow runlab's name rules, another part of the MLRun mapping
    return data_prep_func.run(name="prep-data", handler="prep_data", inputs={"source_url": source_url},
                              params={"label_column": "label"}, local=True)


def test_prep_data_and_read_the_artifact_back(prep_data_run):
    # read the data locally as a Dataframe
    df = prep_data_run.artifact("cleaned_data").as_df()
    assert df.to_dict(orient="list") == {"a": [1.0, 3.0]}


def test_store_uri_dataitem_url_is_the_file_and_artifact_url_the_uri(prep_data_run):
    uri = prep_data_run.outputs["cleaned_data"]
    item = mlrun.get_dataitem(uri)
    assert item.artifact_url == uri
    assert item.url.endswith("/prep-data/0/cleaned_data.csv")
    assert item.meta["shape"] == [2, 1]
    assert mlrun.get_dataitem(uri.replace("store://artifacts/", "store://datasets/").split("@")[0]).get() == item.get()


def test_get_dataitem_and_get_object(tmp_path):
    path = tmp_path / "data.json"
    path.write_text(json.dumps({"a": 1}))
    assert mlrun.get_object(str(path)) == b'{"a": 1}'
    assert mlrun.get_dataitem(str(path)).get(encoding="utf-8") == '{"a": 1}'
    with pytest.raises(mlrun.ArtifactNotFoundError, match="no such file"):
        mlrun.get_object(str(tmp_path / "missing.json"))


def test_hyper_grid_param_file_in_memory():
    def hyper_func(context, p1, p2, p3):
        print(f"p2={p2}, p3={p3}")
        context.log_result("r1", p2 * p3)

    grid_params = '{"p2": [2,1,3], "p3": [10,20]}'
    mlrun.datastore.set_in_memory_item("params.json", grid_params)

    run_spec = mlrun.new_task(params={"p1": 8})
    run_spec.with_param_file("memory://params.json", selector="r1", strategy="grid")
    run = mlrun.new_function(kind="local").run(run_spec, handler=hyper_func)
    assert run.state() == "completed"
    # 3 x p2, 2 x p3 = 6 iterations, the best has r1 = 3 * 20
    assert run.outputs["r1"] == 60


def test_in_memory_items_as_inputs():
    mlrun.datastore.set_in_memory_item("table", pd.DataFrame({"x": [1, 2]}))
    assert "table" in mlrun.datastore.get_in_memory_items()

    def handler(data: pd.DataFrame):
        return int(data["x"].sum())

    run = mlrun.new_function(kind="local").run(handler=handler, inputs={"data": "memory://table"})
    assert run.outputs["return"] == 3


def test_store_manager_object_reads_a_file_url(tmp_path):
    parquet_file = tmp_path / "testdata.parquet"
    pd.DataFrame({"t": [1, 2, 3]}).to_parquet(parquet_file)
    data_item = mlrun.datastore.store_manager.object(f"file://{parquet_file}")
    assert data_item.as_df()["t"].tolist() == [1, 2, 3]


def test_show_displays_by_suffix(tmp_path, capsys):
    (tmp_path / "t.csv").write_text("a,b\n1,2\n")
    (tmp_path / "d.json").write_text('{"k": 1}')
    (tmp_path / "n.txt").write_text("plain text")
    (tmp_path / "blob.bin").write_bytes(b"\xff\x00\xfe")
    for name in ("t.csv", "d.json", "n.txt"):
        mlrun.get_dataitem(str(tmp_path / name)).show()
    out = capsys.readouterr().out
    assert "a  b" in out and '"k": 1' in out and "plain text" in out
    with pytest.raises(mlrun.ValidationError, match="binary; pass format="):
        mlrun.get_dataitem(str(tmp_path / "blob.bin")).show()
