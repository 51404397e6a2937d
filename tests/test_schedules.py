"""Scheduled jobs: validation, due times, exactly-once firing across schedulers, catch-up, concurrency
policies, pause/resume/run-now, the CLI. Time is a controllable clock (``Scheduler.tick(now)``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

import runlab
from runlab.errors import ScheduleExistsError, ScheduleNotFoundError, ValidationError
from runlab.scheduler import Scheduler

SLOW = """
    import time

    def nap(context, seconds=30):
        print("napping", flush=True)
        time.sleep(seconds)
        context.log_result("slept", seconds)
"""


@pytest.fixture
def scheduled(project, write_file):
    write_file("slow.py", SLOW)
    project.set_function("slow.py", name="napper", kind="job", handler="nap")
    return project


def _wait_terminal(run, timeout=60):
    return run.wait_for_completion(timeout=timeout, poll=0.05, raise_on_failure=False)


def test_run_function_with_a_schedule_records_it_instead_of_running(scheduled):
    sched = scheduled.run_function("trainer", params={"p1": 3}, inputs={"data": "data.csv"}, schedule="0 */6 * * *",
                                   labels={"team": "a"})
    assert isinstance(sched, runlab.schedules.Schedule)
    assert scheduled.list_runs() == [], "nothing ran"
    assert (sched.name, sched.cron, sched.description, sched.concurrency) == (
        "trainer", "0 */6 * * *", "every 6 hours", "forbid")
    due = sched.next_run_time
    assert (due.minute, due.hour % 6) == (0, 0)
    assert time.time() < due.timestamp() <= time.time() + 6 * 3600, "the next 6-hourly window, not a later one"
    assert [s.name for s in scheduled.list_schedules()] == ["trainer"]
    assert scheduled.get_schedule("trainer").cron == "0 */6 * * *"
    assert sched.to_dict()["task"]["task"]["params"] == {"p1": 3}


def test_aliases_and_time_zones(scheduled):
    sched = scheduled.run_function("trainer", inputs={"data": "data.csv"}, schedule="@daily",
                                   timezone="Asia/Kolkata", schedule_name="nightly")
    due = sched.next_run_time
    assert sched.cron == "0 0 * * *" and sched.description == "every day at 00:00"
    assert due.tzinfo == ZoneInfo("Asia/Kolkata") and (due.hour, due.minute) == (0, 0)


@pytest.mark.parametrize(("cron", "message"), [
    ("61 * * * *", "minute field '61'"),
    ("* 24 * * *", "hour field '24'"),
    ("* * 32 * *", "day of month field '32'"),
    ("* * * 13 *", "month field '13'"),
    ("* * * * funday", "day of week field 'funday'"),
    ("* * * *", "has 4 fields; it needs 5"),
    ("0 * * * * *", "has 6 fields"),
    ("@sometimes", "unknown cron alias"),
    ("", "cron string"),
])
def test_invalid_cron_strings_name_the_problem(scheduled, cron, message):
    with pytest.raises(ValidationError, match=message):
        scheduled.run_function("trainer", inputs={"data": "data.csv"}, schedule=cron)
    assert scheduled.list_schedules() == []


def test_other_bad_input(scheduled, monkeypatch):
    with pytest.raises(ValidationError, match="unknown time zone 'Mars/Olympus'"):
        scheduled.run_function("trainer", inputs={"data": "data.csv"}, schedule="@hourly", timezone="Mars/Olympus")
    with pytest.raises(ValidationError, match="concurrency must be one of"):
        scheduled.run_function("trainer", inputs={"data": "data.csv"}, schedule="@hourly", concurrency="queue")
    with pytest.raises(ValidationError, match="missing"):
        scheduled.run_function("trainer", inputs={"data": "missing.csv"}, schedule="@hourly")

    monkeypatch.setenv("RUNLAB_SCHEDULE_MIN_INTERVAL", "300")
    runlab.config.reset_config()
    with pytest.raises(ValidationError, match="fires every 60 s, more often than the minimum of 300 s"):
        scheduled.run_function("trainer", inputs={"data": "data.csv"}, schedule="* * * * *")

    def handler(context):
        return 1

    scheduled.set_function(handler, name="cell", kind="local")
    with pytest.raises(ValidationError, match=r"put the handler in a \.py file"):
        scheduled.run_function("cell", schedule="@hourly")
    assert scheduled.list_schedules() == []


def test_a_taken_name_is_an_error_unless_overwrite(scheduled):
    scheduled.run_function("trainer", inputs={"data": "data.csv"}, schedule="@hourly")
    with pytest.raises(ScheduleExistsError, match="overwrite=True"):
        scheduled.run_function("trainer", inputs={"data": "data.csv"}, schedule="@daily")
    assert scheduled.get_schedule("trainer").cron == "0 * * * *"
    scheduled.run_function("trainer", inputs={"data": "data.csv"}, schedule="@daily", overwrite=True)
    assert scheduled.get_schedule("trainer").cron == "0 0 * * *"
    with pytest.raises(ScheduleNotFoundError, match="schedules: trainer"):
        scheduled.get_schedule("nope")


def test_a_due_schedule_fires_once_as_a_labelled_background_run(scheduled, runlab_home):
    sched = scheduled.run_function("trainer", params={"p1": 2}, inputs={"data": "data.csv"}, schedule="@hourly",
                                   labels={"team": "a"})
    due = sched.next_run_time.timestamp()
    scheduler = Scheduler()
    assert scheduler.tick(due - 1) == [], "not yet"
    [run] = scheduler.tick(due + 0.5)
    assert scheduler.tick(due + 1) == [], "the same due time fires once"
    run = _wait_terminal(run)
    assert run.state() == "completed" and run.status.results["accuracy"] == pytest.approx(0.7)
    assert run.metadata.labels["schedule"] == "trainer" and run.metadata.labels["team"] == "a"
    assert run.metadata.labels["kind"] == "job", "the trainer function runs as a job"
    assert "catch-up" not in run.metadata.labels
    assert [r.uid() for r in sched.runs()] == [run.uid()]
    assert sched.next_run_time.timestamp() == due + 3600
    [event] = sched.events()
    assert (event["event"], event["run_uid"]) == ("fired", run.uid())
    assert sched.last_run_time == datetime.fromisoformat(event["time"]), "when it fired"


def test_two_schedulers_racing_fire_each_due_time_exactly_once(scheduled):
    names = [f"s{i}" for i in range(12)]
    for name in names:
        scheduled.run_function("trainer", inputs={"data": "data.csv"}, schedule="@hourly", schedule_name=name,
                               concurrency="allow")
    due = scheduled.get_schedule("s0").next_run_time.timestamp()
    from runlab.store.runstore import RunStore

    started: list[list] = [[], []]
    barrier = threading.Barrier(2)

    def race(i: int) -> None:
        scheduler = Scheduler(RunStore(scheduled.store.url))  # each with its own connections, as two processes
        barrier.wait()
        for _ in range(3):
            started[i].extend(scheduler.tick(due + 1))

    threads = [threading.Thread(target=race, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    fired = [run.metadata.labels["schedule"] for runs in started for run in runs]
    assert sorted(fired) == sorted(names), "every schedule once, by one scheduler or the other"
    for run in started[0] + started[1]:
        _wait_terminal(run)
    assert len(scheduled.list_runs()) == len(names)


def test_a_scheduler_that_was_down_catches_up_with_one_run(scheduled):
    sched = scheduled.run_function("trainer", inputs={"data": "data.csv"}, schedule="@hourly")
    due = sched.next_run_time.timestamp()
    later = due + 5 * 3600 + 600  # five more windows passed while no scheduler ran
    [run] = Scheduler().tick(later)
    assert run.metadata.labels["catch-up"] == "missed 6 firings"
    assert sched.next_run_time.timestamp() == due + 6 * 3600, "the next window after now, not a burst"
    assert [e["event"] for e in sched.events()] == ["caught-up"]
    _wait_terminal(run)


@pytest.mark.slow
@pytest.mark.parametrize("policy", ["forbid", "allow", "replace"])
def test_concurrency_policies(scheduled, policy):
    sched = scheduled.run_function("napper", params={"seconds": 30}, schedule="@hourly", concurrency=policy)
    due = sched.next_run_time.timestamp()
    scheduler = Scheduler()
    [first] = scheduler.tick(due)
    deadline = time.monotonic() + 30
    while first.state() != "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    second = scheduler.tick(due + 3600)
    try:
        if policy == "forbid":
            assert second == [] and first.state() == "running"
            event = sched.events()[0]
            assert event["event"] == "skipped" and first.uid() in event["message"]
        elif policy == "allow":
            assert len(second) == 1 and first.state() == "running"
        else:
            assert len(second) == 1 and first.refresh().state() == "aborted"
            assert [e["event"] for e in sched.events()][:2] == ["fired", "replaced"]
    finally:
        for run in [first, *second]:
            if run.state() not in ("completed", "error", "aborted"):
                run.abort()


def test_pause_resume_and_run_now(scheduled):
    sched = scheduled.run_function("trainer", inputs={"data": "data.csv"}, schedule="@hourly")
    due = sched.next_run_time.timestamp()
    sched.pause()
    assert sched.paused and sched.next_run_time is None
    assert Scheduler().tick(due + 10) == [], "a paused schedule does not fire"
    sched.resume()
    resumed = sched.next_run_time
    assert not sched.paused and (resumed.minute, resumed.second) == (0, 0)
    assert time.time() < resumed.timestamp() <= time.time() + 3600, "the next hour after now"
    run = sched.run_now()
    assert run.metadata.labels["trigger"] == "run-now"
    _wait_terminal(run)
    assert [r.uid() for r in sched.runs()] == [run.uid()]
    scheduled.delete_schedule("trainer")
    assert scheduled.list_schedules() == []
    assert len(scheduled.list_runs()) == 1, "the runs it fired stay"
    with pytest.raises(ScheduleNotFoundError):
        sched.pause()


def test_cron_in_words():
    from runlab.cron import describe

    assert describe("* * * * *") == "every minute"
    assert describe("*/15 * * * *") == "every 15 minutes"
    assert describe("0 * * * *") == "every hour"
    assert describe("30 * * * *") == "every hour at :30"
    assert describe("0 */6 * * *") == "every 6 hours"
    assert describe("30 9 * * *") == "every day at 09:30"
    assert describe("0 8 * * 1") == "every Monday at 08:00"
    assert describe("0 8 * * 1-5") == "every weekday at 08:00"
    assert describe("0 0 1 * *") == "every month"
    assert describe("5 4 2 3 *") == "cron 5 4 2 3 *"


def test_due_times_follow_the_time_zone_across_dst():
    from runlab.cron import next_time

    berlin = ZoneInfo("Europe/Berlin")
    before = datetime(2026, 3, 27, 12, 0, tzinfo=berlin).timestamp()  # clocks go forward on 29 March 2026
    first = next_time("0 9 * * *", before, "Europe/Berlin")
    second = next_time("0 9 * * *", first, "Europe/Berlin")
    assert datetime.fromtimestamp(second, berlin).hour == 9
    assert second - first == 23 * 3600, "9:00 local both days, 23 h apart"


def test_schedules_cli(scheduled, runlab_home):
    scheduled.run_function("trainer", inputs={"data": "data.csv"}, schedule="0 */6 * * *")
    env = {**os.environ, "RUNLAB_HOME": str(runlab_home)}

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "runlab.cli", *args, "--project", "demo"], capture_output=True,
                              text=True, env=env, timeout=60)

    listed = cli("schedules", "list")
    next_run = scheduled.get_schedule("trainer").to_dict()["next_run"]
    assert listed.returncode == 0
    assert listed.stdout.split() == ["trainer", "0", "*/6", "*", "*", "*", "every", "6", "hours", "forbid", "next",
                                     f"{next_run};", "never", "fired"]
    assert cli("schedules", "pause", "trainer").stdout == "trainer: paused\n"
    assert scheduled.get_schedule("trainer").paused
    resumed = cli("schedules", "resume", "trainer").stdout
    assert resumed == f"trainer: next run {scheduled.get_schedule('trainer').to_dict()['next_run']}\n"
    started = cli("schedules", "run-now", "trainer")
    [run] = scheduled.list_runs()
    assert (started.returncode, started.stdout) == (0, f"started run trainer-train {run.uid()}\n")
    assert (run.metadata.labels["schedule"], run.metadata.labels["trigger"]) == ("trainer", "run-now")
    missing = cli("schedules", "pause", "nope")
    assert missing.returncode == 2 and "no schedule 'nope'" in missing.stderr
    assert cli("schedules", "delete", "trainer").stdout == "deleted schedule trainer\n"
    assert scheduled.list_schedules() == []
    _wait_terminal(run)


@pytest.mark.slow
@pytest.mark.sqlite_only  # a real minute; the racing test covers both stores
def test_runlab_scheduler_fires_a_every_minute_schedule_and_stops_on_sigterm(scheduled, runlab_home):
    sched = scheduled.run_function("trainer", inputs={"data": "data.csv"}, schedule="* * * * *")
    # due now, as if the minute had just turned: the process fires it without the test waiting up to 60 s
    assert scheduled.store.update_schedule(sched.project, sched.name, {"next_run": time.time()})
    env = {**os.environ, "RUNLAB_HOME": str(runlab_home)}
    process = subprocess.Popen([sys.executable, "-m", "runlab.cli", "scheduler", "--poll", "1"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 90
        while not sched.runs():
            assert time.monotonic() < deadline, "no firing within 90 s"
            assert process.poll() is None, process.stdout.read()
            time.sleep(0.5)
        run = _wait_terminal(sched.runs()[0])
        assert run.state() == "completed" and run.metadata.labels["schedule"] == "trainer"
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=15)
    assert process.returncode == 0
    assert "scheduler stopped" in out


def test_runlab_run_function_takes_a_schedule_too(scheduled):
    sched = runlab.run_function("trainer", inputs={"data": "data.csv"}, schedule="@weekly", project="demo")
    assert isinstance(sched, runlab.Schedule) and sched.description == "every Sunday at 00:00"


def test_the_local_zone_keeps_its_daylight_saving_rules(monkeypatch):
    from runlab.cron import next_time, zone

    monkeypatch.setenv("TZ", "Europe/Berlin")
    assert zone(None) == ZoneInfo("Europe/Berlin")
    before = datetime(2026, 3, 27, 12, 0, tzinfo=ZoneInfo("Europe/Berlin")).timestamp()
    first = next_time("0 9 * * *", before)
    assert next_time("0 9 * * *", first) - first == 23 * 3600


def test_a_schedule_keeps_its_newest_events(scheduled):
    store = scheduled.store
    for i in range(12):
        store.add_schedule_event({"project": "demo", "name": "x", "time": float(i), "event": "fired"}, keep=5)
    assert [e["time"] for e in store.schedule_events("demo", "x")] == [11.0, 10.0, 9.0, 8.0, 7.0]


def test_update_changes_what_is_given_and_checks_everything_first(scheduled):
    sched = scheduled.run_function("trainer", params={"p1": 2}, inputs={"data": "data.csv"}, schedule="@hourly",
                                   keep_runs=5)
    assert sched.keep_runs == 5 and sched.to_dict()["keep_runs"] == 5 and "keeps 5 runs" in repr(sched)
    before = sched.to_dict()
    bad = [({"cron": "61 * * * *"}, "minute field '61'"), ({"timezone": "Mars/Olympus"}, "unknown time zone"),
           ({"concurrency": "queue"}, "concurrency must be one of"), ({"keep_runs": -1}, "keep_runs must be"),
           ({"inputs": {"data": "missing.csv"}}, "missing"), ({"params": [1]}, "params must be a dict"),
           ({"cron": "@daily", "keep_runs": "two"}, "keep_runs must be")]
    for change, message in bad:
        with pytest.raises(ValidationError, match=message):
            sched.update(**change)
        assert sched.to_dict() == before, f"nothing saved after the bad {change}"

    sched.update(cron="0 6 * * 1-5", timezone="Asia/Kolkata", concurrency="allow", params={"p1": 7},
                 inputs={"data": "data.csv"}, keep_runs=0)
    after = scheduled.get_schedule("trainer")
    assert (after.cron, after.description, after.timezone, after.concurrency, after.keep_runs) == (
        "0 6 * * 1-5", "every weekday at 06:00", "Asia/Kolkata", "allow", None)
    due = after.next_run_time
    assert due.tzinfo == ZoneInfo("Asia/Kolkata") and (due.hour, due.minute) == (6, 0) and due.weekday() < 5
    assert after.scheduled_object["task"]["params"] == {"p1": 7}
    assert after.scheduled_object["task"]["labels"] == {}, "the rest of the task is kept"
    run = _wait_terminal(after.run_now())
    assert run.spec.parameters["p1"] == 7 and run.status.results["accuracy"] == pytest.approx(1.2)
    with pytest.raises(ValidationError, match="give schedule= too"):
        scheduled.run_function("trainer", inputs={"data": "data.csv"}, keep_runs=2)


def test_keep_runs_deletes_older_ended_runs_but_not_those_a_kept_run_reads(scheduled):
    sched = scheduled.run_function("trainer", inputs={"data": "data.csv"}, schedule="@hourly", keep_runs=1)
    first = _wait_terminal(sched.run_now())
    [summary] = [a for a in first.status.artifacts if a["key"] == "summary"]
    assert os.path.exists(summary["target_path"])
    second = _wait_terminal(sched.run_now())  # retention ran: first is the only ended run, within the limit
    assert {r.uid() for r in sched.runs()} == {first.uid(), second.uid()}
    assert [e["event"] for e in sched.events()] == ["fired", "fired"]

    # the next runs read the first run's dataset: it stays while a kept run reads it
    sched.update(inputs={"data": f"store://datasets/demo/summary@{first.uid()}"})
    third = _wait_terminal(sched.run_now())  # retention: second stays (newest ended), first is third's input
    fourth = sched.run_now()  # retention: of the ended runs third stays, second goes, first is third's input
    _wait_terminal(fourth)
    uids = {r.uid() for r in sched.runs()}
    assert second.uid() not in uids and {first.uid(), third.uid(), fourth.uid()} <= uids
    assert os.path.exists(summary["target_path"]), "the file a kept run reads stays"
    retention = [e for e in sched.events() if e["event"] == "retention"]
    assert retention and retention[0]["message"].startswith("retention deleted 1 run, freed ")
    assert "kept 1 older run whose artifacts a kept run reads" in retention[0]["message"]
    [second_summary] = [a for a in second.status.artifacts if a["key"] == "summary"]
    assert not os.path.exists(second_summary["target_path"]), "a deleted run's artifact file is removed"
    assert scheduled.store.read_log(second.uid(), 0, 0)[0] == "", "and its log"
    assert scheduled.store.get_run(second.uid(), 0) is None


def test_retention_never_touches_a_running_run(scheduled):
    sched = scheduled.run_function("napper", params={"seconds": 30}, schedule="@hourly", keep_runs=1,
                                   concurrency="allow")
    runs = [sched.run_now() for _ in range(3)]  # all three still going when each firing's retention runs
    try:
        assert {r.uid() for r in sched.runs()} == {r.uid() for r in runs}
        assert [e["event"] for e in sched.events()] == ["fired"] * 3, "nothing deleted, nothing recorded"
    finally:
        for run in runs:
            run.abort()
