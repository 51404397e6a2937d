"""A notebook's (or any) code as a Python file: how ``code_to_function()`` with no filename, called in a notebook,
turns the notebook's code into a function's source (as MLRun does), so its handlers can run as jobs.

Only code cells are kept. Cell markers, in a cell's first lines: ``# mlrun: ignore`` skips that cell;
``# mlrun: start-code`` leaves out the cells above it, ``# mlrun: end-code`` the cells below it (``nuclio:``
works for ``mlrun:``); a cell tagged ``mlrun-ignore`` or ``nuclio-ignore`` is skipped. IPython magics (``%...``),
shell lines (``!...``) and cell magics (``%%...``, e.g. ``%%writefile``) are left out: they are not Python.
The file is written once per distinct content under ``$RUNLAB_HOME/code/``, so a run always loads the code
it was started with.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path

from .config import get_config
from .errors import ValidationError

IGNORED_TAGS = ("mlrun-ignore", "nuclio-ignore")
_MARKER = re.compile(r"^\s*#\s*(?:mlrun|nuclio)\s*:\s*(ignore|start-code|end-code)\b", re.IGNORECASE)


def current_notebook() -> str | None:
    """The path of the notebook this kernel serves, when Jupyter (``JPY_SESSION_NAME``) or VS Code says it;
    None outside a notebook."""
    path = os.environ.get("JPY_SESSION_NAME", "")
    if not path.endswith(".ipynb"):
        if "IPython" not in sys.modules:  # not a kernel (IPython is imported in every one): never import it here
            return None
        from IPython import get_ipython
        shell = get_ipython()
        path = str(getattr(shell, "user_ns", {}).get("__vsc_ipynb_file__", "")) if shell else ""
    return path if path.endswith(".ipynb") and Path(path).is_file() else None


def _markers(source: str) -> set[str]:
    found = set()
    for line in source.splitlines()[:3]:
        match = _MARKER.match(line)
        if match:
            found.add(match.group(1).lower())
    return found


def _python_lines(source: str) -> list[str]:
    if source.lstrip().startswith("%%"):
        return []
    return [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]


def notebook_code(notebook: str, ignored_tags: tuple[str, ...] = IGNORED_TAGS) -> str:
    """The Python source of a notebook's code cells, with markers, magics and cells tagged with one of
    ``ignored_tags`` left out."""
    try:
        cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError) as exc:
        raise ValidationError(f"cannot read the code of notebook {notebook}: {exc}") from exc
    sources = [("".join(c["source"]) if isinstance(c["source"], list) else c["source"], c.get("metadata", {}))
               for c in cells if c.get("cell_type") == "code"]
    marked = [_markers(src) for src, _ in sources]
    if any("start-code" in m or "end-code" in m for m in marked):
        # start-code: what is above is left out; end-code: what is below is left out (each on its own)
        kept, inside = [], not any("start-code" in m for m in marked)
        for (src, meta), marks in zip(sources, marked, strict=True):
            if "end-code" in marks:
                inside = False
            if inside:
                kept.append((src, meta))
            if "start-code" in marks:
                inside = True
        sources = kept
    blocks = []
    for src, meta in sources:
        if "ignore" in _markers(src) or set(meta.get("tags", [])) & set(ignored_tags):
            continue
        lines = _python_lines(src)
        if any(line.strip() for line in lines):
            blocks.append("\n".join(lines).rstrip())
    return f"# code of {Path(notebook).name}\n\n" + "\n\n\n".join(blocks) + "\n"


def notebook_to_file(notebook: str, ignored_tags: tuple[str, ...] = IGNORED_TAGS) -> str:
    """Write the notebook's code as a Python file (one per distinct content) and return its path."""
    return code_file(notebook_code(notebook, ignored_tags), f"{Path(notebook).stem}.py")


def code_file(code: str | bytes, name: str) -> str:
    """Keep ``code`` as ``$RUNLAB_HOME/code/<stem>-<hash>.py`` (written once per distinct content, atomically)
    and return its path."""
    data = code.encode() if isinstance(code, str) else code
    digest = hashlib.sha256(data).hexdigest()[:12]
    target = Path(get_config().home) / "code" / f"{Path(name).stem}-{digest}.py"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(data)
        partial.replace(target)
    return str(target)
