"""``mlrun.import_function``: a function from a local function YAML."""

from __future__ import annotations

from ..errors import UnsupportedError, ValidationError
from ..functions import Function, import_function_file, project_for
from ..names import fix_name


def import_function(url: str = "", secrets: dict | None = None, db: str = "", project: str | None = None,
                    new_name: str | None = None) -> Function:
    """A function from a local YAML (or JSON) file, as written by ``fn.export("func.yaml")``,
    ``fn.to_yaml()``, ``yaml.dump(fn.to_dict())`` or MLRun: ``import_function("./func.yaml")``.

    ``project`` sets the function's project (created on its first run if missing); ``new_name`` renames it.
    MLRun's function hub (``hub://``) and database (``db://``) URLs, and remote URLs, raise
    ``UnsupportedError``: runlab has neither; ``secrets`` and ``db`` are MLRun's and unused.
    """
    if not url:
        raise ValidationError("import_function needs the path of a function YAML file: import_function('./func.yaml')")
    if url.startswith("hub://"):
        raise UnsupportedError(
            f"import_function({url!r}): runlab has no function hub; download the function's code (its .py file) "
            "from the hub into your project and use runlab.code_to_function(filename=...) or "
            "project.set_function('<file>.py')")
    if url.startswith("db://"):
        raise UnsupportedError(
            f"import_function({url!r}): runlab keeps functions in their project, not in an MLRun database; use "
            "runlab.get_or_create_project(<project>).get_function(<name>)")
    if "://" in url and not url.startswith("file://"):
        raise UnsupportedError(
            f"import_function({url!r}): only local files are read; download the YAML (and the code it names) "
            "first, then import_function('<local path>')")
    fn = import_function_file(url.removeprefix("file://"))
    if project:
        project_for("", project)
        fn.project = project
    if new_name:
        fn.name = fix_name(new_name, "function name")
    return fn


__all__ = ["import_function"]


def auto_mount(*args: object, **kwargs: object) -> None:
    """MLRun's pod modifiers (``auto_mount``, ``mount_v3io``, ``v3io_cred``, ``mount_pvc``, ``mount_s3``: volumes
    and credentials for ``fn.apply``): raise ``UnsupportedError``."""
    raise UnsupportedError("mounts and credentials for fn.apply(...) are Kubernetes pod settings: runlab runs "
                           "functions as processes of this machine (or a Dask cluster), which see its files "
                           "already; drop the fn.apply(...) line (e.g. fn.apply(auto_mount()))")


mount_v3io = v3io_cred = mount_pvc = mount_s3 = auto_mount

__all__ += ["auto_mount", "mount_pvc", "mount_s3", "mount_v3io", "v3io_cred"]
