"""Notebooks as functions: execute one with papermill for a run (``handlers.check_notebook`` checks it
before the run is recorded).

Params are injected by papermill after the cell tagged ``parameters`` (at the top, with papermill's
warning, when there is none); inputs go in as their URLs. The kernel inherits ``RUNLAB_RUN_UID`` so
``runlab.get_or_create_ctx()`` inside the notebook records into this run. The executed notebook, complete
or up to the failing cell, is logged as a ``notebook`` artifact.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import NotebookCellError
from ..runlog import screen_of

if TYPE_CHECKING:
    from ..context import RunContext


@contextlib.contextmanager
def _run_environment(context: RunContext) -> Iterator[None]:
    """What the notebook's kernel inherits: which run it belongs to and where the store is."""
    keys = {"RUNLAB_RUN_UID": context.uid, "RUNLAB_RUN_ITERATION": str(context.iteration),
            "RUNLAB_DB_URL": context.store_url}
    saved = {k: os.environ.get(k) for k in keys}
    os.environ.update(keys)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_notebook(path: str, kernel_name: str, context: RunContext, show_progress: bool = False) -> None:
    """Execute the notebook for this run and log the executed copy; a failing cell raises
    ``NotebookCellError`` with its index, execution count, exception and traceback.

    Cell outputs stream into the run's log as they come; ``status.progress`` counts the code cells done,
    and ``show_progress`` also draws a bar (in-process runs; a watched background run draws it from the
    status).
    """
    import papermill

    parameters: dict[str, Any] = {**context.parameters, **context.inputs}
    if parameters and not _has_parameters_cell(path):
        print(f"warning: {Path(path).name} has no cell tagged 'parameters'; the params are injected at the top",
              file=sys.stderr)
    _register_engine()
    with tempfile.TemporaryDirectory(prefix="runlab-nb-") as folder, \
            _CellProgress(context, Path(path).name, show_progress) as progress:
        output = str(Path(folder) / Path(path).name)
        failure = None

        def execute(**engine: Any) -> None:
            papermill.execute_notebook(path, output, parameters=parameters, kernel_name=kernel_name,
                                       cwd=str(Path(path).parent), progress_bar=False, log_output=True,
                                       stdout_file=sys.stdout, stderr_file=sys.stderr,
                                       engine_name=_ENGINE, runlab_progress=progress,
                                       # nbclient's graceful shutdown stalls seconds now and then; the
                                       # notebook is done, nothing is lost by stopping the kernel at once
                                       shutdown_kernel="immediate", **engine)

        try:
            with _run_environment(context):
                _execute_in_warm_kernel(kernel_name, execute)
        except papermill.PapermillExecutionError as exc:
            failure = exc
        context.sync_from_store()  # what the notebook logged through its own context
        if Path(output).exists():
            context.log_artifact("notebook", local_path=output, kind="notebook")
            _log_html(output, context)
    if failure is not None:
        raise NotebookCellError(failure.cell_index, failure.exec_count, failure.ename, failure.evalue,
                                "\n".join(failure.traceback)) from None


def _execute_in_warm_kernel(kernel_name: str, execute: Callable[..., None]) -> None:
    """``execute`` in a warm kernel of the fork server's pool when this worker can borrow one, else in a kernel
    papermill starts; a warm kernel that dies before the first cell is replaced by a new one."""
    from .warmkernel import warm_kernel  # jupyter_client, only when a notebook runs

    with warm_kernel(kernel_name) as warm:
        if warm is None:
            execute()
            return
        try:
            return execute(**warm.engine_kwargs())
        except Exception as exc:  # only a kernel that never ran a cell is retried
            if warm.prepared:
                raise
            print(f"warning: the warm kernel did not start ({type(exc).__name__}: {exc}); starting a new one",
                  file=sys.stderr)
    execute()


_ENGINE = "runlab"


def _register_engine() -> None:
    """papermill's nbclient engine, told about each cell as it starts and ends (for the progress)."""
    from papermill.engines import NBClientEngine, papermill_engines

    class _Engine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, runlab_progress=None, **kwargs):
            if runlab_progress is not None:
                runlab_progress.attach(nb_man)
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    papermill_engines.register(_ENGINE, _Engine)


class _CellProgress:
    """Counts code cells done into ``status.progress`` (one status write per cell) and, when shown, a bar."""

    def __init__(self, context: RunContext, name: str, show: bool) -> None:
        self._context, self._name, self._show = context, name, show
        self._bar: Any = None
        self._done = 0
        self._total = 0

    def __enter__(self) -> _CellProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()

    def attach(self, nb_man: Any) -> None:
        """Wrap papermill's per-cell hooks of this execution."""
        self._total = sum(cell.cell_type == "code" for cell in nb_man.nb.cells)
        complete = nb_man.cell_complete

        def cell_complete(cell: Any, cell_index: int | None = None, **kwargs: Any) -> Any:
            result = complete(cell, cell_index=cell_index, **kwargs)
            if cell.cell_type == "code":
                self._advance()
            return result

        nb_man.cell_complete = cell_complete
        if self._show:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=self._total, desc=self._name, unit="cell", file=screen_of(sys.stderr))
        self._context.report_progress(0, self._total, "cell")

    def _advance(self) -> None:
        self._done += 1
        if self._bar is not None:
            self._bar.update(1)
        self._context.report_progress(self._done, self._total, "cell")


def _has_parameters_cell(path: str) -> bool:
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    return any("parameters" in cell.get("metadata", {}).get("tags", []) for cell in notebook.cells)


def _log_html(notebook_path: str, context: RunContext) -> None:
    """The executed notebook as self-contained HTML (viewable without a kernel), when nbconvert is installed."""
    try:
        exporter = _html_exporter()
    except ImportError:
        context.logger.info("nbconvert is not installed: no HTML copy of the notebook (pip install nbconvert)")
        return
    body, _ = exporter.from_filename(notebook_path)
    context.log_artifact("notebook_html", body=body, format="html", kind="notebook")


@functools.lru_cache(maxsize=1)
def _html_exporter() -> Any:
    """One exporter per process: a new one compiles its Jinja templates again (about 0.2 s)."""
    from nbconvert import HTMLExporter

    return HTMLExporter(embed_images=True)


def warm_up() -> None:
    """Do once, in a process that forks workers, what every notebook run would otherwise pay for again:
    kernelspec lookup, kernel provisioner entry points, nbformat's schema and nbconvert's templates.
    Starts no kernel and opens no socket (both must not cross a fork)."""
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.provisioning import KernelProvisionerFactory

    with contextlib.suppress(Exception):  # a warm-up that fails only means the first run pays for it
        KernelSpecManager().find_kernel_specs()
        KernelProvisionerFactory.instance()  # reads the provisioner entry points
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nbformat.validate(notebook)
    with contextlib.suppress(ImportError):
        _html_exporter().from_notebook_node(notebook)
