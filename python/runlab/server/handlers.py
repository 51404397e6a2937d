"""HTTP around ``api``: authentication on every route, JSON errors, conditional GETs, file streaming.

Every handler is ``@tornado.web.authenticated`` (a request without Jupyter's token or cookie gets 403)
and mutations go through jupyter_server's XSRF check. Errors answer ``{"message": ..., "status": ...}``
with the status ``STATUS`` gives their class (400 bad input, 403 an artifact file runlab will not serve,
404 not found, 409 a state that forbids it or an artifact file that changed, 503 the store cannot be
reached); store calls run in a worker thread so a slow disk never stalls the server.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
from collections.abc import Callable
from typing import Any

import tornado.web
from jupyter_server.base.handlers import APIHandler

from ..artifactaccess import open_artifact, verified_chunks
from ..errors import (
    ArtifactAccessError,
    ArtifactChangedError,
    ArtifactNotFoundError,
    EnvironmentNotFoundError,
    FunctionNotFoundError,
    JobRequestError,
    PathOutsideRootError,
    ProjectNotFoundError,
    RunlabError,
    RunNotFoundError,
    RunStateError,
    ScheduleExistsError,
    ScheduleNotFoundError,
    SourceNotFoundError,
    StoreError,
    ValidationError,
)
from ..store.runstore import RunStore
from . import api, compare, jobrequest, table
from .download import artifact_headers

STATUS: tuple[tuple[type[RunlabError], int], ...] = (
    # the first class an error is an instance of decides (subclasses before their bases)
    (FunctionNotFoundError, 404),
    (ScheduleExistsError, 409),
    (ValidationError, 400),
    (ProjectNotFoundError, 404),
    (RunNotFoundError, 404),
    (ArtifactNotFoundError, 404),
    (EnvironmentNotFoundError, 404),
    (ArtifactAccessError, 403),
    (ArtifactChangedError, 409),
    (ScheduleNotFoundError, 404),
    (SourceNotFoundError, 404),
    (PathOutsideRootError, 403),
    (RunStateError, 409),
    (StoreError, 503),
)
"""The HTTP status of each runlab error; any other ``RunlabError`` is a 500 with its message."""


def status_of(exc: RunlabError) -> int:
    """The HTTP status an error answers with."""
    return next((status for cls, status in STATUS if isinstance(exc, cls)), 500)


def _json_errors(method: Callable) -> Callable:
    """Turn runlab's errors into their status (``STATUS``) with a JSON message."""

    @functools.wraps(method)
    async def wrapper(self: RunlabHandler, *args: Any, **kwargs: Any) -> None:
        try:
            await method(self, *args, **kwargs)
        except RunlabError as exc:
            status = status_of(exc)
            if status >= 500:  # the server's problem, but one the user can fix: say what it is
                self.log.error("runlab: %s", exc)
            self._error(status, str(exc), getattr(exc, "field", None))
        except tornado.web.HTTPError:
            raise  # tornado's own answers (a missing argument, a forbidden request) keep their status
        except Exception as exc:  # a bug: its traceback goes to the log, never to the client
            self.log.exception("runlab: %s %s failed", self.request.method, self.request.path)
            if self._headers_written:  # part of a file went out: all that is left is to end the answer
                raise
            self._error(500, f"runlab could not answer this request ({type(exc).__name__}); the Jupyter "
                             "server's log has the details")

    return wrapper


MAX_INT64 = 2**63 - 1
MAX_ITERATION = 2**31 - 1  # the store's iteration column is a 32-bit integer


def bounded_int(name: str, value: str, maximum: int = MAX_INT64) -> int:
    """A query or path integer in 0..maximum; anything else is a 400 naming the bound (a value the database
    cannot hold must never reach it; a long value is cut in the message)."""
    try:
        number = int(value)
    except ValueError:
        raise ValidationError(f"{name} must be an integer, not {value[:40]!r}") from None
    if number < 0:
        raise ValidationError(f"{name} must be 0 or more, not {number}")
    if number > maximum:
        raise ValidationError(f"{name} must be at most {maximum}, not {value[:40]}...")
    return number


class RunlabHandler(APIHandler):
    """Shared helpers: the store, query arguments with 400 on bad values, and thread offloading."""

    @property
    def store(self):
        return self.settings["runlab_store"]()

    def int_argument(self, name: str, default: int, maximum: int = MAX_INT64) -> int:
        value = self.get_argument(name, None)
        if value is None or value == "":
            return default
        return bounded_int(name, value, maximum)

    def bool_argument(self, name: str) -> bool:
        return self.get_argument(name, "0").lower() in ("1", "true", "yes")

    async def call(self, function: Callable, *args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(function, self.store, *args, **kwargs)

    def _error(self, status: int, message: str, field: str | None = None) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        body: dict[str, Any] = {"message": message, "status": status}
        if field is not None:  # a request field the message is about (a form shows it there)
            body["field"] = field
        self.finish(body)

    def json_body(self) -> Any:
        """The request's JSON body (None when empty); not JSON is a 400."""
        if not self.request.body or not self.request.body.strip():
            return None
        try:
            return tornado.escape.json_decode(self.request.body)
        except ValueError:
            raise JobRequestError("", "the request body must be JSON: send a JSON object") from None

    def reply(self, data: Any) -> None:
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(tornado.escape.json_encode(data))


class StampedHandler(RunlabHandler):
    """A GET whose answer carries the store's change stamp as its ETag and is 304 while the client's
    ``If-None-Match`` names the same stamp, so a client can poll it every second or two for an index step.

    The ETag also names the query string: an answer filtered one way is never "not modified" for a request
    filtered another way (a client that sends the ETag of its previous filter gets the new filter's rows)."""

    async def reply_stamped(self, answer: Callable[[RunStore], tuple[str | None, Callable[[], Any]]]) -> None:
        """``answer(store)`` gives the stamp (None: the answer cannot be cached) and a callable making the body;
        both run in one trip to a worker thread, the body only when the client does not have it."""
        seen = self.request.headers.get("If-None-Match")
        query = self.request.query
        suffix = "-" + hashlib.sha1(query.encode(), usedforsecurity=False).hexdigest()[:12] if query else ""

        def stamped(store: RunStore) -> tuple[str | None, Any]:
            stamp, body = answer(store)
            return stamp, None if stamp is not None and seen == f'"{stamp}{suffix}"' else body()

        stamp, body = await self.call(stamped)
        if stamp is not None:
            self.set_header("ETag", f'"{stamp}{suffix}"')
        if body is None:
            self.set_status(304)
            self.finish()
            return
        self.reply(body)

    def compute_etag(self) -> None:  # ours is the store's stamp, not a hash of the body
        return None


class ProjectsHandler(StampedHandler):
    """Every project; answers 304 while no project and no run changed (``If-None-Match`` with the last ETag),
    so a client can ask every second and see a new project's first run at once."""

    @tornado.web.authenticated
    @_json_errors
    async def get(self) -> None:
        def answer(store: RunStore) -> tuple[str, Callable[[], Any]]:
            stamp, found = api.projects(store)
            return stamp, lambda: {"projects": found}

        await self.reply_stamped(answer)


class JobsHandler(StampedHandler):
    """The jobs of a project; answers 304 while nothing changed (``If-None-Match`` with the last ETag)."""

    @tornado.web.authenticated
    @_json_errors
    async def get(self, project: str) -> None:
        contains = self.get_argument("q", None)

        def answer(store: RunStore) -> tuple[str, Callable[[], Any]]:
            stamp = api.stamp(store, project)
            return stamp, lambda: {"project": project, "jobs": api.jobs(store, project, contains), "stamp": stamp}

        await self.reply_stamped(answer)


class FieldsHandler(RunlabHandler):
    """The keys a project's runs have, for the Runs view's column picker and filter box."""

    @tornado.web.authenticated
    @_json_errors
    async def get(self, project: str) -> None:
        self.reply(await self.call(api.fields, project))


class EndedHandler(StampedHandler):
    """Runs that ended since a time, launched from this server's kernels or followed (``uid``, repeated): what
    JupyterLab's end-of-run notifications poll. Answers 304 while no run changed since the last answer
    (``If-None-Match``: the store's change stamp with the question), so polling every 2 s costs an index step."""

    @tornado.web.authenticated
    @_json_errors
    async def get(self) -> None:
        since = self.get_argument("since", None) or None
        followed = sorted({u for v in self.get_arguments("uid") for u in v.split(",") if u})
        limit, kernels = self.int_argument("limit", 10), self.settings["runlab_kernels"].ids()

        def answer(store: RunStore) -> tuple[str | None, Callable[[], Any]]:
            ended = functools.partial(api.ended, store, since, kernels, followed, limit)
            if since is None:  # "now" is the answer: nothing to cache
                return None, ended
            question = f"{since}|{limit}|{','.join(followed)}|{','.join(sorted(kernels))}"
            return api.stamp(store, None) + hashlib.sha1(question.encode()).hexdigest()[:8], ended

        await self.reply_stamped(answer)


class RunsHandler(RunlabHandler):
    @tornado.web.authenticated
    @_json_errors
    async def post(self) -> None:
        """Run a file as a job (or schedule it), or with ``validate_only`` only check the request."""
        answer = await self.call(jobrequest.submit, self.settings.get("server_root_dir", ""), self.json_body())
        self.set_status(200 if answer.get("valid") else 201)
        self.reply(answer)

    @tornado.web.authenticated
    @_json_errors
    async def get(self) -> None:
        page = await self.call(
            api.runs, project=self.get_argument("project", None), name=self.get_argument("name", None),
            states=[s for v in self.get_arguments("state") for s in v.split(",") if s],
            labels=self.get_arguments("label"), since=self.get_argument("since", None),
            until=self.get_argument("until", None), sort=self.get_argument("sort", None),
            limit=self.int_argument("limit", 50), offset=self.int_argument("offset", 0),
            iterations=self.bool_argument("iterations"), filter=self.get_argument("filter", None),
            order_by=self.get_arguments("order_by"))
        self.reply(page)


class RunHandler(RunlabHandler):
    @tornado.web.authenticated
    @_json_errors
    async def get(self, uid: str) -> None:
        root = self.settings.get("server_root_dir", "")
        self.reply(await self.call(api.run, uid, self.int_argument("iteration", 0, MAX_ITERATION), root))

    @tornado.web.authenticated
    @_json_errors
    async def delete(self, uid: str) -> None:
        self.reply(await self.call(api.delete, uid))

    @tornado.web.authenticated
    @_json_errors
    async def patch(self, uid: str) -> None:
        self.reply(await self.call(api.set_notes, uid, self.json_body()))


class BulkDeleteHandler(RunlabHandler):
    """Delete many runs at once (``{"uids": [...]}``): those that ended go, the others are skipped and said so."""

    @tornado.web.authenticated
    @_json_errors
    async def post(self) -> None:
        body = self.json_body()
        if not isinstance(body, dict) or "uids" not in body:
            raise ValidationError('send {"uids": ["<uid>", ...]}: the runs to delete')
        self.reply(await self.call(api.delete_many, body["uids"]))


class DriftHandler(RunlabHandler):
    @tornado.web.authenticated
    @_json_errors
    async def get(self, uid: str) -> None:
        self.reply(await self.call(api.drift, uid))


class EnvironmentHandler(RunlabHandler):
    @tornado.web.authenticated
    @_json_errors
    async def get(self, env_hash: str) -> None:
        self.reply(await self.call(api.environment, env_hash))


class ChartHandler(RunlabHandler):
    @tornado.web.authenticated
    @_json_errors
    async def get(self, uid: str) -> None:
        self.reply(await self.call(api.chart, uid))


class LogHandler(RunlabHandler):
    @tornado.web.authenticated
    @_json_errors
    async def get(self, uid: str, iteration: str) -> None:
        number = bounded_int("iteration", iteration, MAX_ITERATION)
        if self.bool_argument("download"):  # the whole log as a text file
            text, filename = await self.call(api.log_file, uid, number)
            self.set_header("Content-Disposition", f'attachment; filename="{filename}"')
            self.set_header("Cache-Control", "no-store")
            self.finish(text.encode("utf-8"), set_content_type="text/plain; charset=utf-8")
            return
        self.reply(await self.call(api.log, uid, number, self.int_argument("offset", 0),
                                   self.bool_argument("timestamps")))


class ArtifactHandler(RunlabHandler):
    """An artifact's file, streamed from its record's target (never from a path the client sends), only when
    it is a regular file under the run's artifact path with its recorded size and sha256 (``artifactaccess``)."""

    @tornado.web.authenticated
    @_json_errors
    async def get(self, uid: str, iteration: str, key: str) -> None:
        record, root, ended = await self.call(api.artifact_source, uid,
                                              bounded_int("iteration", iteration, MAX_ITERATION), key)
        # every header is built (and is ASCII) before the file is opened
        headers = artifact_headers(record["target_path"].rsplit("/", 1)[-1], self.bool_argument("download"), ended)
        with await asyncio.to_thread(open_artifact, record, root) as artifact:
            chunks = verified_chunks(artifact)
            first = await asyncio.to_thread(next, chunks, b"")  # a file up to HOLD_BACK is checked by now
            for name, value in headers.items():
                self.set_header(name, value)
            self.set_header("Content-Length", artifact.size)
            chunk = first
            try:
                while chunk:
                    self.write(chunk)
                    await self.flush()
                    chunk = await asyncio.to_thread(next, chunks, b"")
            except ArtifactChangedError as exc:  # part of a large file is sent: end without its last part
                self.log.error("runlab: %s; the download was aborted", exc)
                self.request.connection.close()
                return
        self.finish()


class PreviewHandler(RunlabHandler):
    @tornado.web.authenticated
    @_json_errors
    async def get(self, uid: str, iteration: str, key: str) -> None:
        cap = self.settings["runlab_preview_max_bytes"]
        self.reply(await self.call(api.preview, uid, bounded_int("iteration", iteration, MAX_ITERATION), key, cap))


class TableRowsHandler(RunlabHandler):
    """A saved notebook table's rows, read again (``table.table_rows``)."""

    @tornado.web.authenticated
    @_json_errors
    async def get(self) -> None:
        keys, query = self.get_arguments("key"), self.get_argument("query", None)
        self.reply(await self.call(
            table.table_rows, keys=table.parse_keys(keys) if keys else None,
            query=table.parse_query(query) if query is not None else None, offset=self.int_argument("offset", 0),
            limit=self.int_argument("limit", 20), short=self.bool_argument("short"), sweep=self.bool_argument("sweep")))


class CompareHandler(RunlabHandler):
    """Runs compared field by field, with the charts (``compare.compare``)."""

    @tornado.web.authenticated
    @_json_errors
    async def get(self) -> None:
        runs = compare.parse_runs(self.get_arguments("uid"))
        self.reply(await self.call(compare.compare, runs, children=self.bool_argument("children")))


class CompareArtifactHandler(RunlabHandler):
    """One artifact key of every compared run, as previews (``compare.compare_artifact``)."""

    @tornado.web.authenticated
    @_json_errors
    async def get(self) -> None:
        runs = compare.parse_runs(self.get_arguments("uid"))
        self.reply(await self.call(compare.compare_artifact, self.get_argument("key", ""), runs,
                                   self.settings["runlab_preview_max_bytes"]))


class InputPreviewHandler(RunlabHandler):
    @tornado.web.authenticated
    @_json_errors
    async def get(self, uid: str, iteration: str, key: str) -> None:
        root = self.settings.get("server_root_dir", "")
        self.reply(await self.call(table.input_preview, uid, bounded_int("iteration", iteration, MAX_ITERATION),
                                   key, root))


class AbortHandler(RunlabHandler):
    @tornado.web.authenticated
    @_json_errors
    async def post(self, uid: str) -> None:
        self.reply(await self.call(api.abort, uid))


class RerunHandler(RunlabHandler):
    @tornado.web.authenticated
    @_json_errors
    async def post(self, uid: str) -> None:
        changes, root = self.json_body(), self.settings.get("server_root_dir", "")
        answer = await self.call(api.rerun, uid, changes, root)
        self.set_status(200 if answer.get("valid") else 201)
        self.reply(answer)


class InspectHandler(RunlabHandler):
    """What a file under the server's root offers a job (its functions, or a notebook's parameters), unrun."""

    @tornado.web.authenticated
    @_json_errors
    async def get(self) -> None:
        path, root = self.get_argument("path", ""), self.settings.get("server_root_dir", "")
        self.reply(await self.call(api.inspect, path, root, self.get_argument("uid", "")))


class SchedulesHandler(RunlabHandler):
    @tornado.web.authenticated
    @_json_errors
    async def get(self) -> None:
        self.reply({"schedules": await self.call(api.schedules, self.get_argument("project", None))})


class ScheduleHandler(RunlabHandler):
    @tornado.web.authenticated
    @_json_errors
    async def get(self, project: str, name: str) -> None:
        self.reply(await self.call(api.schedule, project, name))

    @tornado.web.authenticated
    @_json_errors
    async def patch(self, project: str, name: str) -> None:
        try:
            changes = tornado.escape.json_decode(self.request.body or b"null")
        except ValueError:
            raise ValidationError("the body must be a JSON object of the schedule fields to change") from None
        self.reply(await self.call(api.schedule_update, project, name, changes))

    @tornado.web.authenticated
    @_json_errors
    async def delete(self, project: str, name: str) -> None:
        self.reply(await self.call(api.schedule_action, project, name, "delete"))


class ScheduleActionHandler(RunlabHandler):
    @tornado.web.authenticated
    @_json_errors
    async def post(self, project: str, name: str, action: str) -> None:
        if action not in ("pause", "resume", "run-now"):  # delete is the DELETE method of the schedule
            self._error(404, f"unknown schedule action {action!r}: use pause, resume or run-now")
            return
        self.reply(await self.call(api.schedule_action, project, name, action))


class NoRouteHandler(RunlabHandler):
    """Any other path under the API: a JSON 404 (not the server's HTML page), for every method."""

    @tornado.web.authenticated
    def _no_route(self, *args: str) -> None:
        self._error(404, f"no API route {self.request.path[:200]!r} for {self.request.method}: the routes are "
                         "listed in runlab/server/openapi.yaml")

    get = post = put = delete = patch = _no_route


def routes() -> list[tuple[str, type]]:
    """The API's URL patterns (below the server's base URL)."""
    root = "/runlab/api"
    run = r"/runs/([^/]+)"
    return [(root + path, handler) for path, handler in (
        ("/projects", ProjectsHandler),
        (r"/projects/([^/]+)/jobs", JobsHandler),
        (r"/projects/([^/]+)/fields", FieldsHandler),
        ("/runs", RunsHandler),
        ("/ended", EndedHandler),
        ("/runs/delete", BulkDeleteHandler),  # before a run's own route, which would take "delete" for a uid
        (run, RunHandler),
        (run + "/chart", ChartHandler),
        (run + "/drift", DriftHandler),
        (r"/environments/([^/]+)", EnvironmentHandler),
        (run + r"/(\d+)/log", LogHandler),
        (run + r"/(\d+)/artifacts/([^/]+)", ArtifactHandler),
        (run + r"/(\d+)/artifacts/([^/]+)/preview", PreviewHandler),
        (run + r"/(\d+)/inputs/([^/]+)/preview", InputPreviewHandler),
        ("/table-rows", TableRowsHandler),
        ("/compare", CompareHandler),
        ("/compare/artifact", CompareArtifactHandler),
        (run + "/abort", AbortHandler),
        (run + "/rerun", RerunHandler),
        ("/inspect", InspectHandler),
        ("/schedules", SchedulesHandler),
        (r"/schedules/([^/]+)/([^/]+)", ScheduleHandler),
        (r"/schedules/([^/]+)/([^/]+)/([^/]+)", ScheduleActionHandler),
        (r"/.*", NoRouteHandler),
    )]
