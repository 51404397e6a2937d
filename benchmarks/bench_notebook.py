"""A 3-cell notebook as a function: bare ``papermill.execute_notebook`` in this process, against the same
notebook through runlab in the foreground (``local=True``) and in the background (``watch=False``, submit
to ``completed``, one after another, after one untimed run that starts the fork server and its kernel
pool); median of 5 each."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from _common import fresh_home, median, ratio_verdict, verdict


def main() -> None:
    fresh_home()
    import nbformat
    import papermill

    import runlab

    folder = Path(tempfile.mkdtemp(prefix="runlab-bench-nb-"))
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
                      nbformat.v4.new_code_cell("y = x * 2"), nbformat.v4.new_code_cell("print(y)")]
    path = folder / "three.ipynb"
    nbformat.write(notebook, path)
    project = runlab.get_or_create_project("bench-nb", context=str(folder))
    project.set_function("three.ipynb", name="three")

    def timed(call) -> float:
        start = time.perf_counter()
        call()
        return time.perf_counter() - start

    bare = median([timed(lambda: papermill.execute_notebook(str(path), str(folder / "out.ipynb"),
                                                            parameters={"x": 2}, progress_bar=False))
                   for _ in range(5)])
    # the same, stopping the kernel at once as runlab does: the overhead of runlab alone
    bare_now = median([timed(lambda: papermill.execute_notebook(str(path), str(folder / "out.ipynb"),
                                                                parameters={"x": 2}, progress_bar=False,
                                                                shutdown_kernel="immediate"))
                       for _ in range(5)])
    foreground = median([timed(lambda: project.run_function("three", params={"x": 2}, local=True))
                         for _ in range(5)])

    def background_run() -> None:
        run = project.run_function("three", params={"x": 2}, watch=False).wait_for_completion(poll=0.01)
        assert run.state() == "completed", run.status.error

    background_run()  # the fork server starts (and, with it, the pool of warm kernels): not what is measured
    background = median([timed(background_run) for _ in range(5)])
    print(f"bare papermill {bare:.2f} s ({bare_now:.2f} s with immediate kernel shutdown); "
          f"runlab foreground {foreground:.2f} s "
          f"({(foreground / bare - 1) * 100:+.0f}% over bare); background submit-to-completed {background:.2f} s")
    verdict("foreground overhead over bare papermill", (foreground / bare - 1) * 100, 15, "%")
    print(f"runlab foreground over bare papermill with immediate shutdown: {(foreground / bare_now - 1) * 100:+.0f}%")
    print(f"background submit-to-completed {background:.2f} s; bare papermill {bare:.2f} s; "
          f"ratio {background / bare:.2f}x")
    ratio_verdict("background submit-to-completed over bare papermill", background, bare, 1.0, unit="s")


if __name__ == "__main__":
    main()
