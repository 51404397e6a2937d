"""The git repository a file is in: its commit, branch and uncommitted diff, as a run records them.

The commit and branch are read from the repository's files (``HEAD``, loose refs, ``packed-refs``), with no
``git`` process. The diff (``git diff HEAD``: staged and unstaged changes to tracked files) needs ``git``;
it is asked for once per state of the index and of the tracked files whose size or time differ from what
the index says (what ``git status`` checks first), so runs from a worktree that did not change since the
last run start no process. (On a file system whose times are as coarse as seconds, a file changed twice in
one second to the same size is not told apart.) Untracked files are not part of the diff. No repository,
or no ``git`` command: no section.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import process

MAX_DIFF_BYTES = 256 * 1024
"""The longest diff a run records; a longer one is cut, and ``diff_truncated`` says so."""

DIFF_TIMEOUT_S = 10.0
"""How long ``git diff`` may take before the run is recorded without its diff."""

_ENTRY = struct.Struct(">10I20sH")  # ctime s/ns, mtime s/ns, dev, ino, mode, uid, gid, size, sha, flags
_GITLINK = 0o160000
_diffs: dict[tuple[Any, ...], tuple[str, bool]] = {}
"""The diff of a repository by (git dir, commit, index mtime and size, the files that differ from the index)."""
_repositories: dict[str, Repository] = {}
"""The repository of a folder, as found last."""
process.on_reset("gitinfo", "the uncommitted diffs read from git by repository state, and each folder's repository",
                 lambda: (_diffs.clear(), _repositories.clear()))


@dataclass(frozen=True)
class Repository:
    """Where a repository's files are: its worktree, its git dir, and the common dir (shared by worktrees)."""

    worktree: str
    gitdir: str
    commondir: str


def find_repository(path: str) -> Repository | None:
    """The repository holding ``path`` (a file or folder), or None outside any."""
    folder = os.path.realpath(path)
    if not os.path.isdir(folder):
        folder = os.path.dirname(folder)
    known = _repositories.get(folder)
    if known is not None and os.path.exists(os.path.join(known.worktree, ".git")):
        return known
    candidate = folder
    while True:
        dotgit = os.path.join(candidate, ".git")
        if os.path.isdir(dotgit):
            gitdir = dotgit
            break
        if os.path.isfile(dotgit):  # a linked worktree or a submodule: "gitdir: <path>"
            text = Path(dotgit).read_text(encoding="utf-8", errors="replace").strip()
            if not text.startswith("gitdir:"):
                return None
            gitdir = os.path.realpath(os.path.join(candidate, text[len("gitdir:"):].strip()))
            break
        parent = os.path.dirname(candidate)
        if parent == candidate:
            return None
        candidate = parent
    common = os.path.join(gitdir, "commondir")
    commondir = os.path.realpath(os.path.join(gitdir, Path(common).read_text().strip())) if os.path.isfile(common) \
        else gitdir
    _repositories[folder] = repo = Repository(candidate, gitdir, commondir)
    return repo


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


def worktree_changes(repo: Repository) -> tuple[tuple[str, int, int], ...] | None:
    """The tracked files whose size or modification time is not what the index recorded for them (or that were
    changed in the same instant the index was written, which the index cannot tell apart), each as
    ``(path, mtime_ns, size)`` (``-1, -1`` when gone); every other file holds what the index says. None when
    it cannot be told (an index version this does not read, a merge conflict)."""
    path = os.path.join(repo.gitdir, "index")
    try:
        with open(path, "rb") as file:
            index_mtime = os.fstat(file.fileno()).st_mtime_ns
            data = file.read()
    except OSError:
        return None
    if data[:4] != b"DIRC" or len(data) < 12:
        return None
    version, count = struct.unpack(">II", data[4:12])
    if version not in (2, 3):  # version 4 compresses paths: left to git
        return None
    changed = []
    offset = 12
    for _ in range(count):
        fields = _ENTRY.unpack_from(data, offset)
        mtime_s, mtime_ns, mode, size, flags = fields[2], fields[3], fields[6], fields[9], fields[11]
        header = _ENTRY.size + (2 if version == 3 and flags & 0x4000 else 0)
        end = data.index(b"\0", offset + header)
        raw = data[offset + header:end]
        offset += (header + len(raw) + 8) // 8 * 8
        if flags & 0x3000:  # a merge conflict's stage
            return None
        if mode == _GITLINK:  # a submodule: its own repository
            continue
        name = raw.decode("utf-8", "surrogateescape")
        try:
            stat = os.lstat(os.path.join(repo.worktree, name))
        except OSError:
            changed.append((name, -1, -1))
            continue
        if (stat.st_size & 0xFFFFFFFF != size or int(stat.st_mtime) != mtime_s
                or (mtime_ns and stat.st_mtime_ns % 1_000_000_000 != mtime_ns)
                or stat.st_mtime_ns >= index_mtime):  # changed as the index was written: its stat proves nothing
            changed.append((name, stat.st_mtime_ns, stat.st_size))
    return tuple(changed)


def uncommitted_diff(repo: Repository, commit: str) -> tuple[str, bool] | None:
    """``git diff HEAD`` of the repository, cut to ``MAX_DIFF_BYTES`` (and whether it was cut); None when git
    cannot say. Kept per state of the index and of the files that differ from it: asked of git again only
    when one of those changes."""
    index = _index_stat(repo)
    changes = worktree_changes(repo) if index is not None else None
    key = None if changes is None else (repo.gitdir, commit, *index, changes)
    if key is not None and key in _diffs:
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
    if key is not None:
        if len(_diffs) > 64:  # a long session's old states are not asked for again
            _diffs.clear()
        _diffs[key] = answer
    return answer


@lru_cache(maxsize=4)
def _git_command(search_path: str) -> str | None:
    return shutil.which("git", path=search_path)


def git_section(path: str) -> dict[str, Any] | None:
    """What a run records of ``path``'s repository: ``commit``, ``branch`` (None when detached), ``root``
    (the worktree), ``dirty``, ``diff`` (what ``git diff HEAD`` shows, '' when clean) and ``diff_truncated``;
    None outside a repository or without a ``git`` command."""
    if _git_command(os.environ.get("PATH", "")) is None:
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
