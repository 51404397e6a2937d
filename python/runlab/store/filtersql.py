"""A parsed run filter (``runfilter``) as a SQLAlchemy condition and order over the ``runs`` table.

Every value of the filter, JSON keys and paths included, reaches the database as a bound parameter: no text
of a filter is ever part of the SQL. On SQLite JSON values are read with ``json_extract``/``json_type``
(a key holding a double quote, which a JSON path cannot spell, is looked up with ``json_each``); on
PostgreSQL with ``->``/``->>`` and ``json_typeof`` (the columns are ``json``).

What a comparison means (two-valued: a run either matches or not, never an error):

- a number compares with numeric values; a string with string values; ``true``/``false`` equal booleans
  (``==``/``!=`` only). A run whose value is missing or of another type matches no comparison, ``!=`` and
  ``not in`` included (``not (...)`` is the plain negation, so it matches them).
- ``== null`` matches a missing or null value, ``!= null`` a present one.
- ``like`` matches strings with SQL's ``%`` and ``_``, in any case; a backslash escapes them.
- ``start``/``end`` compare with epoch seconds or an ISO date string (without a zone: local time);
  ``duration`` is ``end - start`` in seconds (a run without an end has none).

An order puts values of its kind first: numbers (by value), then strings, then runs without such a value,
in both directions; ties go to the newest start first, then uid and iteration, so pages are stable.

A value that is a list or an object is present (``!= null`` matches it) and equal to nothing, and sorts
with the missing ones. A store that keeps ``run_values`` current (``runvalues``) compiles the same filter
through it (``indexed=True``): the same runs in the same order, read from typed indexes instead of every
run's JSON. (The index holds numbers as doubles: integers beyond 2**53 compare at that precision.)
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    Text,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    not_,
    or_,
    select,
    tuple_,
)

from ..errors import ValidationError
from . import schema
from .runfilter import BoolOp, Compare, Literal, Name, Node, Not, Order

_SECTION_COLUMN = {"params": "spec", "results": "results", "labels": "labels"}
_STRING_FIELDS = ("uid", "name", "kind", "state")
_NUMBER_FIELDS = ("iteration", "start", "end", "duration")
_OPERATORS = {"==": "__eq__", "!=": "__ne__", "<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__"}


def _bound(value: Any, type_=None) -> ColumnElement:
    return bindparam(None, value, type_=type_, unique=True)


class _JsonValue:
    """One key of a JSON section of a run, read as a number, a string or a boolean (NULL otherwise)."""

    def __init__(self, name: Name, dialect: str) -> None:
        table = schema.runs
        column = table.c[_SECTION_COLUMN[name.section]]
        nested = name.section == "params"  # spec.parameters.<key>
        if dialect == "postgresql":
            doc = column.op("->")(literal("parameters", Text)) if nested else column
            self.type = func.json_typeof(doc.op("->")(_bound(name.key, Text)))
            self.text = doc.op("->>")(_bound(name.key, Text))
            self.kinds = {"number": ("number",), "string": ("string",), "boolean": ("boolean",)}
            self.number = case((self.type == "number", cast(self.text, Float)))
        else:
            if '"' in name.key:  # a JSON path cannot quote this key: find it among the object's keys
                base = "$.parameters" if nested else "$"
                each = func.json_each(column, literal(base)).table_valued("key", "value", "type").alias()
                found = select(each.c.key).where(each.c.key == _bound(name.key, Text))
                self.type = found.with_only_columns(each.c.type).scalar_subquery()
                self.text = found.with_only_columns(each.c.value).scalar_subquery()
            else:
                path = ("$.parameters." if nested else "$.") + f'"{name.key}"'
                self.type = func.json_type(column, _bound(path, Text))
                self.text = func.json_extract(column, _bound(path, Text))
            self.kinds = {"number": ("integer", "real"), "string": ("text",), "boolean": ("true", "false")}
            self.number = case((self.type.in_(self.kinds["number"]), self.text))
        self.string = case((self.type.in_(self.kinds["string"]), self.text))
        self.boolean = case((self.type.in_(self.kinds["boolean"]), self.type if dialect != "postgresql"
                             else self.text))

    def present(self) -> ColumnElement:
        return and_(self.type.is_not(None), self.type != "null")


def _field(name: Name) -> ColumnElement:
    c = schema.runs.c
    state = c.state.concat("")  # never through the state index: it would read and sort every run of a state
    return {"uid": c.uid, "name": c.name, "kind": c.kind, "state": state, "iteration": c.iteration,
            "start": c.start_time, "end": c.end_time, "duration": c.end_time - c.start_time}[name.key]


def _epoch(name: Name, value: Literal, column: int) -> Literal:
    """A time field's literal as epoch seconds (an ISO date string is converted)."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).timestamp()
        except ValueError:
            raise ValidationError(f"filter: {name} compares with epoch seconds or an ISO date such as "
                                  f"'2024-05-01T12:00', not {value!r} (column {column})") from None
    return value


def _compare_field(node: Compare, op: str, value: Literal) -> ColumnElement:
    name, expr = node.name, _field(node.name)
    if value is None:
        if op not in ("==", "!="):
            raise ValidationError(f"filter: null compares only with == or != (column {node.column})")
        return expr.is_(None) if op == "==" else expr.is_not(None)
    kind = "string" if name.key in _STRING_FIELDS else "number"
    if op in ("like", "not like") and kind != "string":
        raise ValidationError(f"filter: 'like' matches strings and {name} is a number (column {node.column})")
    if name.key in ("start", "end"):
        value = _epoch(name, value, node.column)
    if isinstance(value, bool) or (kind == "string") != isinstance(value, str):
        wanted = "a quoted string" if kind == "string" else "a number"
        raise ValidationError(f"filter: {name} is a {kind}: compare it with {wanted}, not {value!r} "
                              f"(column {node.column})")
    if op in ("like", "not like"):
        matched = func.lower(expr).like(func.lower(_bound(value, Text)), escape="\\")
        return matched if op == "like" else not_(matched)
    return and_(expr.is_not(None), getattr(expr, _OPERATORS[op])(_bound(value)))


def _compare_json(node: Compare, op: str, value: Literal, dialect: str) -> ColumnElement:
    json = _JsonValue(node.name, dialect)
    if value is None:
        if op not in ("==", "!="):
            raise ValidationError(f"filter: null compares only with == or != (column {node.column})")
        return not_(json.present()) if op == "==" else json.present()
    if op in ("like", "not like"):
        matched = func.lower(json.string).like(func.lower(_bound(value, Text)), escape="\\")
        return and_(json.string.is_not(None), matched if op == "like" else not_(matched))
    if isinstance(value, bool):
        if op not in ("==", "!="):
            raise ValidationError(f"filter: true and false compare only with == or != (column {node.column})")
        expr, value = json.boolean, "true" if value else "false"
    elif isinstance(value, str):
        expr = json.string
    else:
        expr = json.number
    # "x IS NOT NULL AND x op v" is false, never NULL, for a missing value: 'not' then negates plainly
    return and_(expr.is_not(None), getattr(expr, _OPERATORS[op])(_bound(value)))


Scope = bool | tuple[str, ...]
"""Which projects' rows of ``run_values`` a compiled filter reads: True, the listing's ``:project``
parameter; or the projects themselves (a listing across projects). The index starts with the project."""


def _in_scope(column: ColumnElement, project: Scope) -> ColumnElement:
    if project is True:
        return column == bindparam("project")
    return column.in_(bindparam(None, list(project or ()), expanding=True, unique=True))


def _indexed_runs(name: Name, where: ColumnElement, project: Scope) -> ColumnElement:
    """Runs that have a row of ``name`` in ``run_values`` matching ``where`` (within ``project``)."""
    values = schema.run_values.c
    found = select(values.uid, values.iteration).where(_in_scope(values.project, project),
                                                       values.field == _bound(str(name), Text), where)
    return tuple_(schema.runs.c.uid, schema.runs.c.iteration).in_(found)


def _compare_indexed(node: Compare, op: str, value: Literal, project: Scope) -> ColumnElement:
    """``_compare_json``'s meaning, read from ``run_values``: a row of the value's type that compares."""
    values = schema.run_values.c
    if value is None:
        if op not in ("==", "!="):
            raise ValidationError(f"filter: null compares only with == or != (column {node.column})")
        present = _indexed_runs(node.name, values.type != "null", project)
        return not_(present) if op == "==" else present
    if op in ("like", "not like"):
        matched = func.lower(values.str).like(func.lower(_bound(value, Text)), escape="\\")
        return _indexed_runs(node.name, and_(values.type == "string",
                                             matched if op == "like" else not_(matched)), project)
    if isinstance(value, bool):
        if op not in ("==", "!="):
            raise ValidationError(f"filter: true and false compare only with == or != (column {node.column})")
        kind, expr, value = "boolean", values.num, 1 if value else 0
    elif isinstance(value, str):
        kind, expr = "string", values.str
    else:
        kind, expr = "number", values.num
    return _indexed_runs(node.name, and_(values.type == kind, getattr(expr, _OPERATORS[op])(_bound(value))),
                         project)


def _comparison(node: Compare, op: str, value: Literal, dialect: str, indexed: bool, project: Scope
                ) -> ColumnElement:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValidationError(f"filter: the number at column {node.column} is too large")
    if node.name.section:
        if indexed:
            return _compare_indexed(node, op, value, project)
        return _compare_json(node, op, value, dialect)
    return _compare_field(node, op, value)


def filter_condition(node: Node, dialect: str, indexed: bool = False, project: Scope = True) -> ColumnElement:
    """The condition of a parsed filter on ``runs``, for the database ``dialect`` (``sqlite``/``postgresql``).

    ``indexed``: read params, results and labels from ``run_values`` (kept current by the caller) of the
    projects ``project`` names (``Scope``)."""
    if isinstance(node, BoolOp):
        parts = [filter_condition(operand, dialect, indexed, project) for operand in node.operands]
        return and_(*parts) if node.op == "and" else or_(*parts)
    if isinstance(node, Not):
        return not_(filter_condition(node.operand, dialect, indexed, project))
    if node.op in ("in", "not in"):
        op = "==" if node.op == "in" else "!="
        parts = [_comparison(node, op, value, dialect, indexed, project) for value in node.value]
        return or_(*parts) if node.op == "in" else and_(*parts)
    if node.op in ("like", "not like") and not isinstance(node.value, str):
        raise ValidationError(f"filter: 'like' needs a quoted pattern (column {node.column})")
    return _comparison(node, node.op, node.value, dialect, indexed, project)


def narrows_by_values(node: Node | None) -> bool:
    """True when every run the filter (compiled with ``indexed``) matches must have a matching row in
    ``run_values``: a comparison, or an ``and`` holding one. Such a query can start from that index."""
    if isinstance(node, BoolOp):
        return node.op == "and" and any(narrows_by_values(operand) for operand in node.operands)
    if not isinstance(node, Compare) or not node.name.section:
        return False
    if node.op == "in":
        return len(node.value) == 1 and node.value[0] is not None
    return not (node.op == "==" and node.value is None)


def uses_values(node: Node | None, orders: tuple[Order, ...]) -> bool:
    """True when a filter or an order names a key of params, results or labels."""
    def named(n: Node) -> bool:
        if isinstance(n, BoolOp):
            return any(named(o) for o in n.operands)
        if isinstance(n, Not):
            return named(n.operand)
        return bool(n.name.section)
    return (node is not None and named(node)) or any(order.name.section for order in orders)


def order_clauses(orders: tuple[Order, ...], dialect: str) -> list[ColumnElement]:
    """ORDER BY terms of ``orders``: values of each kind together, missing ones last in both directions,
    ties by newest start, then uid and iteration."""
    terms: list[ColumnElement] = []
    for order in orders:
        if order.name.section:
            json = _JsonValue(order.name, dialect)
            values = [json.number, json.string]
        else:
            values = [_field(order.name)]
        for value in values:
            # a CASE, not "IS NULL": PostgreSQL and SQLite sort its 0/1 alike
            terms.append(case((value.is_(None), 1), else_=0))
            terms.append(value.desc() if order.descending else value.asc())
    c = schema.runs.c
    return [*terms, c.start_time.desc(), c.uid, c.iteration]


def numbers_only(node: Node | None, name: Name) -> bool:
    """True when the filter matches only runs whose ``name`` is a number (a number comparison on it, alone
    or in an ``and``): an order by ``name`` then follows the values index's own order."""
    return _lead(node, name) is not None


def _lead(node: Node | None, name: Name) -> Compare | None:
    if isinstance(node, BoolOp):
        if node.op == "and":
            return next((found for operand in node.operands if (found := _lead(operand, name))), None)
        return None
    if (isinstance(node, Compare) and node.name == name and node.op in _OPERATORS
            and isinstance(node.value, (int, float)) and not isinstance(node.value, bool)):
        return node
    return None


def without_lead(node: Node, name: Name) -> Node | None:
    """``node`` without the number comparison on ``name`` that ``indexed_order`` makes itself (None when
    nothing else is left)."""
    lead = _lead(node, name)

    def strip(part: Node) -> Node | None:
        if part is lead:
            return None
        if isinstance(part, BoolOp) and part.op == "and":
            kept = tuple(rest for operand in part.operands if (rest := strip(operand)) is not None)
            return None if not kept else kept[0] if len(kept) == 1 else BoolOp("and", kept)
        return part

    return strip(node)


def indexed_order(query: Select, orders: tuple[Order, ...], node: Node | None = None, project: Scope = True
                  ) -> Select:
    """``query`` ordered as ``order_clauses`` orders it, a value read from its ``run_values`` row (joined).

    When ``node`` keeps only runs whose first order's value is a number, that value's row is joined with
    that comparison (within ``project``) and sorted on alone: the query walks the values index in order and
    stops at its limit. The caller then leaves that comparison out of the filter (``without_lead``)."""
    terms: list[ColumnElement] = []
    runs = schema.runs.c
    for i, order in enumerate(orders):
        if order.name.section:
            row = schema.run_values.alias(f"order_{i}")
            on = and_(row.c.uid == runs.uid, row.c.iteration == runs.iteration,
                      row.c.field == _bound(str(order.name), Text))
            lead = _lead(node, order.name) if i == 0 else None
            if lead is not None:  # its comparison is made here, on the joined row: the filter leaves it out
                if isinstance(lead.value, float) and not math.isfinite(lead.value):
                    raise ValidationError(f"filter: the number at column {lead.column} is too large")
                compared = getattr(row.c.num, _OPERATORS[lead.op])(_bound(lead.value))
                query = query.join(row, and_(on, _in_scope(row.c.project, project), row.c.type == "number",
                                             compared))
                terms.append(row.c.num.desc() if order.descending else row.c.num.asc())
                continue
            query = query.outerjoin(row, on)
            values = [case((row.c.type == "number", row.c.num)), case((row.c.type == "string", row.c.str))]
        else:
            values = [_field(order.name)]
        for value in values:
            terms.append(case((value.is_(None), 1), else_=0))
            terms.append(value.desc() if order.descending else value.asc())
    return query.order_by(None).order_by(*terms, runs.start_time.desc(), runs.uid, runs.iteration)



def segmented_order(query: Select, order: Order, project: Scope) -> list[Select]:
    """``query`` ordered by one params, results or labels key as ``indexed_order`` orders it, as three
    queries to read one after another, each in its own index's order and only as far as the page needs
    (``:window`` rows, ``last + offset`` less what the queries before gave): the runs whose value is a
    number (walking the values index), then a string, then the rest (newest first, walking the runs' own
    index). Sorting a 100,000-run project by a result then reads about a page of index entries, where one
    ORDER BY over the joined values sorts every run of the listing."""
    runs = schema.runs.c
    field = _bound(str(order.name), Text)
    base = query.order_by(None).limit(None).offset(None)
    tail = [runs.start_time.desc(), runs.uid, runs.iteration]
    window = bindparam("window")
    arms = []
    for kind in ("number", "string"):
        row = schema.run_values.alias(f"sort_{kind}")
        key = row.c.num if kind == "number" else row.c.str
        arms.append(base.join(row, and_(row.c.uid == runs.uid, row.c.iteration == runs.iteration,
                                        row.c.field == field, _in_scope(row.c.project, project),
                                        row.c.type == kind))
                    .order_by(key.desc() if order.descending else key.asc(), *tail).limit(window))
    valued = schema.run_values.alias("sort_valued")
    has_value = (select(literal(1)).where(valued.c.uid == runs.uid, valued.c.iteration == runs.iteration,
                                         valued.c.field == field, valued.c.type.in_(("number", "string")))
                 .exists())
    arms.append(base.where(~has_value).order_by(*tail).limit(window))
    return arms
