"""What a job's source file offers, read without running any of it: a ``.py`` file's top-level functions
with their params, or a notebook's ``parameters`` cell as papermill reads it (names, types, defaults).

Everything is parsed with ``ast`` (a default is a literal, or shown as its source text): the server never
imports or executes the user's code to fill the "Run as job" dialog. Paths from the client are resolved
under the Jupyter server's root folder and may not leave it.
"""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import JobRequestError, PathOutsideRootError, SourceNotFoundError
from ..pysource import names_of

SUFFIXES = (".py", ".ipynb")
TYPES = ("int", "float", "str", "bool", "list", "dict")
"""The param types a form can edit and check; any other param is ``any`` (its value is JSON)."""


def resolve_under(root: str, path: str, field: str = "path") -> Path:
    """``path`` (relative to ``root``, ``/``-separated) as a real file under ``root``; an absolute path, one with
    ``..`` or one whose symlinks lead out is refused (``PathOutsideRootError``), a missing file is
    ``SourceNotFoundError``."""
    if not isinstance(path, str) or not path.strip():
        raise JobRequestError(field, f"{field} is empty: give a file path relative to the Jupyter server's root folder")
    if os.path.isabs(path) or path.startswith("~") or ".." in PurePosixPath(path.replace("\\", "/")).parts:
        raise PathOutsideRootError(f"{field} {path[:200]!r} must be relative to the Jupyter server's root folder, "
                                   "without '..' (the path the file browser shows)")
    base = Path(root or ".").expanduser().resolve()
    target = (base / path).resolve()
    if target != base and base not in target.parents:
        raise PathOutsideRootError(f"{field} {path[:200]!r} leads out of the Jupyter server's root folder "
                                   "(through a symlink): move the file under it")
    if not target.is_file():
        raise SourceNotFoundError(f"{field} {path[:200]!r}: no such file under the Jupyter server's root folder")
    return target


def inspect_source(path: Path) -> dict[str, Any]:
    """A ``.py`` file's functions (``functions``) or a notebook's parameters (``parameters``), unexecuted."""
    if path.suffix == ".py":
        return {"kind": "python", "functions": python_functions(path), "parameters": [],
                "has_parameters_cell": False}
    if path.suffix == ".ipynb":
        found = notebook_parameters(path)
        return {"kind": "notebook", "functions": [], "parameters": found or [],
                "has_parameters_cell": found is not None}
    raise JobRequestError("path", f"{path.name} is neither a Python file (.py) nor a notebook (.ipynb): runlab "
                                  "runs those as jobs")


def python_functions(path: Path) -> list[dict[str, Any]]:
    """The public top-level functions of a Python file: name, first docstring line, params (``context``, a
    handler's first param that runlab fills, is left out and flagged), whether it takes ``**kwargs``."""
    text = path.read_text(encoding="utf-8", errors="replace")
    tree = _parse(text, path.name)
    found = []
    for node in names_of(tree).functions.values():  # the handlers a run can name (pysource finds them alike)
        if node.name.startswith("_"):
            continue
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        pairs = [*zip(positional, defaults, strict=True), *zip(args.kwonlyargs, args.kw_defaults, strict=True)]
        context = bool(pairs) and pairs[0][0].arg == "context"
        params = [_param(arg.arg, arg.annotation, default, text) for arg, default in pairs[1 if context else 0:]]
        doc = (ast.get_docstring(node) or "").strip().splitlines()
        found.append({"name": node.name, "doc": doc[0] if doc else "", "params": params, "context": context,
                      "kwargs": args.kwarg is not None})
    return found


def notebook_parameters(path: Path) -> list[dict[str, Any]] | None:
    """The assignments of the notebook's cell tagged ``parameters`` (None when it has no such cell), each with
    its type (annotation, else the default's), default and help (the comment on its line), as papermill's
    ``inspect_notebook`` lists them."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells = notebook["cells"]
    except (ValueError, KeyError, TypeError):
        raise JobRequestError("path", f"{path.name} is not a valid Jupyter notebook (not JSON with cells)") from None
    for cell in cells:
        if cell.get("cell_type") == "code" and "parameters" in (cell.get("metadata") or {}).get("tags", []):
            source = cell.get("source") or ""
            text = "".join(source) if isinstance(source, list) else str(source)
            return _cell_parameters(text, path.name)
    return None


def _cell_parameters(text: str, filename: str) -> list[dict[str, Any]]:
    lines = text.splitlines()
    found = []
    for node in _parse(text, f"{filename}'s parameters cell").body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, annotation = node.targets[0].id, None
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            name, annotation = node.target.id, node.annotation
        else:
            continue
        param = _param(name, annotation, node.value, text)
        rest = lines[(node.end_lineno or node.lineno) - 1][node.end_col_offset or 0:].strip()
        param["help"] = rest[1:].strip() if rest.startswith("#") else ""
        found.append(param)
    return found


def _parse(text: str, what: str) -> ast.Module:
    try:
        return ast.parse(text)
    except SyntaxError as exc:
        raise JobRequestError("path", f"{what} has a syntax error on line {exc.lineno}: {exc.msg}; fix it "
                                      "and open the dialog again") from None


def _param(name: str, annotation: ast.expr | None, default: ast.expr | None, text: str) -> dict[str, Any]:
    """One param: its annotation's text, default (a JSON value when it is a literal, else only its text),
    the type a form checks it with, and whether a value is required."""
    value, literal = None, False
    if default is not None:
        try:
            value = json.loads(json.dumps(ast.literal_eval(default), allow_nan=False))  # a tuple is a list
            literal = True
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            value = None
    annotation_text = (ast.get_source_segment(text, annotation) or ast.unparse(annotation)) if annotation else ""
    default_text = (ast.get_source_segment(text, default) or ast.unparse(default)) if default is not None else ""
    kind = annotation_text if annotation_text in TYPES else _type_of(value) if literal else "any"
    return {"name": name, "annotation": annotation_text, "type": kind, "required": default is None,
            "default": value if literal else None, "literal": literal,
            "default_text": default_text}


def _type_of(value: Any) -> str:
    for kind, cls in (("bool", bool), ("int", int), ("float", float), ("str", str), ("list", list), ("dict", dict)):
        if isinstance(value, cls):
            return kind
    return "any"


def fits(kind: str, value: Any) -> bool:
    """Whether ``value`` (from JSON) fits a param of type ``kind`` (an int fits a float)."""
    if kind == "any":
        return True
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, {"str": str, "list": list, "dict": dict}[kind])
