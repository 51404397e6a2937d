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
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
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
    return {"uid": c.uid, "name": c.name, "kind": c.kind, "state": c.state, "iteration": c.iteration,
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


def _comparison(node: Compare, op: str, value: Literal, dialect: str) -> ColumnElement:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValidationError(f"filter: the number at column {node.column} is too large")
    if node.name.section:
        return _compare_json(node, op, value, dialect)
    return _compare_field(node, op, value)


def filter_condition(node: Node, dialect: str) -> ColumnElement:
    """The condition of a parsed filter on ``runs``, for the database ``dialect`` (``sqlite``/``postgresql``)."""
    if isinstance(node, BoolOp):
        parts = [filter_condition(operand, dialect) for operand in node.operands]
        return and_(*parts) if node.op == "and" else or_(*parts)
    if isinstance(node, Not):
        return not_(filter_condition(node.operand, dialect))
    if node.op in ("in", "not in"):
        op = "==" if node.op == "in" else "!="
        parts = [_comparison(node, op, value, dialect) for value in node.value]
        return or_(*parts) if node.op == "in" else and_(*parts)
    if node.op in ("like", "not like") and not isinstance(node.value, str):
        raise ValidationError(f"filter: 'like' needs a quoted pattern (column {node.column})")
    return _comparison(node, node.op, node.value, dialect)


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

