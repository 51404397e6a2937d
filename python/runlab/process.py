"""Process-wide state: every global runlab keeps in a process, listed here, and the one reset of them all.

Each module that keeps state registers a reset for it when it is imported (a module never imported has
nothing to reset). The state kept per process:

- ``config``: the settings, built from the environment on first use;
- ``store``: open stores (engines and their connection pools), one per database URL;
- ``projectref``: the current project, and the default project used when there is none;
- ``adhoc``: runs made by ``get_or_create_ctx`` in this process, by name;
- ``secrets``: the values of inline secrets given to ``Task.with_secrets`` (never stored);
- ``handlers``: Python files imported as function sources (one module per version of a file);
- ``pysource``: Python files' top-level names read with ``ast`` (once per version of a file);
- ``launch``: the callables of functions defined in this process (a notebook cell's handler), so that
  ``run.rerun()`` can call them again;
- ``binding``: handler signatures, kept per function while its code, defaults and annotations stay the same;
- ``runtimes.processes``: when the reaper last looked at each store;
- ``runtimes``: which runtimes the ``runlab.runtimes`` entry points add, and when each store was last recovered;
- ``runtimes.kernelpool``: in a worker forked by the fork server, the server's socket (where it borrows warm
  notebook kernels);
- ``runtimes.base``: the runs whose end this process is due to record (their waiters read the store rarely);
- ``runtimes.dask``: the LocalCluster runlab started (and its client), the writer thread of Dask runs, the
  topic of their live events; on a worker, the function specs built from runs' source dicts. A client given
  to ``set_dask_client`` is the user's: it stays until ``set_dask_client(None)``;
- ``runtimes.clock``: the calls due on the clock thread (a Dask run's timer to go live).

The active run (the ``RunContext`` a handler runs in) is a ``ContextVar`` in ``context``, not a global:
each thread and task sees its own. Tests call :func:`reset` between tests; a forked worker calls it to take
the submitter's settings.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

_resets: dict[str, tuple[str, Callable[[], None]]] = {}
_lock = threading.Lock()


def on_reset(key: str, what: str, reset: Callable[[], None]) -> None:
    """Register how to reset one piece of process state: ``key`` is the module's name in the list above,
    ``what`` says what the state is."""
    with _lock:
        _resets[key] = (what, reset)


def reset(*keys: str) -> None:
    """Reset the registered state of ``keys`` (default: all of it), the latest registered first, so
    stores close before the settings they were opened with are dropped."""
    with _lock:
        chosen = [(key, reset_one) for key, (_, reset_one) in _resets.items() if not keys or key in keys]
    for _, reset_one in reversed(chosen):
        reset_one()


def registered() -> dict[str, str]:
    """What is registered so far: key → what it is, in registration order."""
    with _lock:
        return {key: what for key, (what, _) in _resets.items()}
