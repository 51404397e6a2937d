"""Task.with_secrets: sources are recorded, values never; context.get_secret reads them in and out of process."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import runlab
from runlab.config import get_config
from runlab.outputs import parse_log_hint


def _store_bytes() -> bytes:
    """Every byte of the test's SQLite run store (the database and its WAL)."""
    home = Path(get_config().home)
    return b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file() and ".db" in p.name)


def test_secret_values_never_reach_the_store(tmp_path, monkeypatch, store_backend):
    if store_backend != "sqlite":
        pytest.skip("reads the SQLite file")
    secrets_file = tmp_path / "secrets.env"
    secrets_file.write_text("# a comment\nFILE_SECRET = file-value-4711\n")
    monkeypatch.setenv("ENV_SECRET", "env-value-4712")

    def handler(context):
        seen = [context.get_secret(k) for k in ("INLINE_SECRET", "FILE_SECRET", "ENV_SECRET", "NOT_THERE")]
        context.log_result("lengths", [len(v) if v else 0 for v in seen])

    task = (runlab.new_task().with_secrets("inline", {"INLINE_SECRET": "inline-value-4713"})
            .with_secrets("file", str(secrets_file)).with_secrets("env", ["ENV_SECRET"]))
    run = runlab.new_function(kind="local").run(task, handler=handler)
    assert run.outputs["lengths"] == [17, 15, 14, 0]
    data = _store_bytes()
    assert b"INLINE_SECRET" in data  # the store was read: the keys are there, the values are not
    for value in (b"inline-value-4713", b"file-value-4711", b"env-value-4712"):
        assert value not in data
    sources = run.to_dict()["spec"]["secret_sources"]
    assert sources[0]["kind"] == "inline" and sources[0]["keys"] == ["INLINE_SECRET"]
    assert sources[1] == {"kind": "file", "source": str(secrets_file)}
    assert sources[2] == {"kind": "env", "source": ["ENV_SECRET"]}


def test_get_secret_falls_back_to_the_environment(monkeypatch):
    monkeypatch.setenv("PLAIN_ENV", "p")

    def handler(context):
        return context.get_secret("PLAIN_ENV")

    assert runlab.new_function(kind="local").run(handler=handler).outputs["return"] == "p"


def test_bad_secret_sources_are_clear(tmp_path):
    task = runlab.new_task()
    with pytest.raises(runlab.ValidationError, match="unknown secret kind 'vault'"):
        task.with_secrets("vault", ["a"])
    with pytest.raises(runlab.ValidationError, match="inline secrets take a dict"):
        task.with_secrets("inline", "A=1")
    with pytest.raises(runlab.ValidationError, match=r"secrets file .* does not exist"):
        task.with_secrets("file", str(tmp_path / "missing"))
    with pytest.raises(runlab.ValidationError, match="at least one variable name"):
        task.with_secrets("env", " , ")
    assert task.secrets == []


def test_background_job_reads_env_and_file_secrets(tmp_path, monkeypatch):
    (tmp_path / "job.py").write_text(textwrap.dedent('''
        def handler(context):
            context.log_result("file", context.get_secret("FILE_SECRET"))
            context.log_result("env", context.get_secret("ENV_SECRET"))
    '''))
    (tmp_path / "s.env").write_text("FILE_SECRET=f\n")
    monkeypatch.setenv("ENV_SECRET", "e")
    project = runlab.get_or_create_project("secrets-bg", context=str(tmp_path))
    project.set_function("job.py", name="job", kind="job", handler="handler")
    task = runlab.new_task().with_secrets("file", str(tmp_path / "s.env")).with_secrets("env", "ENV_SECRET")
    run = project.run_function("job", base_task=task)
    assert run.outputs == {"file": "f", "env": "e"}


@pytest.mark.parametrize(("hint", "parsed"), [
    ("a", {"key": "a"}),
    ("a:file", {"key": "a", "artifact_type": "file"}),
    ("a :  result", {"key": "a", "artifact_type": "result"}),
    ({"key": "a", "artifact_type": "object"}, {"key": "a", "artifact_type": "object"}),
    (None, None),
])
def test_log_hints_parse(hint, parsed):
    assert parse_log_hint(hint) == parsed
