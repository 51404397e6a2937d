"""A Python file's handlers read with ``ast``, never imported: what a process that must not run user code (the
Jupyter server, a scheduler) checks before it hands a run to another process, which imports the file itself.

``static_handler`` finds a handler among the file's top-level names and reads the params it requires, with the
same refusals (and messages) as importing the file and looking the handler up would give.
"""

from __future__ import annotations

import ast
import os
import threading
from dataclasses import dataclass, field

from . import process
from .errors import HandlerNotFoundError, ValidationError

_SCOPES = (ast.If, ast.Try, ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While)
"""Statements whose bodies still define top-level names (``if``, ``try: ... except ImportError:``, ...)."""


@dataclass
class TopLevel:
    """The names a module defines at its top level: its functions and classes (their ``ast`` nodes), every
    other name it binds (assignments, imports), and whether a ``from ... import *`` may bind any name."""

    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)
    others: set[str] = field(default_factory=set)
    star: bool = False

    def callables(self) -> list[str]:
        """The public functions and classes, as the refusal of a missing handler lists them."""
        return sorted(n for n in (*self.functions, *self.classes) if not n.startswith("_"))


_cache: dict[tuple[str, int, int], TopLevel | None] = {}
_lock = threading.Lock()


def missing_source(filename: str) -> ValidationError:
    """The refusal of a function whose source file is gone."""
    return ValidationError(f"the function's source file {filename} no longer exists: restore it, or set_function "
                           "the new file")


def top_level(filename: str) -> TopLevel | None:
    """The file's top-level names (once per version of the file); None when it does not parse (importing it
    fails then too: the run's own process records that failure)."""
    try:
        stat = os.stat(filename)
    except FileNotFoundError:
        raise missing_source(filename) from None
    key = (filename, stat.st_mtime_ns, stat.st_size)
    with _lock:
        if key in _cache:
            return _cache[key]
    try:
        with open(filename, "rb") as source:
            tree = ast.parse(source.read(), filename)
    except (SyntaxError, ValueError):  # ValueError: a null byte in the source
        found = None
    else:
        found = names_of(tree)
    with _lock:
        _cache[key] = found
    return found


def names_of(tree: ast.Module) -> TopLevel:
    """The top-level names a parsed module binds (defs inside top-level ``if``/``try``/``with`` included; the
    last definition of a name wins, as when the file runs)."""
    found = TopLevel()
    _collect(tree.body, found)
    return found


def static_handler(filename: str, handler: str, function: str) -> tuple[str, ...] | None:
    """The params ``handler`` (``name``, ``Class::method`` or ``name.attr``) of the file requires (no default;
    ``context`` included, as a signature lists it), or None when the file cannot tell them without running
    (the name is bound by an assignment or an import, or the file does not parse). A name the file does not
    define is refused with ``HandlerNotFoundError``, as the import would refuse it."""
    names = top_level(filename)
    if names is None:
        return None
    if "::" in handler:
        class_name, method = handler.split("::", 1)
        cls = names.classes.get(class_name)
        if cls is None:
            _check_bound(names, class_name.split(".")[0], handler, filename, function)
            return None
        body = {n.name: n for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        node = body.get(method)
        if node is None:
            bound = any(isinstance(n, (ast.Assign, ast.AnnAssign)) for n in cls.body) or bool(cls.bases)
            if bound:  # an inherited or assigned method: only the import can tell
                return None
            raise HandlerNotFoundError(f"{handler!r}: {class_name} has no method {method!r} in function {function!r}")
        static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)
        return _required(node.args, skip=0 if static else 1)
    first, _, rest = handler.partition(".")
    _check_bound(names, first, handler, filename, function)
    node = names.functions.get(first)
    return _required(node.args, skip=0) if node is not None and not rest else None


def _check_bound(names: TopLevel, name: str, label: str, filename: str, function: str) -> None:
    if name in names.functions or name in names.classes or name in names.others or names.star:
        return
    raise HandlerNotFoundError(f"no handler {label!r} in {filename} (function {function!r}); "
                               f"callables there: {', '.join(names.callables()) or 'none'}")


def _collect(body: list[ast.stmt], found: TopLevel) -> None:
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.functions[node.name] = node  # the last definition wins, as when the file runs
            found.classes.pop(node.name, None)
        elif isinstance(node, ast.ClassDef):
            found.classes[node.name] = node
            found.functions.pop(node.name, None)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    found.star = True
                else:
                    found.others.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, _SCOPES):
            for part in ("body", "orelse", "finalbody"):
                _collect(getattr(node, part, []), found)
            for handler in getattr(node, "handlers", []):
                _collect(handler.body, found)
            _bind_targets(node, found)
        else:
            _bind_targets(node, found)


def _bind_targets(node: ast.AST, found: TopLevel) -> None:
    """Names a statement assigns at the top level (``train = make()``, ``for x in ...``, ``with ... as f``)."""
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor)):
        targets = [node.target]
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        targets = [item.optional_vars for item in node.items if item.optional_vars is not None]
    for target in targets:
        for name in ast.walk(target):
            if isinstance(name, ast.Name):
                found.others.add(name.id)
                found.functions.pop(name.id, None)  # rebound: no longer the def the file shows
                found.classes.pop(name.id, None)
    for expr in ast.walk(node) if not isinstance(node, _SCOPES) else ():
        if isinstance(expr, ast.NamedExpr) and isinstance(expr.target, ast.Name):
            found.others.add(expr.target.id)


def _required(args: ast.arguments, skip: int) -> tuple[str, ...]:
    """The names of the params without a default (not ``*args``/``**kwargs``), the first ``skip`` dropped
    (``self`` or ``cls`` of a method)."""
    positional = [*args.posonlyargs, *args.args]
    without_default = positional[:len(positional) - len(args.defaults)]
    required = [a.arg for a in without_default[skip:]]
    required += [a.arg for a, default in zip(args.kwonlyargs, args.kw_defaults, strict=True) if default is None]
    return tuple(required)


process.on_reset("pysource", "Python files' top-level names read with ast", _cache.clear)
