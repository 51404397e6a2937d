"""MLRun's configuration names: ``mlconf`` and ``set_environment``.

Ported from MLRun's ``examples/mlrun_jobs.ipynb`` (``mlconf.dbpath = mlconf.dbpath or ...``,
``out = mlconf.artifact_path or path.abspath("./data")``), ``docs/install/remote.md`` and
``docs/cheat-sheet.md`` (``mlrun.set_environment(...)``), with only the import changed.
"""

from __future__ import annotations

from os import path

import pytest

import runlab as mlrun
from runlab import mlconf


def test_mlconf_artifact_path_fallback_from_the_jobs_example():
    # examples/mlrun_jobs.ipynb: with no artifact path configured, the notebook picks its own.
    out = mlconf.artifact_path or path.abspath("./data")
    assert out == path.abspath("./data")
    artifact_path = path.join(out, "{{run.uid}}")
    assert artifact_path.endswith("data/{{run.uid}}")


def test_mlconf_dbpath_kept_when_set():
    # examples/mlrun_jobs.ipynb: `mlconf.dbpath = mlconf.dbpath or "http://mlrun-api:8080"`. runlab always has a
    # store (SQLite under RUNLAB_HOME by default), so the `or` keeps it and no API address is ever needed.
    before = mlconf.dbpath
    mlconf.dbpath = mlconf.dbpath or "http://mlrun-api:8080"
    assert mlconf.dbpath == before
    assert before.startswith("sqlite:///")


def test_set_environment_with_an_api_server_is_refused_with_the_runlab_way():
    # docs/install/remote.md: `mlrun.set_environment("http://localhost:8080", artifact_path="./")`.
    # Deliberate difference: runlab has no API server; the error says to leave api_path out (or give a DB URL).
    with pytest.raises(mlrun.errors.MLRunInvalidArgumentError, match="without a server"):
        mlrun.set_environment("http://localhost:8080", artifact_path="./")
    with pytest.raises(mlrun.UnsupportedError):
        mlconf.dbpath = "http://mlrun-api:8080"


def test_set_environment_returns_project_and_artifact_path(tmp_path):
    # mlrun/__init__.py docstring: `project_name, artifact_path = set_environment(...)`
    project_name, artifact_path = mlrun.set_environment(artifact_path="./")
    assert project_name == "default"
    assert artifact_path == path.abspath("./")
    assert mlconf.artifact_path == path.abspath("./")
    with pytest.raises(ValueError, match="absolute"):
        mlrun.set_environment(artifact_path="relative/dir")


def test_set_environment_from_an_env_file(tmp_path, monkeypatch):
    # docs/install/remote.md: `mlrun.set_environment(env_file="mlrun.env")` loads KEY=VALUE lines.
    for name in ("MLRUN_ARTIFACT_PATH", "RUNLAB_ARTIFACT_PATH", "MY_TOKEN"):  # restored after the test
        monkeypatch.setenv(name, "")
    env = tmp_path / "mlrun.env"
    env.write_text(f"# my settings\nMLRUN_ARTIFACT_PATH={tmp_path}/arts\nMY_TOKEN='abc'\n")
    _, artifact_path = mlrun.set_environment(env_file=str(env))
    assert artifact_path == f"{tmp_path}/arts"
    assert mlrun.get_secret_or_env("MY_TOKEN") == "abc"
    assert mlrun.set_env_from_file(str(env), return_dict=True)["MY_TOKEN"] == "abc"


def test_a_project_created_after_mlconf_takes_its_artifact_path(tmp_path):
    # docs/projects/run-build-deploy.md: the artifact path comes from mlconf when the project gives none.
    mlconf.artifact_path = str(tmp_path / "shared-artifacts")
    project = mlrun.get_or_create_project("conf-demo", context=str(tmp_path))
    assert project.artifact_path == str(tmp_path / "shared-artifacts")


def test_cluster_settings_and_mounts_say_they_do_not_exist_here():
    # examples/mlrun_jobs.ipynb: `trainer.apply(auto_mount())`. Deliberate difference: mounts are pod settings.
    with pytest.raises(mlrun.UnsupportedError, match="Kubernetes"):
        mlrun.auto_mount()
    with pytest.raises(AttributeError, match=r"mlconf\.artifact_path"):
        mlconf.namespace  # noqa: B018
