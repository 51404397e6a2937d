"""Security probes of the REST API's artifact route (and of DELETE, which removes artifact files), through
real HTTP: file names that are not plain ASCII, files swapped for symlinks, FIFOs or other bytes after the
run logged them, the headers that keep a browser from running or framing an artifact, and time filters
beyond what a date can hold."""

from __future__ import annotations

import contextlib
import email.message
import email.utils
import json
import os
import textwrap
from pathlib import Path

import pytest
import yaml
from tornado.httpclient import HTTPClientError

import runlab

SPEC = yaml.safe_load((Path(runlab.__file__).parent / "server" / "openapi.yaml").read_text())

HANDLERS = """
    def files(context, names):
        for key, name in names.items():
            context.log_artifact(key, body=(name + " bytes").encode(), local_path=name)

    def big(context, size):
        context.log_artifact("big", body=bytes(range(256)) * (size // 256), format="bin")

    def elsewhere(context, folder):
        context.log_artifact("elsewhere", body=b"logged outside", target_path=folder + "/elsewhere.txt")
"""

NAMES = {"han": "模型.csv", "accent": "résumé.txt", "newline": "two\nlines.txt", "quote": 'say "hi".txt',
         "percent": "100% sure; really.txt", "plain": "plain.txt"}
SECRET = "root:x:0:0:secret"


@pytest.fixture
def project(tmp_path):
    (tmp_path / "handlers.py").write_text(textwrap.dedent(HANDLERS))
    project = runlab.get_or_create_project("sec", context=str(tmp_path))
    for handler in ("files", "big", "elsewhere"):
        project.set_function("handlers.py", name=handler, kind="local", handler=handler)
    return project


@pytest.fixture
def run(project):
    return project.run_function("files", params={"names": NAMES})


def target(run, key: str) -> Path:
    return Path(next(a["target_path"] for a in run.status.artifacts if a["key"] == key))


async def get_artifact(jp_fetch, run, key: str, **params):
    return await jp_fetch("runlab", "api", "runs", run.uid(), "0", "artifacts", key, params=params)


async def refused(jp_fetch, run, key: str, *tail: str, **kwargs) -> tuple[int, str]:
    """The status and message of a request that must fail; the body never holds the outside file's text."""
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("runlab", "api", "runs", run.uid(), "0", "artifacts", key, *tail, **kwargs)
    assert info.value.response is not None, info.value  # an answer, not a timeout
    body = info.value.response.body or b""
    assert SECRET.encode() not in body
    route = "/runs/{uid}/{iteration}/artifacts/{key}" + "".join(f"/{part}" for part in tail)
    assert str(info.value.code) in SPEC["paths"][route]["get"]["responses"], "every status is documented"
    return info.value.code, json.loads(body)["message"]


def filename_of(disposition: str) -> str:
    """The file name in a Content-Disposition, read by the standard library's RFC 2231 parser; as RFC 6266
    says, ``filename*`` (decoded to a (charset, language, text) tuple) wins over ``filename``."""
    message = email.message.Message()
    message["Content-Disposition"] = disposition
    names = [value for name, value in message.get_params(header="content-disposition")[1:] if name == "filename"]
    encoded = [value for value in names if isinstance(value, tuple)]
    return email.utils.collapse_rfc2231_value((encoded or names)[0])


def open_files() -> set[str]:
    """What this process's descriptors point at (the server runs in it)."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # closed since the listing
            found.add(os.readlink(f"/proc/self/fd/{fd}"))
    return found


@pytest.mark.parametrize("key", list(NAMES))
@pytest.mark.parametrize("download", [True, False])
async def test_any_file_name_downloads_with_its_bytes_and_name(jp_fetch, run, key, download):
    response = await get_artifact(jp_fetch, run, key, **({"download": "1"} if download else {}))
    assert response.body == f"{NAMES[key]} bytes".encode()
    disposition = response.headers["Content-Disposition"]
    disposition.encode("ascii")  # a header that any client reads the same way
    assert disposition.startswith("attachment;" if download else "inline;")
    assert filename_of(disposition) == NAMES[key]
    assert int(response.headers["Content-Length"]) == len(response.body)


async def test_a_plain_name_keeps_its_simple_header(jp_fetch, run):
    response = await get_artifact(jp_fetch, run, "plain", download="1")
    assert response.headers["Content-Disposition"] == 'attachment; filename="plain.txt"'


async def test_the_headers_keep_a_browser_from_running_framing_sniffing_or_sharing_it(jp_fetch, run):
    response = await get_artifact(jp_fetch, run, "han")
    policy = [part.strip() for part in response.headers["Content-Security-Policy"].split(";")]
    assert "sandbox" in policy and "frame-ancestors 'self'" in policy
    assert "private" in [part.strip() for part in response.headers["Cache-Control"].split(",")]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"].startswith("text/csv")


async def test_a_symlink_to_a_file_outside_is_not_served_nor_its_target_deleted(jp_fetch, run, tmp_path):
    outside = tmp_path / "outside" / "plain.txt"
    outside.parent.mkdir()
    outside.write_text(SECRET)
    file = target(run, "plain")
    file.unlink()
    file.symlink_to(outside)
    code, message = await refused(jp_fetch, run, "plain")
    assert code == 403 and "outside the run's artifact path" in message and str(file) in message
    assert (await refused(jp_fetch, run, "plain", "preview"))[0] == 403
    deleted = json.loads((await jp_fetch("runlab", "api", "runs", run.uid(), method="DELETE")).body)
    assert deleted["files_not_removed"] == [str(file)]
    assert deleted["deleted_artifacts"] == len(NAMES) - 1
    assert outside.read_text() == SECRET


async def test_a_symlinked_folder_is_not_served_nor_its_files_deleted(jp_fetch, run, tmp_path):
    # the outside file has the very bytes logged: only where it is gives it away
    folder = target(run, "plain").parent
    outside = tmp_path / "outside"
    folder.rename(outside)
    folder.symlink_to(outside, target_is_directory=True)
    code, message = await refused(jp_fetch, run, "plain")
    assert code == 403 and "outside the run's artifact path" in message
    deleted = json.loads((await jp_fetch("runlab", "api", "runs", run.uid(), method="DELETE")).body)
    assert deleted["deleted_artifacts"] == 0 and len(deleted["files_not_removed"]) == len(NAMES)
    assert sorted(p.name for p in outside.iterdir()) == sorted(NAMES.values())


async def test_a_symlink_inside_the_artifact_path_is_served_when_it_holds_the_logged_bytes(jp_fetch, run):
    file = target(run, "plain")
    kept = file.with_name("kept.txt")
    file.rename(kept)
    file.symlink_to(kept)
    assert (await get_artifact(jp_fetch, run, "plain")).body == b"plain.txt bytes"
    await jp_fetch("runlab", "api", "runs", run.uid(), method="DELETE")
    assert kept.exists(), "a symlink is removed, never what it points at"


async def test_a_fifo_or_a_folder_in_place_of_the_file_is_refused(jp_fetch, run):
    fifo, folder = target(run, "plain"), target(run, "accent")
    fifo.unlink()
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
    folder.unlink()
    folder.mkdir()
    try:
        for key, kind in (("plain", "a FIFO"), ("accent", "a folder")):
            code, message = await refused(jp_fetch, run, key, request_timeout=30)
            assert code == 403 and f"is {kind}, not a regular file" in message
    finally:
        with contextlib.suppress(OSError):  # set free a reader that opened the FIFO (ENXIO when none did)
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    deleted = json.loads((await jp_fetch("runlab", "api", "runs", run.uid(), method="DELETE")).body)
    assert sorted(deleted["files_not_removed"]) == sorted([str(fifo), str(folder)])
    assert fifo.exists() and folder.is_dir()


async def test_a_file_changed_after_it_was_logged_is_409(jp_fetch, run):
    grown, same_size = target(run, "plain"), target(run, "accent")
    grown.write_bytes(grown.read_bytes() + b" and more")
    same_size.write_bytes(same_size.read_bytes().upper())
    code, message = await refused(jp_fetch, run, "plain")
    assert code == 409 and "bytes but 15 were logged" in message and "log the artifact again" in message
    code, message = await refused(jp_fetch, run, "accent")
    assert code == 409 and "sha256 is not the one logged" in message
    assert (await refused(jp_fetch, run, "plain", "preview"))[0] == 409


async def test_a_large_file_changed_after_it_was_logged_never_arrives_whole(jp_fetch, project):
    size = 20 * 1024 * 1024  # above what is checked before the first byte is sent
    big = project.run_function("big", params={"size": size})
    whole = await get_artifact(jp_fetch, big, "big")
    assert len(whole.body) == size and whole.body[:512] == bytes(range(256)) * 2
    file = target(big, "big")
    with open(file, "r+b") as out:  # one byte, early in the file: same size, other bytes
        out.write(b"\xff")
    received = bytearray()
    with pytest.raises(HTTPClientError):
        await jp_fetch("runlab", "api", "runs", big.uid(), "0", "artifacts", "big",
                       streaming_callback=received.extend)
    assert 0 < len(received) < size


async def test_a_file_logged_outside_the_artifact_path_is_not_served(jp_fetch, project, tmp_path):
    run = project.run_function("elsewhere", params={"folder": str(tmp_path / "elsewhere")})
    code, message = await refused(jp_fetch, run, "elsewhere")
    assert code == 403 and "runlab.get_dataitem" in message


async def test_a_download_that_fails_leaves_no_file_open(jp_fetch, run, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text(SECRET)
    grown = target(run, "plain")
    grown.write_bytes(grown.read_bytes() + b"!")
    linked = target(run, "accent")
    linked.unlink()
    linked.symlink_to(outside)
    watched = {str(grown), str(outside), str(target(run, "newline")), str(target(run, "han"))}
    before = open_files()
    # names a header cannot hold as they are, a changed file, a symlink out: whatever each answers
    for key in ("newline", "han", "plain", "accent"):
        with contextlib.suppress(HTTPClientError):
            await get_artifact(jp_fetch, run, key, download="1")
    after = open_files()
    assert not after & watched
    assert {path for path in after - before if path.startswith("/")} == set()  # sockets and pipes aside


@pytest.mark.parametrize(("params", "message"), [
    ({"since": "0001-01-01T00:00:00"}, "since '0001-01-01T00:00:00' is out of range"),
    ({"until": "9999-12-31T23:59:59+00:00"}, "until '9999-12-31T23:59:59+00:00' is out of range"),
    ({"since": "1e300"}, "since '1e300' is out of range"),
    ({"until": "nan"}, "until 'nan' is out of range"),
    ({"since": "-inf"}, "since '-inf' is out of range"),
])
async def test_times_beyond_a_date_are_out_of_range(jp_fetch, run, params, message):
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("runlab", "api", "runs", params=params)
    assert info.value.code == 400
    assert json.loads(info.value.response.body)["message"] == (
        f"{message}: use a time from 0001-01-02 to 9999-12-30 (epoch seconds from -62135510400 to 253402128000)")


@pytest.mark.parametrize("params", [{"since": "0001-01-02T00:00:00+00:00"}, {"since": "0"},
                                    {"until": "9999-12-29T00:00:00"}])
async def test_times_within_range_still_filter(jp_fetch, run, params):
    page = json.loads((await jp_fetch("runlab", "api", "runs", params=params)).body)
    assert [r["metadata"]["uid"] for r in page["runs"]] == [run.uid()]


async def test_an_artifact_on_another_filesystem_is_served_and_checked_too(jp_fetch, tmp_path):
    import fsspec

    memory = fsspec.filesystem("memory")
    root = f"memory://sec-{tmp_path.name}"
    (tmp_path / "handlers.py").write_text(textwrap.dedent(HANDLERS))
    project = runlab.get_or_create_project("remote", context=str(tmp_path), artifact_path=root)
    project.set_function("handlers.py", name="files", kind="local", handler="files")
    try:
        run = project.run_function("files", params={"names": {"han": "模型.csv", "plain": "plain.txt"}})
        response = await get_artifact(jp_fetch, run, "han", download="1")
        assert response.body == "模型.csv bytes".encode()
        assert filename_of(response.headers["Content-Disposition"]) == "模型.csv"
        plain = next(a["target_path"] for a in run.status.artifacts if a["key"] == "plain")
        with memory.open(plain, "wb") as out:
            out.write(b"other bytes, other size")
        code, message = await refused(jp_fetch, run, "plain")
        assert code == 409 and "were logged" in message
    finally:
        memory.rm(root, recursive=True)


def test_an_artifact_on_a_data_store_this_environment_cannot_reach_is_a_store_error():
    from runlab.artifactaccess import check_artifact
    from runlab.errors import StoreError
    from runlab.server.handlers import status_of

    protocol = "s3"
    try:
        import s3fs  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("s3fs is installed here, so s3:// is reachable")
    record = {"key": "model", "target_path": f"{protocol}://bucket/runs/train/0/model.pkl", "size": 3}
    with pytest.raises(StoreError) as info:
        check_artifact(record, f"{protocol}://bucket/runs")
    assert "protocol 's3' is not available here" in str(info.value)
    assert status_of(info.value) == 503  # the API answers 503 with that message, not an unhandled 500
