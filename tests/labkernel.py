"""A kernel of a test's ``jupyter lab``, driven from the test: started as a notebook's session through the REST
API (so the server knows it, and a page that opens the notebook uses it), then given code to run through
jupyter_client on its connection file. Runs it launches are "runs started from this JupyterLab"."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

from waiting import wait_until


class LabKernel:
    """The kernel of the session of ``path`` on ``lab`` (a ``LabServer`` whose runtime folder is ``runtime``)."""

    def __init__(self, lab: Any, runtime: Path, path: str) -> None:
        self._lab = lab
        body = {"path": path, "name": Path(path).name, "type": "notebook", "kernel": {"name": "python3"}}
        session = self._api("POST", "api/sessions", body)
        self.session, self.id = session["id"], session["kernel"]["id"]
        connection = runtime / f"kernel-{self.id}.json"
        wait_until(connection.exists, timeout=60, what=f"the connection file of kernel {self.id}")
        from jupyter_client import BlockingKernelClient

        self._client = BlockingKernelClient()
        self._client.load_connection_file(str(connection))
        self._client.start_channels()
        self._client.wait_for_ready(timeout=60)

    def _api(self, method: str, path: str, body: dict | None = None) -> Any:
        request = urllib.request.Request(
            f"{self._lab.url}/{path}", method=method, data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"token {self._lab.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
        return json.loads(text) if text else None

    def run(self, code: str) -> None:
        """Run ``code`` in the kernel and wait for it to finish; its error fails the test."""
        reply = self._client.execute_interactive(code, timeout=60, output_hook=lambda message: None)
        if reply["content"]["status"] != "ok":
            raise AssertionError(f"the kernel failed on {code!r}: {reply['content'].get('evalue')}")

    def value(self, expression: str) -> str:
        """The value of ``expression`` in the kernel, as ``str()`` gives it."""
        reply = self._client.execute_interactive("", user_expressions={"v": f"str({expression})"}, timeout=60,
                                                  output_hook=lambda message: None)
        found = reply["content"]["user_expressions"]["v"]
        if found["status"] != "ok":
            raise AssertionError(f"the kernel failed on {expression!r}: {found.get('evalue')}")
        return found["data"]["text/plain"].strip("'\"")

    def stop(self) -> None:
        """Close the channels and shut the kernel down (its session deleted)."""
        self._client.stop_channels()
        self._api("DELETE", f"api/sessions/{self.session}")
