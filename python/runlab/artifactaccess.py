"""Which artifact files may be served or removed: regular files under their run's artifact root that still
match their record.

An artifact record names its file by path, and whoever can write to the artifact folder can put something
else there after the run logged it: a symlink to ``/etc/passwd``, a symlinked folder, a FIFO, a file that
changed. So a local file is reached by walking from the root's real path one folder at a time without
following symlinks (``openat`` with ``O_NOFOLLOW``: nothing swapped in between a check and the open is
followed), it must be a regular file, and its size must be the recorded one. Its sha256 is checked while it
is read (``verified_chunks``). A remote (fsspec URL) target has no symlinks; its path must be under the
root's.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from .errors import ArtifactAccessError, ArtifactChangedError, ArtifactNotFoundError, StoreError

HOLD_BACK = 16 * 1024 * 1024
"""Bytes ``verified_chunks`` keeps until the whole file matched its sha256: a file up to this size is
checked before any byte of it is sent; of a larger one, the last ``HOLD_BACK`` bytes are sent only once the
whole file matched (a reader aborts the transfer otherwise), so a changed file never arrives complete."""

CHUNK = 256 * 1024


@dataclass
class ArtifactFile:
    """An artifact's file, open for reading, and what its record says of it (close it, or use ``with``)."""

    handle: IO[bytes]
    size: int
    sha256: str | None
    target: str

    def __enter__(self) -> ArtifactFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.handle.close()


def local_path(target: str) -> str | None:
    """The local path of a target (a path or ``file://`` URL), or None for any other URL."""
    if target.startswith("file://"):
        return target.removeprefix("file://")
    return None if "://" in target else target


def open_artifact(record: dict[str, Any], root: str) -> ArtifactFile:
    """Open an artifact's file (a record of ``status.artifacts``) under the run's artifact ``root``, checked:
    a regular file under ``root`` (``ArtifactAccessError`` otherwise) whose size is the recorded one
    (``ArtifactChangedError`` otherwise); a missing file is ``ArtifactNotFoundError``."""
    target = record["target_path"]
    size = record.get("size")
    path = local_path(target)
    handle, actual = _open_local(path, root, target) if path is not None else _open_remote(target, root)
    if size is not None and actual != size:
        handle.close()
        raise ArtifactChangedError(
            f"artifact {record['key']!r}'s file {target} is {actual} bytes but {size} were logged: it changed "
            "after the run logged it, so it is not served (log the artifact again to record the new file)"
        )
    return ArtifactFile(handle, actual, record.get("hash"), target)


def check_artifact(record: dict[str, Any], root: str) -> None:
    """Raise what ``open_artifact`` raises for this record's file, without keeping it open."""
    open_artifact(record, root).close()


def verified_chunks(artifact: ArtifactFile, hold_back: int = HOLD_BACK) -> Iterator[bytes]:
    """The file's bytes in chunks; the last ``hold_back`` bytes come only after the whole file matched its
    recorded size and sha256, else ``ArtifactChangedError`` is raised instead of them."""
    digest = hashlib.sha256() if artifact.sha256 else None
    held: list[bytes] = []
    held_size = total = 0
    while chunk := artifact.handle.read(CHUNK):
        total += len(chunk)
        if total > artifact.size:
            break  # it grows while it is read: said below
        if digest is not None:
            digest.update(chunk)
        held.append(chunk)
        held_size += len(chunk)
        while held and held_size - len(held[0]) >= hold_back:
            held_size -= len(held[0])
            yield held.pop(0)
    if total != artifact.size:
        raise ArtifactChangedError(f"{artifact.target} changed while it was read ({total} bytes, not "
                                   f"{artifact.size}): log the artifact again")
    if digest is not None and digest.hexdigest() != artifact.sha256:
        raise ArtifactChangedError(
            f"{artifact.target}'s sha256 is not the one logged: the file changed after the run logged it, so it "
            "is not served (log the artifact again to record the new file)"
        )
    yield from held


def remove_artifact_file(target: str, root: str) -> None:
    """Remove an artifact's file: only a regular file under ``root`` (a symlink is never followed, not even
    to a file inside the root, which may be another artifact's); ``ArtifactAccessError`` otherwise,
    ``ArtifactNotFoundError`` when it is gone."""
    path = local_path(target)
    if path is None:
        fs, remote = _remote_under(target, root)
        if not fs.isfile(remote):
            raise ArtifactNotFoundError(f"{target} does not exist")
        fs.rm(remote)
        return
    parent = _open_folder(os.path.realpath(os.path.dirname(os.path.abspath(path))), root, target)
    name = os.path.basename(path)
    try:
        try:
            info = os.stat(name, dir_fd=parent, follow_symlinks=False)
        except FileNotFoundError:
            raise ArtifactNotFoundError(f"{target} does not exist") from None
        if not stat.S_ISREG(info.st_mode):
            raise ArtifactAccessError(f"{target} is {_kind(info.st_mode)}, not a regular file: runlab removes only "
                                      "the artifact files it wrote")
        os.unlink(name, dir_fd=parent)  # unlink never follows a symlink swapped in since the stat
    finally:
        os.close(parent)


# -- local files ------------------------------------------------------------------------------------


def _open_local(path: str, root: str, target: str) -> tuple[IO[bytes], int]:
    real = os.path.realpath(path)
    parent = _open_folder(os.path.dirname(real), root, target)
    try:
        fd = os.open(os.path.basename(real), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                     dir_fd=parent)  # O_NONBLOCK: a FIFO planted there must not hang the open
    except FileNotFoundError:
        raise ArtifactNotFoundError(f"the artifact's file {target} does not exist (deleted after it was logged?)"
                                    ) from None
    except OSError as exc:  # ELOOP: a symlink swapped in since realpath
        raise ArtifactAccessError(f"the artifact's file {target} cannot be opened safely ({exc.strerror}): it "
                                  "changed while it was opened") from None
    finally:
        os.close(parent)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ArtifactAccessError(f"the artifact's file {target} is {_kind(info.st_mode)}, not a regular file: "
                                      "runlab serves only the artifact files it wrote")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb"), info.st_size
    except BaseException:
        os.close(fd)
        raise


def _open_folder(folder: str, root: str, target: str) -> int:
    """A descriptor of ``folder`` (a real path), reached from the root's real path without following
    symlinks; ``ArtifactAccessError`` when it is not under the root."""
    if not root:
        raise ArtifactAccessError(f"the run records no artifact path, so its artifact {target} is not served or "
                                  "removed by runlab: read it from Python (runlab.get_dataitem)")
    base = os.path.realpath(os.path.expanduser(local_path(root) or root))
    relative = os.path.relpath(folder, base)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep) or os.path.isabs(relative):
        raise ArtifactAccessError(
            f"the artifact's file {target} is outside the run's artifact path {root} (or a symlink there leads out "
            "of it): runlab serves and removes only files under it; read it from Python (runlab.get_dataitem)"
        )
    try:
        fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise ArtifactNotFoundError(f"the run's artifact path {root} does not exist, so neither does {target}"
                                    ) from None
    for part in [] if relative == os.curdir else relative.split(os.sep):
        try:
            following = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd)
        except FileNotFoundError:
            raise ArtifactNotFoundError(f"the folder of the artifact's file {target} does not exist") from None
        except OSError as exc:  # ELOOP / ENOTDIR: a symlink or file swapped in since realpath
            raise ArtifactAccessError(f"the folder of the artifact's file {target} cannot be opened safely "
                                      f"({exc.strerror}): it changed while it was opened") from None
        finally:
            os.close(fd)
        fd = following
    return fd


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISLNK, "a symlink"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device")):
        if test(mode):
            return name
    return "not a regular file"


# -- remote files (fsspec URLs) -----------------------------------------------------------------------


def _remote_under(target: str, root: str) -> tuple[Any, str]:
    """The filesystem and path of a remote target whose path is under the root's (no ``.`` or ``..`` in it)."""
    fs, path = _filesystem(target)
    root_fs, base = _filesystem(root) if root and "://" in root else (None, "")
    plain = "/" + path.strip("/")
    if (root_fs is None or type(root_fs) is not type(fs) or posixpath.normpath(plain) != plain
            or not plain.startswith("/" + base.strip("/") + "/")):
        raise ArtifactAccessError(
            f"the artifact's file {target} is outside the run's artifact path {root or '(none)'}: runlab serves "
            "and removes only files under it; read it from Python (runlab.get_dataitem)"
        )
    return fs, path


def _filesystem(url: str) -> tuple[Any, str]:
    """fsspec's filesystem and path of ``url``; ``StoreError`` when this environment cannot reach it."""
    import fsspec

    try:
        return fsspec.core.url_to_fs(url)
    except (ValueError, ImportError) as exc:
        protocol = url.split("://", 1)[0]
        raise StoreError(f"cannot read {url}: protocol {protocol!r} is not available here ({exc}); install its "
                         "fsspec package where the Jupyter server runs") from exc


def _open_remote(target: str, root: str) -> tuple[IO[bytes], int]:
    fs, path = _remote_under(target, root)
    try:
        info = fs.info(path)
    except FileNotFoundError:
        raise ArtifactNotFoundError(f"the artifact's file {target} does not exist (deleted after it was logged?)"
                                    ) from None
    except OSError as exc:  # the data store did not answer (network, credentials)
        raise StoreError(f"cannot read {target}: {exc}") from exc
    if info.get("type") != "file":
        raise ArtifactAccessError(f"the artifact's file {target} is not a file: runlab serves only the artifact "
                                  "files it wrote")
    return fs.open(path, "rb"), int(info["size"])
