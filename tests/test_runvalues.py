"""The typed index of run values: filters read through it answer exactly as the JSON columns do, and it
follows every change of a run (values, deletes, late or old writes), on SQLite and PostgreSQL."""

from __future__ import annotations

import math
import random

import pytest
from sqlalchemy import event

from runlab.record import RunState, new_run
from runlab.store import get_store
from runlab.store.runvalues import SLACK
from runlab.values import to_storable

T0 = 1_700_000_000.0


def add(project: str = "v", results: dict | None = None, params: dict | None = None, labels: dict | None = None,
        start: float = 0.0, iteration: int = 0, uid: str | None = None, last_update: float | None = None) -> str:
    record = new_run(project, "train", "job", RunState.COMPLETED, labels or {}, {"parameters": params or {}})
    if uid:
        record.uid = uid
    record.iteration = iteration
    record.results = results or {}
    record.start_time = T0 + start
    record.last_update = T0 + start if last_update is None else last_update
    record.end_time = T0 + start + 1
    get_store().create_run(record)
    return record.uid


def both_ways(**kwargs) -> list[tuple[str, int]]:
    """The runs list_runs finds through the index, checked against what it finds through the JSON columns."""
    store = get_store()
    store.use_values_index = False
    try:
        by_json = [(r.uid, r.iteration) for r in store.list_runs(**kwargs)]
    finally:
        store.use_values_index = True
    by_index = [(r.uid, r.iteration) for r in store.list_runs(**kwargs)]
    assert by_index == by_json, kwargs
    return by_index


_VALUES = [0, 1, -2.5, 0.5, 3, 10**6, 1e-9, "a", "B", "", "a%b", "nan", "inf", True, False, None,
           {"x": 1}, [1, 2], "0.5"]
_KEYS = ["a", "b", "c", "x.y", 'q"k']


def random_values(rng: random.Random) -> dict:
    return {key: rng.choice(_VALUES) for key in _KEYS if rng.random() < 0.7}


def random_filter(rng: random.Random, depth: int = 0) -> str:
    if depth < 2 and rng.random() < 0.35:
        joiner = rng.choice([" and ", " or "])
        return "(" + joiner.join(random_filter(rng, depth + 1) for _ in range(2)) + ")"
    if rng.random() < 0.1:
        return "not " + random_filter(rng, depth + 1)
    section = rng.choice(["params", "results", "labels"])
    key = rng.choice(_KEYS)
    name = f"{section}.{key}" if key.isidentifier() else f"{section}.'{key}'"
    op = rng.choice(["==", "!=", "<", "<=", ">", ">=", "like", "not like", "in", "not in"])
    if op in ("like", "not like"):
        pattern = rng.choice(["a%", "%", "b", "_", "a\\\\%b", "NA%"])
        return f"{name} {op} '{pattern}'"
    literal = rng.choice(["0", "1", "-2.5", "0.5", "1000000", "'a'", "'B'", "''", "'nan'", "true", "false",
                          "null", "3.0"])
    if op in ("in", "not in"):
        return f"{name} {op} ({literal}, 0.5, 'a')"
    if literal in ("true", "false", "null"):
        op = rng.choice(["==", "!="])
    return f"{name} {op} {literal}"


def test_the_index_answers_every_random_filter_and_order_as_the_json_columns_do():
    """A few hundred runs with mixed types, missing keys, NaN and infinity (stored as the results' "nan" and
    "inf" strings), booleans, nulls, lists and objects, in two projects with sweep iterations: random filters
    and orders find the same runs in the same order through the index and through the JSON columns."""
    rng = random.Random(17)
    for i in range(300):
        values = random_values(rng) | ({"f": math.nan} if i % 7 == 0 else {})
        results = to_storable("results", values, non_finite="string")
        labels = {key: str(value) for key, value in random_values(rng).items() if value is not None}
        uid = add(rng.choice(["v", "w"]), results, random_values(rng), labels, start=i)
        if i % 25 == 0:
            add("v", random_values(rng), random_values(rng), start=i + 0.5, iteration=1, uid=uid)
    assert both_ways(project="v", filter="results.f == 'nan'")  # NaN was kept as its string
    for _ in range(150):
        text = random_filter(rng)
        orders = [f"{rng.choice(['params', 'results', 'labels'])}.{rng.choice(['a', 'b', 'c'])} "
                  f"{rng.choice(['asc', 'desc'])}" for _ in range(rng.randint(0, 2))]
        project = rng.choice(["v", None])
        both_ways(project=project, filter=text, order_by=orders or None, iterations=rng.random() < 0.3,
                  last=rng.choice([None, 7]), offset=rng.choice([0, 3]))
        both_ways(project=project, order_by=orders or ["results.a desc"], last=20)
        if orders:  # a filter that keeps only numbers of the first order's key: read in the index's order
            lead = orders[0].split()[0]
            both_ways(project=project, filter=f"{lead} > -1 and ({text})", order_by=orders, last=5, offset=1)
            both_ways(project=project, filter=f"{lead} != 0.5", order_by=orders)


def test_pages_sorted_by_one_value_cross_numbers_strings_and_missing_values_as_one_order():
    """A sort by one key with no filter that narrows by values reads numbers, strings and the rest apart, each
    only as far as its page needs: every page, of every size, in both directions, across projects and with
    iterations, holds exactly the runs of the same page of the full order, so paging never skips or repeats."""
    rng = random.Random(5)
    for i in range(120):
        value = rng.choice([1, -2.5, 0.5, 3, "a", "B", "", True, None, [1], "0.5"])
        results = {"a": value} if rng.random() < 0.8 else {}
        uid = add(rng.choice(["v", "w"]), results, labels={"team": rng.choice(["x", "y"])}, start=i % 40)
        if i % 10 == 0:
            add("v", {"a": rng.choice([2, "z"])}, start=i, iteration=1, uid=uid)
    for order in ("results.a desc", "results.a asc"):
        for project, iterations in (("v", False), ("v", True), (None, False)):
            whole = both_ways(project=project, order_by=[order], iterations=iterations)
            for size in (9, 50):
                paged = []
                for offset in range(0, len(whole) + size, size):
                    paged += both_ways(project=project, order_by=[order], iterations=iterations, last=size,
                                       offset=offset)
                assert paged == whole, (order, project, iterations, size)
        # a filter on other fields keeps the same segmented reading
        both_ways(project="v", filter="labels.team == 'x' or state == 'completed'", order_by=[order], last=9,
                  offset=4)


def test_the_index_follows_updates_deletes_and_late_or_old_writes():
    store = get_store()
    first = add(results={"score": 1}, start=1)
    second = add(results={"score": 2}, labels={"team": "a"}, start=2)
    assert both_ways(project="v", filter="results.score >= 1") == [(second, 0), (first, 0)]
    # a value changed without a new last_update: the store stamps one, so the index re-reads the run
    store.update_run(first, 0, {"results": {"score": 5}})
    assert both_ways(project="v", filter="results.score > 4") == [(first, 0)]
    assert store.update_run_if(second, 0, {"labels": {"team": "b"}}, [RunState.COMPLETED])
    assert both_ways(project="v", filter="labels.team == 'b'") == [(second, 0)]
    # a run recorded with a last_update long before the watermark (an import) is found all the same
    old = add(results={"score": 9}, start=3, last_update=T0 - 10 * SLACK)
    assert both_ways(project="v", filter="results.score > 4", order_by="results.score desc") == [(old, 0), (first, 0)]
    store.delete_run(old)
    assert both_ways(project="v", filter="results.score > 4") == [(first, 0)]
    third = add(results={"score": 7}, start=4, last_update=T0 - 10 * SLACK)  # after a delete: counts still agree
    assert both_ways(project="v", filter="results.score > 4") == [(third, 0), (first, 0)]
    assert store.index_values("v") == 0, "a current index is only read"


def test_a_large_project_is_indexed_a_part_per_query_and_answered_from_the_runs_meanwhile(monkeypatch):
    from runlab.store import runvalues

    monkeypatch.setattr(runvalues, "CHUNK", 3)
    uids = [add(results={"score": i}, start=i) for i in range(10)]
    for _ in range(4):  # 3 + 3 + 3 + 1 runs: each query answers the same, whichever way it reads
        assert both_ways(project="v", filter="results.score >= 4", order_by="results.score desc", last=3) == [
            (uids[9], 0), (uids[8], 0), (uids[7], 0)]
    assert get_store().index_values("v") == 0, "every run is indexed"


def test_a_store_upgraded_from_an_older_revision_finds_its_runs_through_the_index():
    from oldstores import store_at_revision

    rows = []
    for i in range(3):
        record = new_run("old", "train", "job", RunState.COMPLETED, {}, {"parameters": {"lr": i / 10}})
        record.results = {"accuracy": i / 2}
        record.start_time = record.last_update = T0 + i
        rows.append(record.to_row())
    store_at_revision("0004", rows)  # before the jobs summary: its migration counts these runs
    store = get_store()
    assert store.index_values() == 3
    assert both_ways(project="old", filter="results.accuracy > 0.2 and params.lr < 0.2") == [(rows[1]["uid"], 0)]


@pytest.mark.sqlite_only
def test_a_selective_filter_is_driven_from_the_values_index_not_a_scan_of_the_runs():
    store = get_store()
    for i in range(50):
        add(results={"n": i, "accuracy": i / 50}, start=i)
    statements: list[tuple[str, object]] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "run_values" in statement:
            statements.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", seen)
    cases = [("results.n < 2", "results.accuracy desc", [1, 0]),  # few runs: from the values of n
             ("results.n >= 0", "results.n desc", [49, 48, 47]),  # the order's own values, in index order
             ("results.n > 10 and name == 'train'", "results.n", [11, 12, 13])]
    try:
        for project in ("v", None):
            for text, order, expected in cases:
                statements.clear()
                found = store.list_runs(project=project, filter=text, order_by=order, last=3)
                assert [run.results["n"] for run in found] == expected
                statement, parameters = next((s, p) for s, p in statements
                                             if s.lstrip().upper().startswith("SELECT RUNS."))
                with store.engine.connect() as conn:
                    plan = [row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
                assert not any(step.startswith("SCAN runs") for step in plan), plan
                assert any("ix_run_values_" in step for step in plan), plan
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)


def test_a_sort_by_one_result_walks_the_values_index_and_stops_at_the_page():
    """The Runs view's column sort: the first page of runs sorted by a result that every run has is one
    query, read in the values index's order (no sort of every run), whichever the direction."""
    store = get_store()
    for i in range(60):
        add(results={"accuracy": (i * 7) % 60 / 60}, start=i)
    statements: list[tuple[str, object]] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT RUNS."):
            statements.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        for order, first in (("results.accuracy desc", 59 / 60), ("results.accuracy", 0.0)):
            statements.clear()
            found = store.list_runs(project="v", order_by=order, last=5)
            assert found[0].results["accuracy"] == first and len(found) == 5
            assert len(statements) == 1, "the numbers' query filled the page: strings and the rest are not read"
            if store.engine.dialect.name == "sqlite":
                with store.engine.connect() as conn:
                    plan = [row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statements[0][0],
                                                                    statements[0][1])]
                assert any("ix_run_values_project" in step for step in plan), plan
                assert not any(step == "USE TEMP B-TREE FOR ORDER BY" for step in plan), plan
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)
