"""``mlrun.mlconf`` and ``mlrun.set_environment``: MLRun's configuration names over runlab's settings.

runlab needs no API server: ``dbpath`` is the run store's database URL (SQLite by default, or a
``postgresql://`` URL a team shares), never an ``http://`` API address.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .. import __version__
from ..config import get_config, reset_config
from ..errors import NotFoundError, UnsupportedError, ValidationError
from ..store import close_stores

_SETTINGS = {"artifact_path": "artifact_path", "dbpath": "db_url", "default_project": "default_project"}
_ENV_NAMES = {"MLRUN_ARTIFACT_PATH": "RUNLAB_ARTIFACT_PATH", "MLRUN_DBPATH": "RUNLAB_DB_URL",
              "MLRUN_DEFAULT_PROJECT": "RUNLAB_DEFAULT_PROJECT"}


def _check_db_url(url: str) -> str:
    if url.startswith(("http://", "https://")):
        raise UnsupportedError(
            f"dbpath {url!r} is an MLRun API server address: runlab records runs in a database without a server; "
            "leave dbpath unset (a SQLite file under RUNLAB_HOME) or give a SQLAlchemy URL such as "
            "'postgresql+psycopg://user@host/db'"
        )
    return url


class MLConf:
    """MLRun's ``mlconf`` names, read and written through runlab's settings (``runlab.config``).

    ``artifact_path``, ``dbpath`` (the store's database URL) and ``default_project`` map to runlab settings;
    set them before creating a project, as in MLRun (a project keeps the artifact path it was created with).
    Other MLRun settings describe a Kubernetes cluster and have no meaning here: reading one raises
    ``AttributeError`` naming the ones that exist.
    """

    def __getattr__(self, name: str) -> Any:
        setting = _SETTINGS.get(name)
        if setting is None:
            raise AttributeError(
                f"mlconf.{name} is an MLRun cluster setting runlab does not have; runlab reads "
                f"{', '.join('mlconf.' + n for n in _SETTINGS)} (see runlab.config for all its settings)"
            )
        return getattr(get_config(), setting)

    def __setattr__(self, name: str, value: Any) -> None:
        setting = _SETTINGS.get(name)
        if setting is None:
            raise AttributeError(
                f"mlconf.{name} is an MLRun cluster setting runlab does not have; runlab sets "
                f"{', '.join('mlconf.' + n for n in _SETTINGS)}"
            )
        value = str(value or "")
        if setting == "db_url":
            close_stores()  # the next store opened uses the new URL
            value = _check_db_url(value) or get_config().trait_defaults("db_url")
        setattr(get_config(), setting, value)

    def __dir__(self) -> list[str]:
        return sorted([*_SETTINGS, "reload", "to_dict"])

    def __repr__(self) -> str:
        return f"<mlconf {self.to_dict()}>"

    def reload(self) -> None:
        """Read the settings again from the environment (``MLRUN_DBPATH``, ``MLRUN_ARTIFACT_PATH`` and
        ``MLRUN_DEFAULT_PROJECT`` are read as their ``RUNLAB_*`` names when those are unset)."""
        for mlrun_name, runlab_name in _ENV_NAMES.items():
            if os.environ.get(mlrun_name) and not os.environ.get(runlab_name):
                value = os.environ[mlrun_name]
                os.environ[runlab_name] = _check_db_url(value) if runlab_name == "RUNLAB_DB_URL" else value
        reset_config()

    def to_dict(self) -> dict[str, str]:
        """The MLRun-named settings and their values."""
        return {name: getattr(self, name) for name in _SETTINGS}


mlconf = MLConf()


def set_env_from_file(env_file: str, return_dict: bool = False) -> dict[str, str] | None:
    """Load ``KEY=VALUE`` lines (``#`` comments, optional quotes) into the environment and re-read the
    settings; with ``return_dict``, also return what was read."""
    path = Path(env_file).expanduser()
    if not path.is_file():
        raise NotFoundError(f"env file {env_file} does not exist")
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.removeprefix("export ").partition("=")
        if not sep or not key.strip():
            raise ValidationError(f"{env_file} line {number}: {line!r} is not KEY=VALUE")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    os.environ.update(values)
    mlconf.reload()
    return values if return_dict else None


def set_environment(
    api_path: str | None = None,
    artifact_path: str = "",
    access_key: str | None = None,
    username: str | None = None,
    env_file: str | None = None,
    mock_functions: Any = None,
) -> tuple[str, str]:
    """MLRun's ``set_environment``: returns ``(default project name, artifact path)``.

    ``api_path`` may be a database URL (an ``http://`` MLRun API address is refused: runlab needs no server);
    ``artifact_path`` must be absolute, a URL, or start with ``./`` (made absolute). ``access_key`` and
    ``username`` are set as ``V3IO_ACCESS_KEY`` / ``V3IO_USERNAME`` as MLRun does; ``mock_functions`` changes
    nothing (every function here runs on this machine).
    """
    if env_file:
        set_env_from_file(env_file)
    if access_key:
        os.environ["V3IO_ACCESS_KEY"] = access_key
    if username:
        os.environ["V3IO_USERNAME"] = username
    if api_path:
        mlconf.dbpath = api_path
    if artifact_path:
        if artifact_path.startswith("./"):
            artifact_path = str(Path(artifact_path).resolve())
        elif not artifact_path.startswith("/") and "://" not in artifact_path:
            raise ValidationError(
                f"artifact_path {artifact_path!r} must be an absolute path, a URL, or start with './'"
            )
        mlconf.artifact_path = artifact_path
    return mlconf.default_project, mlconf.artifact_path or str(Path.cwd() / "artifacts")


def get_secret_or_env(key: str, secret_provider: Any = None, default: str | None = None,
                      prefix: str | None = None) -> str | None:
    """A secret from ``secret_provider`` (a dict or a callable), else the environment, else ``default``."""
    name = f"{prefix}_{key}" if prefix else key
    if secret_provider is not None:
        value = secret_provider.get(name) if isinstance(secret_provider, dict) else secret_provider(name)
        if value:
            return value
    return os.environ.get(name, default)


def get_version() -> str:
    """runlab's version (MLRun's ``get_version``)."""
    return __version__


__all__ = ["MLConf", "get_secret_or_env", "get_version", "mlconf", "set_env_from_file", "set_environment"]
