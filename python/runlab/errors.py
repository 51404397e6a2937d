"""The runlab exception tree.

Every error runlab raises on purpose derives from :class:`RunlabError`, so ``except runlab.RunlabError``
catches them all. Each message names the problem and how to fix it.

::

    RunlabError
    ├── ValidationError            bad input, detected before any run record is written
    │   ├── FunctionNotFoundError  no function of that name in the project
    │   ├── HandlerNotFoundError   the function has no such handler
    │   ├── MissingParameterError  a required handler argument has no param, input or default
    │   ├── InvalidParameterError  a param that cannot be stored (not JSON, int beyond int64)
    │   ├── InvalidInputError      inputs not a dict of str -> str, or an input URL that does not exist
    │   ├── InvalidNameError       a run, project or function name that is not DNS-label-like
    │   ├── UnsupportedError       a kind, runtime or option this installation cannot run
    │   ├── JobRequestError        a field of a "run as job" or "rerun with changes" request (``field`` names it)
    │   ├── CacheError             a run asked for the run cache whose code or inputs cannot be fingerprinted
    │   └── ScheduleExistsError    a schedule of that name exists already (overwrite=True replaces it)
    ├── NotFoundError              something named does not exist (also the base of the two above)
    │   ├── ProjectNotFoundError   no current project, or no project of that name
    │   ├── RunNotFoundError       no run with that uid
    │   ├── ArtifactNotFoundError  no artifact for a store:// URI, or a data URL that does not exist
    │   ├── SourceNotFoundError    no file at a path asked for under the Jupyter server's root
    │   └── ScheduleNotFoundError  no schedule of that name in the project
    ├── RunStateError              the run's state forbids it (abort an ended run, delete a running one)
    ├── ArtifactAccessError        an artifact's file outside its run's artifact path, or not a regular file
    ├── PathOutsideRootError       a path that leads out of the Jupyter server's root folder
    ├── ArtifactChangedError       an artifact's file no longer has the size or sha256 it was logged with
    ├── RunTimeoutError            wait_for_completion ran out of time
    ├── StoreError                 the run store cannot be opened or written
    │   └── ArtifactWriteError     an artifact's file cannot be written (full disk, ...); nothing partial left
    ├── ClusterUnavailableError    the Dask scheduler cannot be reached
    ├── ExportFileError            a file to import that is not a runlab export, is damaged, or is of a newer format
    ├── NotebookCellError          a cell of a notebook run raised (which cell, and what)
    └── RunError                   the run itself failed; ``err.run`` is the recorded run,
                                   ``err.__cause__`` the handler's exception when it ran in-process

MLRun's error names (``MLRunNotFoundError``, ``MLRunInvalidArgumentError``, ...) are the same classes under
MLRun's names, at the end of this module, so ``except mlrun.errors.MLRunNotFoundError`` keeps working
after ``import runlab as mlrun``.
"""

from __future__ import annotations

from typing import Any


class RunlabError(Exception):
    """Root of every error runlab raises on purpose."""


class ValidationError(RunlabError, ValueError):
    """Bad input to a run; raised before any run record is created."""


class NotFoundError(RunlabError, LookupError):
    """Something named (a project, run, function, handler, artifact or schedule) does not exist."""


class FunctionNotFoundError(ValidationError, NotFoundError):
    """The project has no function of the given name."""


class HandlerNotFoundError(ValidationError, NotFoundError):
    """The function's source has no handler of the given name."""


class MissingParameterError(ValidationError, TypeError):
    """A required handler argument got no param, no input and has no default."""


class InvalidParameterError(ValidationError, TypeError):
    """A param value cannot be stored as JSON (or is an int beyond 64 bits)."""


class InvalidInputError(ValidationError):
    """``inputs`` is not a dict of str to str, or an input URL has a scheme no data store reads or does not exist."""


class InvalidNameError(ValidationError):
    """A run, function or project name is not a valid DNS-label-like name."""


class UnsupportedError(ValidationError):
    """A kind, runtime or option that this installation cannot run."""


class InvalidRunLimitError(ValidationError):
    """A run's ``timeout``, ``retry`` or ``retry_delay`` is not a value it can take."""


class JobRequestError(ValidationError):
    """A field of a request to run a file as a job (or to rerun a run with changes) is invalid; ``field``
    names it (``params.lr``, ``inputs.data``, ``schedule.cron``, ...) so a form can show the message by it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class CacheError(ValidationError):
    """A run asked for the run cache (``cache=True``) whose code or inputs cannot be fingerprinted, so runlab
    cannot tell whether an earlier run did the same work; the message names what and says how to run it."""


class ProjectNotFoundError(NotFoundError):
    """No project of that name, or no current project set."""


class RunNotFoundError(NotFoundError):
    """No run with that uid in the store."""


class ArtifactNotFoundError(NotFoundError):
    """A ``store://`` URI or data URL that points at nothing."""


class SourceNotFoundError(NotFoundError):
    """No file at a path asked for under the Jupyter server's root folder."""


class EnvironmentNotFoundError(NotFoundError):
    """No Python environment of the given hash in the store (a run's ``spec.code.environment`` names one)."""


class RunTimeoutError(RunlabError, TimeoutError):
    """A run did not reach a terminal state in the time given."""

    def __init__(self, message: str, run: Any = None) -> None:
        super().__init__(message)
        self.run = run


class StoreError(RunlabError):
    """The run store cannot be opened, migrated or written."""


class ArtifactWriteError(StoreError, OSError):
    """An artifact's file could not be written (a full disk, no permission): the message names the key, the
    path and the OS's reason, and no partial file is left. Also an ``OSError``, as the failed write was."""


class RunError(RunlabError):
    """A run ended in ``error``.

    The run is recorded and never lost: ``err.run`` is its :class:`~runlab.RunObject`, and when the
    handler ran in this process ``err.__cause__`` is the exception it raised.
    """

    def __init__(self, message: str, run: Any = None) -> None:
        super().__init__(message)
        self.run = run


class ScheduleExistsError(ValidationError):
    """A schedule of that name already exists in the project (pass ``overwrite=True`` to replace it)."""


class ScheduleNotFoundError(NotFoundError):
    """No schedule of that name in the project."""


class RunStateError(RunlabError):
    """What was asked cannot be done in the run's (or schedule's) current state: aborting a run that ended,
    deleting one that still runs, rerunning one whose code is gone."""


class ArtifactAccessError(RunlabError, PermissionError):
    """An artifact's file that runlab will not serve or remove: outside its run's artifact path (or reached
    through a symlink leading out of it), or not a regular file."""


class PathOutsideRootError(RunlabError, PermissionError):
    """A path (absolute, with ``..``, or through a symlink) that leads out of the Jupyter server's root folder."""


class ArtifactChangedError(RunlabError):
    """An artifact's file no longer has the size or sha256 recorded when it was logged."""


class ClusterUnavailableError(RunlabError, ConnectionError):
    """The Dask scheduler cannot be reached."""


class ExportFileError(RunlabError):
    """A file given to import runs from is not a runlab export (``runlab export`` writes them), is damaged, or
    was written in a newer format version than this runlab reads."""


class NotebookCellError(RunlabError, RuntimeError):
    """A notebook cell raised: which cell (``cell_index``, ``exec_count``), and what (``ename``, ``evalue``,
    ``notebook_traceback``)."""

    def __init__(self, cell_index: int, exec_count: int | None, ename: str, evalue: str, traceback: str) -> None:
        self.cell_index = cell_index
        self.exec_count = exec_count
        self.ename = ename
        self.evalue = evalue
        self.notebook_traceback = traceback
        super().__init__(f"cell {cell_index} (execution count {exec_count}) raised {ename}: {evalue}")


# -- MLRun's names for the same errors ------------------------------------------------------------------
# Aliases, not new classes: an MLRun ``except`` clause catches exactly what runlab raises for that case.

MLRunBaseError = RunlabError
MLRunHTTPError = RunlabError
MLRunHTTPStatusError = RunlabError
MLRunNotFoundError = NotFoundError
MLRunBadRequestError = ValidationError
MLRunInvalidArgumentError = ValidationError
MLRunInvalidArgumentTypeError = InvalidParameterError
MLRunConflictError = RunStateError
MLRunPreconditionFailedError = RunStateError
MLRunNotImplementedServerError = UnsupportedError
MLRunRuntimeError = RunError
MLRunTimeoutError = RunTimeoutError
MLRunValueError = ValidationError


class CodeChangedWarning(UserWarning):
    """A rerun runs other code or in another environment than the run it repeats: the message says what
    changed (the file's sha256, a diff of a recorded source, packages added, removed or changed); ``drift``
    holds it as data (``capture.drift``)."""

    def __init__(self, message: str, drift: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.drift = drift or {}
