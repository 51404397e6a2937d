"""DataItem over fsspec: local paths, file:// and memory:// URLs, reading, writing, listing, caching."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import runlab
from runlab.data import check_exists, get_dataitem


@pytest.fixture
def csv(tmp_path):
    path = tmp_path / "iris.csv"
    path.write_text("a,b\n1,x\n2,y\n")
    return path


def test_local_path_and_file_url(csv):
    for url in (str(csv), f"file://{csv}"):
        item = get_dataitem(url)
        assert item.key == "iris.csv"
        assert item.get() == b"a,b\n1,x\n2,y\n"
        assert item.get(encoding="utf-8", offset=4, size=3) == "1,x"
        assert item.as_df()["a"].tolist() == [1, 2]
    assert get_dataitem(str(csv)).local() == str(csv), "a local file is not copied"
    assert repr(get_dataitem(str(csv), key="k")) == f"DataItem(key='k', url='{csv}')"


def test_relative_path_is_made_absolute(csv, monkeypatch):
    monkeypatch.chdir(csv.parent)
    assert get_dataitem("iris.csv").url == str(csv)


def test_put_append_open_stat_delete(tmp_path):
    item = get_dataitem(str(tmp_path / "out" / "notes.txt"))
    item.put("hello")
    item.put(" world", append=True)
    with item.open() as src:
        assert src.read() == b"hello world"
    stat = item.stat()
    assert (stat.size, stat.modified, stat.content_type) == (
        11, (tmp_path / "out" / "notes.txt").stat().st_mtime, "text/plain")
    item.delete()
    assert not item.exists()
    with pytest.raises(runlab.ArtifactNotFoundError, match=r"notes\.txt"):
        item.delete()
    with pytest.raises(runlab.ArtifactNotFoundError, match="check the path"):
        item.get()


@pytest.mark.parametrize("name", ["t.tsv", "t.csv.gz", "t.parquet", "t.json", "t.jsonl", "t.feather"])
def test_as_df_by_suffix(tmp_path, name):
    df = pd.DataFrame({"x": [1, 2], "y": ["a", "b"]})
    path = tmp_path / name
    if name.endswith(".tsv"):
        df.to_csv(path, sep="\t", index=False)
    elif name.endswith(".csv.gz"):
        path.write_bytes(gzip.compress(df.to_csv(index=False).encode()))
    elif name.endswith(".parquet"):
        df.to_parquet(path)
    elif name.endswith(".jsonl"):
        df.to_json(path, orient="records", lines=True)
    elif name.endswith(".json"):
        df.to_json(path, orient="records")
    else:
        df.to_feather(path)
    assert get_dataitem(str(path)).as_df().to_dict("list") == {"x": [1, 2], "y": ["a", "b"]}


def test_unknown_format_is_a_clear_error(tmp_path):
    (tmp_path / "x.bin").write_bytes(b"1")
    with pytest.raises(runlab.ValidationError, match="pass format="):
        get_dataitem(str(tmp_path / "x.bin")).as_df()


def test_listdir_and_download(tmp_path, csv):
    (tmp_path / "sub").mkdir()
    assert get_dataitem(str(tmp_path)).listdir() == ["iris.csv", "sub"]
    get_dataitem(str(csv)).download(str(tmp_path / "copy" / "c.csv"))
    assert (tmp_path / "copy" / "c.csv").read_text() == csv.read_text()


def test_memory_url_local_copy_is_cached_and_refreshed(runlab_home):
    item = get_dataitem("memory://bucket/data.csv")
    item.put("a\n1\n")
    first = item.local()
    assert first.startswith(str(runlab_home / "cache"))
    assert Path(first).read_text() == "a\n1\n"
    assert item.local() == first
    item.put("a\n1\n2\n")
    assert Path(item.local()).read_text() == "a\n1\n2\n", "a changed source is downloaded again"
    assert item.as_df()["a"].tolist() == [1, 2]


def test_check_exists_names_key_and_url(tmp_path):
    with pytest.raises(runlab.InvalidInputError, match=r"input 'data': no such file .*missing\.csv"):
        check_exists(str(tmp_path / "missing.csv"), "data")
    with pytest.raises(runlab.InvalidInputError, match="protocol 'nosuchproto'"):
        check_exists("nosuchproto://x/y", "data")


def test_import_is_cheap():
    code = "import sys, runlab.data; print('pandas' in sys.modules, 'fsspec' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False False"


def test_upload_copies_a_local_file(tmp_path):
    (tmp_path / "src.txt").write_text("up")
    get_dataitem("memory://uploads/x.txt").upload(str(tmp_path / "src.txt"))
    assert get_dataitem("memory://uploads/x.txt").get() == b"up"
    get_dataitem(str(tmp_path / "out" / "y.txt")).upload(str(tmp_path / "src.txt"))
    assert (tmp_path / "out" / "y.txt").read_text() == "up"
    with pytest.raises(runlab.ValidationError, match="no such local file"):
        get_dataitem("memory://uploads/z.txt").upload(str(tmp_path / "missing"))
