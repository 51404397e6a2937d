"""The ``runlab`` command, run as a real subprocess against a real store."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml


@pytest.fixture
def cli(runlab_home, tmp_path):
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "runlab.cli", *args], capture_output=True, text=True,
                              cwd=tmp_path, env={**os.environ, "RUNLAB_HOME": str(runlab_home)})

    return run


@pytest.fixture
def jobs(write_file):
    return write_file("jobs.py", """
        def train(context, lr=0.1, epochs=1, tags=None):
            print("training", lr, epochs, tags)
            context.log_result("score", lr * epochs)

        def broken():
            raise RuntimeError("bad data")
    """)


def test_run_prints_output_and_summary(cli, jobs):
    proc = cli("run", "jobs.py", "--handler", "train", "-p", "lr=0.5", "-p", "epochs=4", "-p", "tags=[1,2]",
               "--project", "cli")
    assert proc.returncode == 0, proc.stderr
    assert "training 0.5 4 [1, 2]" in proc.stdout
    assert "completed" in proc.stdout and "score: 2.0" in proc.stdout


def test_failed_run_exits_1_and_is_listed(cli, jobs):
    proc = cli("run", "jobs.py", "--handler", "broken")
    assert proc.returncode == 1
    assert "RuntimeError: bad data" in proc.stderr
    listed = cli("runs", "--state", "error")
    assert "jobs-broken" in listed.stdout and "error" in listed.stdout


def test_bad_usage_exits_2_with_a_message(cli, jobs):
    proc = cli("run", "jobs.py", "--handler", "nope")
    assert proc.returncode == 2
    assert "no handler 'nope'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert cli("get", "ffffffffff").returncode == 2


def test_script_runs_and_runs_get_logs_read_it_back(cli, write_file):
    write_file("script.py", "print('hello from a script')\n")
    assert cli("run", "script.py").returncode == 0
    table = cli("runs").stdout
    assert "script" in table and "completed" in table
    summary = next(line for line in cli("run", "script.py", "--name", "again").stdout.splitlines()
                   if line.startswith("run "))
    uid = summary.split()[2]
    record = yaml.safe_load(cli("get", uid[:10]).stdout)
    assert record["metadata"]["name"] == "again" and record["status"]["state"] == "completed"
    assert cli("logs", uid).stdout == "hello from a script\n"
