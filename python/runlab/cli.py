"""The ``runlab`` command: run a handler file, list runs, show one run, print its log; gc, export and import
runs."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any


def _pairs(items: list[str], what: str, parse: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SystemExit(f"runlab: error: {what} {item!r} must look like key=value")
        if parse:
            try:
                out[key] = json.loads(value)
            except ValueError:
                out[key] = value
        else:
            out[key] = value
    return out


def _run(args: argparse.Namespace) -> int:
    import runlab

    project = runlab.get_or_create_project(args.project, context=os.getcwd(), set_current=False)
    fn = runlab.code_to_function(filename=args.file, kind="local", handler=args.handler)
    try:
        run = project.run_function(fn, name=args.name or "", params=_pairs(args.param, "param", True),
                                   inputs=_pairs(args.input, "input", False),
                                   labels=_pairs(args.label, "label", False))
    except runlab.RunError as err:
        print(f"runlab: run failed: {err}", file=sys.stderr)
        return 1
    print(f"run {run.metadata.name} {run.uid()} {run.state()}")
    for key, value in run.outputs.items():
        print(f"  {key}: {value}")
    return 0


def _runs(args: argparse.Namespace) -> int:
    from .display import runs_text
    from .run import list_runs

    runs = list_runs(project=args.project, name=args.name, state=args.state,
                     labels=_pairs(args.label, "label", False) or None, last=args.last, filter=args.filter,
                     order_by=args.order_by or None)
    print(runs_text(list(runs)) if runs else "no runs")
    return 0


def _get(args: argparse.Namespace) -> int:
    from .run import get_run

    print(get_run(args.uid).to_yaml(), end="")
    return 0


def _logs(args: argparse.Namespace) -> int:
    from .run import get_run

    get_run(args.uid).logs(watch=args.follow)
    return 0


def _scheduler(args: argparse.Namespace) -> int:
    """Fire due schedules until SIGTERM or Ctrl-C (a foreground process for systemd or a container)."""
    import logging
    import signal
    import threading

    from .scheduler import Scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    Scheduler(poll=args.poll).run(stop)
    return 0


def _schedules(args: argparse.Namespace) -> int:
    from .project import load_project
    from .schedules import schedule_dict

    project = load_project(args.project, set_current=False)
    if args.action == "list":
        rows = [s.to_dict() for s in project.list_schedules()]
        if not rows:
            print(f"no schedules in project {args.project}")
        for row in rows:
            state = "paused" if row["paused"] else f"next {row['next_run']}"
            last = f"last {row['last_run']} ({row['last_state']})" if row["last_run"] else "never fired"
            print(f"{row['name']:<24} {row['cron']:<16} {row['description']:<24} {row['concurrency']:<8} "
                  f"{state}; {last}")
        return 0
    if not args.name:
        print(f"runlab: error: schedules {args.action} needs a schedule name", file=sys.stderr)
        return 2
    schedule = project.get_schedule(args.name)
    if args.action == "pause":
        schedule.pause()
    elif args.action == "resume":
        schedule.resume()
    elif args.action == "delete":
        schedule.delete()
        print(f"deleted schedule {args.name}")
        return 0
    elif args.action == "run-now":
        run = schedule.run_now()
        print(f"started run {run.metadata.name} {run.uid()}")
        return 0
    row = schedule_dict(project.store.get_schedule(project.name, args.name))
    print(f"{args.name}: {'paused' if row['paused'] else 'next run ' + str(row['next_run'])}")
    return 0


def _gc(args: argparse.Namespace) -> int:
    from .gc import Selection, collect
    from .store import get_store

    selection = Selection.checked(args.older_than, args.keep_last, args.state or None)
    report = collect(get_store(), args.project, selection, dry_run=args.dry_run, progress=True)
    print(f"project {args.project}: {report.summary}")
    for uid in report.runs if args.verbose else ():
        print(f"  {uid}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from .exchange import export_runs, select_uids
    from .store import get_store
    from .values import counted

    store = get_store()
    uids = list(args.uid)
    if args.project:
        uids += select_uids(store, args.project, args.older_than, args.keep_last, args.state or None)
    elif args.older_than or args.keep_last is not None or args.state:
        print("runlab: error: --older-than, --keep-last and --state select runs of a --project", file=sys.stderr)
        return 2
    if not uids:
        print("runlab: error: no runs to export: give run uids or a --project with runs that ended", file=sys.stderr)
        return 2
    report = export_runs(uids, args.output, store=store)
    print(f"exported {counted(len(report.runs), 'run')} and {counted(report.files, 'artifact file')} to {report.path}")
    for target in report.files_missing:
        print(f"  not readable, record only: {target}", file=sys.stderr)
    return 0


def _import(args: argparse.Namespace) -> int:
    from .exchange import import_runs
    from .values import counted

    report = import_runs(args.file, project=args.project, overwrite=args.overwrite)
    print(f"imported {counted(len(report.imported), 'run')} and {counted(report.files, 'artifact file')}")
    for uid in report.skipped:
        print(f"  skipped {uid}: already in the store (--overwrite replaces it)")
    return 0


def _selectors(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--older-than", default=None, metavar="DURATION",
                        help="runs started longer ago than this: 30d, 12h, 90m, 45s, 2w")
    parser.add_argument("--keep-last", type=int, default=None, metavar="N",
                        help="always keep the newest N ended runs of each job (the project's runs of one name)")
    parser.add_argument("--state", action="append", default=[], choices=["completed", "error", "aborted"],
                        help="runs in this state (repeat for several)")


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(prog="runlab", description="Run Python handlers as tracked jobs.")
    parser.add_argument("--version", action="version", version=f"runlab {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run a handler of a Python file (or the file as a script)")
    run.add_argument("file")
    run.add_argument("--handler", default=None, help="handler name (default: run the file as a script)")
    run.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE",
                     help="a param; the value is parsed as JSON when it parses")
    run.add_argument("-i", "--input", action="append", default=[], metavar="KEY=URL")
    run.add_argument("--label", action="append", default=[], metavar="KEY=VALUE")
    run.add_argument("--project", default="default")
    run.add_argument("--name", default="")
    run.set_defaults(func=_run)

    runs = sub.add_parser("runs", help="list runs, newest first")
    runs.add_argument("--project", default=None)
    runs.add_argument("--name", default=None)
    runs.add_argument("--state", default=None)
    runs.add_argument("--label", action="append", default=[], metavar="KEY=VALUE")
    runs.add_argument("--last", type=int, default=20)
    runs.add_argument("--filter", default=None, metavar="EXPR",
                      help="keep the runs this matches, e.g. \"results.accuracy > 0.9 and state == 'completed'\"")
    runs.add_argument("--order-by", action="append", default=[], metavar="NAME [asc|desc]",
                      help="order by a name, e.g. \"results.accuracy desc\" (repeat for ties)")
    runs.set_defaults(func=_runs)

    get = sub.add_parser("get", help="print a run as YAML")
    get.add_argument("uid", help="the run's uid or a unique prefix of it")
    get.set_defaults(func=_get)

    logs = sub.add_parser("logs", help="print a run's log")
    logs.add_argument("uid")
    logs.add_argument("-f", "--follow", action="store_true", help="keep printing until the run ends")
    logs.set_defaults(func=_logs)

    scheduler = sub.add_parser("scheduler", help="fire due schedules until stopped (SIGTERM or Ctrl-C)")
    scheduler.add_argument("--poll", type=float, default=5.0,
                           help="seconds between looks for new or changed schedules (default 5)")
    scheduler.set_defaults(func=_scheduler)

    schedules = sub.add_parser("schedules", help="list, pause, resume, delete or run a schedule now")
    schedules.add_argument("action", choices=["list", "pause", "resume", "delete", "run-now"])
    schedules.add_argument("name", nargs="?", default="")
    schedules.add_argument("--project", default="default")
    schedules.set_defaults(func=_schedules)

    gc = sub.add_parser("gc", help="delete a project's old ended runs with their logs and artifact files",
                        description="Delete the project's ended runs that every given selector takes, with their "
                        "logs and artifact files. A live run is never deleted, nor a run whose artifact files a "
                        "staying run of the project reads as an input. --keep-last counts per job (the runs of "
                        "one name), newest first, live runs apart.")
    gc.add_argument("--project", required=True)
    _selectors(gc)
    gc.add_argument("--dry-run", action="store_true", help="delete nothing; report what would be deleted")
    gc.add_argument("-v", "--verbose", action="store_true", help="list the uids of the runs")
    gc.set_defaults(func=_gc)

    export = sub.add_parser("export", help="write runs (records, logs, artifact files, functions) to a zip")
    export.add_argument("uid", nargs="*", help="run uids (or unique prefixes)")
    export.add_argument("-o", "--output", required=True, metavar="ZIP")
    export.add_argument("--project", default=None, help="also every ended run of this project the selectors take")
    _selectors(export)
    export.set_defaults(func=_export)

    imports = sub.add_parser("import", help="read runs from a zip `runlab export` wrote into this store")
    imports.add_argument("file")
    imports.add_argument("--project", default=None, help="import the runs into this project instead of their own")
    imports.add_argument("--overwrite", action="store_true", help="replace runs whose uid is already in the store")
    imports.set_defaults(func=_import)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``runlab`` command; returns the exit code."""
    from .errors import RunlabError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except RunlabError as err:
        print(f"runlab: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
