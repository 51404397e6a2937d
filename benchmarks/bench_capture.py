"""What capturing a run's code, git state and environment (``spec.code``) adds to a job run's submit.

A ``job`` function in a git repository with an uncommitted change: ``run_function(..., watch=False)`` timed
with capture on and off in turns (median of 60 each, after 10 warm-ups), the added time being the
difference of the medians; and ``capture.capture`` itself (what a run adds, median of 500), for a clean and
a dirty worktree, and the first capture in a process (the package list read, git asked for its diff).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import fresh_home, median, verdict

fresh_home(cleanup=True)

import runlab  # noqa: E402
from runlab import capture, process  # noqa: E402
from runlab.config import get_config  # noqa: E402
from runlab.handlers import FunctionSpec  # noqa: E402

HANDLER = "def train(context, x=1):\n    context.log_result('y', x)\n"


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), "-c", "user.email=b@example.com", "-c", "user.name=b", *args],
                   check=True, capture_output=True)


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="runlab-bench-repo-"))
    (folder / "train.py").write_text(HANDLER)
    for i in range(50):  # a small project's files
        (folder / f"module{i}.py").write_text(f"VALUE = {i}\n")
    git(folder, "init", "-q")
    git(folder, "add", ".")
    git(folder, "commit", "-qm", "first")
    function = FunctionSpec(name="train", kind="job", filename=str(folder / "train.py"), handler="train")

    process.reset()
    start = time.perf_counter()
    capture.capture(function, None)
    cold = (time.perf_counter() - start) * 1000
    times = {}
    for state in ("clean", "dirty"):
        if state == "dirty":
            (folder / "module3.py").write_text("VALUE = 'changed'\n")
            capture.capture(function, None)  # git asked once for this state
        samples = []
        for _ in range(500):
            start = time.perf_counter()
            capture.capture(function, None)
            samples.append((time.perf_counter() - start) * 1000)
        times[state] = median(samples)
    print(f"capture.capture, first in a process: {cold:.2f} ms; then clean: {times['clean']:.3f} ms, "
          f"dirty: {times['dirty']:.3f} ms (median of 500)")

    project = runlab.get_or_create_project("bench", context=str(folder))
    project.set_function(str(folder / "train.py"), name="train", kind="job", handler="train")
    config = get_config()
    runs = {True: [], False: []}
    started = []
    for i in range(70):
        for on in (True, False):
            config.capture = on
            begin = time.perf_counter()
            started.append(project.run_function("train", params={"x": i}, watch=False))
            if i >= 10:
                runs[on].append((time.perf_counter() - begin) * 1000)
    config.capture = True
    for run in started:
        run.wait_for_completion(timeout=300)
    problems = [f"{len(bad)} runs did not complete"] if (bad := [r for r in started if r.state() != "completed"]) \
        else []
    with_capture, without = median(runs[True]), median(runs[False])
    print(f"job submit (run_function watch=False), median of 60: {with_capture:.2f} ms with capture, "
          f"{without:.2f} ms without")
    added = max(with_capture - without, times["dirty"], times["clean"])
    verdict("capture added to a job run's submit", added, 5.0, "ms", problems)


if __name__ == "__main__":
    main()
