"""Which Jupyter kernel this process is, if it is one: recorded on each run it launches, so that the Jupyter
server that runs the kernel can tell "a run started from this JupyterLab" (its end-of-run notifications).

Cheap and import-free: ipykernel is never imported here, only looked up when the process already runs it
(a kernel), and only an initialized kernel app counts (a Jupyter server may import ipykernel for its kernel
spec without being a kernel).
"""

from __future__ import annotations

import os
import re
import sys

_CONNECTION_FILE = re.compile(r"^kernel-(?P<id>[A-Za-z0-9-]{1,64})\.json$")


def kernel_id() -> str | None:
    """The id of the Jupyter kernel this process runs (its connection file is ``kernel-<id>.json``), or None
    outside a kernel (a script, a worker process, the Jupyter server itself)."""
    app_module = sys.modules.get("ipykernel.kernelapp")
    if app_module is None:
        return None
    app_class = getattr(app_module, "IPKernelApp", None)
    # the running singleton, if it is a kernel app: traitlets keeps one ``_instance`` up the class tree, so in a
    # Jupyter server it is the ServerApp (and ``IPKernelApp.instance()`` would raise)
    app = getattr(app_class, "_instance", None) if app_class is not None else None
    if app is None or not isinstance(app, app_class):
        return None
    match = _CONNECTION_FILE.match(os.path.basename(str(getattr(app, "connection_file", "") or "")))
    return match["id"] if match else None
