"""The git repository a file is in: its commit, branch and uncommitted diff, as a run records them.

The commit and branch are read from the repository's files (``HEAD``, loose refs, ``packed-refs``), with no
``git`` process. The diff (``git diff HEAD``: staged and unstaged changes to tracked files) needs ``git``;
it is asked for once per state of the index, and again only when a tracked file's size or time differs from
what the index says (what ``git status`` checks first), so runs from a clean or unchanged worktree start no
process. Untracked files are not part of the diff. No repository, or no ``git`` command: no section.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import process

MAX_DIFF_BYTES = 256 * 1024
"""The longest diff a run records; a longer one is cut, and ``diff_truncated`` says so."""

DIFF_TIMEOUT_S = 10.0
"""How long ``git diff`` may take before the run is recorded without its diff."""

_ENTRY = struct.Struct(">10I20sH")  # ctime s/ns, mtime s/ns, dev, ino, mode, uid, gid, size, sha, flags
_GITLINK = 0o160000
_diffs: dict[tuple[str, str, int, int], tuple[str, bool]] = {}
"""The diff of a repository by (git dir, commit, index mtime and size), taken while the worktree matched the index."""
process.on_reset("gitinfo", "the uncommitted diffs read from git, by repository state", _diffs.clear)


@dataclass(frozen=True)
class Repository:
    """Where a repository's files are: its worktree, its git dir, and the common dir (shared by worktrees)."""

    worktree: str
    gitdir: str
    commondir: str


def find_repository(path: str) -> Repository | None:
    """The repository holding ``path`` (a file or folder), or None outside any."""
    folder = Path(path).resolve()
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        dotgit = candidate / ".git"
        if dotgit.is_dir():
            gitdir = dotgit
        elif dotgit.is_file():  # a linked worktree or a submodule: "gitdir: <path>"
            text = dotgit.read_text(encoding="utf-8", errors="replace").strip()
            if not text.startswith("gitdir:"):
                return None
            gitdir = (candidate / text[len("gitdir:"):].strip()).resolve()
        else:
            continue
        common = gitdir / "commondir"
        commondir = (gitdir / common.read_text().strip()).resolve() if common.is_file() else gitdir
        return Repository(str(candidate), str(gitdir), str(commondir))
    return None


def head(repo: Repository) -> tuple[str | None, str | None]:
    """The commit checked out (None before the first commit) and the branch (None when detached)."""
    try:
        text = Path(repo.gitdir, "HEAD").read_text(encoding="utf-8").strip()
    except OSError:
        return None, None
    if not text.startswith("ref:"):
        return text or None, None
    ref = text[len("ref:"):].strip()
    branch = ref[len("refs/heads/"):] if ref.startswith("refs/heads/") else ref
    return _resolve_ref(repo, ref), branch


def _resolve_ref(repo: Repository, ref: str) -> str | None:
    for folder in (repo.gitdir, repo.commondir):
        try:
            return Path(folder, ref).read_text(encoding="utf-8").strip() or None
        except OSError:
            continue
    try:
        packed = Path(repo.commondir, "packed-refs").read_text(encoding="utf-8")
    except OSError:
        return None
    for line in packed.splitlines():
        sha, _, name = line.partition(" ")
        if name == ref and not line.startswith(("#", "^")):
            return sha
    return None


def _index_stat(repo: Repository) -> tuple[int, int] | None:
    try:
        stat = os.stat(os.path.join(repo.gitdir, "index"))
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def worktree_matches_index(repo: Repository) -> bool:
    """True when every tracked file has the size and modification time the index recorded for it (and
    was not changed in the same instant the index was written): its content is then what the index holds.
    False when one differs or it cannot be told (an index version this does not read, a conflict)."""
    path = os.path.join(repo.gitdir, "index")
    try:
        with open(path, "rb") as file:
            index_mtime = os.fstat(file.fileno()).st_mtime_ns
            data = file.read()
    except OSError:
        return False
    if data[:4] != b"DIRC" or len(data) < 12:
        return False
    version, count = struct.unpack(">II", data[4:12])
    if version not in (2, 3):  # version 4 compresses paths: left to git
        return False
    offset = 12
    for _ in range(count):
        fields = _ENTRY.unpack_from(data, offset)
        mtime_s, mtime_ns, mode, size, flags = fields[2], fields[3], fields[6], fields[9], fields[11]
        header = _ENTRY.size + (2 if version == 3 and flags & 0x4000 else 0)
        end = data.index(b"\0", offset + header)
        name = data[offset + header:end].decode("utf-8", "surrogateescape")
        offset += (header + len(name.encode("utf-8", "surrogateescape")) + 8) // 8 * 8
        if flags & 0x3000:  # a merge conflict's stage
            return False
        if mode == _GITLINK:  # a submodule: its own repository
            continue
        try:
            stat = os.lstat(os.path.join(repo.worktree, name))
        except OSError:
            return False
        if stat.st_size & 0xFFFFFFFF != size or int(stat.st_mtime) != mtime_s:
            return False
        if mtime_ns and stat.st_mtime_ns % 1_000_000_000 != mtime_ns:
            return False
        if stat.st_mtime_ns >= index_mtime:  # changed as the index was written: its stat proves nothing
            return False
    return True


def uncommitted_diff(repo: Repository, commit: str) -> tuple[str, bool] | None:
    """``git diff HEAD`` of the repository, cut to ``MAX_DIFF_BYTES`` (and whether it was cut); None when git
    cannot say. Kept per state of the index while the worktree matches it."""
    index = _index_stat(repo)
    key = (repo.gitdir, commit, *(index or (0, 0)))
    matches = index is not None and worktree_matches_index(repo)
    if matches and key in _diffs:
        return _diffs[key]
    try:
        done = subprocess.run(["git", "-C", repo.worktree, "diff", "HEAD", "--no-color", "--no-ext-diff"],
                              capture_output=True, timeout=DIFF_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    data = done.stdout
    cut = len(data) > MAX_DIFF_BYTES
    answer = (data[:MAX_DIFF_BYTES].decode("utf-8", "replace"), cut)
    if matches:
        _diffs[key] = answer
    return answer


def git_section(path: str) -> dict[str, Any] | None:
    """What a run records of ``path``'s repository: ``commit``, ``branch`` (None when detached), ``root``
    (the worktree), ``dirty``, ``diff`` (what ``git diff HEAD`` shows, '' when clean) and ``diff_truncated``;
    None outside a repository or without a ``git`` command."""
    if shutil.which("git") is None:
        return None
    repo = find_repository(path)
    if repo is None:
        return None
    commit, branch = head(repo)
    section: dict[str, Any] = {"commit": commit, "branch": branch, "root": repo.worktree}
    if commit is None:  # before the first commit: there is nothing to diff against
        return section
    found = uncommitted_diff(repo, commit)
    if found is not None:
        diff, cut = found
        section.update(dirty=bool(diff), diff=diff, diff_truncated=cut)
    return section
