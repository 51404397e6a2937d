"""Finding a test home's fork servers through /proc (a server still starting has no socket yet)."""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path


def fork_servers(home: Path) -> list[int]:
    """Pids of the fork servers of ``home``: live processes started as ``runlab.runtimes.forkserver`` with a
    socket under ``home``, not counting the workers they forked (which carry the same command line)."""
    found: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            state, parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:2]
        except OSError:  # it ended meanwhile
            continue
        if b"runlab.runtimes.forkserver" in argv and any(a.startswith(bytes(home)) for a in argv) and state != "Z":
            found[int(entry.name)] = int(parent)
    return sorted(pid for pid, parent in found.items() if parent not in found)


def stop_fork_servers(home: Path) -> None:
    """A test's fork servers (started by job runs) go with the test's RUNLAB_HOME, also one still starting
    (its socket not there yet): every process started as the fork server of a socket under ``home``."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:  # it ended meanwhile
            continue
        if b"runlab.runtimes.forkserver" in argv and any(arg.startswith(bytes(home / "forkserver-")) for arg in argv):
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(entry.name), signal.SIGTERM)
