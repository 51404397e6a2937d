"""The run filter language: a tokenizer and a recursive-descent parser from text to a small AST.

A filter is a boolean expression over a run's fields::

    results.accuracy > 0.9 and params.lr < 0.1 and state == 'completed'
    not (labels.team in ('a', 'b') or name like 'train%')

Names: ``params.<key>``, ``results.<key>``, ``labels.<key>`` and the fields ``uid``, ``name``, ``kind``,
``state``, ``iteration``, ``start``, ``end``, ``duration``. A key that is not a plain word (letters, digits,
``_``; it may hold dots, spaces or quotes) is written as a quoted string after the dot:
``results."val.acc"`` or ``params.'learning rate'``. Strings are in single or double quotes; inside them a
backslash escapes the next character (``'it\\'s'``). Literals: numbers, strings, ``true``, ``false``,
``null``. Operators: ``== != < <= > >=``, ``in (...)``, ``not in (...)``, ``like`` / ``not like``, then
``not``, ``and``, ``or`` (tightest first), and parentheses. Keywords are case-insensitive.

An order is ``"<name> [asc|desc]"``; several may be given in one string, separated by commas.

This module only parses: nothing here touches SQL (``filtersql`` compiles the AST to bound expressions).
A bad filter raises :class:`~runlab.errors.ValidationError` naming the token, its column and what was
expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import ValidationError

FIELDS = ("uid", "name", "kind", "state", "iteration", "start", "end", "duration")
"""The run fields a filter or an order may name without a prefix."""
SECTIONS = ("params", "results", "labels")
"""The JSON sections whose keys a filter names as ``<section>.<key>``."""
COMPARISONS = ("==", "!=", "<=", ">=", "<", ">")
_KEYWORDS = {"and", "or", "not", "in", "like", "true", "false", "null", "asc", "desc"}

Literal = float | int | str | bool | None


@dataclass(frozen=True)
class Name:
    """A field (``section`` empty) or a key of a JSON section; ``column`` is where it starts (1-based)."""

    section: str
    key: str
    column: int

    def __str__(self) -> str:
        return f"{self.section}.{self.key}" if self.section else self.key


@dataclass(frozen=True)
class Compare:
    """``name op value``; ``op`` is one of ``COMPARISONS``, ``in``, ``not in``, ``like``, ``not like``
    (``value`` a tuple of literals for ``in``)."""

    name: Name
    op: str
    value: Literal | tuple[Literal, ...]
    column: int  # of the value, for errors found when compiling


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class BoolOp:
    """``and`` / ``or`` of two or more operands."""

    op: str
    operands: tuple[Node, ...]


Node = Compare | Not | BoolOp


@dataclass(frozen=True)
class Order:
    name: Name
    descending: bool


@dataclass(frozen=True)
class Token:
    kind: str  # word, string, number, op, punct, end
    text: str  # the token as written (a string: its value, quotes removed)
    column: int

    def shown(self) -> str:
        if self.kind == "end":
            return "end"
        if self.kind == "string":
            return repr(self.text)
        return f"'{self.text}'"

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.lower() in words


_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def tokenize(text: str, what: str = "filter") -> list[Token]:
    """The tokens of ``text``, ending with an ``end`` token; ``what`` names the input in errors."""
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        char, column = text[i], i + 1
        if char.isspace():
            i += 1
        elif char in "'\"":
            value, i = _string(text, i, what)
            tokens.append(Token("string", value, column))
        elif text.startswith(("==", "!=", "<=", ">="), i):
            tokens.append(Token("op", text[i:i + 2], column))
            i += 2
        elif char in "<>":
            tokens.append(Token("op", char, column))
            i += 1
        elif char in "(),.":
            # a dot starts a number only where a value may stand (not after a name)
            number = _NUMBER.match(text, i) if char == "." and not _after_name(tokens) else None
            if number:
                tokens.append(Token("number", number.group(), column))
                i = number.end()
            else:
                tokens.append(Token("punct", char, column))
                i += 1
        elif (number := _NUMBER.match(text, i)) and (char != "-" or number.end() > i + 1):
            end = number.end()
            if end < len(text) and (text[end].isalnum() or text[end] == "_"):
                word = re.compile(r"[A-Za-z0-9_.]+").match(text, i)
                raise _error(what, f"'{word.group() if word else text[i:end + 1]}'", column,
                             "a number or a name (a name starts with a letter)")
            tokens.append(Token("number", number.group(), column))
            i = end
        elif word := _WORD.match(text, i):
            tokens.append(Token("word", word.group(), column))
            i = word.end()
        else:
            raise _error(what, f"'{char}'", column, "a name, a value or an operator (== != < <= > >= in like)")
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


def _after_name(tokens: list[Token]) -> bool:
    return bool(tokens) and tokens[-1].kind in ("word", "string")


def _string(text: str, start: int, what: str) -> tuple[str, int]:
    quote, out, i = text[start], [], start + 1
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        elif char == quote:
            return "".join(out), i + 1
        else:
            out.append(char)
            i += 1
    raise _error(what, f"unterminated string {text[start:start + 20]}", start + 1,
                 f"a closing {quote} (a backslash escapes a quote inside a string)", quoted=False)


def _error(what: str, shown: str, column: int, expected: str, quoted: bool = True) -> ValidationError:
    prefix = "unexpected " if quoted else ""
    return ValidationError(f"{what}: {prefix}{shown} at column {column}; expected {expected}")


class _Parser:
    def __init__(self, text: str, what: str) -> None:
        self.what = what
        self.tokens = tokenize(text, what)
        self.at = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.at]

    def advance(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def fail(self, expected: str, token: Token | None = None) -> ValidationError:
        token = token or self.token
        return _error(self.what, token.shown(), token.column, expected)

    def expect_end(self, expected: str) -> None:
        if self.token.kind != "end":
            raise self.fail(expected)

    # expression := or ; or := and ("or" and)* ; and := not ("and" not)* ; not := "not" not | atom
    def expression(self) -> Node:
        return self.boolean("or", self.conjunction)

    def conjunction(self) -> Node:
        return self.boolean("and", self.negation)

    def boolean(self, op: str, operand) -> Node:
        operands = [operand()]
        while self.token.is_word(op):
            self.advance()
            operands.append(operand())
        return operands[0] if len(operands) == 1 else BoolOp(op, tuple(operands))

    def negation(self) -> Node:
        if self.token.is_word("not"):
            self.advance()
            return Not(self.negation())
        return self.atom()

    def atom(self) -> Node:
        if self.token.kind == "punct" and self.token.text == "(":
            self.advance()
            node = self.expression()
            if not (self.token.kind == "punct" and self.token.text == ")"):
                raise self.fail("')', 'and' or 'or'")
            self.advance()
            return node
        name = self.name("a name (params.<key>, results.<key>, labels.<key>, "
                         f"{', '.join(FIELDS)}), 'not' or '('")
        return self.comparison(name)

    def name(self, expected: str) -> Name:
        token = self.token
        if token.kind != "word" or token.text.lower() in _KEYWORDS:
            raise self.fail(expected)
        word = token.text
        self.advance()
        if word in SECTIONS:
            if not (self.token.kind == "punct" and self.token.text == "."):
                raise self.fail(f"'.' and a key after {word} (such as {word}.accuracy)")
            self.advance()
            key = self.token
            if key.kind not in ("word", "string") or key.text == "":
                raise self.fail(f"a key after '{word}.': a word, or a quoted string such as {word}.\"val.acc\"")
            self.advance()
            return Name(word, key.text, token.column)
        if word not in FIELDS:
            raise self.fail(f"a name: params.<key>, results.<key>, labels.<key> or one of {', '.join(FIELDS)}",
                            token)
        return Name("", word, token.column)

    def comparison(self, name: Name) -> Compare:
        token = self.token
        if token.kind == "op":
            self.advance()
            column = self.token.column
            return Compare(name, token.text, self.literal(), column)
        negated = token.is_word("not")
        if negated:
            self.advance()
        if self.token.is_word("in"):
            self.advance()
            column = self.token.column
            return Compare(name, "not in" if negated else "in", self.literal_list(), column)
        if self.token.is_word("like"):
            self.advance()
            column = self.token.column
            pattern = self.token
            if pattern.kind != "string":
                raise self.fail("a quoted pattern after 'like' (such as 'train%')")
            self.advance()
            return Compare(name, "not like" if negated else "like", pattern.text, column)
        if negated:
            raise self.fail("'in' or 'like' after 'not'")
        raise self.fail(f"an operator after {name}: == != < <= > >= in, not in, like, not like")

    def literal(self) -> Literal:
        token = self.token
        if token.kind == "number":
            self.advance()
            number = float(token.text)
            return int(token.text) if re.fullmatch(r"-?\d+", token.text) else number
        if token.kind == "string":
            self.advance()
            return token.text
        if token.is_word("true", "false", "null"):
            self.advance()
            return {"true": True, "false": False, "null": None}[token.text.lower()]
        raise self.fail("a value: a number, a quoted string, true, false or null")

    def literal_list(self) -> tuple[Literal, ...]:
        if not (self.token.kind == "punct" and self.token.text == "("):
            raise self.fail("'(' and a list of values, such as in ('a', 'b')")
        self.advance()
        values = [self.literal()]
        while self.token.kind == "punct" and self.token.text == ",":
            self.advance()
            values.append(self.literal())
        if not (self.token.kind == "punct" and self.token.text == ")"):
            raise self.fail("',' or ')'")
        self.advance()
        return tuple(values)


def parse_filter(text: str) -> Node:
    """The AST of a filter expression; ``ValidationError`` names the first bad token."""
    if not isinstance(text, str):
        raise ValidationError(f"filter must be a str such as \"results.accuracy > 0.9\", not {type(text).__name__}")
    parser = _Parser(text, "filter")
    if parser.token.kind == "end":
        raise parser.fail("a condition such as results.accuracy > 0.9")
    node = parser.expression()
    parser.expect_end("'and', 'or' or the end")
    return node


def parse_order(order_by: str | list[str] | tuple[str, ...]) -> tuple[Order, ...]:
    """``order_by`` (``"results.accuracy desc"``, a list of such, or one string of them joined by commas)
    as orders; ``ValidationError`` names the first bad token."""
    items = [order_by] if isinstance(order_by, str) else order_by
    if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
        raise ValidationError("order_by must be a str such as \"results.accuracy desc\" or a list of them, "
                              f"not {order_by!r}")
    orders: list[Order] = []
    for item in items:
        parser = _Parser(item, "order_by")
        while True:
            name = parser.name("a name to order by (params.<key>, results.<key>, labels.<key>, "
                               f"{', '.join(FIELDS)})")
            descending = False
            if parser.token.is_word("asc", "desc"):
                descending = parser.advance().text.lower() == "desc"
            orders.append(Order(name, descending))
            if parser.token.kind == "punct" and parser.token.text == ",":
                parser.advance()
                continue
            parser.expect_end("'asc', 'desc', ',' or the end")
            break
    return tuple(orders)


def check(filter: str | None, order_by: str | list[str] | tuple[str, ...] | None) -> None:
    """``ValidationError`` if ``filter`` or ``order_by`` does not parse (None: nothing to check); callers
    check before they touch the store."""
    if filter is not None:
        parse_filter(filter)
    if order_by:
        parse_order(order_by)
