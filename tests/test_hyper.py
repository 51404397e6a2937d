"""Hyper-parameter spaces: strategies, selectors, stop conditions (pure logic)."""

from __future__ import annotations

import pytest

import runlab
from runlab.hyper import HyperParamOptions, StopCondition, expand, parse_selector, select_best


def test_grid_first_key_varies_fastest():
    sets = expand({"p2": [2, 1, 3], "p3": [10, 20]}, HyperParamOptions())
    assert [s["p2"] * s["p3"] for s in sets] == [20, 10, 30, 40, 20, 60]
    assert sets[0] == {"p2": 2, "p3": 10}


def test_list_takes_the_ith_value_of_each():
    assert expand({"a": [1, 2], "b": ["x", "y"]}, HyperParamOptions(strategy="list")) == [
        {"a": 1, "b": "x"}, {"a": 2, "b": "y"}]


def test_random_samples_max_iterations_reproducibly():
    options = HyperParamOptions(strategy="random", max_iterations=7, seed=3)
    first = expand({"a": [1, 2, 3], "b": [0.1, 0.2]}, options)
    assert len(first) == 7 and first == expand({"a": [1, 2, 3], "b": [0.1, 0.2]}, options)
    assert all(s["a"] in (1, 2, 3) and s["b"] in (0.1, 0.2) for s in first)
    assert len(expand({"a": [1, 2]}, HyperParamOptions(strategy="random"))) == 10


def test_custom_strategy_expands_to_nothing():
    assert expand({}, HyperParamOptions(strategy="custom")) == []


@pytest.mark.parametrize(
    ("space", "options", "match"),
    [
        ({"a": [1, 2], "b": [1]}, HyperParamOptions(strategy="list"), "one length; got a: 2, b: 1"),
        ({}, HyperParamOptions(), "empty"),
        ({"a": []}, HyperParamOptions(), "non-empty list"),
        ({"a": 3}, HyperParamOptions(), "non-empty list"),
        ({"a": [1]}, HyperParamOptions(max_iterations=3), "random"),
        ({"a": [1]}, HyperParamOptions(strategy="bayes"), "unknown strategy 'bayes'"),
    ],
)
def test_bad_spaces(space, options, match):
    with pytest.raises(runlab.ValidationError, match=match):
        expand(space, options)


def test_unknown_option_is_named():
    with pytest.raises(runlab.ValidationError, match="unknown hyper-parameter option"):
        HyperParamOptions.from_dict({"stratgy": "grid"})


def test_selectors_count_zero_and_negative_values():
    children = [(1, {"loss": 0.5}), (2, {"loss": -1.0}), (3, {"loss": 0}), (4, {"other": 1})]
    assert select_best(children, "min.loss") == 2
    assert select_best(children, "max.loss") == 1
    assert select_best(children, "loss") == 1
    assert select_best([(1, {"r": 0}), (2, {"r": 0})], "max.r") == 1, "ties go to the first"
    assert select_best([(1, {"r": 0}), (2, {"r": 0})], "min.r") == 1
    assert select_best(children, "") is None
    assert parse_selector("min.a.b") == ("min", "a.b")


def test_selector_naming_a_missing_result_lists_what_exists():
    with pytest.raises(runlab.ValidationError, match=r"no iteration produced a numeric result 'acc' \(results "
                                                     r"produced: loss, other\)"):
        select_best([(1, {"loss": 1}), (2, {"other": 2})], "max.acc")
    with pytest.raises(runlab.ValidationError, match="invalid selector"):
        parse_selector("best.loss")


def test_stop_conditions_evaluate_safely():
    cond = StopCondition("r1 >= 70 and loss < 0.1")
    assert cond.names == {"r1", "loss"}
    assert cond.evaluate({"r1": 70, "loss": 0.05})
    assert not cond.evaluate({"r1": 69, "loss": 0.05})
    assert StopCondition("not (a + b * 2 > 10) or c == 'x'").evaluate({"a": 1, "b": 2, "c": "y"})
    assert StopCondition("0 < a <= 3").evaluate({"a": 3})
    assert StopCondition("-a // 2 % 3 == 1").evaluate({"a": 3})


@pytest.mark.parametrize("text", ["__import__('os').system('x')", "a.b > 1", "a[0] > 1", "a ** 99999 > 1",
                                  "(lambda: 1)()", "a if b else c", "x := 1"])
def test_unsafe_stop_conditions_are_refused(text):
    with pytest.raises(runlab.ValidationError, match="stop_condition"):
        StopCondition(text)


def test_stop_condition_syntax_error_and_missing_name():
    with pytest.raises(runlab.ValidationError, match="not a valid expression"):
        StopCondition("a >= ")
    with pytest.raises(runlab.ValidationError, match=r"names loss, which the iteration did not produce"):
        StopCondition("loss < 1").evaluate({"acc": 1})
