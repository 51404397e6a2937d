"""Runs to compare, shared by the compare route's tests and the compare view's browser test: plain runs with
many params (differing in one), and a sweep whose iterations log a coloured PNG, an HTML page and a dataset."""

from __future__ import annotations

import textwrap
from pathlib import Path

import runlab
from runlab.record import RunState, new_run
from runlab.store import get_store

SWEEP_HANDLERS = '''
    import json
    import struct
    import zlib

    def png(rgb, width=48, height=32):
        """A solid-colour PNG (the sweep's image artifact)."""
        def chunk(kind, data):
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        rows = b"".join(b"\\0" + bytes(rgb) * width for _ in range(height))
        header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
        body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
        return b"\\x89PNG\\r\\n\\x1a\\n" + body

    def train(context, lr=0.1, depth=2):
        context.log_result("accuracy", round(0.5 + lr + depth / 100, 4))
        context.log_result("loss", round(1 - lr, 4))
        shade = int(lr * 500) % 256
        context.log_artifact("plot", body=png((shade, 80, 255 - shade)), format="png")
        context.log_artifact("page", body=f"<html><body><p>lr is {lr}</p></body></html>", format="html")
        context.log_dataset("table", __import__("pandas").DataFrame({"lr": [lr], "depth": [depth]}))
        cells = [{"cell_type": "markdown", "metadata": {}, "source": f"Report of lr {lr}"},
                 {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": "print(lr)",
                  "outputs": [{"output_type": "stream", "name": "stdout", "text": f"{lr}\\n"}]}]
        notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        context.log_artifact("report", body=json.dumps(notebook), format="ipynb", kind="notebook")
'''


def add_runs(project: str, count: int, params: int, differing: int = 1, name: str = "train",
             results: bool = True) -> list[str]:
    """``count`` completed runs of 5 s with ``params`` params each, of which the first ``differing`` differ
    between runs; with ``results`` each has the results accuracy (higher in newer runs) and loss (lower).
    Returns their uids, oldest first."""
    get_store()  # the configured store, opened once
    runlab.get_or_create_project(project)
    uids = []
    for i in range(count):
        values = {f"p{n:03d}": (i if n < differing else n) for n in range(params)}
        record = new_run(project, name, "job", RunState.COMPLETED, {}, {"function": "fn", "parameters": values})
        if results:
            record.results = {"accuracy": 0.5 + i / 100, "loss": 1.0 - i / 100}
        record.start_time = record.last_update = 1_700_000_000.0 + i
        record.end_time = record.start_time + 5
        get_store().create_run(record)
        uids.append(record.uid)
    return uids


def run_sweep(folder: Path, project: str = "sweeps"):
    """A sweep of 3 iterations (lr 0.1, 0.2, 0.3) with artifacts plot (PNG), page (HTML), table (dataset) and
    report (an executed notebook)."""
    (folder / "sweep_handlers.py").write_text(textwrap.dedent(SWEEP_HANDLERS))
    proj = runlab.get_or_create_project(project, context=str(folder))
    proj.set_function("sweep_handlers.py", name="sweepfn", kind="local", handler="train")
    return proj.run_function("sweepfn", hyperparams={"lr": [0.1, 0.2, 0.3]}, selector="max.accuracy")
