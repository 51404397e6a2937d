"""Fingerprints of a run's code and inputs: what the run cache compares."""

from __future__ import annotations

import hashlib
import os

import fsspec
import pytest

import runlab
from runlab.config import reset_config
from runlab.errors import CacheError
from runlab.fingerprint import code_sha256, input_fingerprint
from runlab.handlers import FunctionSpec


def test_a_file_functions_code_is_its_whole_file(tmp_path):
    path = tmp_path / "steps.py"
    path.write_text("def train(context):\n    pass\n")
    fn = FunctionSpec(name="steps", kind="job", filename=str(path))
    assert code_sha256(fn, fn.resolve("train")) == hashlib.sha256(path.read_bytes()).hexdigest()
    path.write_text("def train(context):\n    pass\n\ndef other():\n    pass\n")
    assert code_sha256(fn, None) == hashlib.sha256(path.read_bytes()).hexdigest(), "any change in the file counts"


def test_a_callable_without_a_file_is_its_source():
    def handler(context):
        return 1

    fn = FunctionSpec(name="inline", kind="local", handler=handler)
    ref = fn.resolve(None)
    source = '    def handler(context):\n        return 1\n'
    assert code_sha256(fn, ref) == hashlib.sha256(source.encode()).hexdigest()


def test_code_with_no_readable_source_is_a_cache_error():
    namespace: dict = {}
    exec("def made(context):\n    pass\n", namespace)
    fn = FunctionSpec(name="made", kind="local", handler=namespace["made"])
    with pytest.raises(CacheError, match="cache=False"):
        code_sha256(fn, fn.resolve(None))


def test_a_small_local_file_is_its_content(tmp_path):
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    one.write_text("a\n1\n")
    two.write_text("a\n1\n")
    assert input_fingerprint("data", str(one)) == input_fingerprint("data", f"file://{two}")
    assert input_fingerprint("data", str(one)) == "sha256:" + hashlib.sha256(b"a\n1\n").hexdigest()
    two.write_text("a\n2\n")
    assert input_fingerprint("data", str(one)) != input_fingerprint("data", str(two))


def test_a_file_over_the_limit_is_its_size_and_modification_time(tmp_path, monkeypatch):
    monkeypatch.setenv("RUNLAB_CACHE_HASH_LIMIT", "4")
    reset_config()
    big = tmp_path / "big.csv"
    big.write_text("a\n1\n2\n")
    first = input_fingerprint("data", str(big))
    assert first == f"stat:{big}:6:{os.stat(big).st_mtime_ns}"
    os.utime(big, ns=(1, 1))
    assert input_fingerprint("data", str(big)) != first, "a touched large file counts as changed"


def test_a_folder_is_its_files_sizes_and_times(tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    (folder / "a.csv").write_text("1")
    first = input_fingerprint("data", str(folder))
    assert first.startswith("stat-dir:") and input_fingerprint("data", str(folder)) == first
    (folder / "b.csv").write_text("2")
    assert input_fingerprint("data", str(folder)) != first


def test_a_remote_object_is_its_size_and_version_mark():
    fs = fsspec.filesystem("memory")
    fs.pipe("/cache-test/data.csv", b"a\n1\n")
    try:
        first = input_fingerprint("data", "memory://cache-test/data.csv")
        assert first.startswith("remote:memory://cache-test/data.csv:4:created=")
        assert input_fingerprint("data", "memory://cache-test/data.csv") == first
        fs.pipe("/cache-test/data.csv", b"a\n1\n2\n")
        assert input_fingerprint("data", "memory://cache-test/data.csv") != first
    finally:
        fs.rm("/cache-test", recursive=True)


def test_a_missing_remote_object_is_a_cache_error():
    with pytest.raises(CacheError, match=r"input 'data'.*cache=False"):
        input_fingerprint("data", "memory://cache-test/none.csv")


def test_a_store_artifact_is_its_recorded_hash(tmp_path):
    project = runlab.get_or_create_project("fp", context=str(tmp_path))
    first = project.log_artifact("table", body="a\n1\n", format="csv")
    second = project.log_artifact("table", body="a\n1\n", format="csv")  # a new version, the same content
    uri = "store://artifacts/fp/table"
    assert input_fingerprint("data", uri).startswith("artifact:sha256:")
    assert first.hash == second.hash
    project.log_artifact("table", body="a\n2\n", format="csv")
    assert input_fingerprint("data", uri) != f"artifact:sha256:{first.hash}"
    with pytest.raises(CacheError, match="input 'data'"):
        input_fingerprint("data", "store://artifacts/fp/missing")
