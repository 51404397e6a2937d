"""A throw-away PostgreSQL server for the tests (Debian's postgresql package; `make test` installs it)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def server_binaries() -> str | None:
    for version in ("17", "16", "15", "14"):
        folder = f"/usr/lib/postgresql/{version}/bin"
        if os.path.exists(os.path.join(folder, "initdb")):
            return folder
    found = shutil.which("initdb")
    return os.path.dirname(found) if found else None


class PostgresServer:
    """initdb + pg_ctl start on a free loopback port; as root the server runs as the 'postgres' user."""

    def __init__(self) -> None:
        self.bin = server_binaries()
        if self.bin is None:
            raise RuntimeError("PostgreSQL server binaries are not installed (apt-get install postgresql)")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.base = tempfile.mkdtemp(prefix="runlab-pg-")
        self.data = Path(self.base) / "data"
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            shutil.chown(self.base, "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def start(self) -> str:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "runlab")
        self._run("pg_ctl", "-D", str(self.data), "-w", "-l", f"{self.base}/log",
                  "-o", f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c max_connections=300", "start")
        return f"postgresql+psycopg://runlab@127.0.0.1:{self.port}"

    def stop(self) -> None:
        subprocess.run([*self.as_user, f"{self.bin}/pg_ctl", "-D", str(self.data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(self.base, ignore_errors=True)

    def _run(self, tool: str, *args: str) -> None:
        proc = subprocess.run([*self.as_user, f"{self.bin}/{tool}", *args], capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{tool} failed: {proc.stderr.strip() or proc.stdout.strip()}")
