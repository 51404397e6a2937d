"""MLRun has no run cache: MLRun code, which never passes ``cache=``, runs every call, even one with the same
code, params and inputs as a run before it, and its run dicts carry no cache label."""

from __future__ import annotations

import textwrap

import runlab as mlrun


def test_mlrun_code_runs_every_call(tmp_path):
    (tmp_path / "trainer.py").write_text(textwrap.dedent("""
        def handler(context, p1=1):
            context.log_result("accuracy", p1 * 2)
    """))
    project = mlrun.get_or_create_project("compat-cache", context=str(tmp_path))
    project.set_function("trainer.py", name="trainer", kind="job", image="mlrun/mlrun", handler="handler")
    runs = [project.run_function("trainer", params={"p1": 3}, local=True) for _ in range(2)]
    assert runs[0].uid() != runs[1].uid()
    for run in runs:
        assert run.to_dict()["status"]["results"] == {"accuracy": 6}
        assert "cached-from" not in run.to_dict()["metadata"]["labels"]
        assert "cached_from" not in run.to_dict()["status"]
