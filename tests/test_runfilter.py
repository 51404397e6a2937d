"""The run filter language's parser: precedence, lists, patterns, quoted keys, orders and every error."""

from __future__ import annotations

import pytest

from runlab.errors import ValidationError
from runlab.store.runfilter import BoolOp, Compare, Name, Not, Order, parse_filter, parse_order


def cmp(key: str, op: str, value, section: str = "results"):
    """A comparison as a tuple (positions left out): what the tests compare."""
    return (section, key, op, value)


def shape(node):
    if isinstance(node, Compare):
        return (node.name.section, node.name.key, node.op, node.value)
    if isinstance(node, Not):
        return ("not", shape(node.operand))
    assert isinstance(node, BoolOp)
    return (node.op, *(shape(o) for o in node.operands))


def test_the_issue_example_is_an_and_of_three_comparisons():
    node = parse_filter("results.accuracy > 0.9 and params.lr < 0.1 and state == 'completed'")
    assert shape(node) == ("and", cmp("accuracy", ">", 0.9), cmp("lr", "<", 0.1, "params"),
                           cmp("state", "==", "completed", ""))


def test_not_binds_tighter_than_and_which_binds_tighter_than_or():
    node = parse_filter("not name == 'a' or name == 'b' and not state == 'error'")
    assert shape(node) == ("or", ("not", cmp("name", "==", "a", "")),
                           ("and", cmp("name", "==", "b", ""), ("not", cmp("state", "==", "error", ""))))


def test_parentheses_override_precedence_and_keywords_take_any_case():
    node = parse_filter("NOT (name == 'a' OR name == 'b') And iteration >= 1")
    assert shape(node) == ("and", ("not", ("or", cmp("name", "==", "a", ""), cmp("name", "==", "b", ""))),
                           cmp("iteration", ">=", 1, ""))


def test_in_not_in_like_and_literals():
    node = parse_filter("labels.team in ('a', \"b\", 3, -1.5e2, true, null) and name not in ('x') "
                        "and name like 'tr%' and name not like '_x' and results.ok == false")
    assert shape(node) == ("and", cmp("team", "in", ("a", "b", 3, -150.0, True, None), "labels"),
                           cmp("name", "not in", ("x",), ""), cmp("name", "like", "tr%", ""),
                           cmp("name", "not like", "_x", ""), cmp("ok", "==", False))


def test_quoted_keys_hold_dots_spaces_quotes_and_keywords():
    assert shape(parse_filter('results."val.acc" > 1')) == cmp("val.acc", ">", 1)
    assert shape(parse_filter("params.'learning rate' == .5")) == cmp("learning rate", "==", 0.5, "params")
    assert shape(parse_filter(r"results.'it\'s \"x\"' == 'a\\b'")) == cmp("it's \"x\"", "==", "a\\b")
    assert shape(parse_filter("results.and == 1")) == cmp("and", "==", 1)


def test_numbers_keep_int_or_float():
    assert parse_filter("iteration == 3").value == 3 and isinstance(parse_filter("iteration == 3").value, int)
    assert parse_filter("start > 1.7e9").value == 1.7e9


def test_orders_from_a_string_a_list_or_commas():
    assert parse_order("results.accuracy desc") == (Order(Name("results", "accuracy", 1), True),)
    orders = parse_order(["params.lr", 'results."val.acc" ASC, start desc'])
    assert [(str(o.name), o.descending) for o in orders] == [("params.lr", False), ("results.val.acc", False),
                                                            ("start", True)]


@pytest.mark.parametrize(("text", "message"), [
    ("results.accuracy > 0.9 and params.lr < 0.1 adn state == 'x'",
     "filter: unexpected 'adn' at column 44; expected 'and', 'or' or the end"),
    ("", "filter: unexpected end at column 1; expected a condition such as results.accuracy > 0.9"),
    ("accuracy > 1", "filter: unexpected 'accuracy' at column 1; expected a name: params.<key>, results.<key>, "
                     "labels.<key> or one of uid, name, kind, state, iteration, start, end, duration"),
    ("results > 1", "filter: unexpected '>' at column 9; expected '.' and a key after results (such as "
                    "results.accuracy)"),
    ("results.1 > 1", "filter: unexpected '1' at column 9; expected a key after 'results.': a word, or a "
                      "quoted string such as results.\"val.acc\""),
    ("name = 'a'", "filter: unexpected '=' at column 6; expected a name, a value or an operator "
                   "(== != < <= > >= in like)"),
    ("name 'a'", "filter: unexpected 'a' at column 6; expected an operator after name: == != < <= > >= in, "
                 "not in, like, not like"),
    ("name ==", "filter: unexpected end at column 8; expected a value: a number, a quoted string, true, false "
                "or null"),
    ("name == abc", "filter: unexpected 'abc' at column 9; expected a value: a number, a quoted string, true, "
                    "false or null"),
    ("(name == 'a'", "filter: unexpected end at column 13; expected ')', 'and' or 'or'"),
    ("name not == 'a'", "filter: unexpected '==' at column 10; expected 'in' or 'like' after 'not'"),
    ("name in 'a'", "filter: unexpected 'a' at column 9; expected '(' and a list of values, such as in ('a', 'b')"),
    ("name in ('a' 'b')", "filter: unexpected 'b' at column 14; expected ',' or ')'"),
    ("name like 3", "filter: unexpected '3' at column 11; expected a quoted pattern after 'like' (such as "
                    "'train%')"),
    ("name == 'abc", "filter: unterminated string 'abc at column 9; expected a closing ' (a backslash escapes "
                     "a quote inside a string)"),
    ("results.x > 0.9adn", "filter: unexpected '0.9adn' at column 13; expected a number or a name (a name "
                           "starts with a letter)"),
    ("name == 'a' and", "filter: unexpected end at column 16; expected a name (params.<key>, results.<key>, "
                        "labels.<key>, uid, name, kind, state, iteration, start, end, duration), 'not' or '('"),
    ("name == 'a'; drop", "filter: unexpected ';' at column 12; expected a name, a value or an operator "
                          "(== != < <= > >= in like)"),
])
def test_bad_filters_name_the_token_its_column_and_what_was_expected(text, message):
    with pytest.raises(ValidationError) as info:
        parse_filter(text)
    assert str(info.value) == message


@pytest.mark.parametrize(("order_by", "message"), [
    ("results.accuracy down", "order_by: unexpected 'down' at column 18; expected 'asc', 'desc', ',' or the end"),
    ("", "order_by: unexpected end at column 1; expected a name to order by (params.<key>, results.<key>, "
         "labels.<key>, uid, name, kind, state, iteration, start, end, duration)"),
    ("score desc", "order_by: unexpected 'score' at column 1; expected a name: params.<key>, results.<key>, "
                   "labels.<key> or one of uid, name, kind, state, iteration, start, end, duration"),
    (3, "order_by must be a str such as \"results.accuracy desc\" or a list of them, not 3"),
])
def test_bad_orders_are_validation_errors(order_by, message):
    with pytest.raises(ValidationError) as info:
        parse_order(order_by)
    assert str(info.value) == message


def test_a_filter_that_is_not_a_string_is_a_validation_error():
    with pytest.raises(ValidationError, match="filter must be a str"):
        parse_filter(3)  # type: ignore[arg-type]
