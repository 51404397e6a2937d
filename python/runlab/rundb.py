"""``get_run_db()``: the store as a small query API (MLRun's ``get_run_db`` names)."""

from __future__ import annotations

from typing import Any

from .record import artifact_to_dict
from .run import RunList, RunObject, get_run, list_runs
from .store import get_store


class RunDB:
    """Queries over the run store: runs, logs, artifacts and projects."""

    def __init__(self, url: str | None = None) -> None:
        self.store = get_store(url)

    def list_runs(self, name: str | None = None, project: str | None = None, uid: str | None = None,
                  labels: dict[str, str] | list[str] | str | None = None, state: str | None = None,
                  last: int | None = None, iter: bool = False) -> RunList:
        """Runs, newest first, across projects unless ``project`` is given."""
        return list_runs(project=project, name=name, uid=uid, labels=labels, state=state, last=last, iter=iter,
                         store=self.store)

    def read_run(self, uid: str, iter: int = 0) -> RunObject:
        """One run by uid (or unique prefix), from this store."""
        return get_run(uid, iter, store=self.store)

    def get_log(self, uid: str, offset: int = 0, iteration: int = 0) -> tuple[str, int]:
        """The run's log from byte ``offset``, and the next offset."""
        return self.store.read_log(uid, iteration, offset)

    def del_run(self, uid: str) -> None:
        """Delete a run (every iteration), its log and its artifact records."""
        self.store.delete_run(uid)

    def list_projects(self) -> list[dict[str, Any]]:
        return self.store.list_projects()

    def list_artifacts(self, project: str, key: str | None = None) -> list[dict[str, Any]]:
        return [artifact_to_dict(r) for r in self.store.list_artifacts(project, key)]


def get_run_db(url: str | None = None) -> RunDB:
    """The run store (default: the configured one) as a query API."""
    return RunDB(url)
