"""Listing runs by a filter expression and an order, on SQLite and PostgreSQL: through the store,
``runlab.run.list_runs``, the project, the run DB, the saved table's query and the ``runlab runs`` command."""

from __future__ import annotations

from datetime import datetime

import pytest

import runlab
from runlab.cli import main
from runlab.errors import ValidationError
from runlab.record import RunState, new_run
from runlab.run import list_runs
from runlab.server.table import parse_query, table_rows
from runlab.store import get_store

T0 = 1_700_000_000.0


def add(name: str, results: dict | None = None, params: dict | None = None, state: str = "completed",
        start: float = 0.0, took: float | None = 10.0, labels: dict | None = None, project: str = "q",
        iteration: int = 0, uid: str | None = None) -> str:
    """A run written straight to the store, at ``T0 + start``, ending ``took`` seconds later (None: no end)."""
    record = new_run(project, name, "job", RunState(state), labels or {}, {"parameters": params or {}})
    if uid:
        record.uid = uid
    record.iteration = iteration
    record.results = results or {}
    record.start_time = record.last_update = T0 + start
    record.end_time = None if took is None else T0 + start + took
    get_store().create_run(record)
    return record.uid


@pytest.fixture
def runs() -> dict[str, str]:
    """Five runs of project q (and one of another project) with numbers, strings and missing values."""
    return {
        "best": add("best", {"accuracy": 0.95, "val.acc": 0.9}, {"lr": 0.01}, start=1, labels={"team": "a"}),
        "text": add("text", {"accuracy": "high"}, {"lr": 0.01}, start=2, labels={"team": "b"}),
        "slow": add("slow", {"accuracy": 0.91}, {"lr": 0.5}, start=3, took=100),
        "live": add("live", {"accuracy": 0.97}, {"lr": 0.05}, state="running", start=4, took=None),
        "none": add("none", {}, {"lr": 0.05, "opt": "adam"}, state="error", start=5),
        "elsewhere": add("best", {"accuracy": 0.99}, {"lr": 0.01}, start=6, project="other"),
    }


def names(**kwargs) -> list[str]:
    return [record.name for record in get_store().list_runs(project="q", **kwargs)]


def test_the_issue_example_through_every_python_entry_point(runs):
    runlab.get_or_create_project("q", context="./")
    text = "results.accuracy > 0.9 and params.lr < 0.1 and state == 'completed'"
    assert names(filter=text) == ["best"]
    assert [r.uid() for r in list_runs(project="q", filter=text)] == [runs["best"]]
    assert [r.uid() for r in list_runs(filter="results.accuracy > 0.9 and params.lr < 0.1")] == [
        runs["elsewhere"], runs["live"], runs["best"]]
    project = runlab.get_or_create_project("q", context="./")
    assert [r.uid() for r in project.list_runs(filter="results.accuracy > 0.9",
                                                order_by=["results.accuracy desc"])] == [
        runs["live"], runs["best"], runs["slow"]]
    assert [r.uid() for r in runlab.get_run_db().list_runs(project="q", filter="duration > 50")] == [runs["slow"]]


def test_filters_combine_with_every_other_filter(runs):
    assert names(filter="results.accuracy > 0.9", state=["completed", "running"], since=T0 + 2) == ["live", "slow"]
    assert names(filter="params.lr < 0.1", labels={"team": None}) == ["text", "best"]
    assert names(filter="params.lr < 0.1", name="~TEX") == ["text"]
    assert names(filter="params.lr < 0.1", last=2) == ["none", "live"]
    assert names(filter="params.lr < 0.1", last=2, offset=2) == ["text", "best"]
    assert names(filter="params.lr < 0.1", newest_first=False) == ["best", "text", "live", "none"]
    assert names(filter="params.lr < 0.1", uid=runs["text"]) == ["text"]


def test_operators_and_names(runs):
    assert names(filter="not results.accuracy > 0.9") == ["none", "text"]
    assert names(filter="state in ('error', 'running')") == ["none", "live"]
    assert names(filter="state not in ('error', 'running') and results.accuracy >= 0.91") == ["slow", "best"]
    assert names(filter="name like 'B%' or labels.team like '_'") == ["text", "best"]
    assert names(filter="params.opt like 'AD%'") == ["none"]
    assert names(filter="params.opt not like 'x%'") == ["none"], "a missing value matches no comparison"
    assert names(filter="results.accuracy == null") == ["none"]
    assert names(filter="results.accuracy != null and not results.accuracy == 'high'") == [
        "live", "slow", "best"]
    assert names(filter='results."val.acc" == 0.9') == ["best"]
    assert names(filter="iteration == 0 and kind == 'job'") == ["none", "live", "slow", "text", "best"]
    assert names(filter=f"uid == '{runs['slow']}'") == ["slow"]
    assert names(filter="end == null") == ["live"]


def test_times_compare_with_epoch_seconds_or_iso_dates_and_duration_needs_an_end(runs):
    iso = datetime.fromtimestamp(T0 + 3).isoformat()
    assert names(filter=f"start >= {T0 + 3}") == ["none", "live", "slow"]
    assert names(filter=f"start >= '{iso}'") == ["none", "live", "slow"]
    assert names(filter=f"end < '{iso}'") == []
    assert names(filter=f"end <= {T0 + 12}") == ["text", "best"]
    assert names(filter="duration >= 10") == ["none", "slow", "text", "best"], "the live run has no end"
    assert names(filter="not duration >= 10") == ["live"]


def test_mixed_types_match_only_their_kind(runs):
    assert names(filter="results.accuracy > 0") == ["live", "slow", "best"]
    assert names(filter="results.accuracy != 0.95") == ["live", "slow"], "a string value is not a number"
    assert names(filter="results.accuracy == 'high'") == ["text"]
    assert names(filter="results.accuracy > 'a'") == ["text"], "strings compare with strings"
    assert names(filter="results.accuracy in (0.95, 'high')") == ["text", "best"]
    add("flag", {"accuracy": True, "n": 3}, start=7)
    assert names(filter="results.accuracy == true") == ["flag"]
    assert names(filter="results.accuracy != false") == ["flag"]
    assert names(filter="results.n == 3 and results.n == 3.0 and results.n < 3.5") == ["flag"]
    assert names(filter="results.n == '3'") == []


def test_injection_attempts_are_plain_values_and_match_nothing(runs):
    store = get_store()
    before = store.count_runs()
    assert names(filter="results.x == \"'; drop table runs; --\"") == []
    assert names(filter="results.\"x') or 1=1 --\" == 1") == []
    assert names(filter="results.'a\\\"b' == 1") == []
    assert names(filter="labels.\"team' = 'a\" == 'a'") == []
    assert names(order_by=['results."); drop table runs; --" desc']) == ["none", "live", "slow", "text", "best"]
    assert store.count_runs() == before
    add("quoted", {'it"s': 1, "it's": 2}, start=8)
    assert names(filter='results.\'it"s\' == 1 and results."it\'s" == 2') == ["quoted"]
    assert names(order_by='results.\'it"s\' desc', last=1) == ["quoted"]


def test_order_puts_numbers_then_strings_then_missing_values_last_both_ways(runs):
    assert names(order_by=["results.accuracy desc"]) == ["live", "best", "slow", "text", "none"]
    assert names(order_by="results.accuracy asc") == ["slow", "best", "live", "text", "none"]
    assert names(order_by=["end desc"]) == ["slow", "none", "text", "best", "live"]
    assert names(order_by=["duration"]) == ["none", "text", "best", "slow", "live"], "ties: newest first"
    assert names(order_by=["params.lr desc", "name"]) == ["slow", "live", "none", "best", "text"]
    assert names(order_by="params.lr desc, name asc") == ["slow", "live", "none", "best", "text"]


def test_ties_and_missing_values_page_stably(runs):
    for i in range(7):  # same start, same (missing) value: only uid tells them apart
        add(f"tie{i}", {"other": i}, start=9, uid=f"{i:032x}")
    everything = names(order_by=["results.accuracy desc"])
    assert everything[:3] == ["live", "best", "slow"] and len(everything) == 12
    paged = [n for offset in range(0, 12, 5) for n in names(order_by=["results.accuracy desc"], last=5,
                                                            offset=offset)]
    assert paged == everything
    assert everything[4:11] == [f"tie{i}" for i in range(7)], "missing values: newest start, then uid"


def test_sweep_iterations_are_filtered_too(runs):
    parent = add("sweep", {"best": 1}, start=10)
    for i in (1, 2, 3):
        add("sweep", {"score": i}, {"p": i}, start=10 + i, iteration=i, uid=parent)
    assert names(filter="results.score >= 2") == []
    assert [(r.name, r.iteration) for r in get_store().list_runs(
        project="q", iterations=True, filter="results.score >= 2", order_by="params.p")] == [("sweep", 2), ("sweep", 3)]


def test_a_bad_filter_or_order_is_a_validation_error_before_anything_is_read(runs):
    with pytest.raises(ValidationError, match="filter: unexpected 'adn' at column 24; expected 'and', 'or'"):
        list_runs(filter="results.accuracy > 0.9 adn params.lr < 1")
    with pytest.raises(ValidationError, match="order_by: unexpected 'up' at column 18"):
        runlab.get_run_db().list_runs(order_by=["results.accuracy up"])
    with pytest.raises(ValidationError, match=r"filter: state is a string: compare it with a quoted string, not 1 "
                                              r"\(column 10\)"):
        list_runs(filter="state == 1")
    with pytest.raises(ValidationError, match="start compares with epoch seconds or an ISO date"):
        list_runs(filter="start > 'yesterday'")
    with pytest.raises(ValidationError, match="null compares only with == or !="):
        list_runs(filter="results.x > null")
    with pytest.raises(ValidationError, match="'like' matches strings and duration is a number"):
        list_runs(filter="duration like '1%'")


def test_the_listing_query_carries_filter_and_order_so_a_saved_table_pages_the_same_runs(runs):
    listed = list_runs(project="q", filter="results.accuracy > 0.9", order_by="results.accuracy desc")
    query = listed[0]._listed[0].query
    assert query["filter"] == "results.accuracy > 0.9" and query["order_by"] == ["results.accuracy desc"]
    import json

    checked = parse_query(json.dumps(query))
    page = table_rows(get_store(), query=checked, offset=1, limit=2)
    assert [row["uid"] for row in page["rows"]] == [runs["best"], runs["slow"]]
    with pytest.raises(ValidationError, match="filter: unexpected"):
        parse_query(json.dumps({**query, "filter": "results.x >"}))


def test_the_runs_command_filters_orders_and_exits_2_on_a_bad_filter(runs, capsys):
    assert main(["runs", "--project", "q", "--filter", "results.accuracy > 0.9",
                 "--order-by", "results.accuracy desc"]) == 0
    out = capsys.readouterr().out
    assert out.index(runs["live"][:8]) < out.index(runs["best"][:8]) < out.index(runs["slow"][:8])
    assert runs["text"][:8] not in out and runs["none"][:8] not in out
    assert main(["runs", "--filter", "results.accuracy > 0.9 adn x"]) == 2
    err = capsys.readouterr().err
    assert "filter: unexpected 'adn' at column 24; expected 'and', 'or' or the end" in err
