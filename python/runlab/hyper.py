"""Hyper-parameter spaces: strategies (grid, list, random, custom), selectors and safe stop conditions.

Pure logic, no runs: ``launch`` asks this module which parameter sets to run, whether to stop, and which
child is best.
"""

from __future__ import annotations

import ast
import itertools
import operator
import random
from dataclasses import asdict, dataclass, field
from typing import Any

from .errors import ValidationError

STRATEGIES = ("grid", "list", "random", "custom")


@dataclass
class HyperParamOptions:
    """How a sweep runs (MLRun's names): ``strategy``, ``max_iterations`` (random), ``parallel_runs``,
    ``stop_condition`` (e.g. ``"accuracy >= 0.95"``), ``max_errors``, ``selector`` (``"max.accuracy"``).

    MLRun's other options are accepted by keyword: ``param_file`` (the space from a file, as
    ``with_param_file`` gives it), ``teardown_dask`` (nothing to tear down: runlab does not start Dask
    clusters) and ``dask_cluster_uri`` (refused when the sweep is prepared: runlab reaches Dask through
    ``runlab.set_dask_client``).
    """

    strategy: str | None = None
    max_iterations: int | None = None
    parallel_runs: int | None = None
    stop_condition: str = ""
    max_errors: int | None = None
    selector: str = ""
    seed: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    param_file: str = ""
    dask_cluster_uri: str = ""
    teardown_dask: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if v not in (None, "", {})}
        data.pop("extra", None)
        return data

    def validate(self) -> None:
        """MLRun's check of the options alone: a known strategy, ``max_iterations`` only for ``random``."""
        if self.strategy is not None and self.strategy not in STRATEGIES:
            raise ValidationError(f"unknown strategy {self.strategy!r}: use one of {', '.join(STRATEGIES)}")
        if self.max_iterations and self.strategy != "random":
            strategy = self.strategy or "grid"
            raise ValidationError(f"max_iterations applies to the 'random' strategy only, not {strategy!r}")
        for name, least in (("max_iterations", 1), ("parallel_runs", 1), ("max_errors", 0)):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < least):
                raise ValidationError(f"{name} must be a whole number >= {least}, not {value!r}")
        if self.seed is not None and (isinstance(self.seed, bool) or not isinstance(self.seed, int)):
            raise ValidationError(f"seed must be a whole number, not {self.seed!r}")
        if self.dask_cluster_uri:
            raise ValidationError(
                f"dask_cluster_uri {self.dask_cluster_uri!r} names an MLRun Dask function: runlab runs sweeps on "
                "a Dask cluster through runlab.set_dask_client(client) and a function of kind 'dask'")

    @classmethod
    def from_dict(cls, data: dict[str, Any] | HyperParamOptions | None) -> HyperParamOptions:
        if isinstance(data, HyperParamOptions):
            return data
        known = {f for f in cls.__dataclass_fields__ if f != "extra"}
        if data is not None and not isinstance(data, dict):
            raise ValidationError(
                f"hyper_param_options must be a dict or a HyperParamOptions, not {type(data).__name__} {data!r} "
                "(e.g. {'strategy': 'random', 'max_iterations': 5})")
        data = dict(data or {})
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValidationError(
                f"unknown hyper-parameter option(s) {', '.join(unknown)}: use {', '.join(sorted(known))}"
            )
        return cls(**data)


def expand(hyperparams: dict[str, list[Any]], options: HyperParamOptions) -> list[dict[str, Any]]:
    """The parameter set of each iteration, in order (iteration k is element k-1).

    ``grid``: every combination, the first key varying fastest; ``list``: the i-th value of each list;
    ``random``: ``max_iterations`` samples (default 10); ``custom``: none (the handler loops itself).
    """
    strategy = options.strategy or "grid"
    if strategy not in STRATEGIES:
        raise ValidationError(f"unknown strategy {strategy!r}: use one of {', '.join(STRATEGIES)}")
    if options.max_iterations is not None and strategy != "random":
        raise ValidationError(f"max_iterations applies to the 'random' strategy only, not {strategy!r}")
    if strategy == "custom":
        return []
    if not isinstance(hyperparams, dict) or not hyperparams:
        raise ValidationError("the hyper-parameter space is empty: give at least one key with a list of values")
    for key, values in hyperparams.items():
        if not isinstance(values, (list, tuple)) or not values:
            raise ValidationError(f"hyper-parameter {key!r} needs a non-empty list of values, not {values!r}")
    keys = list(hyperparams)
    if strategy == "grid":
        combos = itertools.product(*(hyperparams[k] for k in reversed(keys)))
        return [dict(zip(keys, reversed(combo), strict=True)) for combo in combos]
    if strategy == "list":
        lengths = {k: len(v) for k, v in hyperparams.items()}
        if len(set(lengths.values())) > 1:
            detail = ", ".join(f"{k}: {n}" for k, n in lengths.items())
            raise ValidationError(f"the 'list' strategy needs lists of one length; got {detail}")
        return [dict(zip(keys, values, strict=True)) for values in zip(*(hyperparams[k] for k in keys), strict=True)]
    count = options.max_iterations if options.max_iterations is not None else 10
    if count < 1:
        raise ValidationError(f"max_iterations must be at least 1, not {count}")
    rng = random.Random(options.seed)
    return [{k: rng.choice(list(hyperparams[k])) for k in keys} for _ in range(count)]


def parse_selector(selector: str) -> tuple[str, str]:
    """``"max.accuracy"`` → ``("max", "accuracy")``; a bare ``"accuracy"`` means max."""
    if not isinstance(selector, str) or not selector.strip():
        raise ValidationError(f"invalid selector {selector!r}: use 'max.<result>' or 'min.<result>'")
    op, sep, key = selector.strip().partition(".")
    if not sep:
        return "max", op
    if op not in ("max", "min") or not key:
        raise ValidationError(f"invalid selector {selector!r}: use 'max.<result>' or 'min.<result>'")
    return op, key


def select_best(children: list[tuple[int, dict[str, Any]]], selector: str) -> int | None:
    """The iteration whose result is best by ``selector`` among ``(iteration, results)`` pairs.

    Zero and negative values count (the first of equal values wins). None when no selector is given;
    a result no child produced is a clear error listing the results that exist.
    """
    if not selector:
        return None
    op, key = parse_selector(selector)
    scored = [(results[key], it) for it, results in children if isinstance(results.get(key), (int, float))
              and not isinstance(results.get(key), bool)]
    if not scored:
        seen = sorted({k for _, results in children for k in results})
        if key in seen:
            raise ValidationError(f"selector {selector!r}: {key!r} is not a number in any iteration, so none can "
                                  "be picked by it: log a numeric result or change the selector")
        raise ValidationError(
            f"selector {selector!r}: no iteration produced a numeric result {key!r} "
            f"(results produced: {', '.join(seen) or 'none'})"
        )
    if op == "max":
        return max(scored, key=lambda pair: (pair[0], -pair[1]))[1]
    return min(scored, key=lambda pair: (pair[0], pair[1]))[1]


# -- stop conditions -------------------------------------------------------------------------------

_COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
            ast.Gt: operator.gt, ast.GtE: operator.ge}
_ARITH = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
          ast.Mod: operator.mod, ast.FloorDiv: operator.floordiv}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_}


class StopCondition:
    """A condition over a child's results and params, like ``"r1 >= 70 and loss < 0.1"``.

    Parsed once and evaluated by walking the syntax tree: only names, numbers, strings, comparisons,
    ``and``/``or``/``not`` and ``+ - * / // %`` are allowed; nothing is ever ``eval``-ed.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        try:
            self._tree = ast.parse(text.strip(), mode="eval").body
        except SyntaxError as exc:
            raise ValidationError(f"stop_condition {text!r} is not a valid expression: {exc.msg}") from None
        self.names = self._check(self._tree)

    def _check(self, node: ast.AST) -> set[str]:
        if isinstance(node, ast.Name):
            return {node.id}
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool)):
            return set()
        if isinstance(node, ast.BoolOp) and isinstance(node.op, (ast.And, ast.Or)):
            return set().union(*(self._check(v) for v in node.values))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            return self._check(node.operand)
        if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
            return self._check(node.left) | self._check(node.right)
        if isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
            return self._check(node.left).union(*(self._check(c) for c in node.comparators))
        raise ValidationError(
            f"stop_condition {self.text!r} uses {ast.unparse(node)!r}, which is not allowed: use names, numbers, "
            "comparisons, and/or/not and + - * / // %"
        )

    def evaluate(self, values: dict[str, Any]) -> bool:
        """True when the condition holds for ``values`` (a child's params and results)."""
        missing = sorted(self.names - set(values))
        if missing:
            raise ValidationError(
                f"stop_condition {self.text!r} names {', '.join(missing)}, which the iteration did not produce "
                f"(params and results: {', '.join(sorted(values)) or 'none'})"
            )
        return bool(self._eval(self._tree, values))

    def _eval(self, node: ast.AST, values: dict[str, Any]) -> Any:
        if isinstance(node, ast.Name):
            return values[node.id]
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.BoolOp):
            if isinstance(node.op, ast.And):
                return all(self._eval(v, values) for v in node.values)
            return any(self._eval(v, values) for v in node.values)
        if isinstance(node, ast.UnaryOp):
            return _UNARY[type(node.op)](self._eval(node.operand, values))
        if isinstance(node, ast.BinOp):
            return _ARITH[type(node.op)](self._eval(node.left, values), self._eval(node.right, values))
        assert isinstance(node, ast.Compare)
        left = self._eval(node.left, values)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self._eval(comparator, values)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True


def plain_value(value: Any) -> Any:
    """A numpy scalar as the Python value it holds (anything else as it is)."""
    return value.item() if hasattr(value, "item") else value
