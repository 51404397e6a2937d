"""What a run records of what ran (``spec.code``): its code's hash, the file's git commit, branch and diff, the
Python environment stored once, host and user; and the warning a rerun gives when the code or environment changed."""

from __future__ import annotations

import hashlib
import subprocess
import textwrap
import warnings
from pathlib import Path

import pytest

import runlab
from runlab import pyenv
from runlab.config import reset_config
from runlab.errors import CodeChangedWarning
from runlab.store import get_store

HANDLER = """
    def train(context, x=1):
        context.log_result("y", x * 2)
"""


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(folder), "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                          check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repo(tmp_path) -> Path:
    """A git repository with one commit on branch ``work`` holding ``train.py``."""
    folder = tmp_path / "repo"
    folder.mkdir()
    (folder / "train.py").write_text(textwrap.dedent(HANDLER))
    (folder / "notes.txt").write_text("first\n")
    git(folder, "init", "-q", "-b", "work")
    git(folder, "add", ".")
    git(folder, "commit", "-qm", "first")
    return folder


def project_in(folder: Path, kind: str = "job") -> runlab.Project:
    project = runlab.get_or_create_project("cap", context=str(folder))
    project.set_function(str(folder / "train.py"), name="train", kind=kind, handler="train")
    return project


def test_a_run_records_its_file_commit_branch_and_the_uncommitted_diff(repo):
    project = project_in(repo)
    clean = project.run_function("train", params={"x": 1})
    code = clean.spec["code"]
    assert code["sha256"] == hashlib.sha256((repo / "train.py").read_bytes()).hexdigest()
    assert code["path"] == str(repo / "train.py")
    assert code["git"]["commit"] == git(repo, "rev-parse", "HEAD")
    assert code["git"]["branch"] == "work"
    assert (code["git"]["dirty"], code["git"]["diff"]) == (False, "")
    assert code["host"] and code["user"]

    with (repo / "train.py").open("a") as file:
        file.write("# tuned\n")
    (repo / "notes.txt").write_text("second\n")  # another tracked file of the repository changed too
    dirty = project.run_function("train", params={"x": 1})
    git_section = dirty.spec["code"]["git"]
    assert git_section["dirty"] is True
    assert "+# tuned" in git_section["diff"] and "+second" in git_section["diff"]
    assert dirty.spec["code"]["sha256"] != code["sha256"]
    (repo / "notes.txt").write_text("third\n")  # changed again, still not staged: the next run sees it
    assert "+third" in project.run_function("train", params={"x": 1}).spec["code"]["git"]["diff"]

    git(repo, "commit", "-qam", "second")
    git(repo, "checkout", "-q", "-b", "feature")
    committed = project.run_function("train", params={"x": 1})
    assert committed.spec["code"]["git"]["commit"] == git(repo, "rev-parse", "HEAD") != code["git"]["commit"]
    assert (committed.spec["code"]["git"]["branch"], committed.spec["code"]["git"]["diff"]) == ("feature", "")


def test_a_commit_in_packed_refs_and_a_detached_head_are_read(repo):
    git(repo, "pack-refs", "--all")
    project = project_in(repo, kind="local")
    assert project.run_function("train").spec["code"]["git"]["commit"] == git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "--detach")
    detached = project.run_function("train").spec["code"]["git"]
    assert (detached["commit"], detached["branch"]) == (git(repo, "rev-parse", "HEAD"), None)


def test_a_staged_change_is_in_the_diff(repo):
    project = project_in(repo, kind="local")
    project.run_function("train")  # the clean state is known
    (repo / "notes.txt").write_text("staged\n")
    git(repo, "add", "notes.txt")
    assert "+staged" in project.run_function("train").spec["code"]["git"]["diff"]


def test_a_long_diff_is_cut_and_says_so(repo, monkeypatch):
    from runlab import gitinfo

    monkeypatch.setattr(gitinfo, "MAX_DIFF_BYTES", 200)
    (repo / "notes.txt").write_text("changed line\n" * 100)
    section = project_in(repo, kind="local").run_function("train").spec["code"]["git"]
    assert section["diff_truncated"] is True and len(section["diff"].encode()) <= 200


def test_a_file_outside_any_repository_or_without_git_has_no_git_section(tmp_path, monkeypatch):
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "train.py").write_text(textwrap.dedent(HANDLER))
    project = project_in(folder, kind="local")
    code = project.run_function("train").spec["code"]
    assert "git" not in code and code["sha256"]

    repo = tmp_path / "repo2"
    repo.mkdir()
    (repo / "train.py").write_text(textwrap.dedent(HANDLER))
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "first")
    monkeypatch.setenv("PATH", str(tmp_path / "no-such-bin"))  # no git command
    assert "git" not in project_in(repo, kind="local").run_function("train").spec["code"]


def test_two_runs_share_one_stored_environment(repo):
    project = project_in(repo)
    first, second = (project.run_function("train", params={"x": x}) for x in (1, 2))
    env_hash = first.spec["code"]["environment"]
    assert second.spec["code"]["environment"] == env_hash
    stored = get_store().get_environment(env_hash)
    assert stored["python"] == pyenv.current()[1]["python"]
    assert any(line.startswith("sqlalchemy==") for line in stored["packages"])
    with get_store().engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM environments").scalar() == 1



def test_a_package_installed_between_two_runs_is_in_the_second_runs_environment(repo, tmp_path, monkeypatch):
    """An install changes a site-packages folder: the next run records (and stores) the new environment. The
    folders are looked at again once ``LOOK_AGAIN_AFTER`` passed, which any install takes longer than."""
    import sys
    import time

    from runlab import process

    site = tmp_path / "venv" / "site-packages"
    site.mkdir(parents=True)
    monkeypatch.setattr(sys, "path", [*sys.path, str(site)])
    process.reset()
    project = project_in(repo, kind="local")
    first = project.run_function("train")
    installed_at = time.monotonic()
    (site / "fresh_pkg-1.2.dist-info").mkdir()  # what pip or uv leaves behind
    while time.monotonic() - installed_at < pyenv.LOOK_AGAIN_AFTER:  # as long as an install takes, at least
        time.sleep(pyenv.LOOK_AGAIN_AFTER / 10)
    second = project.run_function("train")
    old, new = first.spec["code"]["environment"], second.spec["code"]["environment"]
    assert old != new
    assert "fresh-pkg==1.2" in get_store().get_environment(new)["packages"]
    assert "fresh-pkg==1.2" not in get_store().get_environment(old)["packages"]

def test_a_notebook_cells_callable_records_its_source():
    def cell_handler(context, x=2):  # only this process holds it, as a notebook cell's function
        return x * 3

    code = runlab.new_function(name="cell", kind="local").run(handler=cell_handler).spec["code"]
    assert "def cell_handler(context, x=2):" in code["source"] and "return x * 3" in code["source"]
    assert code["sha256"] == hashlib.sha256(code["source"].encode()).hexdigest()
    assert code["path"] is None

    namespace: dict = {}
    exec(compile("def scale(context, x=2):\n    return x * 3\n", "<cell>", "exec"), namespace)  # no text kept
    unreadable = runlab.new_function(name="cell2", kind="local").run(handler=namespace["scale"]).spec["code"]
    assert unreadable["sha256"] is None and "source" not in unreadable


def test_a_notebook_cells_callable_changed_between_runs_records_its_new_source():
    """A cell run again defines the handler anew: each run records the source (and its sha256) it ran."""
    def first(context):
        return 1

    def second(context):
        return 2

    fn = runlab.new_function(name="cell", kind="local")
    codes = [fn.run(handler=handler).spec["code"] for handler in (first, second, first)]
    assert [code["source"].split("(")[0].strip() for code in codes] == ["def first", "def second", "def first"]
    assert [code["sha256"] for code in codes] == [hashlib.sha256(code["source"].encode()).hexdigest()
                                                  for code in codes]
    assert codes[0]["sha256"] != codes[1]["sha256"] and codes[0]["sha256"] == codes[2]["sha256"]


def test_a_sweeps_children_share_the_parents_capture(repo):
    project = project_in(repo, kind="local")
    sweep = project.run_function("train", hyperparams={"x": [1, 2, 3]})
    assert sweep.spec["code"]["sha256"]
    children = [c for c in runlab.get_run_db().list_runs(uid=sweep.uid(), iter=True) if c.metadata.iteration]
    assert len(children) == 3 and all("code" not in c.spec for c in children)


def test_capture_can_be_turned_off(repo, monkeypatch):
    monkeypatch.setenv("RUNLAB_CAPTURE", "0")
    reset_config()
    run = project_in(repo, kind="local").run_function("train")
    assert "code" not in run.spec
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run.rerun()


def test_a_rerun_warns_when_the_file_changed_and_not_when_it_did_not(repo):
    project = project_in(repo)
    run = project.run_function("train", params={"x": 1})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        assert run.rerun().state() == "completed"

    old = run.spec["code"]["sha256"]
    with (repo / "train.py").open("a") as file:
        file.write("# changed\n")
    new = hashlib.sha256((repo / "train.py").read_bytes()).hexdigest()
    with pytest.warns(CodeChangedWarning, match=f"train.py {old[:8]} → {new[:8]}") as caught:
        run.rerun()
    assert caught[0].filename == __file__, "the warning points at the rerun() call"
    assert caught[0].message.drift["code"]["changed"] is True


def test_a_rerun_of_a_cells_callable_shows_the_source_diff():
    function = runlab.new_function(name="cellfn", kind="local")

    def handler(context, x=2):
        return x * 3

    first = function.run(handler=handler)

    def handler(context, x=2):  # the cell run again with other code: reruns run this one
        return x * 4

    function.run(handler=handler)
    with pytest.warns(CodeChangedWarning) as caught:
        assert first.rerun().outputs["return"] == 8
    message = str(caught[0].message)
    assert "-        return x * 3" in message and "+        return x * 4" in message


def test_a_rerun_warns_when_packages_changed(repo, monkeypatch):
    project = project_in(repo, kind="local")
    run = project.run_function("train")
    env_hash, document = pyenv.current()
    stored = get_store().get_environment(env_hash)
    assert stored is not None
    changed = {**document, "packages": [*(p for p in document["packages"] if not p.startswith("sqlalchemy==")),
                                        "brand-new==1.0", "sqlalchemy==0.0.1"]}
    monkeypatch.setattr(pyenv, "current", lambda: (pyenv.environment_hash(changed), changed))
    with pytest.warns(CodeChangedWarning) as caught:
        run.rerun()
    message = str(caught[0].message)
    assert "added brand-new==1.0" in message
    assert "sqlalchemy " in message and "→ 0.0.1" in message


def test_package_changes_name_added_removed_and_changed():
    assert pyenv.package_changes(["a==1", "b==2", "c==3"], ["a==1", "b==2.1", "d==4"]) == {
        "added": ["d==4"], "removed": ["c==3"], "changed": ["b 2 → 2.1"]}


def test_a_notebook_function_records_the_notebooks_hash_and_repository(repo):
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell("n = 2", metadata={"tags": ["parameters"]}),
                      nbformat.v4.new_code_cell("print(n * 2)")]
    nbformat.write(notebook, repo / "report.ipynb")
    project = project_in(repo)
    project.set_function(str(repo / "report.ipynb"), name="report")
    code = project.run_function("report", params={"n": 3}).spec["code"]
    assert code["sha256"] == hashlib.sha256((repo / "report.ipynb").read_bytes()).hexdigest()
    assert code["path"] == str(repo / "report.ipynb") and code["git"]["branch"] == "work"
