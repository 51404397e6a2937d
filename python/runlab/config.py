"""runlab settings: typed traits with defaults, overridable by ``RUNLAB_*`` environment variables.

``get_config()`` returns the process-wide settings. The environment is read when the settings are first
built; ``reset_config()`` rebuilds them (tests and long-lived servers call it after changing the env).
Every setting runlab reads is a trait here; no other module reads a ``RUNLAB_*`` variable, except the
ones a run hands to the processes it starts (``RUNLAB_RUN_UID``, ``RUNLAB_RUN_ITERATION``).
"""

from __future__ import annotations

import os
from pathlib import Path

from traitlets import Bool, Float, Int, Unicode, default
from traitlets.config import Configurable

from . import process

_ENV = {
    "home": "RUNLAB_HOME",
    "db_url": "RUNLAB_DB_URL",
    "artifact_path": "RUNLAB_ARTIFACT_PATH",
    "default_project": "RUNLAB_DEFAULT_PROJECT",
    "max_jobs": "RUNLAB_MAX_JOBS",
    "log_flush_interval": "RUNLAB_LOG_FLUSH_INTERVAL",
    "dask_address": "RUNLAB_DASK_ADDRESS",
    "auto_show": "RUNLAB_AUTO_SHOW",
    "schedule_min_interval": "RUNLAB_SCHEDULE_MIN_INTERVAL",
    "forkserver": "RUNLAB_FORKSERVER",
    "forkserver_idle": "RUNLAB_FORKSERVER_IDLE",
    "dask_shared_fs": "RUNLAB_DASK_SHARED_FS",
    "max_value_bytes": "RUNLAB_MAX_VALUE_BYTES",
    "kernel_pool": "RUNLAB_KERNEL_POOL",
    "cache_hash_limit": "RUNLAB_CACHE_HASH_LIMIT",
    "capture": "RUNLAB_CAPTURE",
}


class RunlabConfig(Configurable):
    """Where runlab keeps its data and how it behaves."""

    home = Unicode(
        help="Folder for runlab's own files: the SQLite store and the data cache. Env: RUNLAB_HOME.",
    ).tag(config=True)

    db_url = Unicode(
        help="SQLAlchemy URL of the run store; default sqlite:///{home}/runlab.db. A postgresql:// URL "
        "lets a team share one store. Env: RUNLAB_DB_URL.",
    ).tag(config=True)

    artifact_path = Unicode(
        "",
        help="Default artifact root (any fsspec URL). Empty: '<project context>/artifacts'. "
        "Env: RUNLAB_ARTIFACT_PATH.",
    ).tag(config=True)

    default_project = Unicode(
        "default", help="Project used when a function object is run with no current project."
    ).tag(config=True)

    log_flush_interval = Float(
        1.0, help="Seconds between writes of a running run's log to the store (others see it live)."
    ).tag(config=True)

    max_jobs = Int(
        help="How many background job runs may run at once on this machine; more wait as 'pending' and "
        "start in submission order. Default: the number of CPUs. Env: RUNLAB_MAX_JOBS.",
    ).tag(config=True)

    heartbeat_interval = Float(
        2.0, help="Seconds between a background run's heartbeats (and its checks for an abort request)."
    ).tag(config=True)

    reap_after = Float(
        10.0, help="A running run on another machine whose heartbeat is older than this is marked 'error'."
    ).tag(config=True)

    abort_grace = Float(
        3.0, help="Seconds a run gets to stop after SIGTERM before its process group is killed."
    ).tag(config=True)

    dask_address = Unicode(
        "", help="Scheduler address for 'dask' runs; empty: a LocalCluster started on first use. "
        "Env: RUNLAB_DASK_ADDRESS.",
    ).tag(config=True)

    dask_shared_fs = Bool(
        False, help="The artifact path and local inputs are on storage every Dask worker sees (a shared mount), "
        "so a remote cluster may use local paths. Env: RUNLAB_DASK_SHARED_FS=1.",
    ).tag(config=True)

    forkserver = Bool(
        True, help="Start job workers by forking a warm server process (a few ms) instead of a new interpreter "
        "(~0.2 s). The server starts in the background; until it is up, runs start as new interpreters. "
        "Env: RUNLAB_FORKSERVER=0 turns it off.",
    ).tag(config=True)

    forkserver_idle = Float(
        300.0, help="Seconds a fork server with no running worker waits for work before it exits. "
        "Env: RUNLAB_FORKSERVER_IDLE.",
    ).tag(config=True)

    kernel_pool = Int(
        1, help="How many notebook kernels the fork server keeps started ahead of time for background notebook "
        "runs (per kernel name, from the first notebook run on); each serves one run. 0 turns it off. "
        "Env: RUNLAB_KERNEL_POOL.",
    ).tag(config=True)

    dask_connect_timeout = Float(10.0, help="Seconds to wait for the Dask scheduler to answer.").tag(config=True)

    auto_show = Bool(
        True, help="Show a run's table in the notebook when run_function returns. Env: RUNLAB_AUTO_SHOW=0 "
        "turns it off.",
    ).tag(config=True)

    schedule_min_interval = Float(
        60.0, help="The shortest interval a schedule may fire at, in seconds. Env: RUNLAB_SCHEDULE_MIN_INTERVAL.",
    ).tag(config=True)

    max_value_bytes = Int(
        1_000_000, help="The largest param or result value, in bytes of its JSON form (0: no limit); a larger one "
        "is refused with a hint to log it as an artifact. Env: RUNLAB_MAX_VALUE_BYTES.",
    ).tag(config=True)

    cache_hash_limit = Int(
        64 * 1024 * 1024, help="The largest local input file, in bytes, the run cache reads whole to fingerprint "
        "its content (sha256); a larger one is fingerprinted by its size and modification time. "
        "Env: RUNLAB_CACHE_HASH_LIMIT.",
    ).tag(config=True)

    capture = Bool(
        True, help="Record what each run ran (its code's hash, git commit, branch and diff, the Python environment, "
        "host and user: the run's spec.code), and warn on a rerun when it changed. Env: RUNLAB_CAPTURE=0 turns it "
        "off.",
    ).tag(config=True)

    busy_timeout_ms = Int(
        60_000, help="How long a SQLite writer waits for another writer before giving up."
    ).tag(config=True)

    @default("home")
    def _default_home(self) -> str:
        return str(Path("~/.runlab").expanduser())

    @default("max_jobs")
    def _default_max_jobs(self) -> int:
        return os.cpu_count() or 1

    @default("db_url")
    def _default_db_url(self) -> str:
        return sqlite_url(Path(self.home) / "runlab.db")


def url_escaped(path: str) -> str:
    """``path`` with ``%``, ``?`` and ``#`` percent-encoded, as URLs (SQLAlchemy's, SQLite's file URIs) read
    them back: a bare ``?`` would start the URL's query, a bare ``#`` its fragment."""
    return path.replace("%", "%25").replace("?", "%3F").replace("#", "%23")


def sqlite_url(path: str | os.PathLike[str]) -> str:
    """The SQLAlchemy URL of the SQLite database file at ``path`` (any characters in it)."""
    return f"sqlite:///{url_escaped(str(path))}"


_config: RunlabConfig | None = None


def _from_env() -> RunlabConfig:
    traits = RunlabConfig.class_traits()
    values = {name: traits[name].from_string(os.environ[var]) for name, var in _ENV.items() if os.environ.get(var)}
    if "home" in values:
        values["home"] = str(Path(values["home"]).expanduser().resolve())
    return RunlabConfig(**values)


def get_config() -> RunlabConfig:
    """The process-wide settings (built from the environment on first use)."""
    global _config
    if _config is None:
        _config = _from_env()
    return _config


def reset_config() -> RunlabConfig:
    """Rebuild the settings from the environment and close the stores opened with the old ones
    (``runlab.process.reset()`` resets every process global)."""
    process.reset("config", "store")
    return get_config()


def _reset() -> None:
    global _config
    _config = None


process.on_reset("config", "the settings", _reset)
